//! Printable label sheets: a PDF of QR labels (tag, name, place and the code) for A4 sheets and
//! label rolls. The PDF is written directly (standard fonts, uncompressed grey images): a label
//! sheet needs nothing more, and no PDF library joins the build for it.

use std::collections::HashMap;
use std::fmt::Write as _;

use hmms_store::entities::{asset, department, location};
use qrcode::{Color, QrCode as Qr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::qr::base_url;
use super::service::find_visible;
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Label stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LabelLayout {
    /// A4 sheet, 3 × 8 labels of 70 × 37 mm (no margins).
    A4_24,
    /// A4 sheet, 2 × 7 labels of 99.1 × 38.1 mm (Avery L7163).
    A4_14,
    /// Continuous roll, one 62 × 29 mm label per page (Brother DK-11209).
    Roll62x29,
}

/// Which labels to print.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LabelRequest {
    /// 1 to 500 assets, printed in this order.
    pub asset_ids: Vec<Uuid>,
    pub layout: Option<LabelLayout>,
}

const MM: f64 = 72.0 / 25.4;

struct Sheet {
    page: (f64, f64),
    label: (f64, f64),
    cols: usize,
    rows: usize,
    origin: (f64, f64),
    gap: (f64, f64),
}

impl LabelLayout {
    fn sheet(self) -> Sheet {
        match self {
            LabelLayout::A4_24 => Sheet {
                page: (210.0, 297.0),
                label: (70.0, 37.125),
                cols: 3,
                rows: 8,
                origin: (0.0, 0.0),
                gap: (0.0, 0.0),
            },
            LabelLayout::A4_14 => Sheet {
                page: (210.0, 297.0),
                label: (99.1, 38.1),
                cols: 2,
                rows: 7,
                origin: (4.65, 15.15),
                gap: (2.5, 0.0),
            },
            LabelLayout::Roll62x29 => Sheet {
                page: (62.0, 29.0),
                label: (62.0, 29.0),
                cols: 1,
                rows: 1,
                origin: (0.0, 0.0),
                gap: (0.0, 0.0),
            },
        }
    }
}

/// A string for a PDF text operator in WinAnsi (Latin-1 covers the names we print).
fn pdf_text(s: &str, max_chars: usize) -> String {
    let mut out = String::from("(");
    for ch in s.chars().take(max_chars) {
        match ch {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            c if (' '..='~').contains(&c) => out.push(c),
            c if (c as u32) >= 0xA0 && (c as u32) <= 0xFF => {
                let _ = write!(out, "\\{:03o}", c as u32);
            }
            _ => out.push('?'),
        }
    }
    out.push(')');
    out
}

/// One label's content.
pub struct Label {
    pub url: String,
    pub tag: String,
    pub name: String,
    pub place: String,
}

