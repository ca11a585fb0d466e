//! The single writer: applies votes and presenter actions in batches, commits, then publishes.

mod fanout;
mod posts;
mod priority;
mod quiz;
#[cfg(test)]
mod quiz_model_tests;

use std::collections::HashMap;
use std::sync::Arc;
use std::thread;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::{mpsc, oneshot, watch};

use crate::deck::Deck;
use crate::protocol::{encode, QaView, ToParticipant, ToPresenter, Voting};
use crate::question::{Answer, Audience};
use crate::session::{
    Answers, Board, Change, Millis, NameRefusal, PostState, PresenterAction, Scoreboard, SessionState, Standings,
    VoteRefusal,
};
use crate::store::{now_millis, Batch, Store, StoreError, StoredSession};
pub use posts::SharedBoard;

/// How many queued commands one transaction takes at most.
const MAX_BATCH: usize = 4096;
/// Commands waiting for the writer; senders wait when it is full (backpressure).
const QUEUE: usize = 16 * 1024;

/// What every phone needs: one frame, serialised once per change and shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantView {
    pub frame: Utf8Bytes,
    /// The current question's id, so a socket knows when to send its own answer.
    pub question: Option<String>,
    /// The current question is a quiz taking answers: it closes early once every player has answered.
    pub quiz_open: bool,
    /// The slide on screen: the only one whose picture phones may fetch.
    pub slide: usize,
}

/// A stored vote, as acknowledged to the phone.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub question: String,
    pub answer: Answer,
    /// A post's id on the board, and where it stands (open text and Q&A only).
    pub entry: Option<i64>,
    pub state: Option<PostState>,
}

impl Stored {
    pub fn vote(question: String, answer: Answer) -> Stored {
        Stored { question, answer, entry: None, state: None }
    }

    pub fn post(question: String, text: String, entry: i64, state: PostState) -> Stored {
        Stored { question, answer: Answer::Text(text), entry: Some(entry), state: Some(state) }
    }
}

/// Why a vote was not stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoteError {
    #[error("{0:?}")]
    Refused(VoteRefusal),
    #[error("the answer could not be saved: {0}")]
    Storage(String),
    #[error("the server is shutting down")]
    Unavailable,
}

enum Command {
    Vote {
        participant: Arc<str>,
        request: String,
        question: String,
        answer: Answer,
        /// When the socket read it: deadlines and a quiz answer's speed are measured to here.
        arrived: Millis,
        reply: oneshot::Sender<Result<Stored, VoteError>>,
    },
    /// A phone's nickname for the quiz.
    Name {
        participant: Arc<str>,
        nickname: String,
        reply: quiz::NameReply,
    },
    /// Every connected player answered this quiz question: close it, if it is still
    /// the one on screen and open (the presenter may have moved on, or reopened it).
    CloseAnswered {
        question: String,
    },
    /// The presenter renames a player (to "Player N" without a nickname).
    Rename {
        player: i64,
        nickname: Option<String>,
        reply: oneshot::Sender<Result<(), String>>,
    },
    Join {
        participant: Arc<str>,
    },
    /// One of the app's settings, written by the one writer like everything else.
    Remember {
        key: &'static str,
        value: String,
        reply: oneshot::Sender<Result<(), String>>,
    },
    /// A timer may have run out: close what is due.
    Expire,
    Present {
        action: PresenterAction,
        reply: oneshot::Sender<Result<(), String>>,
    },
    Counts {
        reply: oneshot::Sender<HashMap<String, u64>>,
    },
    /// A Q&A question from a phone.
    Ask {
        participant: Arc<str>,
        request: String,
        text: String,
        reply: oneshot::Sender<Result<Stored, VoteError>>,
    },
    Upvote {
        participant: Arc<str>,
        entry: i64,
        on: bool,
        reply: oneshot::Sender<Result<(), VoteError>>,
    },
    Moderate {
        entry: i64,
        state: PostState,
        reply: oneshot::Sender<Result<(), String>>,
    },
    /// Q&A on or off (`open`), or a question highlighted (`highlight`).
    SetQa {
        open: Option<bool>,
        highlight: Option<Option<i64>>,
        reply: oneshot::Sender<Result<(), String>>,
    },
    /// Makes the writer panic mid-batch, to test that it recovers.
    #[cfg(test)]
    Panic,
    /// Ends the writer thread past its own recovery, to test the supervisor's.
    #[cfg(test)]
    Die,
}

/// A cloneable handle to the writer thread. The thread ends when the last handle is dropped.
#[derive(Clone)]
pub struct Engine {
    commands: mpsc::Sender<Command>,
    /// A past session shown again: nothing may open it to answers or change its posts.
    read_only: bool,
}

/// Why a past session refuses what would change it.
const READ_ONLY: &str = "this is a past session, shown read-only: it takes no answers and keeps its posts as they were";

/// The receiving ends of what the writer publishes after each commit.
#[derive(Clone)]
pub struct Subscriptions {
    /// Changes only when the slide or voting changes; held by every participant socket.
    pub participant: watch::Receiver<Arc<ParticipantView>>,
    /// Changes after every commit that moved a tally or a switch; held by presenter sockets.
    pub presenter: watch::Receiver<Utf8Bytes>,
    /// Committed answers, for a phone's own vote.
    pub answers: Answers,
    /// Committed posts and Q&A: moderation queues, the Q&A list, a phone's own posts.
    pub board: SharedBoard,
    /// Every player ranked, while the room looks at scores (`None` otherwise); each
    /// participant socket sends its phone's own line of it.
    pub standings: watch::Receiver<Option<Arc<Standings>>>,
    /// Nicknames as committed, for a phone's own on connect.
    pub nicknames: Nicknames,
}

