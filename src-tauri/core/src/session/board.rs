//! The board: participants' posts (open text and audience Q&A), their moderation state and Q&A upvotes.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use super::Millis;
use crate::question::filter::Filter;

/// The question id Q&A entries are filed under (never a deck question's id: ids are slugs without this spelling).
pub const QA: &str = "qa";
/// The most questions one participant may ask.
pub const MAX_ASKS: usize = 20;
/// How many posts the projector's wall and the phones' Q&A list carry at most.
pub const WALL_POSTS: usize = 60;
pub const QA_ENTRIES: usize = 60;

/// Where a post stands with the presenter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostState {
    /// Waiting for approval (moderated questions).
    Pending,
    Shown,
    /// Kept, with its state, but never shown again unless the presenter says so.
    Hidden,
    /// Shown large; one per question.
    Pinned,
    /// A Q&A question the presenter has answered: shown, marked.
    Answered,
}

impl PostState {
    pub fn name(self) -> &'static str {
        match self {
            PostState::Pending => "pending",
            PostState::Shown => "shown",
            PostState::Hidden => "hidden",
            PostState::Pinned => "pinned",
            PostState::Answered => "answered",
        }
    }

    pub fn parse(name: &str) -> Option<PostState> {
        [PostState::Pending, PostState::Shown, PostState::Hidden, PostState::Pinned, PostState::Answered]
            .into_iter()
            .find(|state| state.name() == name)
    }

    /// Whether the room may see it (the projector, phones' Q&A list).
    pub fn public(self) -> bool {
        matches!(self, PostState::Shown | PostState::Pinned | PostState::Answered)
    }
}

/// One post.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub id: i64,
    pub question: Arc<str>,
    pub participant: Arc<str>,
    /// As sent, normalised.
    pub text: String,
    /// With filtered words masked, when the filter found any.
    pub masked: Option<String>,
    pub state: PostState,
    pub at: Millis,
    pub upvoters: HashSet<Arc<str>>,
}

impl Post {
    /// Builds a new post; moderated ones wait, and the filter's finds are masked.
    pub fn new(
        id: i64,
        question: &str,
        participant: Arc<str>,
        text: String,
        at: Millis,
        moderated: bool,
        filter: &Filter,
    ) -> Post {
        let masked = filter.blocks(&text).then(|| filter.mask(&text));
        let state = if moderated { PostState::Pending } else { PostState::Shown };
        Post { id, question: question.into(), participant, text, masked, state, at, upvoters: HashSet::new() }
    }

    /// What the room may read: the masked text when the filter found something.
    pub fn public_text(&self) -> &str {
        self.masked.as_deref().unwrap_or(&self.text)
    }

    /// The presenter's view of it (moderation queue), original text included.
    pub fn moderation_view(&self) -> Value {
        json!({
            "id": self.id,
            "question": &*self.question,
            "text": self.text,
            "masked": self.public_text(),
            "flagged": self.masked.is_some(),
            "state": self.state.name(),
            "upvotes": self.upvoters.len(),
            "at": self.at,
        })
    }
}

/// Audience Q&A's switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QaSwitch {
    pub open: bool,
    /// Questions wait for approval.
    pub moderated: bool,
    /// The question shown large on the projector.
    pub highlight: Option<i64>,
}

/// Why a post, an ask or an upvote was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostRefusal {
    TooMany(usize),
    QaClosed,
    NoSuchEntry,
    OwnEntry,
}

/// Every post of a session.
#[derive(Debug, Clone, Default)]
pub struct Board {
    posts: HashMap<i64, Post>,
    /// Post ids per question, oldest first.
    by_question: HashMap<Arc<str>, BTreeSet<i64>>,
    /// Post ids per (participant, question), for `max=`.
    by_author: HashMap<(Arc<str>, Arc<str>), Vec<i64>>,
    /// Post ids per participant, for a phone's own list after each acknowledgement.
    by_participant: HashMap<Arc<str>, Vec<i64>>,
    /// Entries each participant upvoted.
    upvoted: HashMap<Arc<str>, HashSet<i64>>,
    pub qa: QaSwitch,
    /// Posts changed since the moderation feed last took them.
    dirty: HashSet<i64>,
    /// Q&A changed since the phones' list was last built.
    qa_dirty: bool,
}

