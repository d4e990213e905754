//! CSV in and out, for every export and import: one writer, whose cells a spreadsheet never
//! runs as formulas, and the reading that undoes the escape so an export imports back as it was.
//!
//! A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to
//! Excel, LibreOffice and Google Sheets (OWASP "CSV injection"): a tag such as
//! `=HYPERLINK("http://…")` typed by one user would run on the machine of the manager who opens
//! the export. Such a cell is written with a leading `'`, which spreadsheets show as text.
//! So that the escape is lossless, a cell that already starts with `'` followed by one of those
//! characters or by another `'` gains one too, and reading removes exactly one.

use crate::error::{ApiError, ApiResult};

const FORMULA_LEADS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether reading would take a leading `'` off this cell.
fn escaped(cell: &str) -> bool {
    let mut c = cell.chars();
    c.next() == Some('\'')
        && c.next()
            .is_some_and(|n| n == '\'' || FORMULA_LEADS.contains(&n))
}

/// The cell as written: never a formula.
pub fn cell_out(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_LEADS) || escaped(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The cell as it was before [`cell_out`].
pub fn cell_in(cell: &str) -> &str {
    if escaped(cell) { &cell[1..] } else { cell }
}

/// A CSV document being written: a header row, then rows of escaped cells.
pub struct CsvOut(csv::Writer<Vec<u8>>);

impl CsvOut {
    pub fn new<I, S>(header: I) -> ApiResult<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out = CsvOut(
            csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(vec![]),
        );
        out.row(header)?;
        Ok(out)
    }

    pub fn row<I, S>(&mut self, cells: I) -> ApiResult<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.0
            .write_record(cells.into_iter().map(|c| cell_out(c.as_ref()).into_owned()))
            .map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))
    }

    /// The document, rows ending in CRLF as RFC 4180 has them.
    pub fn finish(self) -> ApiResult<String> {
        let bytes = self
            .0
            .into_inner()
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
        String::from_utf8(bytes).map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_written_as_text_and_read_back_as_they_were() {
        for s in [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-5",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "'=already",
            "''",
            "'''=x",
            "'plain",
            "'",
            "",
            "Ventilator",
        ] {
            let out = cell_out(s);
            assert!(
                !out.starts_with(FORMULA_LEADS),
                "{s:?} is written as {out:?}, a formula"
            );
            assert_eq!(cell_in(&out), s, "{s:?} does not round-trip");
        }
        assert_eq!(cell_out("=1+1"), "'=1+1");
        assert_eq!(cell_out("Ventilator"), "Ventilator");
    }

    #[test]
    fn a_document_ends_rows_with_crlf_and_quotes_what_needs_it() {
        let mut w = CsvOut::new(["a", "b"]).unwrap();
        w.row(["x, y", "=2"]).unwrap();
        assert_eq!(w.finish().unwrap(), "a,b\r\n\"x, y\",'=2\r\n");
    }
}