/// Committed nicknames by participant, shared with the sockets.
#[derive(Clone, Default)]
pub struct Nicknames {
    inner: Arc<std::sync::Mutex<HashMap<Arc<str>, String>>>,
    /// The deck asks phones for one (it has a quiz, or `nicknames: true`).
    pub asked: bool,
}

impl Nicknames {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Arc<str>, String>> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn of(&self, participant: &str) -> Option<String> {
        self.lock().get(participant).cloned()
    }

    fn set(&self, participant: Arc<str>, nickname: String) {
        self.lock().insert(participant, nickname);
    }

    fn replace(&self, all: HashMap<Arc<str>, String>) {
        *self.lock() = all;
    }
}

impl Engine {
    /// Starts the writer thread over `store`, resuming `stored`.
    pub fn start(
        store: Store,
        deck: Arc<Deck>,
        stored: StoredSession,
    ) -> (Engine, Subscriptions, thread::JoinHandle<()>) {
        let answers = Answers::default();
        let (state, unsaved) = rebuild(&deck, &stored, &answers, now_millis());
        let mut board = posts::rebuild_board(&deck, &stored);
        let shared = SharedBoard::default();
        shared.replace(&mut board);
        let scores = quiz::rebuild_scores(&deck, &stored);
        let nicknames = Nicknames { asked: deck.nicknames, ..Nicknames::default() };
        nicknames.replace(stored_nicknames(&stored));
        let mut standings_feed = quiz::StandingsFeed::new();
        let shown = standings_feed.rank(&state, &scores);
        let (phones, (participant, standings)) =
            fanout::PhoneFeeds::start(participant_view(&state, &board), standings_feed.take_unsent().flatten());
        let (presenter_tx, presenter) = watch::channel(presenter_frame(&state, &board, None, shown.as_deref()));
        let (commands, inbox) = mpsc::channel(QUEUE);
        // The writer holds the sending end and tells the timer thread the next
        // deadline after every batch; the timer's weak handle lets the writer end.
        let (deadlines, timer_inbox) = std::sync::mpsc::channel::<Option<Millis>>();
        let weak = commands.downgrade();
        // A timer that was running when Handsup stopped goes on from the stored deadline.
        let scheduled = state.next_deadline();
        let _ = deadlines.send(scheduled);
        thread::Builder::new()
            .name("handsup-timer".into())
            .spawn(move || run_timer(timer_inbox, weak))
            .unwrap_or_else(|error| panic!("cannot start the timer thread: {error}"));
        let writer = Writer {
            store,
            session: stored.id,
            deck,
            state,
            answers: answers.clone(),
            participant_ids: HashMap::new(),
            phones,
            presenter_tx,
            storage_error: None,
            deadlines,
            scheduled,
            unsaved,
            board,
            shared: shared.clone(),
            touched: posts::Touched::default(),
            published_at: std::time::Instant::now(),
            results_stale: false,
            scores,
            standings: standings_feed,
            nicknames: nicknames.clone(),
            renamed: Vec::new(),
        };
        let (checkpoint_stop, checkpoint_signal) = std::sync::mpsc::channel::<()>();
        let database = writer.store.path().to_path_buf();
        let checkpointer = thread::Builder::new()
            .name("handsup-checkpoint".into())
            .spawn(move || {
                priority::give_way_to_sockets();
                crate::store::checkpoint::run(database, checkpoint_signal);
            })
            .unwrap_or_else(|error| panic!("cannot start the checkpoint thread: {error}"));
        let thread = thread::Builder::new()
            .name("handsup-writer".into())
            .spawn(move || {
                priority::give_way_to_sockets();
                writer.run(inbox);
                // The writer is done: one last checkpoint, then both threads have ended.
                drop(checkpoint_stop);
                let _ = checkpointer.join();
            })
            .unwrap_or_else(|error| panic!("cannot start the writer thread: {error}"));
        let views = Subscriptions { participant, presenter, answers, board: shared, standings, nicknames };
        (Engine { commands, read_only: false }, views, thread)
    }

    /// This handle, and every clone of it, refuses to open voting, start timers,
    /// moderate, switch the Q&A or rename: the session is shown as it was.
    pub fn read_only(self) -> Engine {
        Engine { read_only: true, ..self }
    }

    fn writable(&self) -> Result<(), String> {
        if self.read_only {
            Err(READ_ONLY.into())
        } else {
            Ok(())
        }
    }

    /// Stores a vote; resolves once it is committed (or refused). A `request` id
    /// that was applied before is not applied again: it resolves to what it stored.
    pub async fn vote(
        &self,
        participant: Arc<str>,
        request: String,
        question: String,
        answer: Answer,
    ) -> Result<Stored, VoteError> {
        let arrived = now_millis();
        let (reply, stored) = oneshot::channel();
        self.commands
            .send(Command::Vote { participant, request, question, answer, arrived, reply })
            .await
            .map_err(|_| VoteError::Unavailable)?;
        stored.await.map_err(|_| {
            // The writer dropped the reply without shutting down: it hit an internal
            // error and restarted from the file. Nothing of this vote was stored.
            if self.commands.is_closed() {
                VoteError::Unavailable
            } else {
                VoteError::Storage("the writer restarted before storing it".into())
            }
        })?
    }