impl Board {
    pub fn new(qa: QaSwitch) -> Board {
        Board { qa, qa_dirty: true, ..Board::default() }
    }

    pub fn get(&self, id: i64) -> Option<&Post> {
        self.posts.get(&id)
    }

    /// Puts a post in (new or changed), with its upvoters.
    pub fn upsert(&mut self, post: Post) {
        let id = post.id;
        // A post replaced: upvotes taken back since are no longer anyone's.
        if let Some(old) = self.posts.get(&id) {
            for voter in old.upvoters.difference(&post.upvoters) {
                if let Some(mine) = self.upvoted.get_mut(voter) {
                    mine.remove(&id);
                }
            }
        }
        self.by_question.entry(post.question.clone()).or_default().insert(id);
        let mine = self.by_author.entry((post.participant.clone(), post.question.clone())).or_default();
        if !mine.contains(&id) {
            mine.push(id);
            self.by_participant.entry(post.participant.clone()).or_default().push(id);
        }
        for voter in &post.upvoters {
            self.upvoted.entry(voter.clone()).or_default().insert(id);
        }
        if &*post.question == QA {
            self.qa_dirty = true;
        }
        self.posts.insert(id, post);
        self.dirty.insert(id);
    }

    /// Whether `participant` may post to `question` again (at most `max` posts).
    pub fn may_post(&self, participant: &Arc<str>, question: &str, max: usize) -> Result<(), PostRefusal> {
        let sent = self.by_author.get(&(participant.clone(), Arc::from(question))).map_or(0, Vec::len);
        if sent >= max {
            return Err(PostRefusal::TooMany(max));
        }
        Ok(())
    }

    /// Whether `participant` may upvote `entry`: a Q&A question the room can see, not their own.
    pub fn may_upvote(&self, participant: &Arc<str>, entry: i64) -> Result<(), PostRefusal> {
        if !self.qa.open {
            return Err(PostRefusal::QaClosed);
        }
        let post = self.posts.get(&entry).filter(|post| &*post.question == QA && post.state.public());
        let post = post.ok_or(PostRefusal::NoSuchEntry)?;
        if post.participant == *participant {
            return Err(PostRefusal::OwnEntry);
        }
        Ok(())
    }

    /// Sets or takes back an upvote; false when nothing changed.
    pub fn upvote(&mut self, participant: &Arc<str>, entry: i64, on: bool) -> bool {
        let Some(post) = self.posts.get_mut(&entry) else { return false };
        let changed = if on { post.upvoters.insert(participant.clone()) } else { post.upvoters.remove(participant) };
        if changed {
            let mine = self.upvoted.entry(participant.clone()).or_default();
            if on {
                mine.insert(entry);
            } else {
                mine.remove(&entry);
            }
            self.dirty.insert(entry);
            self.qa_dirty = true;
        }
        changed
    }

    /// Moves `entry` to `target`; returns every post whose state changed (a
    /// pin unpins the question's previous pin), for the store.
    pub fn moderate(&mut self, entry: i64, target: PostState) -> Result<Vec<(i64, PostState)>, String> {
        let post = self.posts.get(&entry).ok_or_else(|| format!("there is no post {entry}"))?;
        let qa = &*post.question == QA;
        match target {
            PostState::Pending => return Err("a post cannot go back to waiting".into()),
            PostState::Answered if !qa => return Err("only Q&A questions are marked answered".into()),
            PostState::Pinned if qa => return Err("Q&A questions are highlighted, not pinned".into()),
            _ => {}
        }
        if post.state == target {
            return Ok(Vec::new());
        }
        let mut changes = Vec::new();
        if target == PostState::Pinned {
            let question = post.question.clone();
            let pinned: Vec<i64> = self.by_question[&question]
                .iter()
                .copied()
                .filter(|id| self.posts.get(id).is_some_and(|p| p.state == PostState::Pinned))
                .collect();
            for id in pinned {
                changes.push((id, PostState::Shown));
            }
        }
        changes.push((entry, target));
        for &(id, state) in &changes {
            self.set_state(id, state);
        }
        if qa && !target.public() && self.qa.highlight == Some(entry) {
            self.qa.highlight = None;
        }
        Ok(changes)
    }

