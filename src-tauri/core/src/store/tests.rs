use super::*;
use crate::deck::demo_deck;

fn choices(picked: &[u16]) -> Answer {
    Answer::Choices(picked.to_vec())
}

fn open_demo(dir: &Path, fresh: bool) -> (Store, StoredSession) {
    let mut store = Store::open(dir).expect("open");
    let session = store.open_session("demo", &demo_deck(), "source", "demo.md", fresh).expect("session");
    (store, session)
}

#[test]
fn one_response_per_participant_per_question_and_changes_update_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, session) = open_demo(dir.path(), false);
    let batch = store.batch().expect("batch");
    let alice = batch.participant(session.id, "alice-0001").expect("participant");
    assert_eq!(batch.participant(session.id, "alice-0001").expect("again"), alice, "same id, same row");
    batch.answer(alice, "q", &choices(&[0]).to_json(), 0).expect("answer");
    batch.answer(alice, "q", &choices(&[2]).to_json(), 0).expect("change");
    batch.commit().expect("commit");

    let rows: i64 = store.conn.query_row("SELECT count(*) FROM responses", [], |r| r.get(0)).expect("count");
    assert_eq!(rows, 1);
    // The database itself refuses a second row, whatever the code above does.
    let duplicate = store.conn.execute(
        r#"INSERT INTO responses (participant_id, question, answer, answered_at) VALUES (?1, 'q', '{"choices":[1]}', 0)"#,
        [alice],
    );
    assert!(duplicate.is_err(), "a second response row must violate the primary key");

    let loaded = store.load_session(session.id).expect("load");
    assert_eq!(triples(&loaded.responses), vec![("alice-0001".to_string(), "q".to_string(), choices(&[2]))]);
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
        batch.answer(p, "q", &choices(&[1, 3]).to_json(), 0).expect("answer");
        batch.set_slide(session.id, 3).expect("slide");
        batch
            .set_question(
                session.id,
                "q",
                QuestionState {
                    voting_open: false,
                    results_visible: true,
                    revealed: true,
                    deadline: Some(1234),
                    opened_at: Some(1000),
                },
            )
            .expect("q");
        batch.commit().expect("commit");
    }
    let (_, resumed) = open_demo(dir.path(), false);
    assert_eq!(resumed.id, first_id);
    assert_eq!(resumed.slide, 3);
    assert_eq!(
        resumed.questions.get("q").map(|q| (q.voting_open, q.revealed, q.deadline)),
        Some((false, true, Some(1234)))
    );
    assert_eq!(triples(&resumed.responses), vec![("phone-0001".to_string(), "q".to_string(), choices(&[1, 3]))]);

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
        batch.answer(p, "q", &choices(&[0]).to_json(), 0).expect("answer");
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

#[test]
fn a_file_from_before_typed_answers_is_migrated() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let mut conn = Connection::open(dir.path().join(DATABASE_FILE)).expect("open");
        let tx = conn.transaction().expect("tx");
        for sql in &schema::MIGRATIONS_FOR_TESTS[..3] {
            tx.execute_batch(sql).expect("old schema");
        }
        tx.execute_batch(
            "PRAGMA user_version = 3;
             INSERT INTO decks (id, key, title, source, updated_at) VALUES (1, 'demo', 'Demo', '', 0);
             INSERT INTO sessions (id, deck_id, started_at) VALUES (1, 1, 0);
             INSERT INTO participants (id, session_id, public_id, joined_at) VALUES (1, 1, 'old-phone-1', 0);
             INSERT INTO responses (participant_id, question, choices, answered_at) VALUES (1, 'q', '[0,2]', 5);
             INSERT INTO requests (participant_id, request, question, choices) VALUES (1, 'r1', 'q', '[0,2]');",
        )
        .expect("old rows");
        tx.commit().expect("commit");
    }
    let (mut store, session) = open_demo(dir.path(), false);
    assert_eq!(triples(&session.responses), vec![("old-phone-1".to_string(), "q".to_string(), choices(&[0, 2]))]);
    let batch = store.batch().expect("batch");
    assert_eq!(batch.applied(1, "r1").expect("applied"), Some(("q".to_string(), choices(&[0, 2]))));
}

#[test]
fn each_session_keeps_the_deck_it_ran() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(dir.path()).expect("open");
    let session = store.open_session("k", &demo_deck(), "# First", "talk.md", false).expect("session");
    let text: (String, String) = store
        .conn
        .query_row("SELECT deck_text, deck_name FROM sessions WHERE id = ?1", [session.id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("deck copy");
    assert_eq!(text, ("# First".to_string(), "talk.md".to_string()));
}

#[test]
fn a_planned_discard_is_settled_by_the_deck_on_disk_at_the_next_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let deck = demo_deck();
    let answered = |store: &Store, session: i64| -> i64 {
        store
            .conn
            .query_row(
                "SELECT count(*) FROM responses r JOIN participants p ON p.id = r.participant_id WHERE p.session_id = ?1",
                [session],
                |row| row.get(0),
            )
            .expect("count")
    };
    let open = |text: &str| {
        let mut store = Store::open(dir.path()).expect("open");
        let session = store.open_session("talk", &deck, text, "talk.md", false).expect("session");
        (store, session.id)
    };
    let (mut store, session) = open("old text");
    let batch = store.batch().expect("batch");
    let phone = batch.participant(session, "phone-0001").expect("participant");
    batch.answer(phone, "q", &choices(&[0]).to_json(), 0).expect("answer");
    batch.commit().expect("commit");
    drop(store);

    // Planned, but the file was never written: the answers stay, the plan is dropped.
    let (mut store, _) = open("old text");
    store.plan_discard(session, "new text", &["q".to_string()]).expect("plan");
    drop(store);
    let (store, _) = open("old text");
    assert_eq!(answered(&store, session), 1);
    let plans: i64 = store.conn.query_row("SELECT count(*) FROM pending_discards", [], |r| r.get(0)).expect("plans");
    assert_eq!(plans, 0, "a plan for a text never written is forgotten");
    drop(store);

    // Planned and written, but Handsup stopped before discarding: the next open does it.
    let (mut store, _) = open("old text");
    store.plan_discard(session, "new text", &["q".to_string()]).expect("plan");
    drop(store);
    let (store, _) = open("new text");
    assert_eq!(answered(&store, session), 0, "old answers never meet the new options");
    drop(store);

    // The normal path: the discard itself clears its plan.
    let (mut store, _) = open("new text");
    store.plan_discard(session, "newer text", &["other".to_string()]).expect("plan");
    store.discard_answers(session, &["other".to_string()]).expect("discard");
    let plans: i64 = store.conn.query_row("SELECT count(*) FROM pending_discards", [], |r| r.get(0)).expect("plans");
    assert_eq!(plans, 0);
}

/// Stored answers as (participant, question, answer), their times aside.
fn triples(answers: &[StoredAnswer]) -> Vec<(String, String, Answer)> {
    answers.iter().map(|a| (a.participant.clone(), a.question.clone(), a.answer.clone())).collect()
}
