//! The writer's side of posts: open-text posts, Q&A questions, upvotes and moderation, stored before they show.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::ws::Utf8Bytes;

use super::{participant_row, Pending, Stored, VoteError};
use crate::deck::Deck;
use crate::question::filter::Filter;
use crate::question::{open, Answer, Kind};
use crate::session::board::QA;
use crate::session::{Board, Millis, Post, PostRefusal, PostState, QaSwitch, SessionState, VoteRefusal};
use crate::store::{Batch, StoreError, StoredSession};

/// The board as committed, shared with the sockets: presenter sockets read the
/// moderation queue from it when they connect, the feed publisher takes its
/// changes, and phones their own posts. The writer alone updates it, after
/// each commit; nobody holds the lock across an `.await`.
#[derive(Clone, Default)]
pub struct SharedBoard {
    board: Arc<Mutex<Board>>,
}

impl SharedBoard {
    fn lock(&self) -> MutexGuard<'_, Board> {
        self.board.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Every post, for a moderation queue that just connected: copied out under
    /// the lock, serialised after, so the writer is not kept waiting.
    pub fn moderation_frame(&self) -> Utf8Bytes {
        let board = self.snapshot();
        board.moderation_view().to_string().into()
    }

    /// A copy of the committed board.
    pub(super) fn snapshot(&self) -> Board {
        self.lock().clone()
    }

    /// The posts changed since the last call, as one `board_changes` frame.
    pub fn take_changes(&self) -> Option<Utf8Bytes> {
        self.lock().take_changes().map(|changes| changes.to_string().into())
    }

    /// The room's Q&A list, when it changed since the last call.
    pub fn qa_frame_if_changed(&self) -> Option<Utf8Bytes> {
        let mut board = self.lock();
        board.take_qa_changed().then(|| board.qa_view().to_string().into())
    }

    /// One participant's own posts and upvotes (`mine` frame).
    pub fn mine(&self, participant: &Arc<str>) -> Utf8Bytes {
        self.lock().mine(participant).to_string().into()
    }

    /// Whether Q&A is open, for a phone deciding what to send on connect.
    pub fn qa(&self) -> QaSwitch {
        self.lock().qa
    }

    /// Brings the shared board in line with the writer's after a commit.
    pub(super) fn publish(&self, board: &Board, touched: &std::collections::BTreeSet<i64>, qa_touched: bool) {
        let mut shared = self.lock();
        for id in touched {
            if let Some(post) = board.get(*id) {
                shared.upsert(post.clone());
            }
        }
        if qa_touched || shared.qa != board.qa {
            shared.qa = board.qa;
            let _ = shared.set_qa(None, None);
        }
    }

    /// Replaces the whole board (after a reload from the file). The writer's copy
    /// forgets what it marked changed: the shared copy reports changes from here.
    pub(super) fn replace(&self, board: &mut Board) {
        let _ = board.take_changes();
        *self.lock() = board.clone();
    }
}

/// The board as stored: every post with its state and upvoters, and the Q&A switches.
pub(super) fn rebuild_board(deck: &Deck, stored: &StoredSession) -> Board {
    let qa = QaSwitch {
        open: stored.qa.open.unwrap_or(deck.qa.open),
        moderated: deck.qa.moderated,
        highlight: stored.qa.highlight,
    };
    let mut board = Board::new(qa);
    let filter = deck_filter(deck);
    for stored in &stored.posts {
        let mut post = Post::new(
            stored.id,
            &stored.question,
            stored.participant.as_str().into(),
            stored.text.clone(),
            stored.at,
            false,
            &filter,
        );
        post.state = stored.state;
        post.upvoters = stored.upvoters.iter().map(|voter| Arc::from(voter.as_str())).collect();
        board.upsert(post);
    }
    board
}

/// The filter Q&A questions are masked with: the deck's.
fn deck_filter(deck: &Deck) -> Arc<Filter> {
    deck.filter.clone()
}

/// What one batch did to the board, for publishing after its commit.
#[derive(Default)]
pub(super) struct Touched {
    /// Each post once, however many upvotes a batch gave it.
    pub posts: std::collections::BTreeSet<i64>,
    pub qa: bool,
    /// Q&A turned on or off, or another question highlighted: every client's `state` changes.
    pub switch: bool,
    /// A post of the open question on screen changed: the wall moves.
    pub wall: bool,
}

/// The parts of the writer a post command needs.
pub(super) struct PostContext<'a, 'b> {
    pub batch: &'a Batch<'b>,
    pub board: &'a mut Board,
    pub state: &'a SessionState,
    pub session: i64,
    pub participant_ids: &'a mut std::collections::HashMap<Arc<str>, i64>,
    pub touched: &'a mut Touched,
    pub now: Millis,
}

type Reply = tokio::sync::oneshot::Sender<Result<Stored, VoteError>>;