    /// Records a state read from the store or decided by [`Board::moderate`].
    pub fn set_state(&mut self, id: i64, state: PostState) {
        if let Some(post) = self.posts.get_mut(&id) {
            post.state = state;
            if &*post.question == QA {
                self.qa_dirty = true;
            }
            self.dirty.insert(id);
        }
    }

    /// Turns Q&A on or off, or highlights a question; refuses a question the room cannot see.
    pub fn set_qa(&mut self, open: Option<bool>, highlight: Option<Option<i64>>) -> Result<(), String> {
        if let Some(Some(entry)) = highlight {
            let visible = self.posts.get(&entry).is_some_and(|p| &*p.question == QA && p.state.public());
            if !visible {
                return Err(format!("there is no shown Q&A question {entry}"));
            }
        }
        if let Some(open) = open {
            self.qa.open = open;
        }
        if let Some(highlight) = highlight {
            self.qa.highlight = highlight;
        }
        self.qa_dirty = true;
        Ok(())
    }

    /// Participants who posted to `question`.
    pub fn respondents(&self, question: &str) -> usize {
        self.by_author.keys().filter(|(_, q)| &**q == question).count()
    }

    /// The projector's wall for an open question: the pin, then the newest shown posts.
    pub fn wall(&self, question: &str) -> Value {
        let ids = self.by_question.get(question);
        let posts = ids.into_iter().flatten().rev().filter_map(|id| self.posts.get(id));
        let (mut shown, mut pending, mut pin) = (0usize, 0usize, None);
        let mut newest = Vec::new();
        for post in posts {
            match post.state {
                PostState::Pinned => pin = Some(post),
                PostState::Shown | PostState::Answered => {
                    shown += 1;
                    if newest.len() < WALL_POSTS {
                        newest.push(post);
                    }
                }
                PostState::Pending => pending += 1,
                PostState::Hidden => {}
            }
        }
        let card = |post: &Post, pinned: bool| json!({"id": post.id, "text": post.public_text(), "pinned": pinned});
        let cards: Vec<Value> =
            pin.map(|p| card(p, true)).into_iter().chain(newest.iter().map(|p| card(p, false))).collect();
        json!({
            "question": question,
            "kind": "open",
            "respondents": self.respondents(question),
            "shown": shown + usize::from(pin.is_some()),
            "pending": pending,
            "posts": cards,
        })
    }

    /// The phones' and projector's Q&A list: the most upvoted and the newest
    /// questions the room may see, at most [`QA_ENTRIES`].
    pub fn qa_view(&self) -> Value {
        let ids = self.by_question.get(QA);
        let public: Vec<&Post> =
            ids.into_iter().flatten().filter_map(|id| self.posts.get(id)).filter(|p| p.state.public()).collect();
        let mut top: Vec<&Post> = public.clone();
        let by_votes = |a: &&Post, b: &&Post| b.upvoters.len().cmp(&a.upvoters.len()).then(b.id.cmp(&a.id));
        let half = QA_ENTRIES / 2;
        if top.len() > half {
            top.select_nth_unstable_by(half - 1, by_votes);
            top.truncate(half);
        }
        let mut chosen: BTreeSet<i64> = top.iter().map(|p| p.id).collect();
        for post in public.iter().rev() {
            if chosen.len() >= QA_ENTRIES {
                break;
            }
            chosen.insert(post.id);
        }
        let entries: Vec<Value> = chosen
            .iter()
            .filter_map(|id| self.posts.get(id))
            .map(|p| {
                json!({
                    "id": p.id,
                    "text": p.public_text(),
                    "upvotes": p.upvoters.len(),
                    "answered": p.state == PostState::Answered,
                    "highlighted": self.qa.highlight == Some(p.id),
                    "at": p.at,
                })
            })
            .collect();
        json!({"type": "qa", "open": self.qa.open, "total": public.len(), "entries": entries})
    }

