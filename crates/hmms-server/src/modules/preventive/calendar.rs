//! The maintenance calendar: occurrences already generated and those the schedules project,
//! and iCalendar feeds of it behind revocable secret addresses.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use hmms_domain::preventive::schedule::Mode;
use hmms_store::entities::{
    asset, calendar_feed, pm_instance, pm_plan, pm_target, site, work_order,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::dto::*;
use super::instances::status_dto;
use super::targets::Schedule;
use crate::audit::{self, Change};
use crate::auth::principal::{self, Principal};
use crate::auth::tokens::{hash_secret, new_refresh_token};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Entries a calendar answer holds at most.
const MAX_ENTRIES: usize = 5000;
/// A calendar request covers at most this long.
const MAX_RANGE_DAYS: i64 = 400;

/// Who a calendar is for: the filters of a request, or of a feed.
struct Filters {
    site_id: Option<Uuid>,
    department_id: Option<Uuid>,
    /// Work assigned to this person or this company.
    assignee: Option<(Uuid, Option<Uuid>)>,
}

pub async fn calendar(
    state: &AppState,
    p: &Principal,
    q: CalendarQuery,
) -> ApiResult<CalendarPage> {
    p.require("preventive.read")?;
    let assignee = match q.assignee_id {
        Some(id) if id == p.id() => Some((id, p.user.vendor_company_id)),
        Some(id) => Some((id, None)),
        None => None,
    };
    let f = Filters {
        site_id: q.site_id,
        department_id: q.department_id,
        assignee,
    };
    entries(state, p, q.from, q.to, &f).await
}

async fn entries(
    state: &AppState,
    p: &Principal,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    f: &Filters,
) -> ApiResult<CalendarPage> {
    if to <= from {
        return Err(ApiError::validation("to", "must be after `from`"));
    }
    if (to - from).num_days() > MAX_RANGE_DAYS {
        return Err(ApiError::validation(
            "to",
            "a calendar covers at most 400 days",
        ));
    }
    let site_scope = match p.filter() {
        hmms_domain::ScopeFilter::Organization { .. } => None,
        _ => Some(p.user.site_id.unwrap_or_default()),
    };
    let mut plan_q = pm_plan::Entity::find().filter(pm_plan::Column::OrganizationId.eq(p.org()));
    for s in [site_scope, f.site_id].into_iter().flatten() {
        plan_q = plan_q.filter(pm_plan::Column::SiteId.eq(s));
    }
    let plans: HashMap<Uuid, pm_plan::Model> = plan_q
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let plan_ids: Vec<Uuid> = plans.keys().copied().collect();

    let mut instances = Vec::new();
    for ids in plan_ids.chunks(500) {
        instances.extend(
            pm_instance::Entity::find()
                .filter(pm_instance::Column::PlanId.is_in(ids.to_vec()))
                .filter(pm_instance::Column::DueAt.gte(from))
                .filter(pm_instance::Column::DueAt.lt(to))
                .order_by_asc(pm_instance::Column::DueAt)
                .all(&state.db)
                .await?,
        );
    }
    let mut targets = Vec::new();
    for ids in plan_ids.chunks(500) {
        targets.extend(
            pm_target::Entity::find()
                .filter(pm_target::Column::PlanId.is_in(ids.to_vec()))
                .all(&state.db)
                .await?,
        );
    }
    let mut asset_ids: HashSet<Uuid> = instances.iter().map(|i| i.asset_id).collect();
    asset_ids.extend(targets.iter().map(|t| t.asset_id));
    let asset_ids: Vec<Uuid> = asset_ids.into_iter().collect();
    let mut assets: HashMap<Uuid, asset::Model> = HashMap::new();
    for ids in asset_ids.chunks(500) {
        for a in asset::Entity::find()
            .filter(asset::Column::Id.is_in(ids.to_vec()))
            .all(&state.db)
            .await?
        {
            assets.insert(a.id, a);
        }
    }
    let wo_ids: Vec<Uuid> = instances.iter().filter_map(|i| i.work_order_id).collect();
    let mut orders: HashMap<Uuid, work_order::Model> = HashMap::new();
    for ids in wo_ids.chunks(500) {
        for w in work_order::Entity::find()
            .filter(work_order::Column::Id.is_in(ids.to_vec()))
            .all(&state.db)
            .await?
        {
            orders.insert(w.id, w);
        }
    }
    let admits_asset =
        |a: &asset::Model| f.department_id.is_none_or(|d| a.department_id == Some(d));
    let assigned = |plan: &pm_plan::Model, w: Option<&work_order::Model>| match f.assignee {
        None => true,
        Some((u, company)) => {
            let (assignee, vendor) = match w {
                Some(w) => (w.assignee_id, w.vendor_company_id),
                None => (plan.assignee_id, plan.vendor_company_id),
            };
            assignee == Some(u) || (company.is_some() && vendor == company)
        }
    };
    let mut out = Vec::new();
    let mut generated: HashSet<(Uuid, Uuid, DateTime<Utc>)> = HashSet::new();
    for i in &instances {
        generated.insert((i.plan_id, i.asset_id, i.due_at));
        let (Some(plan), Some(a)) = (plans.get(&i.plan_id), assets.get(&i.asset_id)) else {
            continue;
        };
        let w = i.work_order_id.and_then(|id| orders.get(&id));
        if !admits_asset(a) || !assigned(plan, w) {
            continue;
        }
        out.push(CalendarEntry {
            instance_id: Some(i.id),
            plan_id: plan.id,
            plan_name: plan.name.clone(),
            asset_id: a.id,
            asset_tag: a.tag.clone(),
            asset_name: a.name.clone(),
            due_at: i.due_at,
            status: status_dto(i.status),
            projected: false,
            work_order_id: i.work_order_id,
            estimated_minutes: plan.estimated_minutes,
        });
    }
    // Projections: what each active schedule gives in the range and is not generated yet.
    let zones: HashMap<Uuid, String> = site::Entity::find()
        .filter(site::Column::OrganizationId.eq(p.org()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.time_zone))
        .collect();
    let mut truncated = false;
    let mut schedules: HashMap<Uuid, Option<Schedule>> = HashMap::new();
    'targets: for t in &targets {
        let Some(plan) = plans.get(&t.plan_id).filter(|p| p.active) else {
            continue;
        };
        let Some(a) = assets.get(&t.asset_id) else {
            continue;
        };
        if super::targets::OUT_OF_USE.contains(&a.status)
            || !admits_asset(a)
            || !assigned(plan, None)
        {
            continue;
        }
        let schedule = schedules.entry(plan.id).or_insert_with(|| {
            Schedule::of(plan, zones.get(&plan.site_id).map_or("UTC", String::as_str)).ok()
        });
        let Some(schedule) = schedule else { continue };
        let Some(cal) = &schedule.calendar else {
            continue;
        };
        let Some(first) = t.next_due_at else {
            continue;
        };
        // The next due date, then — for a fixed schedule — the rule's later dates in one walk
        // (a floating schedule's later dates depend on when this one is done).
        let mut dates = vec![first];
        if schedule.mode == Mode::Fixed && first < to {
            dates.extend(
                cal.between(first, to, MAX_ENTRIES + 1)
                    .into_iter()
                    .filter(|d| *d > first),
            );
        }
        for at in dates.into_iter().take_while(|d| *d < to) {
            if at >= from && !generated.contains(&(plan.id, a.id, at)) {
                if out.len() >= MAX_ENTRIES {
                    truncated = true;
                    break 'targets;
                }
                out.push(CalendarEntry {
                    instance_id: None,
                    plan_id: plan.id,
                    plan_name: plan.name.clone(),
                    asset_id: a.id,
                    asset_tag: a.tag.clone(),
                    asset_name: a.name.clone(),
                    due_at: at,
                    status: InstanceStatusDto::Scheduled,
                    projected: true,
                    work_order_id: None,
                    estimated_minutes: plan.estimated_minutes,
                });
            }
        }
    }
    out.sort_by(|a, b| a.due_at.cmp(&b.due_at).then(a.asset_tag.cmp(&b.asset_tag)));
    Ok(CalendarPage {
        entries: out,
        truncated,
    })
}

