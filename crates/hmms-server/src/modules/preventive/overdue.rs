//! The overdue check of occurrences: told at the due date, escalated after the grace window.

use hmms_domain::preventive::compliance::InstanceStatus;
use hmms_store::entities::{department, pm_instance, work_order};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use serde_json::json;

use super::instances::audit_instance;
use crate::error::ApiResult;
use crate::modules::notifications::{Message, holders_at_site, send};
use crate::modules::work_orders::{Assignment, workers};
use crate::state::AppState;

/// The overdue check (every 15 minutes): at the due date the assignee and the site's managers
/// are told once; after the grace window the work escalates to the department head and the
/// managers, once.
pub async fn overdue_check(state: &AppState) -> ApiResult<serde_json::Value> {
    let now = state.clock.now();
    let due = pm_instance::Entity::find()
        .filter(pm_instance::Column::Status.eq(InstanceStatus::Generated.key()))
        .filter(pm_instance::Column::DueAt.lte(now))
        .filter(
            Condition::any()
                .add(pm_instance::Column::OverdueNotifiedAt.is_null())
                .add(
                    Condition::all()
                        .add(pm_instance::Column::EscalatedAt.is_null())
                        .add(pm_instance::Column::WindowEndAt.lte(now)),
                ),
        )
        .all(&state.db)
        .await?;
    let (mut overdue, mut escalated) = (0, 0);
    for chunk in due.chunks(200) {
        let tx = state.begin_write().await?;
        for i in chunk {
            let Some(w) = (match i.work_order_id {
                Some(id) => work_order::Entity::find_by_id(id).one(&*tx).await?,
                None => None,
            }) else {
                continue;
            };
            let sys = super::generator::system(&tx, i.organization_id, now).await?;
            let managers =
                holders_at_site(&*tx, i.organization_id, "facility_manager", i.site_id).await?;
            let mut m = i.clone().into_active_model();
            if i.overdue_notified_at.is_none() {
                let mut to = workers(&*tx, Assignment::of(&w)).await?;
                to.extend(managers.iter().copied());
                let msg = Message {
                    kind: "pm_overdue",
                    title: format!("Preventive maintenance due: {}", w.code),
                    body: format!(
                        "\"{}\" was due {}; on time until {}.",
                        w.title,
                        i.due_at.format("%Y-%m-%d %H:%M UTC"),
                        i.window_end_at.format("%Y-%m-%d %H:%M UTC")
                    ),
                    entity_type: "work_order",
                    entity_id: w.id,
                };
                send(&tx, i.organization_id, &to, &msg, now).await?;
                m.overdue_notified_at = Set(Some(now));
                audit_instance(&tx, &sys, "pm_instance.overdue", i, now).await?;
                overdue += 1;
            }
            if i.escalated_at.is_none() && i.window_end_at <= now {
                let mut to = managers.clone();
                if let Some(d) = w.department_id
                    && let Some(head) = department::Entity::find_by_id(d)
                        .one(&*tx)
                        .await?
                        .and_then(|d| d.head_user_id)
                {
                    to.push(head);
                }
                to.extend(workers(&*tx, Assignment::of(&w)).await?);
                let msg = Message {
                    kind: "pm_escalated",
                    title: format!("Preventive maintenance missed its window: {}", w.code),
                    body: format!(
                        "\"{}\" was due {} and is still {}.",
                        w.title,
                        i.due_at.format("%Y-%m-%d"),
                        w.status.key().replace('_', " ")
                    ),
                    entity_type: "work_order",
                    entity_id: w.id,
                };
                send(&tx, i.organization_id, &to, &msg, now).await?;
                m.escalated_at = Set(Some(now));
                audit_instance(&tx, &sys, "pm_instance.escalated", i, now).await?;
                escalated += 1;
            }
            m.updated_at = Set(now);
            m.update(&*tx).await?;
        }
        tx.commit().await?;
    }
    Ok(json!({ "overdue": overdue, "escalated": escalated }))
}
