//! A session's results as a workbook: a summary sheet, then one sheet per question.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::results::QuestionResults;
use super::{Loaded, CSV_HEADER, LEADERBOARD_HEADER};

/// The summary sheet's header: one row per question under it.
pub const SUMMARY_HEADER: [&str; 5] = ["#", "Question", "Kind", "Participants", "Result"];

/// The workbook's bytes. Every cell holding text is a string cell: participant
/// text is never read as a formula.
pub fn write(loaded: &Loaded) -> Result<Vec<u8>, XlsxError> {
    let bold = Format::new().set_bold();
    let mut book = Workbook::new();
    let results = loaded.results();
    let raw = super::rows(&loaded.session);

    let summary = book.add_worksheet().set_name("Summary")?;
    summary.write_string_with_format(0, 0, loaded.title(), &bold)?;
    summary.write_string(
        1,
        0,
        format!("Session {}, started {}", loaded.session.id, super::iso_utc(loaded.session.started_at)),
    )?;
    header(summary, 3, &SUMMARY_HEADER, &bold)?;
    for (at, question) in results.iter().enumerate() {
        let row = 4 + at as u32;
        summary.write_number(row, 0, question.number as f64)?;
        summary.write_string(row, 1, &question.question.prompt)?;
        summary.write_string(row, 2, question.question.kind.name())?;
        summary.write_number(row, 3, question.respondents as f64)?;
        summary.write_string(row, 4, &question.table.headline)?;
    }
    summary.set_column_width(1, 48)?.set_column_width(4, 60)?;

    for question in &results {
        let sheet = book.add_worksheet().set_name(sheet_name(question))?;
        question_sheet(sheet, question, &raw, &bold)?;
    }

    let qa: Vec<&[String; 11]> = raw.iter().filter(|row| row[4] == crate::session::board::QA).collect();
    if !qa.is_empty() {
        let sheet = book.add_worksheet().set_name("Q&A")?;
        header(sheet, 0, &CSV_HEADER, &bold)?;
        for (at, row) in qa.into_iter().enumerate() {
            raw_row(sheet, 1 + at as u32, row)?;
        }
    }

    let standings = loaded.leaderboard();
    if !standings.is_empty() {
        let sheet = book.add_worksheet().set_name("Leaderboard")?;
        header(sheet, 0, &LEADERBOARD_HEADER, &bold)?;
        for (at, row) in standings.iter().enumerate() {
            let line = 1 + at as u32;
            for (column, cell) in row.iter().enumerate() {
                // Rank, points, correct and answered are numbers; the participant and nickname text.
                match (column, cell.parse::<f64>()) {
                    (0 | 3 | 4 | 5, Ok(number)) => sheet.write_number(line, column as u16, number)?,
                    _ => sheet.write_string(line, column as u16, cell)?,
                };
            }
        }
    }
    book.save_to_buffer()
}

/// The question's results table, then its raw rows as the CSV has them.
fn question_sheet(
    sheet: &mut Worksheet,
    question: &QuestionResults,
    raw: &[[String; 11]],
    bold: &Format,
) -> Result<(), XlsxError> {
    sheet.write_string_with_format(0, 0, &question.question.prompt, bold)?;
    sheet.write_string(1, 0, &question.table.headline)?;
    let table = &question.table;
    let mut line = 3;
    if !table.rows.is_empty() {
        sheet.write_string_with_format(line, 0, table.label, bold)?;
        for (at, column) in table.columns.iter().enumerate() {
            sheet.write_string_with_format(line, 1 + at as u16, *column, bold)?;
        }
        if table.rows.iter().any(|row| row.correct) {
            sheet.write_string_with_format(line, 1 + table.columns.len() as u16, "Correct", bold)?;
        }
        for row in &table.rows {
            line += 1;
            sheet.write_string(line, 0, &row.label)?;
            for (at, value) in row.values.iter().enumerate() {
                sheet.write_number(line, 1 + at as u16, *value)?;
            }
            if row.correct {
                sheet.write_string(line, 1 + table.columns.len() as u16, "yes")?;
            }
        }
        line += 2;
    }
    header(sheet, line, &CSV_HEADER, bold)?;
    for row in raw.iter().filter(|row| row[2] == question.question.id) {
        line += 1;
        raw_row(sheet, line, row)?;
    }
    sheet.set_column_width(0, 28)?.set_column_width(3, 32)?.set_column_width(6, 40)?;
    Ok(())
}

fn header<const N: usize>(sheet: &mut Worksheet, line: u32, names: &[&str; N], bold: &Format) -> Result<(), XlsxError> {
    for (at, name) in names.iter().enumerate() {
        sheet.write_string_with_format(line, at as u16, *name, bold)?;
    }
    Ok(())
}

/// A CSV row as cells: the session id, upvotes and points as numbers, the rest as text.
fn raw_row(sheet: &mut Worksheet, line: u32, row: &[String; 11]) -> Result<(), XlsxError> {
    for (column, cell) in row.iter().enumerate() {
        match (column, cell.parse::<f64>()) {
            (0 | 8 | 9, Ok(number)) => sheet.write_number(line, column as u16, number)?,
            _ => sheet.write_string(line, column as u16, cell)?,
        };
    }
    Ok(())
}

/// `Q3 Which city…`: unique by its number, within Excel's 31 characters and without the characters it forbids.
fn sheet_name(question: &QuestionResults) -> String {
    let prompt: String = question
        .question
        .prompt
        .chars()
        .map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\'') || c.is_control() { ' ' } else { c })
        .collect();
    let name = format!("Q{} {}", question.number, prompt.trim());
    name.chars().take(31).collect::<String>().trim_end().to_string()
}