    /// Every post, for a presenter's moderation queue when it connects.
    pub fn moderation_view(&self) -> Value {
        let mut posts: Vec<&Post> = self.posts.values().collect();
        posts.sort_unstable_by_key(|p| p.id);
        json!({"type": "board", "posts": posts.iter().map(|p| p.moderation_view()).collect::<Vec<_>>()})
    }

    /// The posts changed since the last call, as a `board_changes` frame (`None` when none).
    pub fn take_changes(&mut self) -> Option<Value> {
        if self.dirty.is_empty() {
            return None;
        }
        let mut ids: Vec<i64> = self.dirty.drain().collect();
        ids.sort_unstable();
        let posts: Vec<Value> = ids.iter().filter_map(|id| self.posts.get(id)).map(Post::moderation_view).collect();
        Some(json!({"type": "board_changes", "posts": posts}))
    }

    /// Whether Q&A changed since the last call.
    pub fn take_qa_changed(&mut self) -> bool {
        std::mem::take(&mut self.qa_dirty)
    }

    /// One participant's own posts and upvotes, for their phone.
    pub fn mine(&self, participant: &Arc<str>) -> Value {
        let mut asked = Vec::new();
        let mut posts: HashMap<&str, Vec<i64>> = HashMap::new();
        // Only this participant's posts: the cost does not grow with the room's.
        let own = self.by_participant.get(participant).into_iter().flatten();
        for post in own.filter_map(|id| self.posts.get(id)) {
            if &*post.question == QA {
                asked.push(post.id);
            } else {
                posts.entry(&post.question).or_default().push(post.id);
            }
        }
        asked.sort_unstable();
        let mut upvoted: Vec<i64> = self.upvoted.get(participant).into_iter().flatten().copied().collect();
        upvoted.sort_unstable();
        json!({"type": "mine", "asked": asked, "upvoted": upvoted, "posts": posts})
    }