fn scope_key(s: FeedScopeDto) -> &'static str {
    match s {
        FeedScopeDto::Mine => "mine",
        FeedScopeDto::Department => "department",
        FeedScopeDto::Site => "site",
    }
}

fn scope_of(key: &str) -> FeedScopeDto {
    match key {
        "department" => FeedScopeDto::Department,
        "site" => FeedScopeDto::Site,
        _ => FeedScopeDto::Mine,
    }
}

fn feed_dto(f: calendar_feed::Model, url: Option<String>) -> FeedDto {
    FeedDto {
        id: f.id,
        name: f.name,
        scope: scope_of(&f.scope),
        scope_id: f.scope_id,
        url,
        created_at: f.created_at,
        last_used_at: f.last_used_at,
    }
}

pub async fn feeds(state: &AppState, p: &Principal) -> ApiResult<Vec<FeedDto>> {
    p.require("preventive.read")?;
    Ok(calendar_feed::Entity::find()
        .filter(calendar_feed::Column::UserId.eq(p.id()))
        .filter(calendar_feed::Column::RevokedAt.is_null())
        .order_by_desc(calendar_feed::Column::CreatedAt)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|f| feed_dto(f, None))
        .collect())
}

/// Makes a feed address; its secret is in the answer only.
pub async fn create_feed(
    state: &AppState,
    p: &Principal,
    body: CreateFeed,
    host: Option<&str>,
) -> ApiResult<FeedDto> {
    p.require("preventive.read")?;
    let name = body
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    if name.as_ref().is_some_and(|n| n.chars().count() > 120) {
        return Err(ApiError::validation(
            "name",
            "must be at most 120 characters",
        ));
    }
    let tx = state.begin_write().await?;
    let default_name = match body.scope {
        FeedScopeDto::Mine => {
            if body.scope_id.is_some() {
                return Err(ApiError::validation(
                    "scopeId",
                    "a feed of your own work names nothing else",
                ));
            }
            "My preventive maintenance".to_string()
        }
        FeedScopeDto::Department => {
            let d =
                crate::modules::org::find_department(&*tx, p, body.scope_id.unwrap_or_default())
                    .await
                    .map_err(|_| ApiError::validation("scopeId", "no such department"))?;
            if !super::plans::sees_site(p, d.site_id) {
                return Err(ApiError::Forbidden(
                    "That department is outside what you may see.".into(),
                ));
            }
            format!("Preventive maintenance: {}", d.name)
        }
        FeedScopeDto::Site => {
            let s = crate::modules::org::find_site(&*tx, p, body.scope_id.unwrap_or_default())
                .await
                .map_err(|_| ApiError::validation("scopeId", "no such site"))?;
            if !super::plans::sees_site(p, s.id) {
                return Err(ApiError::Forbidden(
                    "That site is outside what you may see.".into(),
                ));
            }
            format!("Preventive maintenance: {}", s.name)
        }
    };
    let secret = new_refresh_token();
    let now = state.clock.now();
    let f = calendar_feed::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(p.org()),
        user_id: Set(p.id()),
        scope: Set(scope_key(body.scope).into()),
        scope_id: Set(body.scope_id),
        name: Set(name.unwrap_or(default_name)),
        token_hash: Set(hash_secret(&secret)),
        created_at: Set(now),
        revoked_at: Set(None),
        last_used_at: Set(None),
    }
    .insert(&*tx)
    .await?;
    audit::record(
        &tx,
        now,
        &p.who(),
        Change {
            action: "calendar_feed.created",
            entity_type: "calendar_feed",
            entity_id: Some(f.id.to_string()),
            before: None,
            after: Some(
                serde_json::json!({ "name": f.name, "scope": f.scope, "scopeId": f.scope_id }),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    let base = crate::modules::assets::base_url(state, host);
    Ok(feed_dto(
        f,
        Some(format!("{base}/api/v1/preventive/feeds/{secret}.ics")),
    ))
}

pub async fn revoke_feed(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<()> {
    let tx = state.begin_write().await?;
    let f = calendar_feed::Entity::find_by_id(id)
        .one(&*tx)
        .await?
        .filter(|f| f.user_id == p.id() && f.revoked_at.is_none())
        .ok_or_else(|| ApiError::not_found("calendar feed"))?;
    let now = state.clock.now();
    let mut m = f.clone().into_active_model();
    m.revoked_at = Set(Some(now));
    m.update(&*tx).await?;
    audit::record(
        &tx,
        now,
        &p.who(),
        Change {
            action: "calendar_feed.revoked",
            entity_type: "calendar_feed",
            entity_id: Some(id.to_string()),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An iCalendar text line, folded at 75 octets with `\` escapes (RFC 5545 §3.1, §3.3.11).
fn line(out: &mut String, name: &str, value: &str) {
    let escaped = value
        .replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n");
    let full = format!("{name}:{escaped}");
    let mut count = 0;
    for ch in full.chars() {
        let n = ch.len_utf8();
        if count + n > 75 {
            out.push_str("\r\n ");
            count = 1;
        }
        out.push(ch);
        count += n;
    }
    out.push_str("\r\n");
}

fn ics_time(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The feed behind a secret address, as an iCalendar file: 30 days back, 180 ahead.
pub async fn ics(state: &AppState, secret: &str, host: Option<&str>) -> ApiResult<String> {
    let secret = secret.trim_end_matches(".ics");
    let not_found =
        || ApiError::NotFound("There is no such calendar feed, or it was revoked.".into());
    let f = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::TokenHash.eq(hash_secret(secret)))
        .filter(calendar_feed::Column::RevokedAt.is_null())
        .one(&state.db)
        .await?
        .ok_or_else(not_found)?;
    // The feed shows what its owner may see today; a deactivated owner's feeds stop.
    let p = principal::load(&state.db, f.user_id, Default::default())
        .await?
        .filter(|p| p.can("preventive.read"))
        .ok_or_else(not_found)?;
    let now = state.clock.now();
    let filters = Filters {
        site_id: (f.scope == "site").then_some(f.scope_id).flatten(),
        department_id: (f.scope == "department").then_some(f.scope_id).flatten(),
        assignee: (f.scope == "mine").then_some((p.id(), p.user.vendor_company_id)),
    };
    let page = entries(
        state,
        &p,
        now - Duration::days(30),
        now + Duration::days(180),
        &filters,
    )
    .await?;
    if f.last_used_at.is_none_or(|t| now - t > Duration::hours(1)) {
        let tx = state.begin_write().await?;
        let mut m = f.clone().into_active_model();
        m.last_used_at = Set(Some(now));
        m.update(&*tx).await?;
        tx.commit().await?;
    }
    let base = crate::modules::assets::base_url(state, host);
    let mut out = String::new();
    line(&mut out, "BEGIN", "VCALENDAR");
    line(&mut out, "VERSION", "2.0");
    line(&mut out, "PRODID", "-//HMMS//Preventive maintenance//EN");
    line(&mut out, "CALSCALE", "GREGORIAN");
    line(&mut out, "X-WR-CALNAME", &f.name);
    for e in page.entries {
        line(&mut out, "BEGIN", "VEVENT");
        let uid = match e.instance_id {
            Some(id) => format!("{id}@hmms"),
            None => format!("{}-{}-{}@hmms", e.plan_id, e.asset_id, e.due_at.timestamp()),
        };
        line(&mut out, "UID", &uid);
        line(&mut out, "DTSTAMP", &ics_time(now));
        line(&mut out, "DTSTART", &ics_time(e.due_at));
        line(
            &mut out,
            "DURATION",
            &format!("PT{}M", e.estimated_minutes.unwrap_or(60)),
        );
        line(
            &mut out,
            "SUMMARY",
            &format!("PM: {} — {} {}", e.plan_name, e.asset_name, e.asset_tag),
        );
        let status = match e.status {
            InstanceStatusDto::Scheduled => "scheduled",
            InstanceStatusDto::Generated => "open",
            InstanceStatusDto::CompletedOnTime => "done on time",
            InstanceStatusDto::CompletedLate => "done late",
            InstanceStatusDto::Missed => "missed",
        };
        line(&mut out, "DESCRIPTION", &format!("Status: {status}"));
        if let Some(w) = e.work_order_id {
            line(&mut out, "URL", &format!("{base}/work-orders/{w}"));
        }
        if matches!(
            e.status,
            InstanceStatusDto::CompletedOnTime | InstanceStatusDto::CompletedLate
        ) {
            line(&mut out, "STATUS", "CONFIRMED");
        } else if e.status == InstanceStatusDto::Missed {
            line(&mut out, "STATUS", "CANCELLED");
        } else {
            line(&mut out, "STATUS", "TENTATIVE");
        }
        line(&mut out, "END", "VEVENT");
    }
    line(&mut out, "END", "VCALENDAR");
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_lines_fold_at_75_octets_and_text_is_escaped() {
        let mut out = String::new();
        super::line(
            &mut out,
            "SUMMARY",
            &format!("PM; {}, done", "é".repeat(60)),
        );
        let lines: Vec<&str> = out.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(lines.iter().all(|l| l.len() <= 75), "{lines:?}");
        assert!(lines[1].starts_with(' '));
        assert!(out.starts_with("SUMMARY:PM\\; "));
        assert!(out.contains("\\, done"));
    }
}
