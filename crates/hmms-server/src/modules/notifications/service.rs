//! Sending and reading notifications.

use chrono::{DateTime, Utc};
use hmms_store::entities::{notification, role, user, user_role_grant};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::audit::{self, Change};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Cursor};
use crate::state::{AppState, WriteTx};

/// Something a person should know about.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationDto {
    pub id: Uuid,
    /// `work_order_assigned`, `sla_warning`, `sla_breached`, `sla_escalated`,
    /// `work_order_completed`, `work_order_rejected`, `work_order_closed`.
    pub kind: String,
    pub title: String,
    pub body: String,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationPage {
    pub items: Vec<NotificationDto>,
    pub next_cursor: Option<String>,
    /// Unread notifications in total, whatever the page.
    pub unread_count: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct NotificationQuery {
    /// Only unread ones.
    pub unread: Option<bool>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MarkedRead {
    pub marked: u64,
}

/// A message to send.
pub struct Message<'a> {
    pub kind: &'a str,
    pub title: String,
    pub body: String,
    pub entity_type: &'a str,
    pub entity_id: Uuid,
}

/// Stores the message for each recipient (once each), in the caller's transaction.
pub async fn send(
    tx: &WriteTx,
    org: Uuid,
    recipients: &[Uuid],
    msg: &Message<'_>,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let mut unique: Vec<Uuid> = recipients.to_vec();
    unique.sort();
    unique.dedup();
    let unique = super::preferences::wanting(&**tx, unique, msg.kind).await?;
    if unique.is_empty() {
        return Ok(0);
    }
    notification::Entity::insert_many(unique.iter().map(|u| notification::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org),
        user_id: Set(*u),
        kind: Set(msg.kind.into()),
        title: Set(msg.title.clone()),
        body: Set(msg.body.clone()),
        entity_type: Set(Some(msg.entity_type.into())),
        entity_id: Set(Some(msg.entity_id.to_string())),
        read_at: Set(None),
        created_at: Set(now),
    }))
    .exec_without_returning(&**tx)
    .await?;
    Ok(unique.len())
}

/// Active users holding the role `role_key` whose grant covers `site` (organization-wide
/// grants, or a grant at that site).
pub async fn holders_at_site(
    db: &impl ConnectionTrait,
    org: Uuid,
    role_key: &str,
    site: Uuid,
) -> ApiResult<Vec<Uuid>> {
    let roles: Vec<Uuid> = role::Entity::find()
        .filter(role::Column::OrganizationId.eq(org))
        .filter(role::Column::Key.eq(role_key))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let grants = user_role_grant::Entity::find()
        .filter(user_role_grant::Column::RoleId.is_in(roles))
        .all(db)
        .await?;
    let candidates: Vec<Uuid> = grants
        .into_iter()
        .filter(|g| g.scope == hmms_domain::Scope::Organization || g.site_id == Some(site))
        .map(|g| g.user_id)
        .collect();
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(candidates))
        .filter(user::Column::Status.eq("active"))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}

fn dto(n: notification::Model) -> NotificationDto {
    NotificationDto {
        id: n.id,
        kind: n.kind,
        title: n.title,
        body: n.body,
        entity_type: n.entity_type,
        entity_id: n.entity_id,
        read_at: n.read_at,
        created_at: n.created_at,
    }
}

async fn unread(db: &impl ConnectionTrait, user: Uuid) -> ApiResult<u64> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(user))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// Your notifications, newest first.
pub async fn list(
    state: &AppState,
    p: &Principal,
    q: NotificationQuery,
) -> ApiResult<NotificationPage> {
    let limit = pagination::limit(q.limit)?;
    let mut select = notification::Entity::find().filter(notification::Column::UserId.eq(p.id()));
    if q.unread == Some(true) {
        select = select.filter(notification::Column::ReadAt.is_null());
    }
    if let Some(c) = Cursor::decode(q.cursor.as_deref())? {
        select = select.filter(notification::Column::Id.lt(c.id));
    }
    let rows = select
        .order_by_desc(notification::Column::Id)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |n| Cursor {
        key: String::new(),
        id: n.id,
    });
    Ok(NotificationPage {
        items: rows.into_iter().map(dto).collect(),
        next_cursor,
        unread_count: unread(&state.db, p.id()).await?,
    })
}

async fn mark(state: &AppState, p: &Principal, only: Option<Uuid>) -> ApiResult<u64> {
    let tx = state.begin_write().await?;
    let now = state.clock.now();
    let mut update = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(now))
        .filter(notification::Column::UserId.eq(p.id()))
        .filter(notification::Column::ReadAt.is_null());
    if let Some(id) = only {
        let exists = notification::Entity::find_by_id(id)
            .one(&*tx)
            .await?
            .is_some_and(|n| n.user_id == p.id());
        if !exists {
            return Err(ApiError::not_found("notification"));
        }
        update = update.filter(notification::Column::Id.eq(id));
    }
    let marked = update.exec(&*tx).await?.rows_affected;
    let change = Change {
        action: "notification.read",
        entity_type: "notification",
        entity_id: only.map(|u| u.to_string()),
        before: None,
        after: Some(serde_json::json!({ "marked": marked })),
    };
    audit::record(&tx, now, &p.who(), change).await?;
    tx.commit().await?;
    Ok(marked)
}

pub async fn mark_read(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<MarkedRead> {
    Ok(MarkedRead {
        marked: mark(state, p, Some(id)).await?,
    })
}

pub async fn mark_all_read(state: &AppState, p: &Principal) -> ApiResult<MarkedRead> {
    Ok(MarkedRead {
        marked: mark(state, p, None).await?,
    })
}
