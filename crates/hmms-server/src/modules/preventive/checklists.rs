//! The checklist of a work order: read it, save answers as the technician goes (also from the
//! offline queue: a save replaces the answers, so replaying it is harmless).

use hmms_domain::preventive::checklist::{self, Answer, Evaluation, Item, ItemKind};
use hmms_domain::work_orders::Status;
use hmms_store::entities::{
    attachment, checklist_template as tpl, checklist_template_version as ver, work_order_checklist,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use super::dto::*;
use super::templates::parse_items;
use crate::audit::{self, Change};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::modules::work_orders::{find_visible, history, rights, status_of};
use crate::pagination::check_version;
use crate::state::AppState;

async fn items_of(
    db: &impl ConnectionTrait,
    c: &work_order_checklist::Model,
) -> ApiResult<(Vec<Item>, ver::Model)> {
    let v = ver::Entity::find_by_id(c.template_version_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("checklist version missing")))?;
    Ok((parse_items(&v.items), v))
}

fn answers_of(c: &work_order_checklist::Model) -> Vec<Answer> {
    serde_json::from_str(&c.answers).unwrap_or_default()
}

/// The stored answers judged against the checklist's version.
pub async fn evaluate_row(
    db: &impl ConnectionTrait,
    c: &work_order_checklist::Model,
) -> ApiResult<Evaluation> {
    let (items, _) = items_of(db, c).await?;
    // Stored answers were valid when saved; a version never changes, so they still are.
    Ok(checklist::evaluate(&items, &answers_of(c)).unwrap_or_default())
}

/// The labels of the failed items, with the measured value where there is one.
pub async fn failed_labels(
    db: &impl ConnectionTrait,
    c: &work_order_checklist::Model,
    ev: &Evaluation,
) -> ApiResult<Vec<String>> {
    let (items, _) = items_of(db, c).await?;
    let answers = answers_of(c);
    Ok(ev
        .failed
        .iter()
        .filter_map(|k| items.iter().find(|i| &i.key == k))
        .map(|i| {
            let a = answers.iter().find(|a| a.key == i.key);
            match (i.kind, a.and_then(|a| a.value)) {
                (ItemKind::Number, Some(v)) => {
                    let unit = i.unit.clone().unwrap_or_default();
                    let range = match (i.min, i.max) {
                        (Some(lo), Some(hi)) => format!(" (acceptable {lo}–{hi} {unit})"),
                        (None, Some(hi)) => format!(" (at most {hi} {unit})"),
                        (Some(lo), None) => format!(" (at least {lo} {unit})"),
                        (None, None) => String::new(),
                    };
                    format!("{}: {v} {unit}{range}", i.label).replace("  ", " ")
                }
                _ => i.label.clone(),
            }
        })
        .collect())
}

async fn view(
    db: &impl ConnectionTrait,
    c: work_order_checklist::Model,
) -> ApiResult<ChecklistDto> {
    let (items, v) = items_of(db, &c).await?;
    let answers = answers_of(&c);
    let ev = checklist::evaluate(&items, &answers).unwrap_or_default();
    let template = tpl::Entity::find_by_id(v.template_id).one(db).await?;
    Ok(ChecklistDto {
        work_order_id: c.work_order_id,
        template_id: v.template_id,
        template_name: template.map(|t| t.name).unwrap_or_default(),
        version_number: v.number,
        items: items.into_iter().map(Into::into).collect(),
        answers: answers.into_iter().map(Into::into).collect(),
        outcomes: ev
            .outcomes
            .iter()
            .map(|(k, o)| (k.clone(), outcome_key(*o).to_string()))
            .collect(),
        missing: ev.missing,
        failed: ev.failed,
        result: c.result,
        updated_at: c.updated_at,
        version: c.version,
    })
}

pub async fn get(state: &AppState, p: &Principal, work_order_id: Uuid) -> ApiResult<ChecklistDto> {
    let w = find_visible(&state.db, p, work_order_id).await?;
    let c = work_order_checklist::Entity::find_by_id(w.id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("checklist"))?;
    view(&state.db, c).await
}

pub async fn save(
    state: &AppState,
    p: &Principal,
    work_order_id: Uuid,
    body: SaveChecklist,
) -> ApiResult<ChecklistDto> {
    let tx = state.begin_write().await?;
    let w = find_visible(&*tx, p, work_order_id).await?;
    if !rights(p, &w).execute_own {
        return Err(ApiError::Forbidden(
            "Only the assigned technician or vendor fills in the checklist.".into(),
        ));
    }
    if !matches!(
        status_of(&w),
        Status::Assigned | Status::InProgress | Status::OnHold
    ) {
        return Err(ApiError::Conflict(format!(
            "The checklist of a {} work order cannot change.",
            status_of(&w).key()
        )));
    }
    let c = work_order_checklist::Entity::find_by_id(w.id)
        .one(&*tx)
        .await?
        .ok_or_else(|| ApiError::not_found("checklist"))?;
    check_version(body.version, c.version)?;
    let (items, _) = items_of(&*tx, &c).await?;
    let answers: Vec<Answer> = body.answers.into_iter().map(Into::into).collect();
    let ev = match checklist::evaluate(&items, &answers) {
        Ok(ev) => ev,
        Err(problems) => {
            let mut errors = hmms_domain::validate::Errors::default();
            for pr in problems {
                errors.add(&pr.field, pr.message);
            }
            errors.into_result()?;
            unreachable!("problems were reported")
        }
    };
    // Photos and signatures must be this work order's own, of the right kind.
    for (i, a) in answers.iter().enumerate() {
        let Some(att) = a.attachment_id else { continue };
        let Some(item) = items.iter().find(|it| it.key == a.key) else {
            return Err(ApiError::validation(
                &format!("answers[{i}].key"),
                "is not an item of this checklist",
            ));
        };
        use hmms_domain::files::AttachmentKind as Kind;
        let kind = if item.kind == ItemKind::Signature {
            Kind::Signature
        } else {
            Kind::Photo
        };
        let ok = attachment::Entity::find_by_id(att)
            .filter(attachment::Column::EntityId.eq(w.id))
            .one(&*tx)
            .await?
            .is_some_and(|x| x.kind == kind || (kind == Kind::Photo && x.kind == Kind::Document));
        if !ok {
            return Err(ApiError::validation(
                &format!("answers[{i}].attachmentId"),
                format!("attach a {kind} to this work order first, then name it here"),
            ));
        }
    }
    let result = if !ev.complete() {
        "pending"
    } else if ev.failed.is_empty() {
        "passed"
    } else {
        "failed"
    };
    let now = state.clock.now();
    let before = json!({ "answers": c.answers, "result": c.result });
    let mut m = c.clone().into_active_model();
    m.answers = Set(serde_json::to_string(&answers)?);
    m.result = Set(result.into());
    m.updated_by = Set(Some(p.id()));
    m.updated_at = Set(now);
    m.version = Set(c.version + 1);
    let updated = m.update(&*tx).await?;
    history(
        &tx,
        &w,
        Some(p.id()),
        "checklist",
        None,
        json!({ "answered": answers.len(), "failed": ev.failed, "result": result }),
        now,
    )
    .await?;
    audit::record(
        &tx,
        now,
        &p.who(),
        Change {
            action: "work_order.checklist_saved",
            entity_type: "work_order",
            entity_id: Some(w.id.to_string()),
            before: Some(before),
            after: Some(json!({ "answers": answers, "result": result })),
        },
    )
    .await?;
    let dto = view(&*tx, updated).await?;
    tx.commit().await?;
    Ok(dto)
}
