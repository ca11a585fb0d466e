//! The rooms Handsup is measured in, each run on Handsup and on the reference server in turn, with their ratios.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Serialize;

use crate::report::median_of;
use crate::stats::Summary;
use crate::{Config, Kind, Report, Shape};

/// A named room: how many phones, how they vote, whether questions come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// Slide changes, nobody votes.
    Idle,
    /// Every phone votes once at a random moment within 5 s of each question.
    Spread,
    /// As spread, but the rounds ask each question twice: on the second visit
    /// every phone already has a stored answer, and changes it.
    Revisit,
    /// Every phone votes the moment the question arrives.
    Herd,
    /// The largest room one machine holds (`--max-phones`), votes spread, questions revisited.
    Max,
    /// Two questions answered, then the server restarts under the phones
    /// (Handsup only: the reference keeps nothing across a restart).
    Restart,
}

impl Scenario {
    fn config(self, binary: &Path, reference: bool, phones: usize, max_phones: usize, sources: usize) -> Config {
        let mut config = Config {
            binary: binary.to_path_buf(),
            kind: Kind::Single,
            phones,
            rounds: 8,
            shape: Shape::Spread,
            sweep: Vec::new(),
            storm: false,
            revisit: false,
            restart: false,
            own_answers: !reference,
            sources,
            connect_concurrency: 512,
        };
        match self {
            Scenario::Idle => config.shape = Shape::Idle,
            Scenario::Spread => {}
            Scenario::Revisit => config.revisit = true,
            Scenario::Herd => config.shape = Shape::Herd,
            Scenario::Max => {
                config.phones = max_phones;
                config.revisit = true;
                // 19,500 sockets over 16 addresses stay far below the server's cap per address.
            }
            Scenario::Restart => {
                config.rounds = 2;
                config.restart = true;
            }
        }
        config
    }

    fn has_reference(self) -> bool {
        self != Scenario::Restart
    }
}

/// One scenario's medians on both servers.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub scenario: Scenario,
    pub handsup: Report,
    pub reference: Option<Report>,
}

/// Runs each scenario `repeat` times on Handsup and on the reference, in turn, and keeps the medians.
pub async fn run(
    scenarios: &[Scenario],
    server: &PathBuf,
    reference: Option<&PathBuf>,
    (phones, max_phones, sources): (usize, usize, usize),
    repeat: usize,
    all: &mut Vec<Report>,
) -> Result<Vec<Outcome>> {
    let mut outcomes = Vec::new();
    for &scenario in scenarios {
        let binaries: Vec<&PathBuf> =
            std::iter::once(server).chain(reference.filter(|_| scenario.has_reference())).collect();
        let mut runs: Vec<Vec<Report>> = vec![Vec::new(); binaries.len()];
        // Interleaved (Handsup, reference, Handsup, …): a machine that slows down
        // during the runs slows both alike, and the ratio stays fair.
        for run in 0..repeat.max(1) {
            for (binary, reports) in binaries.iter().zip(runs.iter_mut()) {
                let config = scenario.config(binary, Some(*binary) == reference, phones, max_phones, sources);
                eprintln!(
                    "handsup-load: {scenario:?} with {} phones on {}, run {} of {}",
                    config.phones,
                    binary.display(),
                    run + 1,
                    repeat.max(1)
                );
                let report = crate::run(&config).await?;
                for error in report.errors.iter().take(5) {
                    eprintln!("  problem: {error}");
                }
                reports.push(report);
            }
        }
        let mut medians = runs.iter().filter_map(|reports| median_of(reports)).collect::<Vec<_>>().into_iter();
        all.extend(runs.into_iter().flatten());
        if let Some(handsup) = medians.next() {
            outcomes.push(Outcome { scenario, handsup, reference: medians.next() });
        }
    }
    Ok(outcomes)
}

/// Both servers' broadcast figures and the ratio of their p99s, a row per scenario.
pub fn table(outcomes: &[Outcome]) -> String {
    let mut out = String::from(
        "| scenario | phones | broadcast p50 / p99 (ms) | reference p50 / p99 (ms) | p99 ratio | first visits p99: Handsup / reference (ms) | revisits p99: Handsup / reference (ms) | revisit ratio | ack p99: Handsup / reference (ms) | own answer back p99 (ms) | problems |\n\
         |---|---:|---|---|---:|---|---|---:|---|---:|---:|\n",
    );
    let pair = |h: &Summary, r: Option<&Summary>| match r {
        Some(r) => format!("{:.1} / {:.1}", h.p99_ms, r.p99_ms),
        None => format!("{:.1} / –", h.p99_ms),
    };
    let ratio = |h: &Summary, r: Option<&Summary>| match r {
        Some(r) if r.p99_ms > 0.0 && h.count > 0 => format!("{:.2}×", h.p99_ms / r.p99_ms),
        _ => "–".to_string(),
    };
    for o in outcomes.iter().filter(|o| o.scenario != Scenario::Restart) {
        let (h, r) = (&o.handsup, o.reference.as_ref());
        let own =
            h.rounds.iter().filter(|round| round.revisit).map(|round| round.own_answer.p99_ms).fold(0.0, f64::max);
        let _ = writeln!(
            out,
            "| {:?} | {} | {:.1} / {:.1} | {} | {} | {} | {} | {} | {} | {} | {} |",
            o.scenario,
            h.phones,
            h.broadcast.p50_ms,
            h.broadcast.p99_ms,
            r.map_or("–".to_string(), |r| format!("{:.1} / {:.1}", r.broadcast.p50_ms, r.broadcast.p99_ms)),
            ratio(&h.broadcast, r.map(|r| &r.broadcast)),
            pair(&h.first_visit, r.map(|r| &r.first_visit)),
            if h.revisits.count > 0 { pair(&h.revisits, r.map(|r| &r.revisits)) } else { "–".to_string() },
            ratio(&h.revisits, r.map(|r| &r.revisits)),
            if h.ack.count > 0 { pair(&h.ack, r.map(|r| &r.ack)) } else { "–".to_string() },
            if own > 0.0 { format!("{own:.1}") } else { "–".to_string() },
            h.errors.len() + r.map_or(0, |r| r.errors.len()),
        );
    }
    for o in outcomes.iter().filter(|o| o.scenario == Scenario::Restart) {
        if let Some(restart) = &o.handsup.restart {
            let _ = writeln!(
                out,
                "\nRestart with {} phones: stop {:.0} ms, start {:.0} ms; then every phone back with the question \
                 (p50 {:.0} ms, p99 {:.0} ms, last {:.0} ms), {} of {} with their own answer; problems: {}.",
                o.handsup.phones,
                restart.stop_ms,
                restart.start_ms,
                restart.back.p50_ms,
                restart.back.p99_ms,
                restart.all_back_ms,
                restart.answers_back,
                restart.answers_expected,
                o.handsup.errors.len()
            );
        }
    }
    out
}
