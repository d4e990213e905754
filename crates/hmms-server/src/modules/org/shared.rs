//! Helpers shared by the organization-structure services.

use hmms_domain::Scope;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use uuid::Uuid;

use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Cursor};

/// Structure changes by a site-scoped manager stay within their own site.
pub fn require_site_write(p: &Principal, permission: &str, site_id: Uuid) -> ApiResult<()> {
    p.require(permission)?;
    if p.scope == Scope::Organization || p.user.site_id == Some(site_id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "You may change the structure of your own site only.".into(),
        ))
    }
}

/// One page of a list ordered by name, then id.
pub async fn page_by_name<E, C>(
    db: &C,
    select: Select<E>,
    name: E::Column,
    id: E::Column,
    limit: Option<u64>,
    cursor: Option<&str>,
    key: impl Fn(&E::Model) -> (String, Uuid),
) -> ApiResult<(Vec<E::Model>, Option<String>)>
where
    E: EntityTrait,
    C: sea_orm::ConnectionTrait,
{
    let limit = pagination::limit(limit)?;
    let mut select = select;
    if let Some(c) = Cursor::decode(cursor)? {
        select = select.filter(
            Condition::any()
                .add(name.gt(c.key.clone()))
                .add(Condition::all().add(name.eq(c.key)).add(id.gt(c.id))),
        );
    }
    let rows = select
        .order_by_asc(name)
        .order_by_asc(id)
        .limit(limit + 1)
        .all(db)
        .await?;
    Ok(pagination::finish(rows, limit, |m| {
        let (k, i) = key(m);
        Cursor { key: k, id: i }
    }))
}

/// A uniqueness conflict with a message that says which value clashes.
pub fn duplicate(what: &str, code: &str, within: &str) -> ApiError {
    ApiError::Conflict(format!(
        "A {what} with the code {code} already exists in this {within}."
    ))
}

/// A removal blocked by records that still refer to the thing.
pub fn in_use(what: &str, by: &str) -> ApiError {
    ApiError::Conflict(format!(
        "This {what} still has {by}. Move or remove them first."
    ))
}

/// Records a change (`<entity>.<verb>`) to a structure record in the audit trail and the event outbox.
pub async fn audit<T: serde::Serialize>(
    tx: &crate::state::WriteTx,
    now: chrono::DateTime<chrono::Utc>,
    p: &Principal,
    action: &str,
    id: Uuid,
    before: Option<&T>,
    after: Option<&T>,
) -> ApiResult<()> {
    crate::audit::record(
        tx,
        now,
        &p.who(),
        crate::audit::Change {
            action,
            // `site.created` is about a `site`.
            entity_type: action.split('.').next().unwrap_or(action),
            entity_id: Some(id.to_string()),
            before: before.map(serde_json::to_value).transpose()?,
            after: after.map(serde_json::to_value).transpose()?,
        },
    )
    .await
}
