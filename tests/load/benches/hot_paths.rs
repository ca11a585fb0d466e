//! Micro-benchmarks of the per-vote hot paths: decode, check and count, render a tally frame, a batched commit.
//!
//! `cargo bench -p handsup-load` prints the median time per operation over several runs.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use handsup_core::deck::parse_deck;
use handsup_core::protocol::{decode_participant, encode, ToPresenter, Voting};
use handsup_core::question::{Answer, Audience, Results};
use handsup_core::session::{PresenterAction, SessionState};
use handsup_core::store::Store;

/// Any fixed moment: the benchmarks run no timers.
const NOW: i64 = 1_700_000_000_000;

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
        "# Intro\n\n---\n\n<!-- question: single id=q -->\n# Pick one\n\n- Alpha\n- Bravo\n- Charlie\n- Delta\n\n---\n\n\
         <!-- question: scale id=s -->\n# Rate\n\n- Content\n- Delivery\n\n---\n\n\
         <!-- question: ranking id=r -->\n# Order\n\n- Alpha\n- Bravo\n- Charlie\n- Delta\n",
    )
    .expect("bench deck");
    let frame = r#"{"type":"vote","request":"r17","question":"q","answer":{"choices":[2]}}"#;
    bench("decode a vote frame", 1, || {
        black_box(decode_participant(black_box(frame)).ok());
    });

    let mut state = SessionState::new(Arc::new(deck.clone()), NOW);
    state.apply(PresenterAction::Next, NOW).expect("next");
    let mut flip = 0u16;
    let answers = [Answer::Choices(vec![0]), Answer::Choices(vec![1])];
    bench("check and count a vote (changed answer)", 1, || {
        let choices = state.check_vote("q", &answers[usize::from(flip)], NOW).expect("valid");
        state.count("q", Some(&answers[usize::from(flip ^ 1)]), &choices);
        flip ^= 1;
    });
    state.apply(PresenterAction::Next, NOW).expect("next");
    let ratings = [Answer::Values(vec![4, 5]), Answer::Values(vec![2, 3])];
    bench("check and count a scale rating (changed)", 1, || {
        let stored = state.check_vote("s", &ratings[usize::from(flip)], NOW).expect("valid");
        state.count("s", Some(&ratings[usize::from(flip ^ 1)]), &stored);
        flip ^= 1;
    });
    state.apply(PresenterAction::Next, NOW).expect("next");
    let orders = [Answer::Order(vec![3, 1, 0, 2]), Answer::Order(vec![0, 1, 2, 3])];
    bench("check and count a ranking (changed)", 1, || {
        let stored = state.check_vote("r", &orders[usize::from(flip)], NOW).expect("valid");
        state.count("r", Some(&orders[usize::from(flip ^ 1)]), &stored);
        flip ^= 1;
    });

    let question = deck.question("q").expect("q").clone();
    let mut results = Results::new(&question);
    for n in 0..10_000u16 {
        results.replace(None, &Answer::Choices(vec![n % 4]));
    }
    bench("render the presenter's results frame", 1, || {
        black_box(encode(&ToPresenter::State {
            slide: 1,
            voting: Some(Voting::Open),
            results_visible: true,
            deadline: None,
            revealed: false,
            results: Some(results.view(&question, Audience::Presenter)),
            storage_error: None,
            black: false,
            qa: handsup_core::protocol::QaView { open: false, moderated: false, highlight: Some(None) },
            standings: None,
        }));
    });

    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(dir.path()).expect("store");
    let session = store.open_session("bench", &deck, "", "bench.md", false).expect("session");
    let stored: Vec<String> = (0..4).map(|n| Answer::Choices(vec![n]).to_json()).collect();
    let participants: Vec<String> = (0..1000).map(|n| format!("bench-phone-{n:05}")).collect();
    let mut round = 0u16;
    bench("batched commit, per vote (1,000 per commit)", 1000, || {
        let batch = store.batch().expect("batch");
        for participant in &participants {
            let id = batch.participant(session.id, participant).expect("participant");
            batch.answer(id, "q", &stored[usize::from(round % 4)], 0).expect("answer");
        }
        batch.commit().expect("commit");
        round += 1;
    });
    bench("single-vote commit (synchronous=FULL)", 1, || {
        let batch = store.batch().expect("batch");
        let id = batch.participant(session.id, &participants[0]).expect("participant");
        batch.answer(id, "q", &stored[usize::from(round % 4)], 0).expect("answer");
        batch.commit().expect("commit");
        round += 1;
    });
}