    /// Stores a Q&A question; resolves once committed, with its entry id.
    pub async fn ask(&self, participant: Arc<str>, request: String, text: String) -> Result<Stored, VoteError> {
        let (reply, stored) = oneshot::channel();
        let command = Command::Ask { participant, request, text, reply };
        self.commands.send(command).await.map_err(|_| VoteError::Unavailable)?;
        stored.await.map_err(|_| self.dropped())?
    }

    /// Gives (`on`) or takes back an upvote; resolves once committed.
    pub async fn upvote(&self, participant: Arc<str>, entry: i64, on: bool) -> Result<(), VoteError> {
        let (reply, done) = oneshot::channel();
        self.commands
            .send(Command::Upvote { participant, entry, on, reply })
            .await
            .map_err(|_| VoteError::Unavailable)?;
        done.await.map_err(|_| self.dropped())?
    }

    /// Moves a post to another moderation state; resolves once committed.
    pub async fn moderate(&self, entry: i64, state: PostState) -> Result<(), String> {
        self.writable()?;
        let (reply, done) = oneshot::channel();
        let unavailable = || "the server is shutting down".to_string();
        self.commands.send(Command::Moderate { entry, state, reply }).await.map_err(|_| unavailable())?;
        done.await.map_err(|_| unavailable())?
    }

    /// Turns Q&A on or off, or highlights a question; resolves once committed.
    pub async fn set_qa(&self, open: Option<bool>, highlight: Option<Option<i64>>) -> Result<(), String> {
        self.writable()?;
        let (reply, done) = oneshot::channel();
        let unavailable = || "the server is shutting down".to_string();
        self.commands.send(Command::SetQa { open, highlight, reply }).await.map_err(|_| unavailable())?;
        done.await.map_err(|_| unavailable())?
    }

    /// Gives a phone a nickname; resolves once committed, with the nickname as stored.
    pub async fn name(
        &self,
        participant: Arc<str>,
        nickname: String,
    ) -> Result<Result<String, NameRefusal>, VoteError> {
        let (reply, named) = oneshot::channel();
        self.commands.send(Command::Name { participant, nickname, reply }).await.map_err(|_| VoteError::Unavailable)?;
        named.await.map_err(|_| self.dropped())
    }

    /// Closes quiz question `question` early, unless the presenter moved on meanwhile.
    pub async fn close_answered(&self, question: String) {
        let _ = self.commands.send(Command::CloseAnswered { question }).await;
    }

    /// The presenter renames player `player`; resolves once committed.
    pub async fn rename(&self, player: i64, nickname: Option<String>) -> Result<(), String> {
        self.writable()?;
        let (reply, done) = oneshot::channel();
        let unavailable = || "the server is shutting down".to_string();
        self.commands.send(Command::Rename { player, nickname, reply }).await.map_err(|_| unavailable())?;
        done.await.map_err(|_| unavailable())?
    }

    /// Why a reply never came: shutting down, or the writer restarted from the file.
    fn dropped(&self) -> VoteError {
        if self.commands.is_closed() {
            VoteError::Unavailable
        } else {
            VoteError::Storage("the writer restarted before storing it".into())
        }
    }

    /// Stores one of the app's settings; resolves once committed. Allowed on a
    /// past session shown read-only too: settings are the app's, not the session's.
    pub async fn remember(&self, key: &'static str, value: String) -> Result<(), String> {
        let (reply, done) = oneshot::channel();
        let unavailable = || "the server is shutting down".to_string();
        self.commands.send(Command::Remember { key, value, reply }).await.map_err(|_| unavailable())?;
        done.await.map_err(|_| unavailable())?
    }

    /// Records that a participant joined. Best effort: the row is created with the first vote anyway.
    pub fn join(&self, participant: Arc<str>) {
        let _ = self.commands.try_send(Command::Join { participant });
    }

    /// Applies a presenter action; resolves once it is committed.
    pub async fn present(&self, action: PresenterAction) -> Result<(), String> {
        if matches!(
            action,
            PresenterAction::SetVoting(true) | PresenterAction::StartTimer(_) | PresenterAction::AddTime(_)
        ) {
            self.writable()?;
        }
        let (reply, answer) = oneshot::channel();
        let unavailable = || "the server is shutting down".to_string();
        self.commands.send(Command::Present { action, reply }).await.map_err(|_| unavailable())?;
        answer.await.map_err(|_| unavailable())?
    }

    /// Ends the writer thread as a bug past its recovery would.
    #[cfg(test)]
    pub(crate) async fn kill_writer(&self) {
        let _ = self.commands.send(Command::Die).await;
    }

    /// How many participants answered each question, by id (committed answers only).
    pub async fn answer_counts(&self) -> Option<HashMap<String, u64>> {
        let (reply, answer) = oneshot::channel();
        self.commands.send(Command::Counts { reply }).await.ok()?;
        answer.await.ok()
    }
}

