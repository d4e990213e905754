//! PDF out, for every report (decision 0014): the same heading and tables as the workbook
//! (`crate::workbook`), laid out on A4 — landscape when the table is wide — with the title and
//! what the figures cover on the first page, each table under its name, its header repeated on
//! every page it runs onto, text wrapped within its column, figures right-aligned and
//! formatted as a reader expects (thousands separated, hours to a tenth, money in the
//! currency's decimals), and on every page what the document is and "Page X of Y".
//!
//! The fonts are compiled in (`font.rs`), so every server makes the same file.

mod font;

use pdf_writer::{Content, Filter, Finish, Name, Rect, Ref, Str, TextStr};

use crate::error::{ApiError, ApiResult};
use crate::workbook::{Cell, Heading, Table};
use font::{Font, Weight};

const MARGIN: f32 = 40.0;
const BODY: f32 = 8.0;
const LEADING: f32 = 10.0;
const PAD: f32 = 3.0;
/// Room kept at the bottom of every page for the footer.
const FOOTER: f32 = 24.0;
const GREY: (f32, f32, f32) = (0.35, 0.38, 0.42);
const HEADER_FILL: (f32, f32, f32) = (0.914, 0.925, 0.937);
const ZEBRA_FILL: (f32, f32, f32) = (0.973, 0.976, 0.98);
const RULE: (f32, f32, f32) = (0.8, 0.82, 0.85);
/// A4 in points.
const A4: (f32, f32) = (595.28, 841.89);
/// Tables wider than this many characters (the sum of their column widths) go landscape.
const LANDSCAPE_OVER: f64 = 110.0;

/// The report as PDF bytes.
pub fn pdf(heading: &Heading, tables: &[Table]) -> ApiResult<Vec<u8>> {
    write(heading, tables).map_err(|e| ApiError::Internal(anyhow::anyhow!("pdf: {e}")))
}

fn write(heading: &Heading, tables: &[Table]) -> anyhow::Result<Vec<u8>> {
    let wide = tables
        .iter()
        .any(|t| t.columns.iter().map(|c| c.1).sum::<f64>() > LANDSCAPE_OVER);
    let (width, height) = if wide { (A4.1, A4.0) } else { A4 };
    let mut doc = Document {
        regular: Font::new(Weight::Regular)?,
        bold: Font::new(Weight::Bold)?,
        pages: Vec::new(),
        width,
        height,
        y: 0.0,
        running: running_title(heading),
    };
    doc.new_page();
    doc.heading(heading, tables);
    for table in tables {
        doc.table(heading, table);
    }
    doc.finish(heading)
}

/// "Key figures · St. Mary's General Hospital · 1 Nov 2026 – 30 Nov 2026", on every page.
fn running_title(heading: &Heading) -> String {
    let mut parts = vec![heading.title.clone()];
    for (label, value) in &heading.lines {
        if matches!(*label, "Organization" | "Period") && !value.is_empty() {
            parts.push(value.clone());
        }
    }
    parts.join(" · ")
}

struct Document {
    regular: Font,
    bold: Font,
    pages: Vec<Content>,
    width: f32,
    height: f32,
    /// Where the next line's top is, from the bottom of the page.
    y: f32,
    running: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
}

impl Document {
    fn font(&mut self, weight: Weight) -> &mut Font {
        match weight {
            Weight::Regular => &mut self.regular,
            Weight::Bold => &mut self.bold,
        }
    }

