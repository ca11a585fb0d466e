//! Decodes arbitrary bytes as participant frames (one per line) and applies every
//! vote to a live session, as the server does; checks the tallies stay consistent.
#![no_main]

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use handsup_core::deck::{demo_deck, Deck};
use handsup_core::question::{Answer, Audience, Kind};
use handsup_core::protocol::{decode_participant, valid_participant_id, valid_request_id, ParticipantMessage};
use handsup_core::session::{PresenterAction, SessionState};
use libfuzzer_sys::fuzz_target;

/// Parsed once: the deck is not what is being fuzzed here.
static DECK: OnceLock<Arc<Deck>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let deck = DECK.get_or_init(|| Arc::new(demo_deck())).clone();
    let mut now = 1_700_000_000_000;
    let mut session = SessionState::new(deck.clone(), now);
    let mut answers: HashMap<(String, String), Answer> = HashMap::new();
    let mut participant = String::from("fuzz-default");
    for (n, line) in data.split(|&b| b == b'\n').enumerate() {
        // Frames arrive as text; anything else is refused before decoding.
        let Ok(text) = std::str::from_utf8(line) else { continue };
        // Let the input steer the presenter too, so votes meet every slide and switch.
        match line.first().copied().unwrap_or(0) % 9 {
            0 => drop(session.apply(PresenterAction::Next, now)),
            1 => drop(session.apply(PresenterAction::Previous, now)),
            2 => drop(session.apply(PresenterAction::SetVoting(n % 2 == 0), now)),
            3 => drop(session.apply(PresenterAction::StartTimer(5), now)),
            4 => {
                // Time passes on the server's clock; timers that ran out close voting.
                now += 3_000;
                session.expire(now);
            }
            _ => {}
        }
        match decode_participant(text) {
            Ok(ParticipantMessage::Hello { participant: id }) => {
                if valid_participant_id(&id) {
                    participant = id;
                }
            }
            Ok(ParticipantMessage::Vote { request, question, answer }) => {
                if !valid_request_id(&request) {
                    continue;
                }
                if let Ok(stored) = session.check_vote(&question, &answer, now) {
                    let previous = answers.insert((participant.clone(), question.clone()), stored.clone());
                    session.count(&question, previous.as_ref(), &stored);
                }
            }
            Err(message) => assert!(!message.is_empty()),
        }
    }
    // Invariants: every accepted answer counts once; single choice sums exactly.
    for question in deck.questions() {
        let results = &session.results[&question.id];
        let respondents = answers.keys().filter(|(_, q)| q == &question.id).count() as u64;
        assert_eq!(results.respondents(), respondents);
        if matches!(question.kind, Kind::Single(_)) {
            let view = results.view(question, Audience::Presenter);
            let sum: u64 = view["counts"].as_array().map_or(0, |c| c.iter().filter_map(|n| n.as_u64()).sum());
            assert_eq!(sum, respondents);
        }
    }
});
