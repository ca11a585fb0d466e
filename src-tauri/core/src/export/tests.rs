use super::*;
use crate::deck::parse_deck;
use crate::question::Answer;

const DECK: &str = "<!-- question: multiple -->\n# Drinks?\n- Coffee\n- Tea\n\n---\n\n\
<!-- question: scale -->\n# Rate it\n- Content\n- Delivery\n\n---\n\n\
<!-- question: number -->\n# How many?\n\n---\n\n\
<!-- question: ranking -->\n# Order\n- Alpha\n- Beta\n- Gamma\n\n---\n\n\
<!-- question: points -->\n# Spend\n- Alpha\n- Beta\n";

fn stored(dir: &Path, deck_text: &str) -> i64 {
    let deck = parse_deck("talk.md", deck_text).expect("deck");
    let mut store = Store::open(dir).expect("store");
    let session = store.open_session("talk", &deck, deck_text, "talk.md", false).expect("session");
    let batch = store.batch().expect("batch");
    let first = batch.participant(session.id, "secret-phone-one").expect("p1");
    let second = batch.participant(session.id, "secret-phone-two").expect("p2");
    for (who, question, answer) in [
        (second, "drinks", Answer::Choices(vec![0, 1])),
        (first, "drinks", Answer::Choices(vec![1])),
        (first, "rate-it", Answer::Values(vec![4, 5])),
        (first, "how-many", Answer::Number(-42.5)),
        (first, "order", Answer::Order(vec![1, 0, 2])),
        (first, "spend", Answer::Values(vec![60, 40])),
    ] {
        batch.answer(who, question, &answer.to_json(), 0).expect("answer");
    }
    batch.commit().expect("commit");
    session.id
}

#[test]
fn one_readable_row_per_answer_with_the_exact_header() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = stored(dir.path(), DECK);
    let csv = csv(dir.path(), Which::Latest).expect("csv");
    assert!(csv.starts_with('\u{feff}'));
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert_eq!(
        lines[0],
        "session,started,question_id,question,kind,participant,answer,state,upvotes,points,answered_at"
    );
    let cells: Vec<Vec<&str>> = lines[1..].iter().filter(|l| !l.is_empty()).map(|l| l.split(',').collect()).collect();
    let answers: Vec<(&str, &str, &str, &str)> = cells.iter().map(|c| (c[2], c[4], c[5], c[6])).collect();
    assert_eq!(
        answers,
        [
            ("drinks", "multiple", "P1", "Tea"),
            ("drinks", "multiple", "P2", "Coffee; Tea"),
            ("rate-it", "scale", "P1", "Content=4; Delivery=5"),
            ("how-many", "number", "P1", "'-42.5"),
            ("order", "ranking", "P1", "Beta > Alpha > Gamma"),
            ("spend", "points", "P1", "Alpha=60; Beta=40"),
        ]
    );
    assert!(cells.iter().all(|c| c[0] == id.to_string() && c[7].is_empty() && c[8].is_empty() && c[9].is_empty()));
    assert!(!csv.contains("secret-phone"), "participants are pseudonyms, never their ids");
}

#[test]
fn names_what_the_audience_saw_even_after_the_file_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = stored(dir.path(), DECK);
    // The deck is edited and presented again in a new session.
    let edited = DECK.replace("# Drinks?", "# Favourite drinks?").replace("- Tea", "- Water");
    let deck = parse_deck("talk.md", &edited).expect("edited deck");
    let mut store = Store::open(dir.path()).expect("store");
    let second = store.open_session("talk", &deck, &edited, "talk.md", true).expect("new session").id;
    assert_ne!(first, second);
    let csv = csv(dir.path(), Which::Id(first)).expect("csv");
    assert!(csv.contains(",Drinks?,multiple,P2,Coffee; Tea,"), "{csv}");
}

#[test]
fn clear_errors_for_missing_data_and_sessions() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(matches!(csv(dir.path(), Which::Latest), Err(ExportError::NoData(_))));
    stored(dir.path(), DECK);
    assert!(matches!(csv(dir.path(), Which::Id(99)), Err(ExportError::NoSuchSession(99))));
    assert_eq!("latest".parse::<Which>(), Ok(Which::Latest));
    assert_eq!("7".parse::<Which>(), Ok(Which::Id(7)));
    assert!("last".parse::<Which>().is_err());
}