    fn page(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.pages.push(Content::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = self.height - MARGIN;
        if self.pages.len() > 1 {
            // Continuation pages say what they belong to.
            let running = self.running.clone();
            let line = self.fit(&running, Weight::Regular, 7.0, self.width - 2.0 * MARGIN);
            self.text(MARGIN, self.y - 7.0, &line, Weight::Regular, 7.0, GREY);
            self.y -= 16.0;
        }
    }

    /// Room for `h` more points on this page, or a new page.
    fn ensure(&mut self, h: f32) -> bool {
        if self.y - h < MARGIN + FOOTER {
            self.new_page();
            return true;
        }
        false
    }

    /// Draws `text` with its baseline at `y`.
    fn text(
        &mut self,
        x: f32,
        y: f32,
        text: &str,
        weight: Weight,
        size: f32,
        color: (f32, f32, f32),
    ) {
        if text.is_empty() {
            return;
        }
        let font = self.font(weight);
        let resource = font.resource;
        let bytes = font.encode(text);
        let page = self.page();
        page.begin_text();
        page.set_fill_rgb(color.0, color.1, color.2);
        page.set_font(Name(resource), size);
        page.next_line(x, y);
        page.show(Str(&bytes));
        page.end_text();
    }

    fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, color: (f32, f32, f32)) {
        let page = self.page();
        page.set_fill_rgb(color.0, color.1, color.2);
        page.rect(x, y, w, h);
        page.fill_nonzero();
    }

    fn rule(&mut self, x: f32, y: f32, w: f32) {
        let page = self.page();
        page.set_stroke_rgb(RULE.0, RULE.1, RULE.2);
        page.set_line_width(0.5);
        page.move_to(x, y);
        page.line_to(x + w, y);
        page.stroke();
    }

