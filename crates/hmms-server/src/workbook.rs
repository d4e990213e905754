//! XLSX out, for every report export: a heading that says what the figures are (organization,
//! period, filters, who made it and when, in the hospital's time), then one table per sheet
//! with typed cells — numbers, percentages, hours and money as numbers a spreadsheet can sum,
//! never as text — a frozen header row, filters and column widths (decision 0013).
//!
//! Text is written as text cells, so a name typed as `=HYPERLINK(…)` is shown, never run.

use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};

use crate::error::{ApiError, ApiResult};

/// One cell of a table.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    /// A whole number (a count).
    Count(i64),
    /// Hours, shown with one decimal.
    Hours(f64),
    /// A percentage given as 0–100, shown as `97.5%`.
    Percent(f64),
    /// Money in minor units of the organization's currency.
    Money(i64),
    /// Nothing to show (a figure with nothing to count).
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Self {
        Cell::Text(s.into())
    }

    /// `Hours` or empty.
    pub fn hours(h: Option<f64>) -> Self {
        h.map_or(Cell::Empty, Cell::Hours)
    }

    /// `Percent` or empty.
    pub fn percent(p: Option<f64>) -> Self {
        p.map_or(Cell::Empty, Cell::Percent)
    }
}

/// A table on a sheet of its own.
pub struct Table {
    /// The sheet's name (at most 31 characters, as Excel allows).
    pub sheet: &'static str,
    /// Column titles and widths (in characters).
    pub columns: Vec<(&'static str, f64)>,
    pub rows: Vec<Vec<Cell>>,
}

/// What the workbook is: its title and the lines under it (label, value), repeated on every
/// sheet so a sheet printed alone still says what it shows.
pub struct Heading {
    pub title: String,
    pub lines: Vec<(&'static str, String)>,
    /// Minor units per major unit of the currency (100 for euros, 1 for yen).
    pub money_factor: i64,
    pub currency: String,
}

/// The workbook as bytes.
pub fn xlsx(heading: &Heading, tables: &[Table]) -> ApiResult<Vec<u8>> {
    write(heading, tables).map_err(|e| ApiError::Internal(anyhow::anyhow!("xlsx: {e}")))
}

fn write(heading: &Heading, tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let label = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border_bottom(FormatBorder::Thin)
        .set_background_color("#E9ECEF");
    let count = Format::new().set_num_format("#,##0");
    let hours = Format::new().set_num_format("#,##0.0");
    let percent = Format::new().set_num_format("0.0%");
    let money_format = if heading.money_factor >= 100 {
        "#,##0.00"
    } else if heading.money_factor >= 10 {
        "#,##0.0"
    } else {
        "#,##0"
    };
    let money = Format::new().set_num_format(money_format);
    let wrap = Format::new().set_text_wrap();

    for table in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(table.sheet)?;
        sheet.write_string_with_format(0, 0, &heading.title, &title)?;
        let mut row: u32 = 1;
        for (l, v) in &heading.lines {
            sheet.write_string_with_format(row, 0, *l, &label)?;
            sheet.write_string(row, 1, v)?;
            row += 1;
        }
        row += 1;
        let top = row;
        for (c, (name, width)) in table.columns.iter().enumerate() {
            let c = c as u16;
            let name = if name.contains("{currency}") {
                name.replace("{currency}", &heading.currency)
            } else {
                (*name).to_string()
            };
            sheet.write_string_with_format(top, c, name, &header)?;
            sheet.set_column_width(c, *width)?;
        }
        for cells in &table.rows {
            row += 1;
            for (c, cell) in cells.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) if s.len() > 60 => {
                        sheet.write_string_with_format(row, c, s, &wrap)?;
                    }
                    Cell::Text(s) => {
                        sheet.write_string(row, c, s)?;
                    }
                    Cell::Count(n) => {
                        sheet.write_number_with_format(row, c, *n as f64, &count)?;
                    }
                    Cell::Hours(h) => {
                        sheet.write_number_with_format(row, c, *h, &hours)?;
                    }
                    Cell::Percent(p) => {
                        sheet.write_number_with_format(row, c, *p / 100.0, &percent)?;
                    }
                    Cell::Money(m) => {
                        let major = *m as f64 / heading.money_factor.max(1) as f64;
                        sheet.write_number_with_format(row, c, major, &money)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        let last_col = table.columns.len().saturating_sub(1) as u16;
        sheet.set_freeze_panes(top + 1, 0)?;
        sheet.autofilter(top, 0, row.max(top), last_col)?;
    }
    book.save_to_buffer()
}
