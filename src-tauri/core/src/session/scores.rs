//! Quiz scores and nicknames: points from each answer's speed, ranks computed once per showing.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use super::Millis;
use crate::deck::Question;
use crate::question::quiz::{compare_form, score};
use crate::question::text::normalise;
use crate::question::{filter::Filter, Answer};

/// The longest nickname, in characters.
pub const MAX_NICKNAME_CHARS: usize = 20;
/// How many players the leaderboard shows.
pub const LEADERBOARD_SIZE: usize = 10;

/// Why a nickname was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameRefusal {
    /// Empty, too long, or posing as a player number.
    Invalid(String),
    Taken,
    /// The word filter caught it.
    Refused,
}

/// One player's running score.
#[derive(Debug, Clone, Default)]
struct Player {
    /// The participant's number in the session: `P17` in exports, "Player 17" without a nickname.
    number: i64,
    nickname: Option<String>,
    points: u64,
    correct: u32,
    answered: u32,
    /// Points by quiz question id, so a leaderboard can say what the last one gave.
    gains: HashMap<String, (u32, bool)>,
}

/// Every player's score, kept by the writer; one source of truth with the stored
/// answers, from which [`Scoreboard::record`] rebuilds it after a restart.
#[derive(Debug, Clone, Default)]
pub struct Scoreboard {
    players: HashMap<Arc<str>, Player>,
    /// Folded nickname → who holds it.
    names: HashMap<String, Arc<str>>,
    /// Row id → participant, for the presenter's renames.
    numbers: HashMap<i64, Arc<str>>,
    /// Moves with every change, so standings are ranked again only when needed.
    version: u64,
}

impl Scoreboard {
    /// Makes the participant known (their number, and nickname if stored).
    pub fn know(&mut self, participant: &Arc<str>, number: i64, nickname: Option<String>) {
        if let Some(nickname) = &nickname {
            self.names.insert(compare_form(nickname), participant.clone());
        }
        self.numbers.insert(number, participant.clone());
        let player = self.players.entry(participant.clone()).or_default();
        player.number = number;
        if nickname.is_some() {
            player.nickname = nickname;
        }
        self.version += 1;
    }

    /// Scores a stored quiz answer given `at`, for a question that opened at `opened`.
    pub fn record(&mut self, participant: &Arc<str>, question: &Question, answer: &Answer, at: Millis, opened: Millis) {
        let (Some((points, right)), Some(time)) = (question.scoring(answer), question.countdown()) else { return };
        let gained = score(points, time, at - opened, right);
        let player = self.players.entry(participant.clone()).or_default();
        // A final answer is recorded once; a replayed one never counts twice.
        if player.gains.insert(question.id.clone(), (gained, right)).is_some() {
            return;
        }
        player.points += u64::from(gained);
        player.answered += 1;
        player.correct += u32::from(right);
        self.version += 1;
    }

    /// The participant's number, once the scoreboard knows them.
    pub fn number(&self, participant: &str) -> Option<i64> {
        self.players.get(participant).map(|player| player.number)
    }

    /// Checks a nickname a phone asked for: returns it (normalised) with its folded key.
    pub fn check_name(
        &self,
        participant: &str,
        wanted: &str,
        filter: &Filter,
    ) -> Result<(String, String), NameRefusal> {
        let nickname = normalise(wanted, MAX_NICKNAME_CHARS + 1);
        let length = nickname.chars().count();
        if length == 0 || length > MAX_NICKNAME_CHARS {
            return Err(NameRefusal::Invalid(format!("a nickname has 1 to {MAX_NICKNAME_CHARS} characters")));
        }
        let key = compare_form(&nickname);
        // "Player 17" is what the leaderboard calls a player without a nickname.
        if key.strip_prefix("player").is_some_and(|rest| rest.trim().parse::<u64>().is_ok()) {
            return Err(NameRefusal::Invalid("that name is kept for players without one".into()));
        }
        if filter.blocks(&nickname) {
            return Err(NameRefusal::Refused);
        }
        match self.names.get(&key) {
            Some(holder) if &**holder != participant => Err(NameRefusal::Taken),
            _ => Ok((nickname, key)),
        }
    }

    /// Gives a participant a nickname (checked before, stored in the same batch).
    pub fn name(&mut self, participant: &Arc<str>, nickname: String, key: String) {
        if let Some(old) = self.players.get(participant).and_then(|player| player.nickname.as_deref()) {
            self.names.remove(&compare_form(old));
        }
        self.names.insert(key, participant.clone());
        self.players.entry(participant.clone()).or_default().nickname = Some(nickname);
        self.version += 1;
    }

