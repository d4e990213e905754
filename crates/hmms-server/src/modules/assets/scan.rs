//! `GET /scan/{code}`: what a scanned label or typed code is — an asset tag, a location code or
//! a work-order code — among the records the caller may see.

use hmms_store::entities::{location, work_order};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::dto::ScanResult;
use super::service::find_by_tag;
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub async fn resolve(state: &AppState, p: &Principal, raw: &str) -> ApiResult<ScanResult> {
    // A scanned URL (`…/a/{tag}`) counts as its tag.
    let code = raw
        .trim()
        .rsplit_once("/a/")
        .map(|(_, t)| t)
        .unwrap_or(raw.trim())
        .to_uppercase();
    if code.is_empty() || code.len() > 120 {
        return Err(ApiError::not_found("code"));
    }
    if let Some(a) = find_by_tag(&state.db, p, &code).await? {
        return Ok(ScanResult {
            kind: "asset".into(),
            href: format!("/api/v1/assets/{}", a.id),
            id: a.id,
            code: a.tag,
            name: a.name,
        });
    }
    if p.can("work_order.read")
        && let Some(w) = work_order::Entity::find()
            .filter(work_order::Column::OrganizationId.eq(p.org()))
            .filter(work_order::Column::Code.eq(code.as_str()))
            .one(&state.db)
            .await?
        && p.sees(&crate::modules::work_orders::record_scope(&w))
    {
        return Ok(ScanResult {
            kind: "work_order".into(),
            href: format!("/api/v1/work-orders/{}", w.id),
            id: w.id,
            code: w.code,
            name: w.title,
        });
    }
    if p.can("org.read")
        && let Some(l) = location::Entity::find()
            .filter(location::Column::OrganizationId.eq(p.org()))
            .filter(location::Column::Code.eq(code.as_str()))
            .one(&state.db)
            .await?
    {
        return Ok(ScanResult {
            kind: "location".into(),
            href: format!("/api/v1/locations/{}", l.id),
            id: l.id,
            code: l.code,
            name: l.name,
        });
    }
    Err(ApiError::NotFound(format!(
        "Nothing you can see has the code {code}."
    )))
}
