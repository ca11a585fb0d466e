//! A session's results as one self-contained HTML page: charts as inline SVG, printable to PDF.

use std::fmt::Write as _;

use super::results::QuestionResults;
use super::Loaded;
use crate::question::table::{plural, Row, Table};

/// The report's bytes: one file with no external assets, participant text as text only.
/// `back`: a link above it back to the page that opened it (the app's Sessions window), never printed.
pub fn write(loaded: &Loaded, back: Option<&str>) -> String {
    let title = loaded.title();
    let results = loaded.results();
    let participants = loaded.participants();
    let mut page = String::with_capacity(64 * 1024);
    let _ = write!(
        page,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>{} — results</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{}<header>\n<h1>{}</h1>\n\
         <p class=\"meta\">Session {} · started {} UTC · {} · {}</p>\n</header>\n<main>\n",
        escape(&title),
        back.map(|url| format!("<nav class=\"back\"><a href=\"{}\">← Sessions</a></nav>\n", escape(url)))
            .unwrap_or_default(),
        escape(&title),
        loaded.session.id,
        escape(&super::iso_utc(loaded.session.started_at).replace('T', " ").replace('Z', "")),
        plural(participants, "participant", "participants"),
        plural(loaded.session.answers.len() as u64 + loaded.session.posts.len() as u64, "answer", "answers"),
    );
    if results.is_empty() {
        page.push_str("<p>This deck has no questions.</p>\n");
    }
    for question in &results {
        section(&mut page, question);
    }
    let qa = loaded.qa();
    if !qa.is_empty() {
        page.push_str("<section class=\"question\">\n<p class=\"kicker\">Audience Q&amp;A</p>\n<h2>Questions from the room</h2>\n<ol class=\"posts\">\n");
        for (text, upvotes, answered) in &qa {
            let _ = writeln!(
                page,
                "<li><span class=\"votes\">▲ {upvotes}</span> {}{}</li>",
                escape(text),
                if *answered { " <span class=\"answered\">answered</span>" } else { "" }
            );
        }
        page.push_str("</ol>\n</section>\n");
    }
    let standings = loaded.leaderboard();
    if !standings.is_empty() {
        page.push_str("<section class=\"question\">\n<p class=\"kicker\">Quiz</p>\n<h2>Leaderboard</h2>\n<table>\n<thead><tr><th>Rank</th><th>Player</th><th>Points</th><th>Correct</th></tr></thead>\n<tbody>\n");
        for [rank, participant, nickname, points, correct, _] in standings.iter().take(20) {
            let name = if nickname.is_empty() { participant } else { nickname };
            let _ = writeln!(
                page,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(rank),
                escape(name),
                escape(points),
                escape(correct)
            );
        }
        page.push_str("</tbody>\n</table>\n</section>\n");
    }
    page.push_str("</main>\n<footer>Made with Handsup</footer>\n</body>\n</html>\n");
    page
}

fn section(page: &mut String, question: &QuestionResults) {
    let _ = write!(
        page,
        "<section class=\"question\">\n<p class=\"kicker\">Question {} · {} · {}</p>\n<h2>{}</h2>\n<p class=\"headline\">{}</p>\n",
        question.number,
        escape(kind_label(question)),
        plural(question.respondents, "participant", "participants"),
        escape(&question.question.prompt),
        escape(&question.table.headline),
    );
    if question.table.words {
        cloud(page, &question.table);
    } else if !question.table.rows.is_empty() {
        bars(page, &question.table);
    }
    if !question.posts.is_empty() {
        page.push_str("<ul class=\"posts\">\n");
        for post in question.posts.iter().take(MAX_POSTS) {
            let _ = writeln!(page, "<li>{}</li>", escape(post));
        }
        page.push_str("</ul>\n");
        if question.posts.len() > MAX_POSTS {
            let _ = writeln!(
                page,
                "<p class=\"more\">and {} more in the spreadsheet export</p>",
                question.posts.len() - MAX_POSTS
            );
        }
    }
    page.push_str("</section>\n");
}

/// Posts listed per question; the rest are in the spreadsheet.
const MAX_POSTS: usize = 200;
/// The cloud's drawing width, in SVG units; the page scales it to fit.
const WIDTH: f64 = 800.0;
/// A bold letter's width as a share of the font size, on the wide side.
const EM: f64 = 0.72;

fn kind_label(question: &QuestionResults) -> &'static str {
    question.question.kind.rules().spec().label
}

/// Horizontal bars, each under its label with its value at the end, as the
/// projector draws them. Labels and values are page text, so they wrap and stay
/// readable on a phone; each bar is an inline SVG that stretches with the page.
fn bars(page: &mut String, table: &Table) {
    let _ = writeln!(page, "<ol class=\"chart bars\" aria-label=\"{}\">", escape(&table.headline));
    for row in &table.rows {
        // A track shows the whole line; an empty row draws no bar at all.
        let length = row.bar.clamp(0.0, 1.0) * 100.0;
        let (class, mark) = if row.correct { (" correct", "✓ ") } else { ("", "") };
        let _ = writeln!(
            page,
            "<li class=\"row{class}\"><span class=\"label\">{mark}{}</span>\
             <svg class=\"bar\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" aria-hidden=\"true\">\
             <rect width=\"{length:.1}\" height=\"10\"/></svg><span class=\"value\">{}</span></li>",
            escape(&row.label),
            escape(&value_text(table, row)),
        );
    }
    page.push_str("</ol>\n");
}