    /// `text` cut with an ellipsis to fit `width`.
    fn fit(&self, text: &str, weight: Weight, size: f32, width: f32) -> String {
        let font = match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        };
        if font.width(text, size) <= width {
            return text.to_string();
        }
        let mut out = String::new();
        for c in text.chars() {
            out.push(c);
            if font.width(&out, size) + font.width("…", size) > width {
                out.pop();
                break;
            }
        }
        out.push('…');
        out
    }

    /// `text` broken into lines no wider than `width`: at spaces where it can, inside a word
    /// when one word is wider than the column.
    fn wrap(&self, text: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
        let font = match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        };
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if font.width(&candidate, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // A word wider than the column is broken where it must be.
                for c in word.chars() {
                    line.push(c);
                    if font.width(&line, size) > width && line.chars().count() > 1 {
                        line.pop();
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    }
                }
            }
            lines.push(line);
        }
        while lines.len() > 1 && lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        lines
    }

    /// The title and what the document covers, as label: value lines.
    fn heading(&mut self, heading: &Heading, tables: &[Table]) {
        let inner = self.width - 2.0 * MARGIN;
        for line in self.wrap(&heading.title, Weight::Bold, 16.0, inner) {
            self.text(
                MARGIN,
                self.y - 16.0,
                &line,
                Weight::Bold,
                16.0,
                (0.0, 0.0, 0.0),
            );
            self.y -= 20.0;
        }
        self.y -= 4.0;
        let mut lines = heading.lines.clone();
        let has_money = tables
            .iter()
            .any(|t| t.rows.iter().flatten().any(|c| matches!(c, Cell::Money(_))));
        if has_money && !heading.currency.is_empty() {
            lines.push(("Amounts in", heading.currency.clone()));
        }
        let label_width = 90.0;
        for (label, value) in &lines {
            let wrapped = self.wrap(value, Weight::Regular, 9.0, inner - label_width);
            self.ensure(wrapped.len() as f32 * 12.0);
            self.text(MARGIN, self.y - 9.0, label, Weight::Bold, 9.0, GREY);
            for l in wrapped {
                self.text(
                    MARGIN + label_width,
                    self.y - 9.0,
                    &l,
                    Weight::Regular,
                    9.0,
                    (0.0, 0.0, 0.0),
                );
                self.y -= 12.0;
            }
        }
        self.y -= 10.0;
    }

    /// A table under its name; the header row again at the top of every page it runs onto.
    fn table(&mut self, heading: &Heading, table: &Table) {
        let inner = self.width - 2.0 * MARGIN;
        let total: f64 = table.columns.iter().map(|c| c.1).sum::<f64>().max(1.0);
        let widths: Vec<f32> = table
            .columns
            .iter()
            .map(|c| (c.1 / total) as f32 * inner)
            .collect();
        let titles: Vec<String> = table
            .columns
            .iter()
            .map(|(name, _)| name.replace("{currency}", &heading.currency))
            .collect();
        // Numbers are right-aligned, headers over them too.
        let aligns: Vec<Align> = (0..table.columns.len())
            .map(|i| {
                let numeric = table.rows.iter().any(|r| {
                    r.get(i)
                        .is_some_and(|c| !matches!(c, Cell::Text(_) | Cell::Empty))
                });
                if numeric { Align::Right } else { Align::Left }
            })
            .collect();
        let header: Vec<Vec<String>> = titles
            .iter()
            .zip(&widths)
            .map(|(t, w)| self.wrap(t, Weight::Bold, BODY, w - 2.0 * PAD))
            .collect();
        let header_height =
            header.iter().map(Vec::len).max().unwrap_or(1) as f32 * LEADING + 2.0 * PAD;

        // The table's name stays with its header and first row.
        self.ensure(18.0 + header_height + LEADING + 2.0 * PAD);
        self.text(
            MARGIN,
            self.y - 11.0,
            table.sheet,
            Weight::Bold,
            11.0,
            (0.0, 0.0, 0.0),
        );
        self.y -= 18.0;
        self.header_row(&header, &widths, &aligns, header_height);

        if table.rows.is_empty() {
            self.text(
                MARGIN + PAD,
                self.y - PAD - BODY,
                "Nothing to show for this period.",
                Weight::Regular,
                BODY,
                GREY,
            );
            self.y -= LEADING + 2.0 * PAD;
        }
        // A row taller than a page is cut to a page.
        let page_lines = ((self.height - 2.0 * MARGIN - FOOTER - 16.0 - header_height - 2.0 * PAD)
            / LEADING)
            .floor()
            .max(1.0) as usize;
        for (n, row) in table.rows.iter().enumerate() {
            let mut cells: Vec<Vec<String>> = row
                .iter()
                .zip(&widths)
                .map(|(c, w)| {
                    let text = format_cell(c, heading.money_factor);
                    self.wrap(&text, Weight::Regular, BODY, w - 2.0 * PAD)
                })
                .collect();
            for lines in &mut cells {
                if lines.len() > page_lines {
                    lines.truncate(page_lines);
                    if let Some(last) = lines.last_mut() {
                        last.push('…');
                    }
                }
            }
            let h = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * LEADING + 2.0 * PAD;
            if self.ensure(h) {
                self.header_row(&header, &widths, &aligns, header_height);
            }
            if n % 2 == 1 {
                self.fill(MARGIN, self.y - h, inner, h, ZEBRA_FILL);
            }
            let mut x = MARGIN;
            for ((lines, w), align) in cells.iter().zip(&widths).zip(&aligns) {
                self.cell(x, *w, lines, *align, Weight::Regular);
                x += w;
            }
            self.y -= h;
            self.rule(MARGIN, self.y, inner);
        }
        self.y -= 14.0;
    }

    fn header_row(&mut self, header: &[Vec<String>], widths: &[f32], aligns: &[Align], h: f32) {
        let inner = self.width - 2.0 * MARGIN;
        self.fill(MARGIN, self.y - h, inner, h, HEADER_FILL);
        let mut x = MARGIN;
        for ((lines, w), align) in header.iter().zip(widths).zip(aligns) {
            self.cell(x, *w, lines, *align, Weight::Bold);
            x += w;
        }
        self.y -= h;
        self.rule(MARGIN, self.y, inner);
    }

    fn cell(&mut self, x: f32, w: f32, lines: &[String], align: Align, weight: Weight) {
        let mut y = self.y - PAD - BODY;
        for line in lines {
            let left = match align {
                Align::Left => x + PAD,
                Align::Right => {
                    let font = match weight {
                        Weight::Regular => &self.regular,
                        Weight::Bold => &self.bold,
                    };
                    x + w - PAD - font.width(line, BODY)
                }
            };
            self.text(left, y, line, weight, BODY, (0.0, 0.0, 0.0));
            y -= LEADING;
        }
    }

    /// The footer on every page, then the file.
    fn finish(mut self, heading: &Heading) -> anyhow::Result<Vec<u8>> {
        let count = self.pages.len();
        let generated = heading
            .lines
            .iter()
            .find(|(l, _)| *l == "Generated")
            .map(|(_, v)| format!("Generated {v}"))
            .unwrap_or_default();
        let inner = self.width - 2.0 * MARGIN;
        let mut pages = std::mem::take(&mut self.pages);
        for (i, page) in pages.iter_mut().enumerate() {
            let label = format!("Page {} of {count}", i + 1);
            let label_width = self.regular.width(&label, 7.0);
            let left = self.fit(&generated, Weight::Regular, 7.0, inner - label_width - 20.0);
            for (x, text) in [(MARGIN, left), (self.width - MARGIN - label_width, label)] {
                let bytes = self.regular.encode(&text);
                page.begin_text();
                page.set_fill_rgb(GREY.0, GREY.1, GREY.2);
                page.set_font(Name(self.regular.resource), 7.0);
                page.next_line(x, MARGIN - 4.0);
                page.show(Str(&bytes));
                page.end_text();
            }
        }

        let mut pdf = pdf_writer::Pdf::new();
        let catalog = Ref::new(1);
        let tree = Ref::new(2);
        let info = Ref::new(3);
        let regular = Ref::new(4);
        let bold = self.regular.write(&mut pdf, regular)?;
        let mut next = self.bold.write(&mut pdf, bold)?;
        let mut kids = Vec::with_capacity(count);
        for content in pages {
            let (page_id, content_id) = (next, Ref::new(next.get() + 1));
            next = Ref::new(next.get() + 2);
            kids.push(page_id);
            let mut page = pdf.page(page_id);
            page.media_box(Rect::new(0.0, 0.0, self.width, self.height));
            page.parent(tree);
            page.contents(content_id);
            let mut resources = page.resources();
            resources
                .fonts()
                .pair(Name(self.regular.resource), regular)
                .pair(Name(self.bold.resource), bold);
            resources.finish();
            page.finish();
            let packed = deflate(&content.finish());
            pdf.stream(content_id, &packed).filter(Filter::FlateDecode);
        }
        pdf.pages(tree).kids(kids).count(count as i32);
        pdf.catalog(catalog).pages(tree);
        pdf.document_info(info)
            .title(TextStr(&heading.title))
            .creator(TextStr("HMMS"))
            .producer(TextStr("HMMS"));
        Ok(pdf.finish())
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// A cell as a reader expects it on paper.
fn format_cell(cell: &Cell, money_factor: i64) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Count(n) => grouped(*n),
        Cell::Hours(h) => decimal(*h, 1),
        Cell::Percent(p) => format!("{}%", decimal(*p, 1)),
        Cell::Money(m) => {
            let decimals = match money_factor {
                f if f >= 100 => 2,
                f if f >= 10 => 1,
                _ => 0,
            };
            let factor = money_factor.max(1);
            let sign = if *m < 0 { "-" } else { "" };
            let abs = m.unsigned_abs();
            let major = grouped((abs / factor as u64) as i64);
            if decimals == 0 {
                format!("{sign}{major}")
            } else {
                let minor = abs % factor as u64;
                format!("{sign}{major}.{minor:0width$}", width = decimals)
            }
        }
        Cell::Empty => "–".into(),
    }
}

/// `1234.56` as `1,234.6` (one decimal).
fn decimal(v: f64, places: usize) -> String {
    let s = format!("{:.*}", places, v.abs());
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    let whole: i64 = whole.parse().unwrap_or(0);
    let sign = if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{}", grouped(whole))
    } else {
        format!("{sign}{}.{frac}", grouped(whole))
    }
}

/// `1234567` as `1,234,567`.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_figures_as_a_reader_expects() {
        assert_eq!(format_cell(&Cell::Count(1_234_567), 100), "1,234,567");
        assert_eq!(format_cell(&Cell::Count(-12), 100), "-12");
        assert_eq!(format_cell(&Cell::Hours(1234.56), 100), "1,234.6");
        assert_eq!(format_cell(&Cell::Percent(97.46), 100), "97.5%");
        assert_eq!(format_cell(&Cell::Money(123_456), 100), "1,234.56");
        assert_eq!(format_cell(&Cell::Money(-5), 100), "-0.05");
        assert_eq!(format_cell(&Cell::Money(1500), 1), "1,500");
        assert_eq!(format_cell(&Cell::Empty, 100), "–");
    }
}
