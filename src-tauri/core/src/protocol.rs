//! The wire protocol: one tagged enum per direction and role (see `docs/protocol.md`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::question::Answer;
use crate::session::Millis;

/// Frames larger than this are refused; every real message is far smaller.
pub const MAX_MESSAGE_BYTES: usize = 4096;

/// What a phone sends.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ParticipantMessage {
    Hello {
        participant: String,
    },
    Vote {
        request: String,
        question: String,
        answer: Answer,
    },
    /// A live reaction: the index of one of the deck's `reactions`. Never stored.
    React {
        reaction: usize,
    },
    /// A question for the audience Q&A.
    Ask {
        request: String,
        text: String,
    },
    /// An upvote given (`on`) or taken back, on a Q&A question.
    Upvote {
        request: String,
        entry: i64,
        on: bool,
    },
    /// The nickname the phone plays a quiz under.
    Name {
        request: String,
        nickname: String,
    },
}

/// What the presenter page sends. Variants without data are written `{}` so
/// that `deny_unknown_fields` refuses extra fields on them too.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum PresenterMessage {
    Next {},
    Previous {},
    Goto {
        slide: usize,
    },
    OpenVoting {},
    CloseVoting {},
    ShowResults {},
    HideResults {},
    /// Black out the projector (`true`) or show the slide again.
    SetBlack {
        black: bool,
    },
    /// A countdown on the current question; voting closes at zero.
    StartTimer {
        seconds: u32,
    },
    AddTime {
        seconds: u32,
    },
    StopTimer {},
    /// Show (or hide) a number question's correct answer on the projector.
    RevealAnswer {
        revealed: bool,
    },
    /// Approve (`shown`), hide, pin or mark answered a post or Q&A question.
    Moderate {
        entry: i64,
        state: crate::session::PostState,
    },
    /// Audience Q&A on or off.
    SetQa {
        open: bool,
    },
    /// A Q&A question shown large on the projector (`null`: none).
    Highlight {
        entry: Option<i64>,
    },
    /// A new secret for the presenter's remote: paired remotes are closed.
    RevokeRemote {},
    /// The network phones should join on, by interface name; remembered for next time.
    ChooseNetwork {
        interface: String,
    },
    /// Gives a quiz player another nickname (`null`: "Player N").
    Rename {
        player: i64,
        nickname: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Voting {
    Open,
    Closed,
}

impl From<bool> for Voting {
    fn from(open: bool) -> Self {
        if open {
            Voting::Open
        } else {
            Voting::Closed
        }
    }
}

/// Why a request was refused, as the client sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadMessage,
    NotCurrent,
    VotingClosed,
    InvalidChoice,
    Storage,
    Unavailable,
    RateLimited,
    /// Too many new participants from one address: a script posing as a room.
    TooManyParticipants,
    /// The question takes one answer per address, and another participant on this one gave it.
    OnePerAddress,
    /// This participant has sent as many posts (or Q&A questions) as allowed.
    TooManyPosts,
    /// Audience Q&A is off.
    QaClosed,
    /// No Q&A question the room can see has this id.
    NoSuchEntry,
    /// A participant cannot upvote their own question.
    OwnEntry,
    /// A quiz answer is final, and this participant gave one.
    AlreadyAnswered,
    /// Another player has this nickname.
    NicknameTaken,
    /// The word filter refused the nickname.
    NicknameRefused,
    /// Empty, too long, or posing as a player number.
    BadNickname,
    /// A remote's secret is not (any more) the presenter's.
    WrongSecret,
    /// As many remotes as allowed are paired already.
    TooManyRemotes,
}

/// What the server sends to a phone.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToParticipant<'a> {
    State {
        title: &'a str,
        slide: usize,
        slides: usize,
        /// The question as phones see it ([`crate::question::Question::view`]).
        question: Option<Value>,
        voting: Voting,
        /// When voting closes by itself, on the server's clock.
        deadline: Option<Millis>,
        /// Set only when the question shows its results on phones and voting is closed.
        results: Option<Value>,
        /// The emoji phones may react with (the deck's `reactions:`); empty when off.
        reactions: &'a [String],
        /// Whether phones may ask and upvote questions.
        qa: QaView,
        /// Phones pick a nickname before the first quiz question.
        nicknames: bool,
        /// The slide on screen as a picture, relative to the page (`slide/4?v=…`),
        /// when the deck says `phones: slides` and the slide has one; omitted otherwise.
        #[serde(skip_serializing_if = "Option::is_none")]
        image: Option<String>,
    },
    /// The phone's nickname: on connect (`request` null) and as a `name`'s acknowledgement.
    Nickname {
        request: Option<&'a str>,
        nickname: Option<&'a str>,
    },
    Answer {
        question: &'a str,
        answer: &'a Answer,
    },
    Ack {
        request: &'a str,
        question: &'a str,
        /// What was stored, as stored (absent for an upvote).
        #[serde(skip_serializing_if = "Option::is_none")]
        answer: Option<&'a Answer>,
        /// A post's or Q&A question's id, and where it stands (`pending` or `shown`).
        #[serde(skip_serializing_if = "Option::is_none")]
        entry: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        state: Option<&'a str>,
        /// An upvote's new setting.
        #[serde(skip_serializing_if = "Option::is_none")]
        on: Option<bool>,
    },
    /// The server's clock, once per connect, so a countdown shows the server's time left.
    Clock {
        now: Millis,
    },
    Error {
        code: ErrorCode,
        message: &'a str,
        request: Option<&'a str>,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct SlideView<'a> {
    pub index: usize,
    pub html: String,
    pub notes: &'a str,
    pub question: Option<Value>,
    /// The slide shows the audience's Q&A (`<!-- qa -->` in the deck).
    pub qa: bool,
    /// The slide shows the quiz's `leaderboard` or `podium`; else `null`.
    pub scores: Option<crate::deck::Scores>,
}

/// A past session on screen again, read-only: its results as they were.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Review {
    pub session: i64,
    /// When it started, in milliseconds since 1970.
    pub started_at: i64,
    /// There is a live session to go back to (not when a session file was opened on its own).
    pub live: bool,
}

