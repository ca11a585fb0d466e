//! Results people take home, from a session real phones answered: the workbook
//! read back with a spreadsheet reader, the HTML report, the portable session
//! file opened in another data folder, and deleting from the history.

mod common;

use anyhow::{ensure, Context, Result};
use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use common::{goto, nth_question, TestServer};
use handsup_core::export::{self, Loaded, Which};
use handsup_core::DeckSource;
use serde_json::{json, Value};

const DECK: &str = "---\ntitle: Review <day> & \"friends\"\n---\n\n# Welcome\n\n![Dot](img/dot.png)\n\n---\n\n\
<!-- question: single id=drink -->\n# Coffee or tea?\n- Coffee\n- Tea\n- =cmd|' /C calc'!A0\n\n---\n\n\
<!-- question: wordcloud max=2 id=words -->\n# One word?\n\n---\n\n\
<!-- question: open id=ideas -->\n# Ideas?\n\n---\n\n\
<!-- question: quiz id=capital -->\n# Capital of France?\n- [x] Paris\n- [ ] Lyon\n";

const IMAGE: &[u8] = b"\x89PNG\r\n\x1a\nnot really a picture";

/// A question's id and what phone `n` answers to it.
type Answers = (&'static str, fn(usize) -> Value);

/// Five phones answer every question.
async fn answered(server: &TestServer) -> Result<()> {
    let mut presenter = server.presenter().await?;
    let deck = presenter.wait_type("deck").await?;
    let answers: [Answers; 4] = [
        ("drink", |n| json!({"choices": [if n < 3 { 0 } else { n - 2 }]})),
        ("words", |n| json!({"words": if n % 2 == 0 { vec!["Focus", "<b>bold</b>"] } else { vec!["focus"] }})),
        ("ideas", |n| json!({"text": format!("=HYPERLINK(\"x\") idea {n} <script>alert(1)</script>")})),
        ("capital", |n| json!({"choices": [usize::from(n == 4)]})),
    ];
    let mut phones = Vec::new();
    for n in 0..5 {
        phones.push(server.participant(&format!("secret-phone-{n}")).await?);
    }
    for (at, (question, answer)) in answers.iter().enumerate() {
        let (slide, id) = nth_question(&deck, at)?;
        ensure!(id == *question, "question {at} is {id}");
        goto(&mut presenter, slide).await?;
        presenter.send(json!({"type": "open_voting"})).await?;
        for (n, phone) in phones.iter_mut().enumerate() {
            phone
                .wait_for("open", |f| f["type"] == "state" && f["question"]["id"] == id && f["voting"] == "open")
                .await?;
            let ack = phone.answer(&format!("{id}-{n}"), &id, answer(n)).await?;
            ensure!(ack["type"] == "ack", "{question} from phone {n}: {ack}");
        }
    }
    Ok(())
}

fn cell(rows: &[Vec<Data>], row: usize, column: usize) -> String {
    rows.get(row).and_then(|r| r.get(column)).map(|c| c.to_string()).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_becomes_a_workbook_a_report_and_a_portable_file() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let folder = dir.path().join("talk");
    std::fs::create_dir_all(folder.join("img"))?;
    std::fs::write(folder.join("img/dot.png"), IMAGE)?;
    std::fs::write(folder.join("talk.md"), DECK)?;
    let data = dir.path().join("data");
    let mut server = TestServer::start_in(&data, DeckSource::File(folder.join("talk.md"))).await?;
    answered(&server).await?;
    server.stop().await?;

    // The workbook, read back as a spreadsheet program would.
    let bytes = export::xlsx(&data, Which::Latest)?;
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).context("xlsx")?;
    let names = book.sheet_names();
    ensure!(
        names == ["Summary", "Q1 Coffee or tea", "Q2 One word", "Q3 Ideas", "Q4 Capital of France", "Leaderboard"],
        "{names:?}"
    );
    let summary: Vec<Vec<Data>> = book.worksheet_range("Summary")?.rows().map(<[Data]>::to_vec).collect();
    ensure!(cell(&summary, 0, 0) == "Review <day> & \"friends\"", "{:?}", summary[0]);
    ensure!((0..5).map(|c| cell(&summary, 3, c)).collect::<Vec<_>>() == export::SUMMARY_HEADER, "{:?}", summary[3]);
    let line = |row: usize| (0..5).map(|c| cell(&summary, row, c)).collect::<Vec<_>>();
    ensure!(line(4) == ["1", "Coffee or tea?", "single", "5", "Coffee: 3 of 5 (60%)"], "{:?}", line(4));
    ensure!(line(5)[1..4] == ["One word?", "wordcloud", "5"], "{:?}", line(5));
    ensure!(line(5)[4].starts_with("top word: Focus (5)"), "{:?}", line(5));
    ensure!(line(6)[1..5] == ["Ideas?", "open", "5", "5 shown of 5 sent"], "{:?}", line(6));
    ensure!(line(7)[1..5] == ["Capital of France?", "quiz", "5", "4 of 5 right (80%)"], "{:?}", line(7));

    let drink: Vec<Vec<Data>> = book.worksheet_range("Q1 Coffee or tea")?.rows().map(<[Data]>::to_vec).collect();
    ensure!(cell(&drink, 3, 0) == "Option" && cell(&drink, 3, 1) == "Votes", "{:?}", drink[3]);
    ensure!(drink[4][1] == Data::Float(3.0) && cell(&drink, 4, 0) == "Coffee", "votes are numbers: {:?}", drink[4]);
    // A formula in the deck or from a phone stays a string cell: read back as text, never run.
    ensure!(drink[6][0] == Data::String("=cmd|' /C calc'!A0".into()), "{:?}", drink[6]);
    let header_row =
        drink.iter().position(|r| r.first() == Some(&Data::String("session".into()))).context("raw header")?;
    ensure!(drink.len() - header_row - 1 == 5, "one raw row per answer: {}", drink.len() - header_row - 1);
    let ideas: Vec<Vec<Data>> = book.worksheet_range("Q3 Ideas")?.rows().map(<[Data]>::to_vec).collect();
    ensure!(ideas.iter().flatten().any(|c| c.to_string().contains("<script>")), "raw rows keep the words");
    ensure!(!ideas.iter().flatten().any(|c| matches!(c, Data::Error(_))), "no cell is a formula");
    let board: Vec<Vec<Data>> = book.worksheet_range("Leaderboard")?.rows().map(<[Data]>::to_vec).collect();
    ensure!(board.len() == 6 && cell(&board, 0, 0) == "rank" && board[1][3] != Data::Float(0.0), "{board:?}");

    // The report: one file, no markup from anyone but Handsup.
    let report = export::report(&data, Which::Latest)?;
    ensure!(report.contains("<h1>Review &lt;day&gt; &amp; &quot;friends&quot;</h1>"), "the title is text");
    ensure!(!report.contains("<script") && !report.contains("<b>"), "participant text is never markup");
    ensure!(report.contains("=HYPERLINK(&quot;x&quot;) idea 0 &lt;script&gt;"), "posts are listed as text");
    ensure!(report.matches("class=\"chart").count() == 3, "a chart for the choice, the cloud and the quiz");
    // The cloud's words, which the picture only draws, are listed for screen readers too, as text.
    let unseen = report.split("<ul class=\"unseen\">").nth(1).and_then(|rest| rest.split("</ul>").next()).unwrap_or("");
    ensure!(unseen == "<li>Focus: 5</li><li>&lt;b&gt;bold&lt;/b&gt;: 3</li>", "{unseen}");
    ensure!(
        report.matches("<svg class=\"bar\"").count() == 5,
        "an inline SVG bar per option of the choice and the quiz"
    );
    ensure!(
        !report.contains("http://") && !report.contains("https://") && !report.contains("src="),
        "no outside asset"
    );
    if let Ok(out) = std::env::var("HANDSUP_REPORT_OUT") {
        std::fs::write(out, &report)?;
    }

    // The portable file: another data folder opens it with the same results.
    let file = dir.path().join("review.handsup");
    export::portable(&data, Which::Latest, &file)?;
    let raw = std::fs::read(&file)?;
    ensure!(!raw.windows(12).any(|w| w == b"secret-phone"), "no secret participant id leaves in the file");
    let unpacked = export::unpack(&file, &dir.path().join("elsewhere"))?;
    ensure!(std::fs::read(unpacked.deck.with_file_name("img").join("dot.png"))? == IMAGE, "the image travels");
    let before = export::csv(&data, Which::Latest)?;
    let after = export::csv(&unpacked.data_dir, Which::Latest)?;
    ensure!(before == after, "the same rows:\n{before}\n---\n{after}");
    let tables = |loaded: Loaded| loaded.results().into_iter().map(|q| q.table).collect::<Vec<_>>();
    ensure!(
        tables(Loaded::from_folder(&data, Which::Latest)?)
            == tables(Loaded::from_folder(&unpacked.data_dir, Which::Latest)?),
        "the same tallies"
    );
    ensure!(std::fs::read(&file)? == raw, "opening a portable file never changes it");

    // Presented from the unpacked folder: the presenter sees the session's results again.
    let mut record = TestServer::start_in(&unpacked.data_dir, DeckSource::File(unpacked.deck.clone())).await?;
    let mut presenter = record.presenter().await?;
    let deck = presenter.wait_type("deck").await?;
    let (slide, _) = nth_question(&deck, 0)?;
    goto(&mut presenter, slide).await?;
    presenter
        .wait_for("the stored results", |f| f["type"] == "state" && f["results"]["counts"] == json!([3, 1, 1]))
        .await?;
    record.stop().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_deletes_one_participant_or_a_whole_session() -> Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir_all(dir.path().join("talk/img"))?;
    std::fs::write(dir.path().join("talk/img/dot.png"), IMAGE)?;
    std::fs::write(dir.path().join("talk/talk.md"), DECK)?;
    let data = dir.path().join("data");
    let mut server = TestServer::start_in(&data, DeckSource::File(dir.path().join("talk/talk.md"))).await?;
    answered(&server).await?;
    server.stop().await?;
    let listed = export::sessions(&data)?;
    ensure!(listed.len() == 1 && listed[0].participants == 5 && listed[0].answers == 20, "{listed:?}");
    let id = listed[0].id;

    let gone = export::delete_participant(&data, id, 2)?;
    ensure!(gone == 4, "P2's four answers and posts: {gone}");
    let csv = export::csv(&data, Which::Id(id))?;
    ensure!(!csv.contains(",P2,") && csv.contains(",P3,"), "only P2 is gone:\n{csv}");
    ensure!(export::sessions(&data)?[0].answers == 16, "the history counts what is left");
    ensure!(export::delete_participant(&data, id, 99).is_err(), "an unknown participant is an error");

    export::delete_session(&data, id)?;
    ensure!(export::sessions(&data)?.is_empty(), "the session is gone");
    ensure!(matches!(export::csv(&data, Which::Id(id)), Err(export::ExportError::NoSuchSession(_))));
    let db = rusqlite::Connection::open(data.join("handsup.sqlite3"))?;
    for table in ["participants", "responses", "posts", "question_states", "requests"] {
        let left: i64 = db.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| row.get(0))?;
        ensure!(left == 0, "{table} still holds {left} rows");
    }
    ensure!(matches!(export::delete_session(&data, id), Err(export::ExportError::NoSuchSession(_))));
    Ok(())
}

#[test]
fn a_file_that_is_not_a_session_is_refused_by_name() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("notes.handsup");
    std::fs::write(&file, b"this is not SQLite at all, just some text that ends early")?;
    let error = export::unpack(&file, &dir.path().join("into")).expect_err("not a session file").to_string();
    ensure!(error.contains("notes.handsup"), "{error}");
    Ok(())
}
