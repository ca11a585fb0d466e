//! A question's results as a table: the spreadsheet's results sheet, the report's chart and summary line.

/// One question's results as rows under named columns, with a line that sums them up.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The columns after the row's label (`Votes`, `Share`).
    pub columns: Vec<&'static str>,
    /// What the first column holds (`Option`, `Statement`, `Word`).
    pub label: &'static str,
    pub rows: Vec<Row>,
    /// The result in one line, for a summary (`Coffee: 12 of 20 (60%)`).
    pub headline: String,
    /// A word cloud draws its rows as words, not bars.
    pub words: bool,
}

/// One row of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub label: String,
    /// One value per column.
    pub values: Vec<f64>,
    /// The bar's length, from 0 to 1 (the largest row is 1).
    pub bar: f64,
    /// A quiz's correct option.
    pub correct: bool,
}

impl Table {
    pub fn new(label: &'static str, columns: Vec<&'static str>) -> Table {
        Table { columns, label, rows: Vec::new(), headline: String::new(), words: false }
    }

    /// Adds a row whose bar is `bar` (in any unit: [`Table::scale_bars`] makes it a share of the largest).
    pub fn push(&mut self, label: impl Into<String>, values: Vec<f64>, bar: f64) {
        self.rows.push(Row { label: label.into(), values, bar, correct: false });
    }

    /// Makes every bar a share of the longest, so the longest fills its line.
    pub fn scale_bars(mut self) -> Table {
        let longest = self.rows.iter().map(|row| row.bar).fold(0.0, f64::max);
        for row in &mut self.rows {
            row.bar = if longest > 0.0 { row.bar / longest } else { 0.0 };
        }
        self
    }

    pub fn headline(mut self, headline: impl Into<String>) -> Table {
        self.headline = headline.into();
        self
    }

    /// The labels of the rows with the largest first value, as a headline names a winner.
    pub fn leaders(&self) -> Option<(String, f64)> {
        let best = self.rows.iter().filter_map(|row| row.values.first().copied()).fold(f64::NEG_INFINITY, f64::max);
        if best <= 0.0 {
            return None;
        }
        let names: Vec<&str> =
            self.rows.iter().filter(|row| row.values.first() == Some(&best)).map(|row| row.label.as_str()).collect();
        Some((names.join(", "), best))
    }
}

/// `part` as a whole-number percentage of `whole` (0 when nobody answered).
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 100.0 / whole as f64).round()
    }
}

/// "1 answer", "2 answers".
pub fn plural(count: u64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}
