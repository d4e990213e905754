//! Reading the audit trail: a page of entries of the caller's organization, newest first, by
//! person, record, action and time.

use chrono::{DateTime, Utc};
use hmms_store::entities::audit_entry;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::pagination;
use crate::state::AppState;

/// One entry of the audit trail.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntryDto {
    /// Position in the hash chain.
    pub seq: i64,
    pub actor_id: Option<Uuid>,
    /// `entity.verb`, e.g. `user.role_changed`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub items: Vec<AuditEntryDto>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct AuditQuery {
    pub actor_id: Option<Uuid>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// Exact action, e.g. `auth.login_failed`.
    pub action: Option<String>,
    /// From this time (inclusive), RFC 3339.
    pub from: Option<DateTime<Utc>>,
    /// Before this time (exclusive), RFC 3339.
    pub to: Option<DateTime<Utc>>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    /// The `seq` to continue below, from `nextCursor`.
    pub cursor: Option<String>,
}

/// A page of the trail for someone with `audit.read`.
pub async fn page(state: &AppState, p: &Principal, q: AuditQuery) -> ApiResult<AuditPage> {
    p.require("audit.read")?;
    let limit = pagination::limit(q.limit)?;
    let mut select =
        audit_entry::Entity::find().filter(audit_entry::Column::OrganizationId.eq(p.org()));
    if let Some(v) = q.actor_id {
        select = select.filter(audit_entry::Column::ActorId.eq(v));
    }
    if let Some(v) = q.entity_type {
        select = select.filter(audit_entry::Column::EntityType.eq(v));
    }
    if let Some(v) = q.entity_id {
        select = select.filter(audit_entry::Column::EntityId.eq(v));
    }
    if let Some(v) = q.action {
        select = select.filter(audit_entry::Column::Action.eq(v));
    }
    if let Some(v) = q.from {
        select = select.filter(audit_entry::Column::CreatedAt.gte(v));
    }
    if let Some(v) = q.to {
        select = select.filter(audit_entry::Column::CreatedAt.lt(v));
    }
    if let Some(c) = q.cursor {
        let seq: i64 = c.parse().map_err(|_| {
            ApiError::validation("cursor", "must be a nextCursor value from a previous page")
        })?;
        select = select.filter(audit_entry::Column::Seq.lt(seq));
    }
    let mut rows = select
        .order_by_desc(audit_entry::Column::Seq)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| r.seq.to_string())
    } else {
        None
    };
    let parse = |s: Option<String>| s.and_then(|t| serde_json::from_str(&t).ok());
    let items = rows
        .into_iter()
        .map(|r| AuditEntryDto {
            seq: r.seq,
            actor_id: r.actor_id,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            before: parse(r.before),
            after: parse(r.after),
            ip: r.ip,
            user_agent: r.user_agent,
            request_id: r.request_id,
            created_at: r.created_at,
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
        .collect();
    Ok(AuditPage { items, next_cursor })
}