/// The writer thread's own state; nothing else touches the store or the session.
struct Writer {
    store: Store,
    session: i64,
    deck: Arc<Deck>,
    state: SessionState,
    answers: Answers,
    /// Participant public id → row id, to skip a lookup per vote.
    participant_ids: HashMap<Arc<str>, i64>,
    /// The phones' state and quiz standings, handed to the sockets from a runtime task.
    phones: fanout::PhoneFeeds,
    presenter_tx: watch::Sender<Utf8Bytes>,
    /// Set while commits fail (disk full, read-only folder), for the presenter to see.
    storage_error: Option<String>,
    /// The timer thread holds the receiver: the next deadline, after each batch.
    deadlines: std::sync::mpsc::Sender<Option<Millis>>,
    /// The deadline the timer thread was last told, so it is told only of changes.
    scheduled: Option<Millis>,
    /// A change made while rebuilding (a question reached at start), stored by the first batch.
    unsaved: Option<Change>,
    /// Posts and Q&A, uncommitted changes included; `shared` gets them after each commit.
    board: Board,
    shared: SharedBoard,
    /// What the current batch did to the board.
    touched: posts::Touched,
    /// When the views were last published, and whether results moved since.
    published_at: std::time::Instant,
    results_stale: bool,
    /// Quiz scores, as committed (nicknames also while a batch is written).
    scores: Scoreboard,
    standings: quiz::StandingsFeed,
    nicknames: Nicknames,
    /// Players the presenter renamed in this batch, for `nicknames` once committed.
    renamed: Vec<(Arc<str>, String)>,
}

/// A reply to send once the batch's fate is known.
enum Pending {
    Vote {
        participant: Arc<str>,
        question: String,
        answer: Answer,
        arrived: Millis,
        reply: oneshot::Sender<Result<Stored, VoteError>>,
    },
    Named {
        participant: Arc<str>,
        result: Result<String, NameRefusal>,
        reply: quiz::NameReply,
    },
    /// A post or Q&A question stored (or a retry of one): acknowledged with its entry.
    Posted {
        stored: Stored,
        reply: oneshot::Sender<Result<Stored, VoteError>>,
    },
    Upvoted {
        reply: oneshot::Sender<Result<(), VoteError>>,
        result: Result<(), VoteError>,
    },
    /// A retried request: acknowledged again with what it stored the first time.
    Duplicate {
        stored: Stored,
        reply: oneshot::Sender<Result<Stored, VoteError>>,
    },
    Refused {
        reply: oneshot::Sender<Result<Stored, VoteError>>,
        refusal: VoteRefusal,
    },
    Present {
        reply: oneshot::Sender<Result<(), String>>,
        result: Result<(), String>,
    },
}

