//! `handsup-load`: simulate phones against `handsup serve` and report latency, throughput and memory.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Parser;
use handsup_load::{report, Config, Kind, Report, Shape};

/// Simulates N phones and a presenter over loopback against a real `handsup serve`.
#[derive(Debug, Parser)]
#[command(name = "handsup-load")]
struct Args {
    /// The handsup binary to start (build it with --release for numbers worth quoting).
    #[arg(long, default_value = "target/release/handsup")]
    server: PathBuf,
    /// Numbers of phones, one run (or --repeat runs) each.
    #[arg(long, value_delimiter = ',', default_value = "1000")]
    phones: Vec<usize>,
    /// Questions per run (each: presenter advances, every phone votes once).
    #[arg(long, default_value_t = 8)]
    rounds: usize,
    #[arg(long, value_enum, default_value_t = Shape::Spread)]
    shape: Shape,
    /// The kind of every question: each kind sends its own answer shape.
    #[arg(long, value_enum, default_value_t = Kind::Single)]
    kind: Kind,
    /// Also drive this bare axum fan-out server (`handsup-reference`) the same
    /// way, right after each Handsup run, and print the ratios.
    #[arg(long, value_name = "BINARY")]
    reference: Option<PathBuf>,
    /// Steady vote rates to sweep after the rounds (votes/s), e.g. 5000,10000,20000.
    #[arg(long, value_delimiter = ',')]
    sweep: Vec<f64>,
    /// Drop every phone and reconnect them all at once at the end.
    #[arg(long)]
    storm: bool,
    /// Ask each question twice (the rounds go through half the questions, then
    /// again): on the revisit every phone has a stored answer, gets it back, and changes it.
    #[arg(long)]
    revisit: bool,
    /// At the end, restart the server under the phones; each must come back with
    /// the question and its own answer.
    #[arg(long)]
    restart: bool,
    /// Instead of one shape: these named rooms, each on Handsup and then on
    /// --reference, with the ratio of their broadcast p99s. The room size is the
    /// first --phones; `max` uses --max-phones.
    #[arg(long, value_enum, value_delimiter = ',')]
    scenarios: Vec<handsup_load::scenarios::Scenario>,
    /// The room size of the `max` scenario (the open-file limit here is 20,000).
    #[arg(long, default_value_t = 19_500)]
    max_phones: usize,
    /// Runs per size; figures are medians over runs.
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Loopback source addresses for client sockets (127.0.0.2 onwards).
    #[arg(long, default_value_t = 16)]
    sources: usize,
    /// Connections opened at once while phones join.
    #[arg(long, default_value_t = 512)]
    connect_concurrency: usize,
    /// Write every run's full report as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write the latency plot (SVG) here.
    #[arg(long)]
    plot: Option<PathBuf>,
    /// Instead of rounds: audience Q&A with this many questions and 10× as many upvotes, from --phones phones.
    #[arg(long, value_name = "QUESTIONS")]
    qa: Option<usize>,
    /// Instead of rounds: every phone reacts once a second for this many seconds.
    #[arg(long, value_name = "SECONDS")]
    reactions: Option<u64>,
    /// Instead of rounds: one quiz question with this countdown; every phone answers
    /// in its first half, then the reveal sends each phone its own result.
    #[arg(long, value_name = "SECONDS")]
    quiz: Option<u64>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(questions) = args.qa {
        for &phones in &args.phones {
            let report = handsup_load::chatter::qa(&args.server, phones, questions, questions * 10).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            if !report.errors.is_empty() {
                bail!("{} problems during the Q&A run", report.errors.len());
            }
        }
        return Ok(());
    }
    if let Some(seconds) = args.quiz {
        for &phones in &args.phones {
            let report = handsup_load::quiz::quiz(&args.server, args.reference.as_deref(), phones, seconds).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            if !report.errors.is_empty() || report.stored != phones || !report.ranks_consistent {
                bail!(
                    "quiz: {} stored of {phones}, ranks consistent: {}, {:?}",
                    report.stored,
                    report.ranks_consistent,
                    report.errors
                );
            }
        }
        return Ok(());
    }
    if let Some(seconds) = args.reactions {
        for &phones in &args.phones {
            let report = handsup_load::chatter::reactions(&args.server, phones, seconds).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            if !report.errors.is_empty() || !report.database_unchanged {
                bail!("reactions: {:?}, database unchanged: {}", report.errors, report.database_unchanged);
            }
        }
        return Ok(());
    }
    if !args.scenarios.is_empty() {
        let mut all = Vec::new();
        let room = (args.phones.first().copied().unwrap_or(10_000), args.max_phones, args.sources);
        let outcomes = handsup_load::scenarios::run(
            &args.scenarios,
            &args.server,
            args.reference.as_ref(),
            room,
            args.repeat,
            &mut all,
        )
        .await?;
        println!("{}", handsup_load::scenarios::table(&outcomes));
        if let Some(path) = &args.json {
            std::fs::write(path, serde_json::to_string_pretty(&all)?)?;
        }
        let problems: usize = all.iter().map(|r| r.errors.len()).sum();
        if problems > 0 {
            bail!("{problems} problems during the runs (see above)");
        }
        return Ok(());
    }
    let mut medians: Vec<Report> = Vec::new();
    let mut references: Vec<Report> = Vec::new();
    let mut all: Vec<Report> = Vec::new();
    let servers: Vec<PathBuf> = std::iter::once(args.server.clone()).chain(args.reference.clone()).collect();
    for (&phones, binary) in args.phones.iter().flat_map(|phones| servers.iter().map(move |binary| (phones, binary))) {
        let config = Config {
            binary: binary.clone(),
            kind: args.kind,
            phones,
            rounds: args.rounds,
            shape: args.shape,
            sweep: args.sweep.clone(),
            storm: args.storm,
            revisit: args.revisit,
            restart: args.restart,
            own_answers: args.reference.as_ref() != Some(binary),
            sources: args.sources,
            connect_concurrency: args.connect_concurrency,
        };
        let mut runs = Vec::new();
        for run in 0..args.repeat.max(1) {
            eprintln!(
                "handsup-load: {} with {phones} phones, {:?} {:?}, run {} of {}",
                binary.display(),
                args.kind,
                args.shape,
                run + 1,
                args.repeat.max(1)
            );
            let report = handsup_load::run(&config).await?;
            for error in report.errors.iter().take(5) {
                eprintln!("  problem: {error}");
            }
            runs.push(report);
        }
        if let Some(median) = report::median_of(&runs) {
            if Some(binary) == args.reference.as_ref() {
                references.push(median);
            } else {
                medians.push(median);
            }
        }
        all.extend(runs);
    }
    println!("{}", report::table(&medians));
    if !references.is_empty() {
        println!(
            "Beside the reference server, same generator, same run:\n\n{}",
            report::compare_table(&medians, &references)
        );
    }
    for median in medians.iter().filter(|r| !r.sweep.is_empty()) {
        println!("Rate sweep, {} phones:\n\n{}", median.phones, report::sweep_table(median));
    }
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&all)?)?;
    }
    if let Some(path) = &args.plot {
        std::fs::write(path, report::plot_svg(&medians))?;
    }
    let problems: usize = all.iter().map(|r| r.errors.len()).sum();
    if problems > 0 {
        bail!("{problems} problems during the runs (see above)");
    }
    Ok(())
}