    /// The participant behind a player number, with the nickname the presenter gives
    /// (or "Player N") and its key; refused when another player holds it.
    pub fn rename(&self, number: i64, nickname: Option<&str>) -> Result<(Arc<str>, String, String), String> {
        let participant = self.numbers.get(&number).ok_or_else(|| format!("there is no player {number}"))?;
        let nickname = match nickname.map(|n| normalise(n, MAX_NICKNAME_CHARS + 1)).filter(|n| !n.is_empty()) {
            Some(nickname) if nickname.chars().count() > MAX_NICKNAME_CHARS => {
                return Err(format!("a nickname has at most {MAX_NICKNAME_CHARS} characters"));
            }
            Some(nickname) => nickname,
            None => format!("Player {number}"),
        };
        let key = compare_form(&nickname);
        match self.names.get(&key) {
            Some(holder) if holder != participant => Err(format!("another player is called {nickname}")),
            _ => Ok((participant.clone(), nickname, key)),
        }
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// Ranks every player once: most points first, equal points share a rank
    /// (1, 2, 2, 4), the earlier joiner listed first among them. `last` is the quiz
    /// question whose points the leaderboard shows as gained.
    pub fn standings(&self, last: Option<&str>) -> Standings {
        let mut entries: Vec<Standing> = self
            .players
            .iter()
            .filter(|(_, player)| player.answered > 0 || player.nickname.is_some())
            .map(|(participant, player)| {
                let (gained, right) = last.and_then(|q| player.gains.get(q)).copied().unwrap_or((0, false));
                Standing {
                    participant: participant.clone(),
                    rank: 0,
                    number: player.number,
                    nickname: player.nickname.clone(),
                    points: player.points,
                    correct: player.correct,
                    answered: player.answered,
                    gained,
                    answered_last: last.is_some_and(|q| player.gains.contains_key(q)),
                    right_last: right,
                }
            })
            .collect();
        entries.sort_unstable_by(|a, b| b.points.cmp(&a.points).then(a.number.cmp(&b.number)));
        let mut rank = 0;
        for index in 0..entries.len() {
            if index == 0 || entries[index].points != entries[index - 1].points {
                rank = u32::try_from(index + 1).unwrap_or(u32::MAX);
            }
            entries[index].rank = rank;
        }
        let index = entries.iter().enumerate().map(|(at, entry)| (entry.participant.clone(), at)).collect();
        Standings { question: last.map(str::to_string), entries, index }
    }
}

/// One player's place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub participant: Arc<str>,
    pub rank: u32,
    pub number: i64,
    pub nickname: Option<String>,
    pub points: u64,
    pub correct: u32,
    pub answered: u32,
    /// Points from the last question, and whether it was answered, and right.
    pub gained: u32,
    pub answered_last: bool,
    pub right_last: bool,
}

/// Every player ranked, computed once and shared by every socket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Standings {
    pub question: Option<String>,
    pub entries: Vec<Standing>,
    index: HashMap<Arc<str>, usize>,
}

/// A phone's own result, as sent at a reveal and on leaderboard slides.
#[derive(Debug, Serialize)]
struct OwnResult<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    question: Option<&'a str>,
    answered: bool,
    correct: bool,
    gained: u32,
    points: u64,
    rank: u32,
    players: usize,
    nickname: Option<&'a str>,
}

impl Standings {
    pub fn of(&self, participant: &str) -> Option<&Standing> {
        self.index.get(participant).and_then(|&at| self.entries.get(at))
    }

    /// The `result` frame for one phone, or `None` when it is not playing.
    pub fn result_frame(&self, participant: &str) -> Option<String> {
        let entry = self.of(participant)?;
        Some(crate::protocol::encode(&OwnResult {
            kind: "result",
            question: self.question.as_deref(),
            answered: entry.answered_last,
            correct: entry.right_last,
            gained: entry.gained,
            points: entry.points,
            rank: entry.rank,
            players: self.entries.len(),
            nickname: entry.nickname.as_deref(),
        }))
    }

