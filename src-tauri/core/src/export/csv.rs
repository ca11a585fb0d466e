//! CSV as spreadsheets read it: quoted where needed, formulas made inert.

/// A cell a spreadsheet would run as a formula gets a leading `'` (OWASP's rule
/// for CSV injection): participant text never becomes a formula.
pub fn inert(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn field(cell: &str) -> String {
    let cell = inert(cell);
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

/// A byte-order mark, the header, then the rows; CRLF line ends (RFC 4180).
pub fn write<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> String {
    let mut out = String::from('\u{feff}');
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for row in rows {
        let cells: Vec<String> = row.iter().map(|cell| field(cell)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_separators_are_quoted() {
        for (cell, written) in [
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("+1", "'+1"),
            ("-5", "'-5"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "\"'\rx\""),
            ("Coffee; Tea", "Coffee; Tea"),
            ("a,b", "\"a,b\""),
            ("two\nlines", "\"two\nlines\""),
        ] {
            assert_eq!(field(cell), written, "{cell:?}");
        }
        let csv = write(&["a", "b"], &[["1".into(), "x,y".into()]]);
        assert_eq!(csv, "\u{feff}a,b\r\n1,\"x,y\"\r\n");
    }
}