impl Writer {
    fn run(mut self, mut inbox: mpsc::Receiver<Command>) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        if self.unsaved.is_some() {
            // A question reached at start keeps its timer across another restart.
            self.process(Vec::new());
        }
        // Commit whatever queued during the previous commit: one fsync serves them all.
        while inbox.blocking_recv_many(&mut batch, MAX_BATCH) > 0 {
            let commands = std::mem::take(&mut batch);
            #[cfg(test)]
            if commands.iter().any(|command| matches!(command, Command::Die)) {
                panic!("the writer died (injected by a test)");
            }
            // A bug must not take the room down: the batch is rolled back (its replies
            // dropped, so phones send again) and the writer goes on from the file.
            if let Err(panic) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.process(commands))) {
                self.restart_after_panic(&*panic);
            }
        }
        tracing::debug!("writer stopped: every engine handle is gone");
    }

    fn restart_after_panic(&mut self, panic: &(dyn std::any::Any + Send)) {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".into());
        tracing::error!(%what, "the writer panicked; its batch was rolled back and it goes on from the file");
        self.storage_error = Some(format!(
            "Handsup hit an internal error ({what}) and reloaded the answers from its file; phones send again what was not saved."
        ));
        self.reload();
        self.publish();
        // The batch that panicked may have held the timer's wake-up: tell it again.
        self.scheduled = self.state.next_deadline();
        let _ = self.deadlines.send(self.scheduled);
    }

    fn process(&mut self, commands: Vec<Command>) {
        // Counts need no transaction: answered at once, even while the database is locked.
        let asked = commands.len();
        let commands: Vec<Command> = commands
            .into_iter()
            .filter_map(|command| match command {
                Command::Counts { reply } => {
                    let _ = reply.send(self.counts());
                    None
                }
                other => Some(other),
            })
            .collect();
        if asked > 0 && commands.is_empty() {
            return;
        }
        // The timer fired: it holds no deadline now, whatever it was last told.
        if commands.iter().any(|command| matches!(command, Command::Expire)) {
            self.scheduled = None;
        }
        let before = self.state.clone_switches();
        let mut pending = Vec::with_capacity(commands.len());
        let outcome = self.write(commands, &mut pending);
        match outcome {
            Ok(()) => {
                // Storage works again (space returned): clear the presenter's alert.
                let recovered = self.storage_error.take().is_some();
                self.publish_committed(pending, before, recovered);
                if let Err(error) = self.store.bound_wal(crate::store::WAL_LIMIT) {
                    tracing::warn!(%error, "cannot truncate the WAL; will retry");
                }
            }
            Err(error) => self.recover(pending, error),
        }
        // Results held back by the pace above are due at the end of their interval.
        let flush = self.results_stale.then(|| {
            let wait = self.results_every().saturating_sub(self.published_at.elapsed());
            now_millis() + i64::try_from(wait.as_millis()).unwrap_or(0) + 1
        });
        let next = match (self.state.next_deadline(), flush) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if next != self.scheduled {
            self.scheduled = next;
            let _ = self.deadlines.send(next);
        }
    }

    /// Writes every command of the batch in one transaction.
    fn write(&mut self, commands: Vec<Command>, pending: &mut Vec<Pending>) -> Result<(), StoreError> {
        let Writer { store, session, state, participant_ids, board, touched, scores, deck, renamed, .. } = self;
        let deck: &Deck = deck;
        let now = now_millis();
        let batch = store.batch()?;
        if let Some(change) = self.unsaved.take() {
            store_change(&batch, *session, &change)?;
        }
        // The writer's parts a post command needs, borrowed for that command only.
        macro_rules! posting {
            () => {
                posts::PostContext { batch: &batch, board, state, session: *session, participant_ids, touched, now }
            };
        }
        for command in commands {
            match command {
                // Open-text answers are posts on the board, not one answer per participant.
                Command::Vote { participant, request, question, answer, reply, .. }
                    // The question on screen, not a search of the deck: votes for any other are refused anyway.
                    if state
                        .current_question()
                        .is_some_and(|q| q.id == question && matches!(q.kind, crate::question::Kind::Open(_))) =>
                {
                    pending.push(posting!().post(participant, request, question, answer, reply)?);
                }
                Command::Ask { participant, request, text, reply } => {
                    let qa = crate::session::board::QA.to_string();
                    pending.push(posting!().post(participant, request, qa, Answer::Text(text), reply)?);
                }
                Command::Upvote { participant, entry, on, reply } => {
                    pending.push(posting!().upvote(participant, entry, on, reply)?);
                }
                Command::Moderate { entry, state: target, reply } => {
                    let result = posting!().moderate(entry, target)?;
                    pending.push(Pending::Present { reply, result });
                }
                Command::SetQa { open, highlight, reply } => {
                    let result = posting!().set_qa(open, highlight)?;
                    pending.push(Pending::Present { reply, result });
                }
                Command::Name { participant, nickname, reply } => {
                    let row = participant_row(&batch, participant_ids, *session, &participant)?;
                    let mut naming = quiz::NameContext { batch: &batch, session: *session, scores, deck };
                    let result = naming.name(&participant, row, &nickname)?;
                    pending.push(Pending::Named { participant, result, reply });
                }
                Command::CloseAnswered { question } => {
                    let still_open = state.current_question().is_some_and(|q| q.id == question)
                        && state.current_question_state().is_some_and(|q| q.voting_open);
                    if still_open {
                        if let Ok(change) = state.apply(PresenterAction::SetVoting(false), now) {
                            store_change(&batch, *session, &change)?;
                        }
                    }
                }
                Command::Rename { player, nickname, reply } => {
                    let mut naming = quiz::NameContext { batch: &batch, session: *session, scores, deck };
                    let result = naming.rename(player, nickname.as_deref())?.map(|named| renamed.push(named));
                    // The leaderboard on screen shows the new name at once.
                    touched.switch |= result.is_ok();
                    pending.push(Pending::Present { reply, result });
                }
                Command::Vote { participant, request, question, answer, arrived, reply } => {
                    let row = participant_row(&batch, participant_ids, *session, &participant)?;
                    // The common case costs two statements: claim the request id, store the answer.
                    let fresh = match state.check_vote(&question, &answer, arrived) {
                        Ok(answer) => {
                            let json = answer.to_json();
                            // A quiz answer is final: only the first is stored.
                            let stored = if state.current_question().is_some_and(|q| q.final_answers()) {
                                let first = batch.first_answer(row, &question, &json, arrived)?;
                                // Claimed for its retries; an id reused for another question changes nothing here.
                                if first {
                                    batch.claim_request(row, &request, &question, &json)?;
                                    let mut naming =
                                        quiz::NameContext { batch: &batch, session: *session, scores, deck };
                                    naming.player(&participant, row)?;
                                }
                                first
                            } else if batch.claim_request(row, &request, &question, &json)? {
                                batch.answer(row, &question, &json, arrived)?;
                                true
                            } else {
                                false
                            };
                            if stored {
                                pending.push(Pending::Vote { participant, question, answer, arrived, reply });
                                continue;
                            }
                            state
                                .current_question()
                                .is_some_and(|q| q.final_answers())
                                .then_some(VoteRefusal::AlreadyAnswered)
                        }
                        Err(refusal) => Some(refusal),
                    };
                    // A retry of a request applied before (perhaps before voting closed)
                    // gets its original acknowledgement; anything else is refused.
                    match (batch.applied(row, &request)?, fresh) {
                        (Some((question, answer)), _) => {
                            pending.push(Pending::Duplicate { stored: Stored::vote(question, answer), reply });
                        }
                        (None, Some(refusal)) => pending.push(Pending::Refused { reply, refusal }),
                        (None, None) => pending.push(Pending::Refused {
                            reply,
                            refusal: VoteRefusal::InvalidChoice("this request id was already used".into()),
                        }),
                    }
                }
                Command::Join { participant } => {
                    participant_row(&batch, participant_ids, *session, &participant)?;
                }
                Command::Remember { key, value, reply } => {
                    batch.set_setting(key, &value)?;
                    pending.push(Pending::Present { reply, result: Ok(()) });
                }
                Command::Present { action, reply } => {
                    let result = match state.apply(action, now) {
                        Ok(change) => store_change(&batch, *session, &change).map(|()| Ok(()))?,
                        Err(message) => Err(message),
                    };
                    pending.push(Pending::Present { reply, result });
                }
                Command::Expire => {
                    for change in state.expire(now) {
                        store_change(&batch, *session, &change)?;
                    }
                }
                #[cfg(test)]
                Command::Panic => panic!("injected by a test"),
                #[cfg(test)]
                Command::Die => {}
                // Answered before the batch (see `process`): never reaches the transaction.
                Command::Counts { reply } => {
                    let _ = reply.send(HashMap::new());
                }
            }
        }
        batch.commit()
    }

    /// After a commit: count the new answers, publish the views, then acknowledge.
    fn publish_committed(&mut self, pending: Vec<Pending>, before: Switches, recovered: bool) {
        let mut tallies_moved = false;
        for item in &pending {
            match item {
                Pending::Vote { participant, question, answer, arrived, .. } => {
                    let previous = self.answers.insert(participant.clone(), question, answer.clone());
                    self.state.count(question, previous.as_ref(), answer);
                    tallies_moved = true;
                    self.score(participant, question, answer, *arrived);
                }
                Pending::Named { participant, result: Ok(nickname), .. } => {
                    self.nicknames.set(participant.clone(), nickname.clone());
                }
                _ => {}
            }
        }
        for (participant, nickname) in std::mem::take(&mut self.renamed) {
            self.nicknames.set(participant, nickname);
        }
        // Committed: the sockets may see the board's changes now.
        let touched = std::mem::take(&mut self.touched);
        if !touched.posts.is_empty() || touched.qa {
            self.shared.publish(&self.board, &touched.posts, touched.qa);
        }
        // Results that only moved go out at the pace of the question's kind (a cloud a few
        // times a second, bars at every commit); slide and voting changes at once.
        let switched = recovered || touched.switch || self.state.clone_switches() != before;
        self.results_stale |= tallies_moved || touched.wall;
        if switched || (self.results_stale && self.published_at.elapsed() >= self.results_every()) {
            self.publish();
        }
        for item in pending {
            match item {
                Pending::Vote { question, answer, reply, .. } => {
                    let _ = reply.send(Ok(Stored::vote(question, answer)));
                }
                Pending::Named { result, reply, .. } => {
                    let _ = reply.send(result);
                }
                Pending::Duplicate { stored, reply } | Pending::Posted { stored, reply } => {
                    let _ = reply.send(Ok(stored));
                }
                Pending::Upvoted { reply, result } => {
                    let _ = reply.send(result);
                }
                Pending::Refused { reply, refusal } => {
                    let _ = reply.send(Err(VoteError::Refused(refusal)));
                }
                Pending::Present { reply, result } => {
                    let _ = reply.send(result);
                }
            }
        }
    }

    /// The batch did not commit: nothing of it is stored, so nothing of it may show.
    /// Rebuild the state from the file and tell every sender.
    fn recover(&mut self, pending: Vec<Pending>, error: StoreError) {
        tracing::error!(%error, "a batch could not be committed; its votes were not stored");
        self.storage_error = Some(format!(
            "Answers are not being saved: {error}. Free disk space or fix the data folder; voting resumes by itself."
        ));
        self.reload();
        self.publish();
        let message = error.to_string();
        for item in pending {
            match item {
                Pending::Vote { reply, .. } | Pending::Duplicate { reply, .. } | Pending::Posted { reply, .. } => {
                    let _ = reply.send(Err(VoteError::Storage(message.clone())));
                }
                Pending::Upvoted { reply, .. } => {
                    let _ = reply.send(Err(VoteError::Storage(message.clone())));
                }
                // Dropped: the phone hears nothing and asks again.
                Pending::Named { .. } => {}
                Pending::Refused { reply, refusal } => {
                    let _ = reply.send(Err(VoteError::Refused(refusal)));
                }
                Pending::Present { reply, .. } => {
                    let _ = reply.send(Err(format!("not saved: {message}")));
                }
            }
        }
    }

    /// Rebuilds the session and the answers from the file: what is committed is all there is.
    fn reload(&mut self) {
        self.participant_ids.clear();
        match self.store.load_session(self.session) {
            Ok(stored) => {
                self.answers.clear();
                let (state, unsaved) = rebuild(&self.deck, &stored, &self.answers, now_millis());
                self.state = state;
                self.unsaved = unsaved;
                // Uncommitted posts, upvotes and moderation go with the batch that held them.
                self.board = posts::rebuild_board(&self.deck, &stored);
                self.shared.replace(&mut self.board);
                self.touched = posts::Touched::default();
                // Nicknames given in the failed batch go with it.
                self.scores = quiz::rebuild_scores(&self.deck, &stored);
                self.nicknames.replace(stored_nicknames(&stored));
                self.renamed.clear();
            }
            Err(reload) => {
                tracing::error!(%reload, "cannot re-read the session; keeping the last committed view");
                // The batch that failed may have touched the writer's board: the shared copy is what was committed.
                self.board = self.shared.snapshot();
                self.touched = posts::Touched::default();
            }
        }
    }

    /// How many participants answered each question (committed answers; for open
    /// questions, the participants who posted).
    fn counts(&self) -> HashMap<String, u64> {
        self.state
            .results
            .iter()
            .map(|(id, results)| {
                let open = self.deck.question(id).is_some_and(|q| matches!(q.kind, crate::question::Kind::Open(_)));
                let count = if open { self.board.respondents(id) as u64 } else { results.respondents() };
                (id.clone(), count)
            })
            .collect()
    }

    /// Adds a committed quiz answer to its player's score.
    fn score(&mut self, participant: &Arc<str>, question: &str, answer: &Answer, arrived: Millis) {
        // The question on screen, usually; the deck only when the slide moved in the same batch.
        let Some(asked) =
            self.state.current_question().filter(|q| q.id == question).or_else(|| self.deck.question(question))
        else {
            return;
        };
        if asked.final_answers() {
            let opened = quiz::opened_at(&self.state, question, arrived);
            self.scores.record(participant, asked, answer, arrived, opened);
        }
    }

    /// How often the question on screen may show new results.
    fn results_every(&self) -> std::time::Duration {
        self.state.current_question().map(|q| q.kind.rules().results_every()).unwrap_or_default()
    }

    fn publish(&mut self) {
        self.published_at = std::time::Instant::now();
        self.results_stale = false;
        let standings = self.standings.rank(&self.state, &self.scores);
        // The presenter first: the projector is what the room is watching.
        let frame = presenter_frame(&self.state, &self.board, self.storage_error.as_deref(), standings.as_deref());
        self.presenter_tx.send_replace(frame);
        self.phones.publish(fanout::Update::State(participant_view(&self.state, &self.board)));
        // After the phones' state: a phone sees the slide before its line of the scores.
        if let Some(standings) = self.standings.take_unsent() {
            self.phones.publish(fanout::Update::Standings(standings));
        }
    }
}