    /// The presenter's `standings`: the top of the table.
    pub fn view(&self) -> Value {
        let top: Vec<Value> = self
            .entries
            .iter()
            .take(LEADERBOARD_SIZE)
            .map(|entry| {
                json!({
                    "rank": entry.rank,
                    "player": entry.number,
                    "nickname": entry.nickname,
                    "points": entry.points,
                    "gained": entry.gained,
                })
            })
            .collect();
        json!({ "question": self.question, "players": self.entries.len(), "top": top })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::parse_deck;

    const QUIZ: &str = "<!-- question: quiz id=q1 time=20 -->\n# Capital?\n\n- [x] Paris\n- [ ] Lyon\n\n---\n\n<!-- question: quiz-text id=q2 answer=\"Bern\" -->\n# Swiss capital?\n";

    fn who(name: &str) -> Arc<str> {
        Arc::from(name)
    }

    #[test]
    fn speed_and_rightness_make_the_ranking_and_ties_share_a_rank() {
        let deck = parse_deck("t.md", QUIZ).expect("deck");
        let (q1, q2) = (deck.question("q1").expect("q1"), deck.question("q2").expect("q2"));
        let mut board = Scoreboard::default();
        for (number, name) in ["ada", "bob", "cy", "dee"].iter().enumerate() {
            board.know(&who(name), number as i64 + 1, None);
        }
        let paris = Answer::Choices(vec![0]);
        board.record(&who("ada"), q1, &paris, 1_000, 1_000);
        board.record(&who("bob"), q1, &paris, 11_000, 1_000);
        board.record(&who("cy"), q1, &paris, 11_000, 1_000);
        board.record(&who("dee"), q1, &Answer::Choices(vec![1]), 1_000, 1_000);
        // Recorded again (a replay after a restart): counted once.
        board.record(&who("ada"), q1, &paris, 1_000, 1_000);
        let table = board.standings(Some("q1"));
        let ranks: Vec<(&str, u32, u64)> = table.entries.iter().map(|e| (&*e.participant, e.rank, e.points)).collect();
        assert_eq!(ranks, vec![("ada", 1, 1000), ("bob", 2, 750), ("cy", 2, 750), ("dee", 4, 0)]);
        board.record(&who("dee"), q2, &Answer::Text(" bérn ".into()), 5_000, 5_000);
        let table = board.standings(Some("q2"));
        assert_eq!(table.of("dee").map(|e| (e.rank, e.points, e.gained, e.correct)), Some((1, 1000, 1000, 1)));
        assert_eq!(table.of("ada").map(|e| (e.answered_last, e.gained)), Some((false, 0)));
        let frame: Value = serde_json::from_str(&table.result_frame("bob").expect("bob plays")).expect("json");
        assert_eq!(frame["rank"], 3, "ada and dee share first place");
        assert_eq!(frame["answered"], false);
        assert_eq!(frame["players"], 4);
        assert_eq!(table.view()["top"][0]["player"], 1, "the earlier joiner first among equals");
        assert_eq!(table.view()["top"][1]["rank"], 1);
    }

    #[test]
    fn nicknames_are_unique_filtered_and_short() {
        let filter = Filter::built_in();
        let mut board = Scoreboard::default();
        board.know(&who("ada"), 1, Some("Zoë".into()));
        board.know(&who("bob"), 2, None);
        assert_eq!(board.check_name("bob", " ZOE ", &filter), Err(NameRefusal::Taken));
        assert_eq!(board.check_name("ada", "zoe", &filter).map(|(n, _)| n), Ok("zoe".into()), "one's own, again");
        assert!(matches!(board.check_name("bob", &"x".repeat(21), &filter), Err(NameRefusal::Invalid(_))));
        assert!(matches!(board.check_name("bob", "   ", &filter), Err(NameRefusal::Invalid(_))));
        assert!(matches!(board.check_name("bob", "Player 1", &filter), Err(NameRefusal::Invalid(_))));
        assert_eq!(board.check_name("bob", "shit", &filter), Err(NameRefusal::Refused));
        let (name, key) = board.check_name("bob", "Bob\u{202E}", &filter).expect("fine");
        assert_eq!(name, "Bob");
        board.name(&who("bob"), name, key);
        assert_eq!(board.standings(None).of("bob").and_then(|e| e.nickname.as_deref()), Some("Bob"));
        // The presenter renames: by default to "Player N"; never onto another's name.
        let (participant, nickname, _) = board.rename(2, None).expect("rename");
        assert_eq!((&*participant, nickname.as_str()), ("bob", "Player 2"));
        assert!(board.rename(2, Some("zoe")).is_err());
        assert!(board.rename(9, None).is_err());
    }
}