/// Words sized by their count, in centred lines, the most frequent first.
fn cloud(page: &mut String, table: &Table) {
    let mut lines: Vec<(Vec<(String, f64)>, f64)> = vec![(Vec::new(), 0.0)];
    for row in table.rows.iter().take(80) {
        let letters = row.label.chars().count() as f64;
        // A word's width, estimated from its length (the report has no font
        // metrics), generously for bold capitals; a long word is set smaller so it fits.
        let size = (16.0 + 44.0 * row.bar.clamp(0.0, 1.0)).min(WIDTH / (EM * (letters + 1.0)));
        let width = size * EM * (letters + 1.0);
        let needs_line = lines.last().is_some_and(|(words, used)| !words.is_empty() && used + width > WIDTH);
        if needs_line {
            lines.push((Vec::new(), 0.0));
        }
        if let Some((words, used)) = lines.last_mut() {
            words.push((row.label.clone(), size));
            *used += width;
        }
    }
    let heights: Vec<f64> =
        lines.iter().map(|(words, _)| words.iter().map(|(_, size)| *size).fold(0.0, f64::max) * 1.25).collect();
    let height: f64 = heights.iter().sum::<f64>() + 8.0;
    let _ = writeln!(
        page,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height:.0}\" width=\"100%\" role=\"img\" aria-label=\"{}\">",
        escape(&table.headline)
    );
    let mut top = 0.0;
    for ((words, used), line_height) in lines.iter().zip(&heights) {
        top += line_height;
        let mut x = (WIDTH - used).max(0.0) / 2.0;
        for (word, size) in words {
            let _ = write!(
                page,
                "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"{size:.1}\" class=\"word\">{}</text>",
                top - line_height * 0.2,
                escape(word)
            );
            x += size * EM * (word.chars().count() as f64 + 1.0);
        }
        page.push('\n');
    }
    page.push_str("</svg>\n");
    // A picture of words says only its headline to a screen reader: the words and their counts follow, unseen.
    page.push_str("<ul class=\"unseen\">");
    for row in table.rows.iter().take(80) {
        let count = row.values.first().map(|count| crate::question::format_number(*count)).unwrap_or_default();
        let _ = write!(page, "<li>{}: {count}</li>", escape(&row.label));
    }
    page.push_str("</ul>\n");
}

/// A row's numbers in words: `12 votes (60%)`, `mean 4.2`, `score 9`.
fn value_text(table: &Table, row: &Row) -> String {
    let number = |value: f64| crate::question::format_number(value);
    let mut text = match (table.columns.first(), row.values.first()) {
        (Some(&column @ ("Mean" | "Score")), Some(&value)) => format!("{} {}", column.to_lowercase(), number(value)),
        (Some(column), Some(&value)) => {
            let unit = column.to_lowercase();
            // "1 vote", "3 votes".
            let unit = if value == 1.0 { unit.strip_suffix('s').unwrap_or(&unit).to_string() } else { unit };
            format!("{} {unit}", number(value))
        }
        _ => String::new(),
    };
    if table.columns.get(1) == Some(&"Share (%)") {
        if let Some(share) = row.values.get(1) {
            text.push_str(&format!(" ({}%)", number(*share)));
        }
    }
    text
}

/// Text as text: every character that could open markup is escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --bar: #2f5fd0; --right: #1f7a3a; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 60rem; padding: 2rem 1.5rem; font: 16px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: var(--ink); background: #fff; }
header { border-bottom: 3px solid var(--ink); margin-bottom: 1.5rem; }
h1 { font-size: 2rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
h2 { font-size: 1.35rem; margin: .1rem 0 .3rem; overflow-wrap: anywhere; }
.meta, .kicker, .more, footer { color: var(--muted); }
.kicker { margin: 0; font-size: .85rem; text-transform: uppercase; letter-spacing: .04em; }
.headline { margin: 0 0 .75rem; font-weight: 600; overflow-wrap: anywhere; }
.question { padding: 1rem 0 1.5rem; border-bottom: 1px solid #d0d7de; }
.chart { display: block; max-width: 100%; height: auto; }
.unseen { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.bars { list-style: none; padding: 0; margin: 0; }
.bars .row { display: grid; grid-template-columns: minmax(0, 1fr) auto; align-items: center; gap: .15rem .75rem; margin: .55rem 0; }
.bars .label { grid-column: 1 / -1; overflow-wrap: anywhere; }
.bars .bar { display: block; width: 100%; height: 1.35rem; background: #e6eaf0; border-radius: 4px; }
.bars .bar rect { fill: var(--bar); }
.bars .correct .bar rect { fill: var(--right); }
.bars .value { color: var(--muted); white-space: nowrap; font-variant-numeric: tabular-nums; }
.chart .word { fill: var(--bar); font-weight: 600; }
.posts { padding-left: 1.25rem; }
.posts li { margin: .3rem 0; overflow-wrap: anywhere; }
.votes { color: var(--muted); font-variant-numeric: tabular-nums; }
.answered { color: var(--right); font-size: .85rem; }
table { border-collapse: collapse; min-width: 20rem; }
th, td { text-align: left; padding: .3rem .8rem .3rem 0; border-bottom: 1px solid #d0d7de; }
footer { margin-top: 2rem; font-size: .85rem; }
@page { margin: 15mm; }
nav.back { margin-bottom: 1rem; }
nav.back a { color: var(--bar); }
@media print {
  nav.back { display: none; }
  body { padding: 0; max-width: none; font-size: 11pt; }
  .question { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; }
}
";