impl PostContext<'_, '_> {
    /// An open-text post (sent as a vote) or a Q&A question (`question` is
    /// [`QA`]): checked, stored, and on the writer's board.
    pub fn post(
        &mut self,
        participant: Arc<str>,
        request: String,
        question: String,
        answer: Answer,
        reply: Reply,
    ) -> Result<Pending, StoreError> {
        let id = participant_row(self.batch, self.participant_ids, self.session, &participant)?;
        // A retry of a request that stored a post before is acknowledged with that post.
        if let Some((entry, question, text, state)) = self.batch.post_by_request(id, &request)? {
            return Ok(Pending::Posted { stored: Stored::post(question, text, entry, state), reply });
        }
        let checked = if question == QA {
            self.check_ask(&participant, &answer)
        } else {
            self.check_open(&participant, &question, &answer)
        };
        let (text, moderated, filter) = match checked {
            Ok(checked) => checked,
            Err(refusal) => return Ok(Pending::Refused { reply, refusal }),
        };
        let post = Post::new(0, &question, participant, text, self.now, moderated, &filter);
        let inserted =
            self.batch.insert_post(self.session, &question, id, &request, &post.text, post.state, self.now)?;
        let Some(entry) = inserted else {
            let refusal = VoteRefusal::InvalidChoice("this request id was already used".into());
            return Ok(Pending::Refused { reply, refusal });
        };
        let post = Post { id: entry, ..post };
        let stored = Stored::post(question, post.text.clone(), entry, post.state);
        self.touch(&post);
        self.board.upsert(post);
        Ok(Pending::Posted { stored, reply })
    }

    fn check_open(
        &self,
        participant: &Arc<str>,
        question: &str,
        answer: &Answer,
    ) -> Result<(String, bool, Arc<Filter>), VoteRefusal> {
        let checked = self.state.check_vote(question, answer, self.now)?;
        let Some(Kind::Open(open)) = self.state.current_question().map(|q| &q.kind) else {
            return Err(VoteRefusal::InvalidChoice("this question does not take posts".into()));
        };
        self.board.may_post(participant, question, open.max).map_err(VoteRefusal::Post)?;
        let Answer::Text(text) = checked else {
            return Err(VoteRefusal::InvalidChoice("this question takes `text`".into()));
        };
        Ok((text, open.moderate, open.filter.clone()))
    }

    fn check_ask(&self, participant: &Arc<str>, answer: &Answer) -> Result<(String, bool, Arc<Filter>), VoteRefusal> {
        if !self.board.qa.open {
            return Err(VoteRefusal::Post(PostRefusal::QaClosed));
        }
        let Answer::Text(text) = answer else {
            return Err(VoteRefusal::InvalidChoice("a question is text".into()));
        };
        let text = open::check_text(text).map_err(VoteRefusal::InvalidChoice)?;
        self.board.may_post(participant, QA, crate::session::board::MAX_ASKS).map_err(VoteRefusal::Post)?;
        Ok((text, self.board.qa.moderated, deck_filter(&self.state.deck)))
    }

    /// An upvote given or taken back.
    pub fn upvote(
        &mut self,
        participant: Arc<str>,
        entry: i64,
        on: bool,
        reply: tokio::sync::oneshot::Sender<Result<(), VoteError>>,
    ) -> Result<Pending, StoreError> {
        if let Err(refusal) = self.board.may_upvote(&participant, entry) {
            return Ok(Pending::Upvoted { reply, result: Err(VoteError::Refused(VoteRefusal::Post(refusal))) });
        }
        let id = participant_row(self.batch, self.participant_ids, self.session, &participant)?;
        self.batch.set_upvote(entry, id, on)?;
        if self.board.upvote(&participant, entry, on) {
            self.touched.posts.insert(entry);
            self.touched.qa = true;
        }
        Ok(Pending::Upvoted { reply, result: Ok(()) })
    }

    /// The presenter approves, hides, pins or marks a post answered.
    pub fn moderate(&mut self, entry: i64, target: PostState) -> Result<Result<(), String>, StoreError> {
        let highlight = self.board.qa.highlight;
        let changes = match self.board.moderate(entry, target) {
            Ok(changes) => changes,
            Err(message) => return Ok(Err(message)),
        };
        for (id, state) in changes {
            self.batch.set_post_state(id, state)?;
            if let Some(post) = self.board.get(id).cloned() {
                self.touch(&post);
            }
        }
        if self.board.qa.highlight != highlight {
            self.batch.set_qa(self.session, self.board.qa.open, self.board.qa.highlight)?;
            self.touched.qa = true;
            self.touched.switch = true;
        }
        Ok(Ok(()))
    }

    /// Q&A on or off, or a question highlighted on the projector.
    pub fn set_qa(
        &mut self,
        open: Option<bool>,
        highlight: Option<Option<i64>>,
    ) -> Result<Result<(), String>, StoreError> {
        if let Err(message) = self.board.set_qa(open, highlight) {
            return Ok(Err(message));
        }
        self.batch.set_qa(self.session, self.board.qa.open, self.board.qa.highlight)?;
        self.touched.qa = true;
        self.touched.switch = true;
        Ok(Ok(()))
    }

    fn touch(&mut self, post: &Post) {
        self.touched.posts.insert(post.id);
        if &*post.question == QA {
            self.touched.qa = true;
        } else if self.state.current_question().is_some_and(|q| *q.id == *post.question) {
            self.touched.wall = true;
        }
    }
}