    /// Every post, oldest first (for exports and tests).
    pub fn posts(&self) -> impl Iterator<Item = &Post> {
        let mut all: Vec<&Post> = self.posts.values().collect();
        all.sort_unstable_by_key(|p| p.id);
        all.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn board() -> Board {
        Board::new(QaSwitch { open: true, moderated: false, highlight: None })
    }

    fn post(board: &mut Board, id: i64, question: &str, who: &str, text: &str, moderated: bool) {
        board.upsert(Post::new(id, question, who.into(), text.into(), id, moderated, &Filter::built_in()));
    }

    #[test]
    fn posts_count_against_max_and_moderated_ones_wait() {
        let mut b = board();
        let alice: Arc<str> = "alice".into();
        assert!(b.may_post(&alice, "ideas", 2).is_ok());
        post(&mut b, 1, "ideas", "alice", "one", true);
        post(&mut b, 2, "ideas", "alice", "two", true);
        assert_eq!(b.may_post(&alice, "ideas", 2), Err(PostRefusal::TooMany(2)));
        assert!(b.may_post(&alice, "other", 1).is_ok());
        let wall = b.wall("ideas");
        assert_eq!(wall["posts"], json!([]), "waiting posts are not on the wall");
        assert_eq!(wall["pending"], 2);
        b.moderate(1, PostState::Shown).expect("approve");
        assert_eq!(b.wall("ideas")["posts"], json!([{"id": 1, "text": "one", "pinned": false}]));
    }

    #[test]
    fn a_pin_replaces_the_previous_pin_and_hidden_posts_leave_the_wall() {
        let mut b = board();
        for id in 1..=3 {
            post(&mut b, id, "ideas", &format!("p{id}"), &format!("post {id}"), false);
        }
        b.moderate(1, PostState::Pinned).expect("pin");
        let changes = b.moderate(2, PostState::Pinned).expect("pin another");
        assert_eq!(changes, vec![(1, PostState::Shown), (2, PostState::Pinned)]);
        b.moderate(3, PostState::Hidden).expect("hide");
        let wall = b.wall("ideas");
        let ids: Vec<i64> = wall["posts"].as_array().expect("posts").iter().filter_map(|p| p["id"].as_i64()).collect();
        assert_eq!(ids, [2, 1], "the pin first, then the newest shown");
        assert!(b.moderate(2, PostState::Answered).is_err(), "only Q&A is answered");
        assert!(b.moderate(2, PostState::Pending).is_err());
        assert!(b.moderate(99, PostState::Shown).is_err());
    }

    #[test]
    fn upvotes_once_per_person_never_ones_own_and_only_on_shown_questions() {
        let mut b = board();
        let (alice, bob): (Arc<str>, Arc<str>) = ("alice".into(), "bob".into());
        post(&mut b, 1, QA, "alice", "Why Rust?", false);
        post(&mut b, 2, QA, "bob", "Pending?", true);
        assert_eq!(b.may_upvote(&alice, 1), Err(PostRefusal::OwnEntry));
        assert_eq!(b.may_upvote(&alice, 2), Err(PostRefusal::NoSuchEntry), "not shown yet");
        assert!(b.may_upvote(&bob, 1).is_ok());
        assert!(b.upvote(&bob, 1, true));
        assert!(!b.upvote(&bob, 1, true), "a second upvote changes nothing");
        assert_eq!(b.qa_view()["entries"][0]["upvotes"], 1);
        assert!(b.upvote(&bob, 1, false));
        assert_eq!(b.qa_view()["entries"][0]["upvotes"], 0);
        // The shared copy learns of it through upsert: the taken-back upvote leaves the voter's list.
        let mut shared = board();
        let mut voted = b.get(1).cloned().expect("post");
        voted.upvoters.insert(bob.clone());
        shared.upsert(voted);
        assert_eq!(shared.mine(&bob)["upvoted"], json!([1]));
        shared.upsert(b.get(1).cloned().expect("post"));
        assert_eq!(shared.mine(&bob)["upvoted"], json!([]));
        b.set_qa(Some(false), None).expect("close");
        assert_eq!(b.may_upvote(&bob, 1), Err(PostRefusal::QaClosed));
        assert_eq!(b.mine(&alice)["asked"], json!([1]));
    }

    #[test]
    fn filtered_words_are_masked_for_the_room_and_kept_for_the_presenter() {
        let mut b = board();
        post(&mut b, 1, QA, "alice", "what the fuck is a monad", false);
        let room = b.qa_view().to_string();
        assert!(!room.contains("fuck") && room.contains("what the ••• is a monad"), "{room}");
        let queue = b.moderation_view().to_string();
        assert!(queue.contains("fuck") && queue.contains("\"flagged\":true"));
    }

    #[test]
    fn the_qa_list_and_the_changes_feed_stay_bounded() {
        let mut b = board();
        for id in 1..=2000 {
            post(&mut b, id, QA, &format!("p{id}"), &format!("question {id}"), false);
        }
        for voter in 0..50 {
            b.upvote(&Arc::from(format!("v{voter}")), 7, true);
        }
        let view = b.qa_view();
        let entries = view["entries"].as_array().expect("entries");
        assert_eq!(entries.len(), QA_ENTRIES);
        assert!(entries.iter().any(|e| e["id"] == 7), "the most upvoted is in");
        assert!(entries.iter().any(|e| e["id"] == 2000), "the newest is in");
        assert_eq!(view["total"], 2000);
        assert!(b.take_changes().is_some_and(|c| c["posts"].as_array().map(Vec::len) == Some(2000)));
        b.upvote(&Arc::from("late"), 9, true);
        let changes = b.take_changes().expect("one change");
        assert_eq!(changes["posts"].as_array().map(Vec::len), Some(1), "only what changed");
        assert!(b.take_changes().is_none());
    }
}
