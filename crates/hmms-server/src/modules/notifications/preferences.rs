//! Which notifications each person receives. Everything is on by default; SLA breaches and
//! escalations cannot be turned off — nobody may mute being told that patient equipment is
//! overdue for repair.

use std::collections::HashMap;

use hmms_store::entities::notification_preference;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, Change};
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::state::AppState;

/// (kind, what it is, whether it can be turned off)
pub const KINDS: &[(&str, &str, bool)] = &[
    ("work_order_assigned", "Work is assigned to you", true),
    (
        "work_order_requested",
        "Someone reported a fault by QR code at your site",
        true,
    ),
    (
        "work_order_completed",
        "Work at your site waits for your approval",
        true,
    ),
    ("work_order_closed", "Work you requested is closed", true),
    (
        "work_order_rejected",
        "Your completed work was sent back",
        true,
    ),
    ("work_order_declined", "Your request was declined", true),
    ("sla_warning", "Work is close to its deadline", true),
    (
        "inventory_low",
        "A spare part fell to its reorder point in a store you look after",
        true,
    ),
    (
        "sla_breached",
        "Work you are doing missed its deadline",
        false,
    ),
    ("sla_escalated", "Overdue work is escalated to you", false),
    (
        "pm_generated",
        "Preventive maintenance is scheduled for you",
        true,
    ),
    (
        "pm_overdue",
        "Preventive maintenance you do or oversee is past its due date",
        true,
    ),
    (
        "pm_escalated",
        "Preventive maintenance passed its grace window undone",
        false,
    ),
    (
        "pm_follow_up",
        "A preventive check failed and needs corrective work",
        true,
    ),
];

/// One kind of notification and whether you receive it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreferenceDto {
    pub kind: String,
    pub description: String,
    pub in_app: bool,
    /// Whether you may turn it off.
    pub optional: bool,
}

/// A change to one kind.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreferenceChange {
    #[schema(example = "sla_warning")]
    pub kind: String,
    pub in_app: bool,
}

async fn current(db: &impl ConnectionTrait, user: Uuid) -> ApiResult<Vec<PreferenceDto>> {
    let saved: HashMap<String, bool> = notification_preference::Entity::find()
        .filter(notification_preference::Column::UserId.eq(user))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.kind, p.in_app))
        .collect();
    Ok(KINDS
        .iter()
        .map(|(k, d, optional)| PreferenceDto {
            kind: (*k).into(),
            description: (*d).into(),
            in_app: !optional || saved.get(*k).copied().unwrap_or(true),
            optional: *optional,
        })
        .collect())
}

pub async fn get(state: &AppState, p: &Principal) -> ApiResult<Vec<PreferenceDto>> {
    current(&state.db, p.id()).await
}

pub async fn put(
    state: &AppState,
    p: &Principal,
    changes: Vec<PreferenceChange>,
) -> ApiResult<Vec<PreferenceDto>> {
    let mut errors = hmms_domain::validate::Errors::default();
    for (i, c) in changes.iter().enumerate() {
        match KINDS.iter().find(|(k, _, _)| *k == c.kind) {
            None => errors.add(
                &format!("[{i}].kind"),
                format!("`{}` is not a kind of notification", c.kind),
            ),
            Some((_, _, false)) if !c.in_app => errors.add(
                &format!("[{i}].inApp"),
                "SLA breaches and escalations cannot be turned off",
            ),
            _ => {}
        }
    }
    errors.into_result()?;
    let tx = state.begin_write().await?;
    let before = current(&*tx, p.id()).await?;
    let now = state.clock.now();
    for c in &changes {
        notification_preference::Entity::delete_many()
            .filter(notification_preference::Column::UserId.eq(p.id()))
            .filter(notification_preference::Column::Kind.eq(c.kind.as_str()))
            .exec(&*tx)
            .await?;
        notification_preference::Entity::insert(notification_preference::ActiveModel {
            user_id: Set(p.id()),
            kind: Set(c.kind.clone()),
            organization_id: Set(p.org()),
            in_app: Set(c.in_app),
            updated_at: Set(now),
        })
        .exec_without_returning(&*tx)
        .await?;
    }
    let after = current(&*tx, p.id()).await?;
    let change = Change {
        action: "notification_preferences.updated",
        entity_type: "user",
        entity_id: Some(p.id().to_string()),
        before: Some(serde_json::to_value(&before)?),
        after: Some(serde_json::to_value(&after)?),
    };
    audit::record(&tx, now, &p.who(), change).await?;
    tx.commit().await?;
    Ok(after)
}

/// Of `recipients`, those who have not turned `kind` off.
pub async fn wanting(
    db: &impl ConnectionTrait,
    recipients: Vec<Uuid>,
    kind: &str,
) -> ApiResult<Vec<Uuid>> {
    let muted: Vec<Uuid> = notification_preference::Entity::find()
        .filter(notification_preference::Column::UserId.is_in(recipients.clone()))
        .filter(notification_preference::Column::Kind.eq(kind))
        .filter(notification_preference::Column::InApp.eq(false))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.user_id)
        .collect();
    Ok(recipients
        .into_iter()
        .filter(|r| !muted.contains(r))
        .collect())
}