/// The presenter-visible switches, to tell whether a batch changed any.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Switches {
    slide: usize,
    black: bool,
    questions: Vec<(String, crate::session::QuestionState)>,
}

impl SessionState {
    fn clone_switches(&self) -> Switches {
        let mut questions: Vec<_> = self.questions.iter().map(|(id, state)| (id.clone(), *state)).collect();
        questions.sort_by(|a, b| a.0.cmp(&b.0));
        Switches { slide: self.slide, black: self.black, questions }
    }
}

fn participant_row(
    batch: &Batch<'_>,
    cache: &mut HashMap<Arc<str>, i64>,
    session: i64,
    participant: &Arc<str>,
) -> Result<i64, StoreError> {
    if let Some(&id) = cache.get(participant) {
        return Ok(id);
    }
    let id = batch.participant(session, participant)?;
    cache.insert(participant.clone(), id);
    Ok(id)
}

fn store_change(batch: &Batch<'_>, session: i64, change: &Change) -> Result<(), StoreError> {
    match change {
        Change::None => Ok(()),
        Change::Slide { slide, reached } => {
            batch.set_slide(session, *slide)?;
            match reached {
                Some((id, state)) => batch.set_question(session, id, *state),
                None => Ok(()),
            }
        }
        Change::Question { id, state } => batch.set_question(session, id, *state),
    }
}

