//! The SLA checker: at 75% of a work order's resolution time it warns the assignee and the
//! site's facility managers once (`SLA_WARNING`); at the deadline it records the breach
//! (`SLA_BREACHED`) and walks the site's escalation chain, telling each level once when its
//! delay has passed (`SLA_ESCALATED`). Flags on the work order make every run idempotent.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use hmms_domain::work_orders::{SlaState, Status, due_steps, sla_state};
use hmms_store::entities::work_order;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Change, Who};
use crate::auth::principal::Meta;
use crate::error::ApiResult;
use crate::modules::notifications::{Message, holders_at_site, send};
use crate::modules::work_orders::{Assignment, escalation_chain, workers};
use crate::state::{AppState, WriteTx};
use hmms_domain::work_orders::{ASSIGNEE, DEPARTMENT_HEAD};

async fn recipients(tx: &WriteTx, w: &work_order::Model, notify: &str) -> ApiResult<Vec<Uuid>> {
    if notify == ASSIGNEE {
        return workers(&**tx, Assignment::of(w)).await;
    }
    if notify == DEPARTMENT_HEAD {
        let head = match w.department_id {
            Some(d) => hmms_store::entities::department::Entity::find_by_id(d)
                .one(&**tx)
                .await?
                .and_then(|d| d.head_user_id),
            None => None,
        };
        return Ok(head.into_iter().collect());
    }
    holders_at_site(&**tx, w.organization_id, notify, w.site_id).await
}

async fn system_audit(
    tx: &WriteTx,
    w: &work_order::Model,
    action: &str,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let meta = Meta {
        ip: None,
        user_agent: Some("hmms sla-check".into()),
        request_id: None,
    };
    let who = Who {
        organization_id: Some(w.organization_id),
        actor_id: None,
        meta: &meta,
    };
    let change = Change {
        action,
        entity_type: "work_order",
        entity_id: Some(w.id.to_string()),
        before: None,
        after: Some(detail),
    };
    audit::record(tx, now, &who, change).await
}

pub async fn run(state: &AppState) -> ApiResult<serde_json::Value> {
    let now = state.clock.now();
    let tx = state.begin_write().await?;
    let open: Vec<&str> = Status::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.key())
        .collect();
    let candidates = work_order::Entity::find()
        .filter(work_order::Column::Status.is_in(open))
        // Preventive work has its own due date, grace window and escalation (pm-overdue).
        .filter(work_order::Column::PmInstanceId.is_null())
        .filter(
            Condition::any()
                .add(work_order::Column::SlaWarnedAt.is_null())
                .add(work_order::Column::SlaBreachedAt.is_null())
                .add(work_order::Column::EscalationLevel.lt(10)),
        )
        .all(&*tx)
        .await?;
    let mut chains: HashMap<Uuid, Vec<hmms_domain::work_orders::EscalationStep>> = HashMap::new();
    let (mut warnings, mut breaches, mut escalations, mut notified) = (0, 0, 0, 0);
    for w in candidates {
        let state_now = sla_state(w.created_at, w.sla_resolution_due_at, now);
        if state_now == SlaState::OnTrack {
            continue;
        }
        let mut m = w.clone().into_active_model();
        let mut changed = false;
        if w.sla_warned_at.is_none() {
            m.sla_warned_at = Set(Some(now));
            changed = true;
            if state_now == SlaState::AtRisk {
                let mut to = recipients(&tx, &w, "assignee").await?;
                to.extend(recipients(&tx, &w, "facility_manager").await?);
                let msg = Message {
                    kind: "sla_warning",
                    title: format!("{} is close to its deadline", w.code),
                    body: format!(
                        "75% of the resolution time for \"{}\" is used; it is due {}.",
                        w.title,
                        w.sla_resolution_due_at.format("%Y-%m-%d %H:%M UTC")
                    ),
                    entity_type: "work_order",
                    entity_id: w.id,
                };
                notified += send(&tx, w.organization_id, &to, &msg, now).await?;
                system_audit(
                    &tx,
                    &w,
                    "sla.warning",
                    json!({ "code": w.code, "dueAt": w.sla_resolution_due_at }),
                    now,
                )
                .await?;
                warnings += 1;
            }
        }
        if state_now == SlaState::Breached {
            let breached = w.sla_breached_at.unwrap_or(w.sla_resolution_due_at);
            if w.sla_breached_at.is_none() {
                m.sla_breached_at = Set(Some(breached));
                changed = true;
                system_audit(
                    &tx,
                    &w,
                    "sla.breached",
                    json!({ "code": w.code, "dueAt": w.sla_resolution_due_at }),
                    now,
                )
                .await?;
                breaches += 1;
            }
            let chain = match chains.get(&w.site_id) {
                Some(c) => c.clone(),
                None => {
                    let c = escalation_chain(&*tx, w.site_id).await?;
                    chains.insert(w.site_id, c.clone());
                    c
                }
            };
            let steps = due_steps(&chain, w.escalation_level, breached, now);
            for step in &steps {
                let to = recipients(&tx, &w, &step.notify).await?;
                let msg = Message {
                    kind: if step.level == 1 {
                        "sla_breached"
                    } else {
                        "sla_escalated"
                    },
                    title: format!(
                        "{} has breached its SLA (escalation level {})",
                        w.code, step.level
                    ),
                    body: format!(
                        "\"{}\" was due {} and is still {}.",
                        w.title,
                        w.sla_resolution_due_at.format("%Y-%m-%d %H:%M UTC"),
                        w.status.key().replace('_', " ")
                    ),
                    entity_type: "work_order",
                    entity_id: w.id,
                };
                notified += send(&tx, w.organization_id, &to, &msg, now).await?;
                system_audit(
                    &tx,
                    &w,
                    "sla.escalated",
                    json!({ "code": w.code, "level": step.level, "notified": step.notify }),
                    now,
                )
                .await?;
                escalations += 1;
            }
            if let Some(last) = steps.last() {
                m.escalation_level = Set(last.level);
                changed = true;
            }
        }
        if changed {
            m.update(&*tx).await?;
        }
    }
    tx.commit().await?;
    Ok(
        json!({ "warnings": warnings, "breaches": breaches, "escalations": escalations, "notifications": notified }),
    )
}
