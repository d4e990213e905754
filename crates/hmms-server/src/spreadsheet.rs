//! CSV in and out, for every export and import: one writer, whose cells a spreadsheet never
//! runs as formulas, and the reading that undoes the escape so an export imports back as it was.
//!
//! A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to
//! Excel, LibreOffice and Google Sheets (OWASP "CSV injection"): a tag such as
//! `=HYPERLINK("http://…")` typed by one user would run on the machine of the manager who opens
//! the export. Such a cell is written with a leading `'`, which spreadsheets show as text.
//! So that the escape is lossless, a cell that already starts with `'` followed by one of those
//! characters or by another `'` gains one too, and reading removes exactly one.

use std::collections::HashMap;

use hmms_domain::validate::FieldError;
use hmms_store::entities::organization;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// Rows one import may hold.
pub const MAX_ROWS: usize = 20_000;

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

/// Whether to import the valid rows when some rows have errors.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true`: import the valid rows and report the others. Default: nothing is imported if any
    /// row has an error (422 listing them by row and column).
    pub partial: Option<bool>,
}

/// An import's body must be declared as CSV (415 otherwise).
pub fn require_csv(headers: &axum::http::HeaderMap) -> ApiResult<()> {
    let ct = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if ct.starts_with("text/csv") {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(
            "Send the sheet as text/csv.".into(),
        ))
    }
}

/// A CSV document as a download named `filename`.
pub fn csv_file(filename: &str, body: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A sheet sent for import: its columns (trimmed, lower case) and its rows.
pub struct Sheet {
    headers: Vec<String>,
    records: Vec<csv::StringRecord>,
}

/// One row of a [`Sheet`], by column.
pub struct Row<'a>(HashMap<&'a str, &'a str>);

impl Row<'_> {
    /// The cell, trimmed and unescaped; `None` when the column is absent or the cell empty.
    pub fn cell(&self, column: &str) -> Option<&str> {
        self.0
            .get(column)
            .map(|v| cell_in(v.trim()))
            .filter(|v| !v.is_empty())
    }
}

impl Sheet {
    /// Reads a CSV body whose header row uses only `columns` and has every one of `required`;
    /// `template` is where the caller can download the right header.
    pub fn read(
        body: &[u8],
        columns: &[&str],
        required: &[&str],
        template: &str,
    ) -> ApiResult<Sheet> {
        let text = std::str::from_utf8(body).map_err(|_| {
            ApiError::validation("file", "is not UTF-8 text; save the sheet as CSV UTF-8")
        })?;
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| {
                ApiError::validation("file", format!("the header row cannot be read: {e}"))
            })?
            .iter()
            .map(|h| h.trim().to_lowercase())
            .collect();
        let unknown: Vec<&str> = headers
            .iter()
            .map(String::as_str)
            .filter(|h| !columns.contains(h))
            .collect();
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|c| !headers.iter().any(|h| h == c))
            .collect();
        if !unknown.is_empty() || !missing.is_empty() {
            let mut what = vec![];
            if !unknown.is_empty() {
                what.push(format!("unknown: {}", unknown.join(", ")));
            }
            if !missing.is_empty() {
                what.push(format!("missing: {}", missing.join(", ")));
            }
            return Err(ApiError::validation(
                "file",
                format!(
                    "the header row must use the template's columns ({}); download it from GET {template}",
                    what.join("; ")
                ),
            ));
        }
        let mut records = vec![];
        for (i, r) in reader.records().enumerate() {
            records.push(r.map_err(|e| {
                ApiError::validation("file", format!("row {} cannot be read: {e}", i + 1))
            })?);
            if records.len() > MAX_ROWS {
                return Err(ApiError::validation(
                    "file",
                    format!("at most {MAX_ROWS} rows per import"),
                ));
            }
        }
        Ok(Sheet { headers, records })
    }

    /// The rows, numbered from 1 (the first row under the header).
    pub fn rows(&self) -> impl Iterator<Item = (usize, Row<'_>)> {
        self.records.iter().enumerate().map(|(i, r)| {
            (
                i + 1,
                Row(self
                    .headers
                    .iter()
                    .map(String::as_str)
                    .zip(r.iter())
                    .collect()),
            )
        })
    }
}

