//! Decodes arbitrary bytes as participant frames (one per line) and applies every
//! vote to a live session, as the server does; checks the tallies stay consistent.
#![no_main]

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use handsup_core::deck::{demo_deck, Deck, QuestionKind};
use handsup_core::protocol::{decode_participant, valid_participant_id, valid_request_id, ParticipantMessage};
use handsup_core::session::{PresenterAction, SessionState};
use libfuzzer_sys::fuzz_target;

/// Parsed once: the deck is not what is being fuzzed here.
static DECK: OnceLock<Arc<Deck>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let deck = DECK.get_or_init(|| Arc::new(demo_deck())).clone();
    let mut session = SessionState::new(deck.clone());
    let mut answers: HashMap<(String, String), Vec<u16>> = HashMap::new();
    let mut participant = String::from("fuzz-default");
    for (n, line) in data.split(|&b| b == b'\n').enumerate() {
        // Frames arrive as text; anything else is refused before decoding.
        let Ok(text) = std::str::from_utf8(line) else { continue };
        // Let the input steer the presenter too, so votes meet every slide and switch.
        match line.first().copied().unwrap_or(0) % 7 {
            0 => drop(session.apply(PresenterAction::Next)),
            1 => drop(session.apply(PresenterAction::Previous)),
            2 => drop(session.apply(PresenterAction::SetVoting(n % 2 == 0))),
            _ => {}
        }
        match decode_participant(text) {
            Ok(ParticipantMessage::Hello { participant: id }) => {
                if valid_participant_id(&id) {
                    participant = id;
                }
            }
            Ok(ParticipantMessage::Vote { request, question, choices }) => {
                if !valid_request_id(&request) {
                    continue;
                }
                if let Ok(stored) = session.check_vote(&question, &choices) {
                    let previous = answers.insert((participant.clone(), question.clone()), stored.clone());
                    session.count(&question, previous.as_deref(), &stored);
                }
            }
            Err(message) => assert!(!message.is_empty()),
        }
    }
    // Invariants: every count is at most the respondents; single choice sums exactly.
    for question in deck.questions() {
        let tally = &session.tallies[&question.id];
        let respondents = answers.keys().filter(|(_, q)| q == &question.id).count() as u64;
        assert_eq!(tally.respondents, respondents);
        assert!(tally.counts.iter().all(|&c| c <= respondents));
        if matches!(question.kind, QuestionKind::Single { .. }) {
            assert_eq!(tally.counts.iter().sum::<u64>(), respondents);
        }
    }
});