/// Phones connected through one of this computer's addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Via {
    pub address: std::net::IpAddr,
    pub phones: usize,
}

/// Phones' heartbeat round trips over the last minute, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RoundTrips {
    pub median_ms: u32,
    pub p95_ms: u32,
    /// How many round trips the figures come from.
    pub samples: usize,
    /// The room's Wi-Fi is struggling: answers and slides will arrive late.
    pub saturated: bool,
}

/// What the server sends to the presenter page.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToPresenter<'a> {
    Deck {
        title: &'a str,
        slides: Vec<SlideView<'a>>,
        /// The emoji phones may react with; `reactions` frames count them in this order.
        reactions: &'a [String],
        /// A past session shown again read-only, or `null` for the live one.
        review: Option<Review>,
    },
    State {
        slide: usize,
        voting: Option<Voting>,
        results_visible: bool,
        /// When voting closes by itself, on the server's clock.
        deadline: Option<Millis>,
        /// A number question's answer may show on the projector.
        revealed: bool,
        /// The current question's results ([`crate::question::Results::view`]).
        results: Option<Value>,
        /// Set while answers cannot be saved; `null` when all is well.
        storage_error: Option<&'a str>,
        /// The projector is blacked out.
        black: bool,
        /// Audience Q&A's switches, with the highlighted question.
        qa: QaView,
        /// The quiz's top players, on a scores slide or a revealed quiz question; else `null`.
        standings: Option<Value>,
    },
    /// Where phones join: sent on connect and whenever the address changes.
    Join {
        url: &'a str,
        qr_svg: &'a str,
        /// The interface and address in words (`wlan0 · 192.168.1.23`), or "this computer only".
        network: &'a str,
        /// The interface the QR code's address is on, and its kind; `null` without a network.
        interface: Option<&'a str>,
        kind: Option<crate::net::Kind>,
        /// Every address phones might use, best first: the network picker's list.
        candidates: &'a [crate::net::Candidate],
        /// The presenter bound one address (`--bind`): there is nothing to choose.
        fixed: bool,
        /// The address changed by itself mid-session; `null` otherwise.
        moved: Option<crate::server::Moved>,
    },
    /// The presenter's remote: the address its QR code carries (with the secret) and
    /// how many are paired. Only the presenter view's socket gets it, never the projector's.
    Remote {
        url: &'a str,
        qr_svg: &'a str,
        paired: usize,
    },
    /// How phones reach the room: through which address, and how quickly they answer
    /// the heartbeat. Sent on connect and at most every 2 s when it changed.
    Room {
        via: &'a [Via],
        /// `null` until phones have answered a heartbeat.
        round_trips: Option<RoundTrips>,
    },
    Participants {
        connected: usize,
        /// The address with the most participants, once unusually many share one
        /// (a room behind one router, or one device posing as many); else `null`.
        crowded: Option<crate::server::Crowd>,
    },
    /// The server's clock, once per connect.
    Clock {
        now: Millis,
    },
    /// Reactions since the server started, per emoji of the deck; sent at most
    /// every 250 ms, when they changed.
    Reactions {
        totals: &'a [u64],
    },
    /// Something the presenter must know about the app itself (its server was
    /// brought back after it died); `null` clears it. Sent on connect and on change.
    Notice {
        text: Option<&'a str>,
        /// When it happened, on the server's clock.
        at: Option<Millis>,
    },
    Error {
        code: ErrorCode,
        message: &'a str,
    },
}