/// What an import did.
#[derive(Debug, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    /// Rows left out (only with `partial=true`).
    pub skipped: usize,
    /// Problems by row (1 = the first data row) and column.
    pub errors: Vec<ImportError>,
}

/// A problem with one cell of an imported sheet.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportError {
    pub row: usize,
    pub column: String,
    pub message: String,
}

impl ImportReport {
    /// Leaves a row out for these problems (column, message).
    pub fn skip<C: Into<String>>(&mut self, row: usize, problems: Vec<(C, String)>) {
        self.skipped += 1;
        self.errors
            .extend(problems.into_iter().map(|(column, message)| ImportError {
                row,
                column: column.into(),
                message,
            }));
    }

    /// The report, or — unless `partial` — a 422 naming every problem by row and column, in
    /// which case the caller drops its transaction and nothing is written.
    pub fn finish(self, partial: bool) -> ApiResult<ImportReport> {
        if self.errors.is_empty() || partial {
            return Ok(self);
        }
        Err(ApiError::Validation(
            self.errors
                .iter()
                .map(|e| FieldError {
                    field: format!("row {}: {}", e.row, e.column),
                    message: e.message.clone(),
                })
                .collect(),
        ))
    }
}

/// Minor units per major unit: ISO 4217 currencies without decimals use 1.
fn minor_per_major(currency: &str) -> i64 {
    const NO_DECIMALS: &[&str] = &[
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
        "VUV", "XAF", "XOF", "XPF",
    ];
    if NO_DECIMALS.contains(&currency) {
        1
    } else {
        100
    }
}

/// Minor units per major unit of the organization's currency: sheets hold money in major units.
pub async fn currency_factor(db: &impl ConnectionTrait, org: Uuid) -> ApiResult<i64> {
    Ok(organization::Entity::find_by_id(org)
        .one(db)
        .await?
        .map(|o| minor_per_major(&o.currency))
        .unwrap_or(100))
}

/// An amount in minor units written in major units (`1500000.00`, or `1500000` without decimals).
pub fn money(minor: Option<i64>, factor: i64) -> String {
    match (minor, factor) {
        (None, _) => String::new(),
        (Some(m), 1) => m.to_string(),
        (Some(m), f) => format!(
            "{}{}.{:02}",
            if m < 0 { "-" } else { "" },
            (m / f).abs(),
            (m % f).abs()
        ),
    }
}

/// An amount in major units read into minor units; thousands separators are allowed.
pub fn parse_money(raw: &str, factor: i64) -> Result<i64, String> {
    let cleaned: String = raw.chars().filter(|c| *c != ',' && *c != ' ').collect();
    let (whole, frac) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let digits = if factor == 1 { 0 } else { 2 };
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || frac.len() > digits
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(format!(
            "must be an amount like {}",
            if factor == 1 { "1500000" } else { "1500000.00" }
        ));
    }
    let whole: i64 = whole.parse().map_err(|_| "is too large".to_string())?;
    let frac: i64 = format!("{frac:0<digits$}").parse().unwrap_or(0);
    whole
        .checked_mul(factor)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(|| "is too large".to_string())
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

    #[test]
    fn money_reads_back_what_it_writes() {
        for (minor, factor) in [(150_000_050, 100), (5, 100), (-250, 100), (1_500_000, 1)] {
            assert_eq!(
                parse_money(&money(Some(minor), factor).replace('-', ""), factor),
                Ok(minor.abs())
            );
        }
        assert_eq!(money(Some(-250), 100), "-2.50");
        assert_eq!(parse_money("1,500,000.5", 100), Ok(150_000_050));
        assert!(parse_money("12.345", 100).is_err());
        assert!(parse_money("1.5", 1).is_err());
        assert!(parse_money("-5", 100).is_err());
        assert_eq!(money(Some(-50), 100), "-0.50");
        assert_eq!(minor_per_major("UGX"), 1);
        assert_eq!(minor_per_major("KES"), 100);
    }
}
