//! Micro-benchmarks of the per-vote hot paths: decode, check and count, render a tally frame, a batched commit.
//!
//! `cargo bench -p handsup-load` prints the median time per operation over several runs.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use handsup_core::deck::parse_deck;
use handsup_core::protocol::{decode_participant, encode, TallyView, ToPresenter, Voting};
use handsup_core::session::{PresenterAction, SessionState, Tally};
use handsup_core::store::Store;

const RUNS: usize = 7;

/// Runs `batch` (which does `per_batch` operations) repeatedly for about 200 ms per
/// run, and reports the median nanoseconds per operation over [`RUNS`] runs.
fn bench(name: &str, per_batch: u64, mut batch: impl FnMut()) {
    batch(); // warm up
    let mut per_op = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        let mut ops = 0u64;
        while start.elapsed() < Duration::from_millis(200) {
            batch();
            ops += per_batch;
        }
        per_op.push(start.elapsed().as_nanos() as f64 / ops as f64);
    }
    per_op.sort_by(f64::total_cmp);
    let median = per_op[RUNS / 2];
    let (value, unit) = if median >= 1_000_000.0 {
        (median / 1_000_000.0, "ms")
    } else if median >= 1_000.0 {
        (median / 1_000.0, "µs")
    } else {
        (median, "ns")
    };
    println!("{name:<44} {value:>10.2} {unit}/op   (median of {RUNS} runs)");
}

fn main() {
    let deck = parse_deck(
        "bench.md",
        "# Intro\n\n---\n\n<!-- question: single id=q -->\n# Pick one\n\n- Alpha\n- Bravo\n- Charlie\n- Delta\n",
    )
    .expect("bench deck");
    let frame = r#"{"type":"vote","request":"r17","question":"q","choices":[2]}"#;
    bench("decode a vote frame", 1, || {
        black_box(decode_participant(black_box(frame)).ok());
    });

    let mut state = SessionState::new(Arc::new(deck.clone()));
    state.apply(PresenterAction::Next).expect("next");
    let mut flip = 0u16;
    bench("check and count a vote (changed answer)", 1, || {
        let choices = state.check_vote("q", &[flip]).expect("valid");
        state.count("q", Some(&[flip ^ 1]), &choices);
        flip ^= 1;
    });

    let tally = Tally { counts: vec![2500, 4100, 1900, 1500], respondents: 10_000 };
    bench("render the presenter's tally frame", 1, || {
        let view = TallyView { question: "q", tally: &tally };
        black_box(encode(&ToPresenter::State {
            slide: 1,
            voting: Some(Voting::Open),
            results_visible: true,
            tally: Some(view),
            storage_error: None,
            black: false,
        }));
    });

    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(dir.path()).expect("store");
    let session = store.open_session("bench", &deck, "", false).expect("session");
    let participants: Vec<String> = (0..1000).map(|n| format!("bench-phone-{n:05}")).collect();
    let mut round = 0u16;
    bench("batched commit, per vote (1,000 per commit)", 1000, || {
        let batch = store.batch().expect("batch");
        for participant in &participants {
            let id = batch.participant(session.id, participant).expect("participant");
            batch.answer(id, "q", &[round % 4]).expect("answer");
        }
        batch.commit().expect("commit");
        round += 1;
    });
    bench("single-vote commit (synchronous=FULL)", 1, || {
        let batch = store.batch().expect("batch");
        let id = batch.participant(session.id, &participants[0]).expect("participant");
        batch.answer(id, "q", &[round % 4]).expect("answer");
        batch.commit().expect("commit");
        round += 1;
    });
}