/// What the server sends to a paired remote.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToRemote<'a> {
    /// The talk as the remote shows it: sent on pairing and on every change.
    State {
        title: &'a str,
        /// 0-based, of `slides`.
        slide: usize,
        slides: usize,
        /// The speaker notes of the slide on screen.
        notes: &'a str,
        /// The question on the slide, or `null`.
        question: Option<&'a str>,
        /// `null` on a slide without a question.
        voting: Option<Voting>,
        results_visible: bool,
        black: bool,
        /// When voting closes by itself, on the server's clock.
        deadline: Option<Millis>,
        /// A past session is on screen: voting cannot open.
        read_only: bool,
    },
    Clock {
        now: Millis,
    },
    Error {
        code: ErrorCode,
        message: &'a str,
    },
}

/// Audience Q&A as a client sees it; phones are not told the highlight (the `qa` list carries it).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct QaView {
    pub open: bool,
    pub moderated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlight: Option<Option<i64>>,
}

/// Serialises a message. Our own types always serialise; the fallback keeps the
/// socket alive with a readable error if that ever changes.
pub fn encode<T: Serialize>(message: &T) -> String {
    serde_json::to_string(message).unwrap_or_else(|error| {
        tracing::error!(%error, "cannot serialise an outgoing message");
        r#"{"type":"error","code":"unavailable","message":"internal error","request":null}"#.to_string()
    })
}

/// Reads a participant frame, with a message fit to show a person on failure.
pub fn decode_participant(text: &str) -> Result<ParticipantMessage, String> {
    serde_json::from_str(text).map_err(|error| format!("unreadable message: {error}"))
}

pub fn decode_presenter(text: &str) -> Result<PresenterMessage, String> {
    serde_json::from_str(text).map_err(|error| format!("unreadable message: {error}"))
}

/// A participant id: 8 to 64 characters from `A-Z a-z 0-9 _ -`.
pub fn valid_participant_id(id: &str) -> bool {
    (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A request id: 1 to 64 printable ASCII characters.
pub fn valid_request_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_documented_messages() {
        assert_eq!(
            decode_participant(r#"{"type":"hello","participant":"abcdefgh"}"#),
            Ok(ParticipantMessage::Hello { participant: "abcdefgh".into() })
        );
        assert_eq!(
            decode_participant(r#"{"type":"vote","request":"r1","question":"q","answer":{"choices":[2,0]}}"#),
            Ok(ParticipantMessage::Vote {
                request: "r1".into(),
                question: "q".into(),
                answer: Answer::Choices(vec![2, 0])
            })
        );
        assert_eq!(
            decode_participant(r#"{"type":"vote","request":"r1","question":"q","answer":{"number":-2.5}}"#),
            Ok(ParticipantMessage::Vote { request: "r1".into(), question: "q".into(), answer: Answer::Number(-2.5) })
        );
        assert_eq!(
            decode_presenter(r#"{"type":"add_time","seconds":30}"#),
            Ok(PresenterMessage::AddTime { seconds: 30 })
        );
        assert_eq!(decode_presenter(r#"{"type":"goto","slide":3}"#), Ok(PresenterMessage::Goto { slide: 3 }));
        assert_eq!(decode_presenter(r#"{"type":"close_voting"}"#), Ok(PresenterMessage::CloseVoting {}));
    }

    #[test]
    fn refuses_unknown_types_fields_and_wrong_types() {
        for bad in [
            "",
            "not json",
            "[]",
            r#"{"participant":"abcdefgh"}"#,
            r#"{"type":"next"}"#,
            r#"{"type":"hello","participant":"abcdefgh","admin":true}"#,
            r#"{"type":"vote","request":"r","question":"q","answer":{"choices":[-1]}}"#,
            r#"{"type":"vote","request":"r","question":"q","answer":{"choices":[70000]}}"#,
            r#"{"type":"vote","request":"r","question":"q","answer":{"choices":"0"}}"#,
            r#"{"type":"vote","request":"r","question":"q","answer":{"choices":[0],"order":[0]}}"#,
            r#"{"type":"vote","request":"r","question":"q","answer":{}}"#,
            r#"{"type":"vote","request":"r","question":"q","choices":[0]}"#,
            r#"{"type":"vote","request":"r","question":"q"}"#,
        ] {
            assert!(decode_participant(bad).is_err(), "accepted {bad:?}");
        }
        assert!(decode_presenter(r#"{"type":"next","slide":1}"#).is_err());
        assert!(decode_presenter(r#"{"type":"vote","request":"r","question":"q","answer":{"choices":[0]}}"#).is_err());
        assert!(decode_presenter(r#"{"type":"start_timer","seconds":-1}"#).is_err());
    }

    #[test]
    fn validates_ids() {
        assert!(valid_participant_id("k3J9x0aQ2mB7zT1w-_"));
        assert!(!valid_participant_id("short"));
        assert!(!valid_participant_id("has space in it"));
        assert!(!valid_participant_id(&"x".repeat(65)));
        assert!(valid_request_id("r17"));
        assert!(!valid_request_id(""));
        assert!(!valid_request_id("a b"));
    }
}
