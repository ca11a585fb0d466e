//! A thousand phones through the load generator: correctness under load, no timing thresholds.

use anyhow::Result;
use handsup_load::{Config, Kind, Shape};

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_phones_get_every_question_and_every_vote_is_stored_once() -> Result<()> {
    let config = Config {
        binary: env!("CARGO_BIN_EXE_handsup").into(),
        kind: Kind::Single,
        phones: 1000,
        rounds: 3,
        shape: Shape::Herd,
        sweep: Vec::new(),
        storm: true,
        revisit: false,
        restart: false,
        own_answers: true,
        sources: 8,
        connect_concurrency: 256,
    };
    let report = handsup_load::run(&config).await?;
    // run() compares the presenter's final tallies with what the phones voted,
    // and the rows in the SQLite file with the votes acknowledged.
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    assert_eq!(report.rounds.len(), 3);
    for round in &report.rounds {
        assert_eq!(round.broadcast.count, 1000, "every phone received question {}", round.round);
        assert_eq!(round.ack.count, 1000, "every phone's vote was acknowledged in round {}", round.round);
    }
    assert_eq!(report.expected_rows, 3000);
    assert_eq!(report.stored_rows, 3000, "each vote is stored exactly once");
    assert!(report.storm_ms.is_some(), "every phone came back after the reconnect storm");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_kind_of_answer_goes_through_the_load_generator() -> Result<()> {
    for kind in [Kind::Scale, Kind::Number, Kind::Ranking, Kind::Points] {
        let config = Config {
            binary: env!("CARGO_BIN_EXE_handsup").into(),
            kind,
            phones: 200,
            rounds: 2,
            shape: Shape::Herd,
            sweep: Vec::new(),
            storm: false,
            revisit: false,
            restart: false,
            own_answers: true,
            sources: 4,
            connect_concurrency: 128,
        };
        let report = handsup_load::run(&config).await?;
        // Every answer acknowledged (a refused one is an error), counted by the presenter, stored once.
        assert!(report.errors.is_empty(), "{kind:?}: {:#?}", report.errors);
        assert_eq!(report.stored_rows, 400, "{kind:?}");
        assert!(report.rounds.iter().all(|round| round.ack.count == 200), "{kind:?}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_revisit_and_after_a_restart_every_phone_gets_its_own_answer_back() -> Result<()> {
    let config = Config {
        binary: env!("CARGO_BIN_EXE_handsup").into(),
        kind: Kind::Single,
        phones: 500,
        rounds: 4,
        shape: Shape::Herd,
        sweep: Vec::new(),
        storm: false,
        revisit: true,
        restart: true,
        own_answers: true,
        sources: 4,
        connect_concurrency: 128,
    };
    let report = handsup_load::run(&config).await?;
    // run() checks each answer sent back against the one the phone had acknowledged,
    // and the final tallies against the changed answers.
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    let revisits: Vec<_> = report.rounds.iter().filter(|round| round.revisit).collect();
    assert_eq!(revisits.len(), 2, "rounds 3 and 4 ask questions 1 and 2 again");
    for round in revisits {
        assert_eq!(round.own_answer.count, 500, "every phone got its answer back in round {}", round.round);
        assert_eq!(round.ack.count, 500, "every changed answer was acknowledged in round {}", round.round);
    }
    assert_eq!(report.expected_rows, 1000, "two questions, each answered twice by every phone");
    assert_eq!(report.stored_rows, 1000, "a changed answer replaces the first");
    let restart = report.restart.as_ref().expect("the server was restarted");
    assert_eq!(restart.back.count, 500, "every phone came back after the restart");
    assert_eq!((restart.answers_back, restart.answers_expected), (500, 500), "each with its own answer");
    Ok(())
}
