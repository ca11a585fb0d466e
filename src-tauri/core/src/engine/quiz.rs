//! The writer's quiz part: scores rebuilt from the file, nicknames, and the standings it publishes.

use std::sync::Arc;

use tokio::sync::oneshot;

use crate::deck::Deck;
use crate::session::{Millis, NameRefusal, Scoreboard, SessionState, Standings};
use crate::store::{Batch, StoreError, StoredSession};

/// Every score as the stored answers and their times give it: the one source of truth.
pub(super) fn rebuild_scores(deck: &Deck, stored: &StoredSession) -> Scoreboard {
    let mut scores = Scoreboard::default();
    for player in &stored.players {
        scores.know(&Arc::from(player.participant.as_str()), player.number, player.nickname.clone());
    }
    for row in &stored.responses {
        let Some(question) = deck.question(&row.question).filter(|q| q.final_answers()) else { continue };
        let opened = stored.questions.get(&row.question).and_then(|state| state.opened_at).unwrap_or(row.at);
        scores.record(&Arc::from(row.participant.as_str()), question, &row.answer, row.at, opened);
    }
    scores
}

/// Whether the room is looking at scores: a leaderboard or podium slide, or a quiz question revealed.
fn scores_shown(state: &SessionState) -> bool {
    let on_scores_slide = state.deck.slides.get(state.slide).is_some_and(|slide| slide.scores.is_some());
    let revealed_quiz = state.current_question().is_some_and(|q| q.final_answers())
        && state.current_question_state().is_some_and(|q| q.revealed);
    on_scores_slide || revealed_quiz
}

/// The quiz question whose points count as "last": the one on screen, else the latest opened.
fn last_quiz(state: &SessionState) -> Option<String> {
    if let Some(question) = state.current_question().filter(|q| q.final_answers()) {
        return Some(question.id.clone());
    }
    state
        .deck
        .questions()
        .filter(|q| q.final_answers())
        .filter_map(|q| Some((state.questions.get(&q.id)?.opened_at?, &q.id)))
        .max()
        .map(|(_, id)| id.clone())
}

/// Ranks the players again when the room looks at scores and they changed, for
/// the sockets (`None` when scores are off screen).
pub(super) struct StandingsFeed {
    /// What the sockets were last given.
    sent: Option<Arc<Standings>>,
    /// What the current standings were ranked for: the slide (each showing sends
    /// every phone its line again), the scores' version and the last question.
    ranked_for: Option<(usize, u64, Option<String>)>,
    /// Ranked by [`StandingsFeed::rank`], not yet sent.
    unsent: Option<Option<Arc<Standings>>>,
}

impl StandingsFeed {
    pub fn new() -> StandingsFeed {
        StandingsFeed { sent: None, ranked_for: None, unsent: None }
    }

    /// Ranks the players again if the room looks at scores and anything changed;
    /// returns the standings to show (for the presenter's frame). [`StandingsFeed::take_unsent`]
    /// then gives them to the sockets, after the phones' state of the same slide.
    pub fn rank(&mut self, state: &SessionState, scores: &Scoreboard) -> Option<Arc<Standings>> {
        if !scores_shown(state) {
            if self.ranked_for.take().is_some() {
                self.unsent = Some(None);
            }
            return None;
        }
        let wanted = (state.slide, scores.version(), last_quiz(state));
        if self.ranked_for.as_ref() != Some(&wanted) {
            // Ranked once here; ten thousand sockets only look themselves up.
            let standings = Arc::new(scores.standings(wanted.2.as_deref()));
            self.ranked_for = Some(wanted);
            self.unsent = Some(Some(standings));
        }
        match &self.unsent {
            Some(unsent) => unsent.clone(),
            None => self.sent.clone(),
        }
    }

    /// What [`StandingsFeed::rank`] ranked, if it changed since the sockets were last given it.
    pub fn take_unsent(&mut self) -> Option<Option<Arc<Standings>>> {
        let unsent = self.unsent.take();
        if let Some(standings) = &unsent {
            self.sent.clone_from(standings);
        }
        unsent
    }
}

/// A nickname asked for, checked and written in the batch, acknowledged after its commit.
pub(super) struct NameContext<'a, 'b> {
    pub batch: &'a Batch<'b>,
    pub session: i64,
    pub scores: &'a mut Scoreboard,
    pub deck: &'a Deck,
}

/// The reply to a phone's `name`: the nickname it now has, or why not.
pub type NameReply = oneshot::Sender<Result<String, NameRefusal>>;

impl NameContext<'_, '_> {
    /// Applies a phone's nickname to the scoreboard at once, so a second phone asking
    /// for the same name in this batch is refused; a failed batch rebuilds it from the file.
    pub fn name(
        &mut self,
        participant: &Arc<str>,
        row: i64,
        wanted: &str,
    ) -> Result<Result<String, NameRefusal>, StoreError> {
        match self.scores.check_name(participant, wanted, &self.deck.filter) {
            Ok((nickname, key)) => {
                let number = self.player(participant, row)?;
                // The file has the last word: a name it holds for another player is taken.
                if !self.batch.set_nickname(self.session, number, &nickname, &key)? {
                    return Ok(Err(NameRefusal::Taken));
                }
                self.scores.name(participant, nickname.clone(), key);
                Ok(Ok(nickname))
            }
            Err(refusal) => Ok(Err(refusal)),
        }
    }

    /// The presenter renames player `number` (to "Player N" without a nickname).
    /// Returns who now has which nickname.
    pub fn rename(
        &mut self,
        number: i64,
        nickname: Option<&str>,
    ) -> Result<Result<(Arc<str>, String), String>, StoreError> {
        match self.scores.rename(number, nickname) {
            Ok((participant, nickname, key)) => {
                if !self.batch.set_nickname(self.session, number, &nickname, &key)? {
                    return Ok(Err(format!("another player is called {nickname}")));
                }
                self.scores.name(&participant, nickname.clone(), key);
                Ok(Ok((participant, nickname)))
            }
            Err(message) => Ok(Err(message)),
        }
    }
}

impl NameContext<'_, '_> {
    /// Makes a participant (row `row`) a player the scoreboard knows; returns their number.
    pub fn player(&mut self, participant: &Arc<str>, row: i64) -> Result<i64, StoreError> {
        if let Some(number) = self.scores.number(participant) {
            return Ok(number);
        }
        let number = self.batch.participant_number(row)?;
        self.scores.know(participant, number, None);
        Ok(number)
    }
}

/// When a quiz answer arrived, measured from its question's first opening.
pub(super) fn opened_at(state: &SessionState, question: &str, fallback: Millis) -> Millis {
    state.questions.get(question).and_then(|q| q.opened_at).unwrap_or(fallback)
}
