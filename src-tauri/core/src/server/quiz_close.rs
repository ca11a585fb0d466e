//! Closes a quiz question early once every connected player has answered; a player who left never holds it open.

use std::time::Duration;

use super::ServerState;

/// How often an open quiz question is checked: a quarter second is soon enough
/// for the room and costs one pass over the connected phones.
const CHECK_EVERY: Duration = Duration::from_millis(250);

pub async fn run(state: ServerState) {
    let mut views = state.views.participant.clone();
    let mut tick = tokio::time::interval(CHECK_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        // Sleeps on the view while no quiz takes answers; ticks while one does.
        let view = views.borrow_and_update().clone();
        let question = view.question.as_deref().filter(|_| view.quiz_open);
        let Some(question) = question else {
            tokio::select! {
                changed = views.changed() => if changed.is_err() { return },
                () = state.shutdown.cancelled() => return,
            }
            continue;
        };
        tokio::select! {
            _ = tick.tick() => {}
            () = state.shutdown.cancelled() => return,
        }
        let connected = state.presence.participants();
        let everyone =
            !connected.is_empty() && connected.iter().all(|participant| state.views.answers.has(participant, question));
        // Still the same open question: the presenter may have moved on meanwhile.
        let same = {
            let now = views.borrow();
            now.quiz_open && now.question.as_deref() == Some(question)
        };
        if everyone && same {
            // Named, so a Next or a reopen queued meanwhile is never undone by it.
            state.engine.close_answered(question.to_string()).await;
        }
    }
}