/// The label sheet as PDF bytes.
pub fn render(labels: &[Label], layout: LabelLayout) -> ApiResult<Vec<u8>> {
    let sheet = layout.sheet();
    let per_page = sheet.cols * sheet.rows;
    let pages: Vec<&[Label]> = labels.chunks(per_page).collect();
    // Objects: 1 catalog, 2 pages, 3 Helvetica, 4 Helvetica-Bold, then per page: page,
    // content, and one image per label.
    let mut objects: Vec<Vec<u8>> = vec![vec![], vec![], vec![], vec![]];
    objects[2] =
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec();
    objects[3] =
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .to_vec();
    let mut page_ids = vec![];
    for chunk in pages {
        let page_id = objects.len() + 1;
        let content_id = page_id + 1;
        objects.push(vec![]);
        objects.push(vec![]);
        let mut content = String::new();
        let mut xobjects = String::new();
        for (i, l) in chunk.iter().enumerate() {
            let code = Qr::new(l.url.as_bytes()).map_err(|e| anyhow::anyhow!("QR: {e}"))?;
            let w = code.width();
            let quiet = 2;
            let side = w + 2 * quiet;
            let colors = code.to_colors();
            let mut pixels = vec![255u8; side * side];
            for y in 0..w {
                for x in 0..w {
                    if colors[y * w + x] == Color::Dark {
                        pixels[(y + quiet) * side + x + quiet] = 0;
                    }
                }
            }
            let image_id = objects.len() + 1;
            let mut img = format!(
                "<< /Type /XObject /Subtype /Image /Width {side} /Height {side} /ColorSpace /DeviceGray /BitsPerComponent 8 /Interpolate false /Length {} >>\nstream\n",
                pixels.len()
            )
            .into_bytes();
            img.extend_from_slice(&pixels);
            img.extend_from_slice(b"\nendstream");
            objects.push(img);
            let _ = write!(xobjects, "/Q{i} {image_id} 0 R ");
            // Label box, from the top-left of the sheet (PDF's origin is bottom-left).
            let (col, row) = (i % sheet.cols, i / sheet.cols);
            let x = (sheet.origin.0 + col as f64 * (sheet.label.0 + sheet.gap.0)) * MM;
            let top =
                (sheet.page.1 - sheet.origin.1 - row as f64 * (sheet.label.1 + sheet.gap.1)) * MM;
            let pad = 2.0 * MM;
            let qr_side = sheet.label.1 * MM - 2.0 * pad;
            let qx = x + pad;
            let qy = top - pad - qr_side;
            let _ = writeln!(
                content,
                "q {qr_side:.2} 0 0 {qr_side:.2} {qx:.2} {qy:.2} cm /Q{i} Do Q"
            );
            let tx = qx + qr_side + pad;
            let width_chars = (((sheet.label.0 * MM) - (tx - x) - pad) / 4.6).max(8.0) as usize;
            let lines = [
                ("F2", 10.0, l.tag.as_str()),
                ("F1", 8.0, l.name.as_str()),
                ("F1", 7.0, l.place.as_str()),
            ];
            let mut ty = top - pad - 10.0;
            for (font, size, text) in lines {
                let _ = writeln!(
                    content,
                    "BT /{font} {size} Tf {tx:.2} {ty:.2} Td {} Tj ET",
                    pdf_text(text, width_chars)
                );
                ty -= size + 3.0;
            }
        }
        let (pw, ph) = (sheet.page.0 * MM, sheet.page.1 * MM);
        objects[page_id - 1] = format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.2} {ph:.2}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> /XObject << {xobjects}>> >> /Contents {content_id} 0 R >>"
        )
        .into_bytes();
        objects[content_id - 1] = format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        )
        .into_bytes();
        page_ids.push(page_id);
    }
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>".to_vec();
    objects[1] = format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        page_ids
            .iter()
            .map(|id| format!("{id} 0 R"))
            .collect::<Vec<_>>()
            .join(" "),
        page_ids.len()
    )
    .into_bytes();

    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = vec![];
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        let _ = writeln!(table, "{o:010} 00000 n ");
    }
    let _ = write!(
        table,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(table.as_bytes());
    Ok(out)
}

/// The label sheet for assets the caller may see.
pub async fn for_assets(
    state: &AppState,
    p: &Principal,
    body: LabelRequest,
    host: Option<&str>,
) -> ApiResult<Vec<u8>> {
    p.require("asset.read")?;
    if body.asset_ids.is_empty() || body.asset_ids.len() > 500 {
        return Err(ApiError::validation(
            "assetIds",
            "name from 1 to 500 assets",
        ));
    }
    let mut assets: Vec<asset::Model> = vec![];
    for id in &body.asset_ids {
        assets.push(find_visible(&state.db, p, *id).await?);
    }
    let places: HashMap<Uuid, String> = location::Entity::find()
        .filter(location::Column::OrganizationId.eq(p.org()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|l| (l.id, format!("{} {}", l.code, l.name)))
        .collect();
    let departments: HashMap<Uuid, String> = department::Entity::find()
        .filter(department::Column::OrganizationId.eq(p.org()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let base = base_url(state, host);
    let labels: Vec<Label> = assets
        .into_iter()
        .map(|a| Label {
            url: format!("{base}/a/{}", super::qr::segment(&a.tag)),
            place: a
                .location_id
                .and_then(|l| places.get(&l).cloned())
                .or_else(|| a.department_id.and_then(|d| departments.get(&d).cloned()))
                .unwrap_or_default(),
            tag: a.tag,
            name: a.name,
        })
        .collect();
    render(&labels, body.layout.unwrap_or(LabelLayout::A4_24))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_escaped_for_pdf() {
        assert_eq!(pdf_text("Dräger (ICU)", 40), "(Dr\\344ger \\(ICU\\))");
        assert_eq!(pdf_text("abcdef", 3), "(abc)");
        assert_eq!(pdf_text("中", 3), "(?)");
    }

    #[test]
    fn pages_follow_the_stock() {
        let l = |n: usize| {
            (0..n)
                .map(|i| Label {
                    url: format!("https://h/a/T{i}"),
                    tag: format!("T{i}"),
                    name: "Pump".into(),
                    place: "ICU".into(),
                })
                .collect::<Vec<_>>()
        };
        let count = |pdf: &[u8]| String::from_utf8_lossy(pdf).matches("/Type /Page ").count();
        assert_eq!(count(&render(&l(25), LabelLayout::A4_24).unwrap()), 2);
        assert_eq!(count(&render(&l(14), LabelLayout::A4_14).unwrap()), 1);
        assert_eq!(count(&render(&l(3), LabelLayout::Roll62x29).unwrap()), 3);
        let pdf = render(&l(1), LabelLayout::A4_24).unwrap();
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(pdf.ends_with(b"%%EOF\n"));
    }
}
