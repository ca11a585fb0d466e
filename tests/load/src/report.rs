//! Turning reports into Markdown tables and an SVG plot of latency against the number of phones.

use std::fmt::Write;

use crate::stats::{median, Summary};
use crate::Report;

/// Medians over several runs of the same size, as one report.
pub fn median_of(runs: &[Report]) -> Option<Report> {
    let first = runs.first()?;
    let pick = |f: &dyn Fn(&Report) -> f64| median(&runs.iter().map(f).collect::<Vec<_>>());
    let summary = |f: &dyn Fn(&Report) -> Summary| Summary {
        count: f(first).count,
        p50_ms: pick(&|r| f(r).p50_ms),
        p99_ms: pick(&|r| f(r).p99_ms),
        max_ms: pick(&|r| f(r).max_ms),
    };
    let mut merged = first.clone();
    merged.startup_ms = pick(&|r| r.startup_ms);
    merged.connect_all_ms = pick(&|r| r.connect_all_ms);
    merged.bytes_per_phone = pick(&|r| r.bytes_per_phone);
    merged.broadcast = summary(&|r| r.broadcast);
    merged.ack = summary(&|r| r.ack);
    merged.vote_to_tally = summary(&|r| r.vote_to_tally);
    merged.server_cpu_ms = pick(&|r| r.server_cpu_ms);
    merged.storm_ms = first.storm_ms.map(|_| pick(&|r| r.storm_ms.unwrap_or(0.0)));
    merged.first_visit = summary(&|r| r.first_visit);
    merged.revisits = summary(&|r| r.revisits);
    if let Some(restart) = merged.restart.as_mut() {
        let of = |f: &dyn Fn(&crate::RestartReport) -> f64| pick(&|r| r.restart.as_ref().map_or(0.0, f));
        restart.stop_ms = of(&|r| r.stop_ms);
        restart.start_ms = of(&|r| r.start_ms);
        restart.all_back_ms = of(&|r| r.all_back_ms);
        restart.back.p50_ms = of(&|r| r.back.p50_ms);
        restart.back.p99_ms = of(&|r| r.back.p99_ms);
        restart.back.max_ms = of(&|r| r.back.max_ms);
        restart.answers_back =
            runs.iter().filter_map(|r| r.restart.as_ref()).map(|r| r.answers_back).min().unwrap_or(0);
    }
    for (index, step) in merged.sweep.iter_mut().enumerate() {
        step.achieved_rate = pick(&|r| r.sweep.get(index).map_or(0.0, |s| s.achieved_rate));
        step.ack.p50_ms = pick(&|r| r.sweep.get(index).map_or(0.0, |s| s.ack.p50_ms));
        step.ack.p99_ms = pick(&|r| r.sweep.get(index).map_or(0.0, |s| s.ack.p99_ms));
        step.vote_to_tally.p50_ms = pick(&|r| r.sweep.get(index).map_or(0.0, |s| s.vote_to_tally.p50_ms));
        step.vote_to_tally.p99_ms = pick(&|r| r.sweep.get(index).map_or(0.0, |s| s.vote_to_tally.p99_ms));
    }
    let rates: Vec<f64> = runs.iter().map(best_rate).collect();
    if let Some(round) = merged.rounds.first_mut() {
        round.votes_per_second = median(&rates);
    }
    merged.errors = runs.iter().flat_map(|r| r.errors.clone()).collect();
    Some(merged)
}

/// The best durable vote rate a run's rounds reached.
pub fn best_rate(report: &Report) -> f64 {
    report.rounds.iter().map(|r| r.votes_per_second).fold(0.0, f64::max)
}

/// One Markdown table row per report.
pub fn table(reports: &[Report]) -> String {
    let mut out = String::from(
        "| phones | shape | broadcast p50 / p99 / max (ms) | ack p50 / p99 (ms) | vote→tally p50 / p99 (ms) | best votes/s | bytes per idle phone | storm (ms) | start (ms) | server CPU (s) |\n\
         |---:|---|---|---|---|---:|---:|---:|---:|---:|\n",
    );
    for r in reports {
        let _ = writeln!(
            out,
            "| {} | {:?} | {:.1} / {:.1} / {:.1} | {:.1} / {:.1} | {:.1} / {:.1} | {:.0} | {:.0} | {} | {:.0} | {:.1} |",
            r.phones,
            r.shape,
            r.broadcast.p50_ms,
            r.broadcast.p99_ms,
            r.broadcast.max_ms,
            r.ack.p50_ms,
            r.ack.p99_ms,
            r.vote_to_tally.p50_ms,
            r.vote_to_tally.p99_ms,
            best_rate(r),
            r.bytes_per_phone,
            r.storm_ms.map_or("–".to_string(), |ms| format!("{ms:.0}")),
            r.startup_ms,
            r.server_cpu_ms / 1000.0,
        );
    }
    out
}