/// Session state from what is stored; fills `answers` as a side effect. A timer
/// that ran out while Handsup was down closes its voting at the first batch.
/// Also returns what must still be stored: a question reached only now.
fn rebuild(deck: &Arc<Deck>, stored: &StoredSession, answers: &Answers, now: Millis) -> (SessionState, Option<Change>) {
    let mut state = SessionState::new(deck.clone(), now);
    state.questions.clear();
    state.slide = stored.slide.min(deck.slides.len().saturating_sub(1));
    state.questions.extend(stored.questions.iter().map(|(id, q)| (id.clone(), *q)));
    // The slide may hold a question never reached in this session (the deck was
    // edited): it opens, with its timer, as if the presenter had just arrived.
    let reached = state.reach_current(now).map(|(id, state)| Change::Question { id, state });
    for row in &stored.responses {
        let previous = answers.insert(Arc::from(row.participant.as_str()), &row.question, row.answer.clone());
        state.count(&row.question, previous.as_ref(), &row.answer);
    }
    (state, reached)
}

/// Sleeps until the next deadline the writer announces, then asks it to close
/// what is due. Ends when the writer drops its sender or the engine is gone.
fn run_timer(deadlines: std::sync::mpsc::Receiver<Option<Millis>>, commands: mpsc::WeakSender<Command>) {
    use std::sync::mpsc::RecvTimeoutError;
    let mut next: Option<Millis> = None;
    loop {
        let received = match next {
            None => deadlines.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(deadline) => {
                let wait = u64::try_from(deadline - now_millis()).unwrap_or(0);
                deadlines.recv_timeout(std::time::Duration::from_millis(wait))
            }
        };
        match received {
            Ok(deadline) => next = deadline,
            Err(RecvTimeoutError::Timeout) => {
                next = None;
                let Some(commands) = commands.upgrade() else { return };
                if commands.blocking_send(Command::Expire).is_err() {
                    return;
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// A question's results: its tally, or for open text the board's wall.
fn results_of(
    state: &SessionState,
    board: &Board,
    question: &crate::question::Question,
    audience: Audience,
) -> Option<serde_json::Value> {
    match question.kind {
        crate::question::Kind::Open(_) => Some(board.wall(&question.id)),
        _ => state.results.get(&question.id).map(|results| results.view(question, audience)),
    }
}

fn participant_view(state: &SessionState, board: &Board) -> ParticipantView {
    let question = state.current_question();
    let switches = state.current_question_state().unwrap_or_default();
    let voting = question.is_some() && switches.voting_open;
    let audience = Audience::Phones { revealed: switches.revealed };
    // Results reach phones only when the deck asks for it, and only once voting is over.
    let results = question
        .filter(|q| q.results_on_phones && !switches.voting_open && switches.results_visible)
        .and_then(|q| results_of(state, board, q, audience));
    let frame = encode(&ToParticipant::State {
        title: &state.deck.title,
        slide: state.slide,
        slides: state.deck.slides.len(),
        question: question.map(|q| q.view(audience)),
        voting: Voting::from(voting),
        deadline: switches.deadline.filter(|_| voting),
        results,
        reactions: &state.deck.reactions,
        qa: QaView { open: board.qa.open, moderated: board.qa.moderated, highlight: None },
        nicknames: state.deck.nicknames,
        // A blacked-out projector blacks out the phones' copy of the slide too.
        image: state
            .deck
            .phone_picture(state.slide)
            .filter(|_| !state.black)
            .map(|picture| phone_picture_url(state.slide, &state.deck.title, &picture)),
    });
    let quiz_open = voting && question.is_some_and(|q| q.final_answers());
    ParticipantView { frame: frame.into(), question: question.map(|q| q.id.clone()), quiz_open, slide: state.slide }
}

/// Where phones fetch slide `slide`'s picture: named by what it shows, so a phone
/// fetches each picture once and a deck edited since is fetched anew.
fn phone_picture_url(slide: usize, deck: &str, picture: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (deck, picture).hash(&mut hasher);
    format!("slide/{slide}?v={:x}", hasher.finish())
}

/// Committed nicknames by participant.
fn stored_nicknames(stored: &StoredSession) -> HashMap<Arc<str>, String> {
    stored
        .players
        .iter()
        .filter_map(|player| Some((Arc::from(player.participant.as_str()), player.nickname.clone()?)))
        .collect()
}

fn presenter_frame(
    state: &SessionState,
    board: &Board,
    storage_error: Option<&str>,
    standings: Option<&Standings>,
) -> Utf8Bytes {
    let question = state.current_question();
    let switches = state.current_question_state();
    let results = question.and_then(|q| results_of(state, board, q, Audience::Presenter));
    encode(&ToPresenter::State {
        slide: state.slide,
        voting: switches.map(|q| Voting::from(q.voting_open)),
        results_visible: switches.map(|q| q.results_visible).unwrap_or(true),
        deadline: switches.and_then(|q| q.deadline.filter(|_| q.voting_open)),
        revealed: switches.is_some_and(|q| q.revealed),
        results,
        storage_error,
        black: state.black,
        qa: QaView { open: board.qa.open, moderated: board.qa.moderated, highlight: Some(board.qa.highlight) },
        standings: standings.map(Standings::view),
    })
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::parse_deck;

    const DECK: &str = "<!-- question: single id=q -->\n# Q\n\n- A\n- B\n";

    fn presenter_state(views: &Subscriptions) -> serde_json::Value {
        serde_json::from_str(views.presenter.borrow().as_str()).unwrap_or_default()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panic_in_the_writer_rolls_back_its_batch_and_the_writer_goes_on_from_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let deck = Arc::new(parse_deck("t.md", DECK).expect("deck"));
        let mut store = Store::open(dir.path()).expect("store");
        let stored = store.open_session("t", &deck, DECK, "t.md", false).expect("session");
        let (engine, views, _writer) = Engine::start(store, deck, stored);
        let vote = |who: &str, request: &str, pick: u16| {
            engine.vote(Arc::from(who), request.into(), "q".into(), Answer::Choices(vec![pick]))
        };
        assert!(vote("phone-one-1", "r1", 0).await.is_ok());

        let mut presenter = views.presenter.clone();
        presenter.borrow_and_update();
        assert!(engine.commands.send(Command::Panic).await.is_ok());
        tokio::time::timeout(std::time::Duration::from_secs(5), presenter.changed())
            .await
            .expect("the presenter hears of it")
            .expect("the writer is still publishing");
        let state = presenter_state(&views);
        assert!(state["storage_error"].as_str().is_some_and(|e| e.contains("internal error")), "{state}");
        assert_eq!(state["results"]["respondents"], 1, "rebuilt from the file: {state}");

        // The writer is alive, counts what is in the file, and the alert clears with the next commit.
        assert!(vote("phone-two-2", "r2", 1).await.is_ok());
        // The results may trail the acknowledgement by a moment: wait for them.
        let mut presenter = views.presenter.clone();
        tokio::time::timeout(std::time::Duration::from_secs(5), async {
            while presenter_state(&views)["results"]["respondents"] != 2 {
                let _ = presenter.changed().await;
            }
        })
        .await
        .expect("the new vote is counted");
        let state = presenter_state(&views);
        assert_eq!(state["results"]["respondents"], 2, "{state}");
        assert!(state["storage_error"].is_null(), "{state}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn moving_results_are_paced_and_the_last_ones_always_arrive() {
        const CLOUD: &str = "<!-- question: wordcloud id=q -->\n# Q\n";
        let dir = tempfile::tempdir().expect("tempdir");
        let deck = Arc::new(parse_deck("t.md", CLOUD).expect("deck"));
        let mut store = Store::open(dir.path()).expect("store");
        let stored = store.open_session("t", &deck, CLOUD, "t.md", false).expect("session");
        let (engine, views, _writer) = Engine::start(store, deck, stored);
        let mut presenter = views.presenter.clone();
        presenter.borrow_and_update();
        let counter = tokio::spawn(async move {
            let mut frames = 0;
            while tokio::time::timeout(std::time::Duration::from_millis(1500), presenter.changed())
                .await
                .is_ok_and(|c| c.is_ok())
            {
                presenter.borrow_and_update();
                frames += 1;
            }
            frames
        });
        let started = std::time::Instant::now();
        for n in 0..200 {
            let who = format!("paced-phone-{n:04}");
            let words = Answer::Words(vec![format!("word{}", n % 7)]);
            assert!(engine.vote(Arc::from(who), format!("r{n}"), "q".into(), words).await.is_ok());
        }
        let voting = started.elapsed();
        // Nothing else happens: the last results still arrive, by the timer.
        tokio::time::timeout(std::time::Duration::from_secs(2), async {
            while presenter_state(&views)["results"]["respondents"] != 200 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("the last results are published without another vote");
        let frames = counter.await.expect("counter");
        let most = voting.as_millis() / crate::question::LAID_OUT_EVERY.as_millis() + 3;
        assert!(frames as u128 <= most, "{frames} presenter frames in {voting:?}: not paced");
    }
}
