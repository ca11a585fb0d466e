//! How fast a PDF deck is ready: `cargo run --release -p handsup-load --example
//! pdf_bench -- [PAGES] [RUNS]` writes a
//! PDF of PAGES slides, then times, from a cold cache each run, opening it as a
//! deck and drawing its first page (what the projector waits for), and drawing
//! every page at the projector's width (what the presenter waits for before
//! paging ahead is instant). Prints each run and the medians.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use handsup_core::app::load_deck;
use handsup_core::deck::pdf::{Encoding, DEFAULT_WIDTH};
use handsup_core::server::PageCache;
use handsup_core::DeckSource;

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let pages: usize = args.next().map(|a| a.parse()).transpose().context("PAGES")?.unwrap_or(100);
    let runs: usize = args.next().map(|a| a.parse()).transpose().context("RUNS")?.unwrap_or(3);
    let dir = tempfile::tempdir()?;
    let pdf = dir.path().join("talk.pdf");
    std::fs::write(&pdf, handsup_load::pdf::slides(pages, false))?;
    let (mut firsts, mut readies) = (Vec::new(), Vec::new());
    for run in 1..=runs {
        let cache = dir.path().join(format!("cache-{run}"));
        let started = Instant::now();
        let file = load_deck(&DeckSource::File(pdf.clone()))?;
        let pages_cache = PageCache::new(cache);
        pages_cache.page(&pdf, 1, DEFAULT_WIDTH, Encoding::Png).await.map_err(anyhow::Error::msg)?;
        let first = started.elapsed();
        let folder = file.folder().context("folder")?;
        pages_cache.prepare(&file.deck, &folder, 0).await;
        let ready = started.elapsed();
        println!("run {run}: {pages} pages, first page {first:.2?}, all ready {ready:.2?}");
        firsts.push(first);
        readies.push(ready);
    }
    println!("pdf_first_page_ms {:.0}", median(firsts).as_secs_f64() * 1000.0);
    println!("pdf_all_ready_ms {:.0}", median(readies).as_secs_f64() * 1000.0);
    Ok(())
}
