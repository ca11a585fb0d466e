use super::*;
use crate::deck::demo_deck;

fn open_demo(dir: &Path, fresh: bool) -> (Store, StoredSession) {
    let mut store = Store::open(dir).expect("open");
    let session = store.open_session("demo", &demo_deck(), "source", fresh).expect("session");
    (store, session)
}

#[test]
fn one_response_per_participant_per_question_and_changes_update_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, session) = open_demo(dir.path(), false);
    let batch = store.batch().expect("batch");
    let alice = batch.participant(session.id, "alice-0001").expect("participant");
    assert_eq!(batch.participant(session.id, "alice-0001").expect("again"), alice, "same id, same row");
    batch.answer(alice, "q", &[0]).expect("answer");
    batch.answer(alice, "q", &[2]).expect("change");
    batch.commit().expect("commit");

    let rows: i64 = store.conn.query_row("SELECT count(*) FROM responses", [], |r| r.get(0)).expect("count");
    assert_eq!(rows, 1);
    // The database itself refuses a second row, whatever the code above does.
    let duplicate = store.conn.execute(
        "INSERT INTO responses (participant_id, question, choices, answered_at) VALUES (?1, 'q', '[1]', 0)",
        [alice],
    );
    assert!(duplicate.is_err(), "a second response row must violate the primary key");

    let loaded = store.load_session(session.id).expect("load");
    assert_eq!(loaded.responses, vec![("alice-0001".to_string(), "q".to_string(), vec![2])]);
}

#[test]
fn reopening_resumes_the_last_session() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first_id;
    {
        let (mut store, session) = open_demo(dir.path(), false);
        first_id = session.id;
        let batch = store.batch().expect("batch");
        let p = batch.participant(session.id, "phone-0001").expect("participant");
        batch.answer(p, "q", &[1, 3]).expect("answer");
        batch.set_slide(session.id, 3).expect("slide");
        batch.set_question(session.id, "q", QuestionState { voting_open: false, results_visible: true }).expect("q");
        batch.commit().expect("commit");
    }
    let (_, resumed) = open_demo(dir.path(), false);
    assert_eq!(resumed.id, first_id);
    assert_eq!(resumed.slide, 3);
    assert_eq!(resumed.questions.get("q").map(|q| q.voting_open), Some(false));
    assert_eq!(resumed.responses, vec![("phone-0001".to_string(), "q".to_string(), vec![1, 3])]);

    let (_, fresh) = open_demo(dir.path(), true);
    assert_ne!(fresh.id, first_id);
    assert!(fresh.responses.is_empty());
}

#[test]
fn an_uncommitted_batch_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, session) = open_demo(dir.path(), false);
    {
        let batch = store.batch().expect("batch");
        let p = batch.participant(session.id, "phone-0002").expect("participant");
        batch.answer(p, "q", &[0]).expect("answer");
        // Dropped without commit: rolled back.
    }
    assert!(store.load_session(session.id).expect("load").responses.is_empty());
}

#[test]
fn the_file_is_in_wal_mode_with_the_current_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = open_demo(dir.path(), false);
    let mode: String = store.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("mode");
    assert_eq!(mode, "wal");
    let version: i64 = store.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    assert_eq!(version as usize, schema::CURRENT_VERSION);
}
