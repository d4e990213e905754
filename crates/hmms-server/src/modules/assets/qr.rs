//! QR codes for asset and location labels: SVG for printing, PNG for everything else. The code
//! holds a URL of this server, so any phone camera opens the record (or, for people without an
//! account, the public request page).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use image::{ImageFormat, Luma};
use qrcode::QrCode as Qr;
use qrcode::render::svg;
use uuid::Uuid;

use super::dto::QrCode;
use super::service::find_visible;
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The address users reach this server at: `public_url`, else the `Host` the request came to.
pub fn base_url(state: &AppState, host: Option<&str>) -> String {
    match (&state.config.public_url, host) {
        (Some(u), _) => u.trim_end_matches('/').to_string(),
        (None, Some(h)) => format!("http://{h}"),
        (None, None) => format!("http://{}", state.config.listen),
    }
}

/// Renders `url` as a QR code in both formats.
pub fn render(url: String, label: String) -> ApiResult<QrCode> {
    let code = Qr::new(url.as_bytes()).map_err(|e| anyhow::anyhow!("QR encoding: {e}"))?;
    let svg = code
        .render::<svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    let img = code
        .render::<Luma<u8>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, ImageFormat::Png)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("PNG encoding: {e}")))?;
    Ok(QrCode {
        url,
        label,
        svg,
        png_base64: B64.encode(png.into_inner()),
    })
}

/// Percent-encodes a path segment (tags are codes, but be safe).
pub fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn for_asset(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    host: Option<&str>,
) -> ApiResult<QrCode> {
    let a = find_visible(&state.db, p, id).await?;
    let url = format!("{}/a/{}", base_url(state, host), segment(&a.tag));
    render(url, format!("{} · {}", a.tag, a.name))
}

/// The QR code of a room or area: it opens the page for reporting a fault there
/// (`/l/{site}/{location}`).
pub async fn for_location(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    host: Option<&str>,
) -> ApiResult<QrCode> {
    p.require("org.read")?;
    let l = crate::modules::org::find_location(&state.db, p, id).await?;
    let site = crate::modules::org::find_site(&state.db, p, l.site_id).await?;
    let url = format!(
        "{}/l/{}/{}",
        base_url(state, host),
        segment(&site.code),
        segment(&l.code)
    );
    render(url, format!("{} · {}", l.code, l.name))
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(super::segment("SMGH-ICU-001"), "SMGH-ICU-001");
        assert_eq!(super::segment("A B/C"), "A%20B%2FC");
    }
}