/// Handsup beside the reference server, size by size: p99s and their ratio.
pub fn compare_table(handsup: &[Report], reference: &[Report]) -> String {
    let mut out = String::from(
        "| phones | kind | shape | broadcast p50 / p99 (ms) | reference p50 / p99 (ms) | p99 ratio | ack p99 (ms) | reference ack p99 (ms) | vote→results p99 (ms) | reference (ms) | presenter frames/s max | largest presenter frame (bytes) |\n\
         |---:|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for (h, r) in handsup.iter().zip(reference) {
        let ratio = if r.broadcast.p99_ms > 0.0 { h.broadcast.p99_ms / r.broadcast.p99_ms } else { 0.0 };
        let _ = writeln!(
            out,
            "| {} | {:?} | {:?} | {:.1} / {:.1} | {:.1} / {:.1} | {:.2}× | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} |",
            h.phones,
            h.kind,
            h.shape,
            h.broadcast.p50_ms,
            h.broadcast.p99_ms,
            r.broadcast.p50_ms,
            r.broadcast.p99_ms,
            ratio,
            h.ack.p99_ms,
            r.ack.p99_ms,
            h.vote_to_tally.p99_ms,
            r.vote_to_tally.p99_ms,
            h.presenter_frames_per_second_max,
            h.presenter_frame_max_bytes,
        );
    }
    out
}

pub fn sweep_table(report: &Report) -> String {
    let mut out = String::from(
        "| target votes/s | achieved votes/s | ack p50 / p99 (ms) | vote→tally p50 / p99 (ms) |\n|---:|---:|---|---|\n",
    );
    for step in &report.sweep {
        let _ = writeln!(
            out,
            "| {:.0} | {:.0} | {:.1} / {:.1} | {:.1} / {:.1} |",
            step.target_rate,
            step.achieved_rate,
            step.ack.p50_ms,
            step.ack.p99_ms,
            step.vote_to_tally.p50_ms,
            step.vote_to_tally.p99_ms
        );
    }
    out
}

/// A plotted line: its name, its colour, and how to read its value from a report.
type Series = (&'static str, &'static str, fn(&Report) -> f64);

/// Broadcast p50/p99 and vote→tally p99 against the number of phones (log scale).
pub fn plot_svg(reports: &[Report]) -> String {
    let (width, height, left, right, top, bottom) = (720.0, 420.0, 70.0, 180.0, 30.0, 50.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let series: [Series; 3] = [
        ("broadcast p50", "#0072B2", |r| r.broadcast.p50_ms),
        ("broadcast p99", "#D55E00", |r| r.broadcast.p99_ms),
        ("vote→tally p99", "#009E73", |r| r.vote_to_tally.p99_ms),
    ];
    let xs: Vec<f64> = reports.iter().map(|r| (r.phones.max(1) as f64).log10()).collect();
    let (x_min, x_max) = (xs.iter().copied().fold(f64::MAX, f64::min), xs.iter().copied().fold(f64::MIN, f64::max));
    let y_max = reports.iter().flat_map(|r| series.iter().map(move |s| (s.2)(r))).fold(1.0, f64::max) * 1.1;
    let x = |v: f64| left + if x_max > x_min { (v - x_min) / (x_max - x_min) * plot_w } else { plot_w / 2.0 };
    let y = |v: f64| top + plot_h - v / y_max * plot_h;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"13\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n\
         <text x=\"{left}\" y=\"18\" font-size=\"15\">Latency against connected phones (ms, loopback, 2 cores)</text>\n\
         <line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#000\"/>\n<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{}\" stroke=\"#000\"/>\n",
        top + plot_h,
        left + plot_w,
        top + plot_h,
        top + plot_h
    );
    for step in 0..=4 {
        let value = y_max * f64::from(step) / 4.0;
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{value:.0}</text><line x1=\"{left}\" y1=\"{:.1}\" x2=\"{}\" y2=\"{:.1}\" stroke=\"#ddd\"/>",
            left - 6.0,
            y(value) + 4.0,
            y(value),
            left + plot_w,
            y(value)
        );
    }
    for (r, xv) in reports.iter().zip(&xs) {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x(*xv),
            top + plot_h + 20.0,
            r.phones
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">phones (log scale)</text>",
        left + plot_w / 2.0,
        height - 8.0
    );
    for (index, (name, colour, value)) in series.iter().enumerate() {
        let points: Vec<String> =
            reports.iter().zip(&xs).map(|(r, xv)| format!("{:.1},{:.1}", x(*xv), y(value(r)))).collect();
        let _ = writeln!(
            svg,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\" points=\"{}\"/>",
            points.join(" ")
        );
        for point in &points {
            let (px, py) = point.split_once(',').unwrap_or(("0", "0"));
            let _ = writeln!(svg, "<circle cx=\"{px}\" cy=\"{py}\" r=\"4\" fill=\"{colour}\"/>");
        }
        let ly = top + 20.0 + index as f64 * 22.0;
        let _ = writeln!(
            svg,
            "<line x1=\"{}\" y1=\"{ly}\" x2=\"{}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"3\"/><text x=\"{}\" y=\"{}\">{name}</text>",
            left + plot_w + 15.0,
            left + plot_w + 40.0,
            left + plot_w + 46.0,
            ly + 4.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}
