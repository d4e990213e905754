//! The front door of work orders: the only way any code — routes, group commit, the preventive
//! generator, acceptance inspections, recalls, public requests — raises a work order or moves its
//! status. Raising numbers, writes the row and its first history line, tells the assignees and
//! audits; a status step sets what the step implies, writes history and runs the hooks other
//! modules registered ([`super::hooks`]). Callers save the row and audit the step.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, SubsecRound, Utc};
use hmms_domain::RecordScope;
use hmms_domain::work_orders::{
    self as rules, Priority, Rights, SlaTimes, Status, TransitionError, WorkOrderType,
};
use hmms_store::entities::{code_counter, department, work_order, work_order_history};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, ExprTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use super::assignment::{self, Assignment};
use super::dto::WorkOrderDto;
use super::hooks::Step;
use crate::audit::{self, Change, Who};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::modules::notifications::{Message, send};
use crate::state::WriteTx;

/// The status of a work order (a typed column: an unknown stored value fails the read).
pub fn status_of(w: &work_order::Model) -> Status {
    w.status
}

/// Who a work order belongs to, for the scope rules.
pub fn record_scope(w: &work_order::Model) -> RecordScope {
    RecordScope {
        organization_id: w.organization_id,
        site_id: Some(w.site_id),
        department_id: w.department_id,
        people: std::iter::once(w.requester_id)
            .chain(w.assignee_id)
            .collect(),
        company_id: w.vendor_company_id,
    }
}

/// What the principal may do to this work order under the status machine's role rules.
pub fn rights(p: &Principal, w: &work_order::Model) -> Rights {
    Rights {
        assign: p.can("work_order.assign"),
        approve: p.can("work_order.approve_close"),
        execute_own: p.can("work_order.execute") && assignment::is_worker(p, w),
        requester: w.requester_id == p.id(),
    }
}

/// A work order the principal may see, or 404 — also when it exists outside their scope.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    p: &Principal,
    id: Uuid,
) -> ApiResult<work_order::Model> {
    p.require("work_order.read")?;
    work_order::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|w| p.sees(&record_scope(w)))
        .ok_or_else(|| ApiError::not_found("work order"))
}

/// The 409 (or 403) for a step the status machine refuses, naming the steps that are open.
pub fn transition_error(from: Status, to: Status, e: TransitionError) -> ApiError {
    match e {
        TransitionError::Invalid { allowed } => ApiError::InvalidTransition {
            detail: format!(
                "A work order that is {} cannot become {}. You may move it to: {}.",
                from.key(),
                to.key(),
                if allowed.is_empty() {
                    "nothing (no step is open to you)".into()
                } else {
                    allowed
                        .iter()
                        .map(|s| s.key())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
            allowed: allowed.iter().map(|s| s.key().to_string()).collect(),
        },
        TransitionError::Forbidden => ApiError::Forbidden(format!(
            "Your role may not move this work order from {} to {}.",
            from.key(),
            to.key()
        )),
    }
}

/// Appends a line to the work order's history.
pub async fn history(
    tx: &WriteTx,
    w: &work_order::Model,
    actor: Option<Uuid>,
    kind: &str,
    status: Option<(Status, Status)>,
    detail: Value,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    history_line(w.organization_id, w.id, actor, kind, status, &detail, now)
        .insert(&**tx)
        .await?;
    Ok(())
}

/// Tells people about a work order.
pub async fn notify(
    tx: &WriteTx,
    w: &work_order::Model,
    to: &[Uuid],
    kind: &str,
    title: String,
    body: String,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let msg = Message {
        kind,
        title,
        body,
        entity_type: "work_order",
        entity_id: w.id,
    };
    send(tx, w.organization_id, to, &msg, now).await?;
    Ok(())
}

/// A checked work order, ready to be raised.
#[derive(Clone)]
pub struct NewWorkOrder {
    /// Chosen by the caller when something must refer to it before it is written (a photo
    /// stored first); otherwise a new UUIDv7.
    pub id: Option<Uuid>,
    pub site_id: Uuid,
    pub title: String,
    pub description: String,
    pub wo_type: WorkOrderType,
    pub priority: Priority,
    pub sla: SlaTimes,
    pub asset_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub location_id: Option<Uuid>,
    pub assignment: Option<Assignment>,
    pub signature_required: bool,
    /// Fixed response and resolution deadlines instead of the SLA policy's (preventive work is
    /// due when its plan says).
    pub due: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub pm_instance_id: Option<Uuid>,
    pub follow_up_of: Option<Uuid>,
}

/// Who raises a work order.
#[derive(Clone, Copy)]
pub enum Raiser<'a> {
    /// A signed-in person, or a system account acting as one (the preventive generator).
    Person(&'a Principal),
    /// Someone who did not sign in (a QR-code report): the work order is requested by the
    /// site's public-requester account, the history line has no actor and carries `detail`.
    Public {
        requester_id: Uuid,
        who: &'a Who<'a>,
        detail: &'a Value,
    },
}

impl Raiser<'_> {
    fn organization_id(&self) -> Option<Uuid> {
        match self {
            Raiser::Person(p) => Some(p.org()),
            Raiser::Public { who, .. } => who.organization_id,
        }
    }
}

/// How a new work order is made known.
pub enum Notice {
    /// Tell its assignees, and audit the work order as its full view (a person's create).
    Assignees,
    /// Tell nobody now — the caller tells people once for many — and audit these facts with
    /// the work order's code and status.
    Quiet(Value),
}

/// One work order to raise.
pub struct Raise<'a> {
    pub by: Raiser<'a>,
    pub new: NewWorkOrder,
    pub at: DateTime<Utc>,
    pub notice: Notice,
}

/// A raised work order: its row, and its view when it was raised by a person with
/// [`Notice::Assignees`].
pub struct Raised {
    pub row: work_order::Model,
    pub view: Option<WorkOrderDto>,
}

/// Raises one work order in the caller's transaction, as a person, telling its assignees.
pub async fn raise(
    tx: &WriteTx,
    p: &Principal,
    new: NewWorkOrder,
    now: DateTime<Utc>,
) -> ApiResult<WorkOrderDto> {
    let raised = raise_many(
        tx,
        vec![Raise {
            by: Raiser::Person(p),
            new,
            at: now,
            notice: Notice::Assignees,
        }],
    )
    .await?;
    let view = raised.into_iter().next().and_then(|r| r.view);
    view.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a raised work order has no view")))
}

/// Raises work orders in the caller's transaction: one numbering statement per site and year,
/// the rows and their first history lines in multi-row statements, then each one's notice and
/// audit entry. The caller commits.
pub async fn raise_many(tx: &WriteTx, raises: Vec<Raise<'_>>) -> ApiResult<Vec<Raised>> {
    // Numbers, per organization, site and year, in the order the work orders were given.
    let mut groups: BTreeMap<(Uuid, Uuid, i32), Vec<usize>> = BTreeMap::new();
    for (i, r) in raises.iter().enumerate() {
        let org = r
            .by
            .organization_id()
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a raiser without organization")))?;
        groups
            .entry((org, r.new.site_id, r.at.year()))
            .or_default()
            .push(i);
    }
    let mut codes = vec![String::new(); raises.len()];
    for ((org, site, year), members) in groups {
        let reserved = reserve_codes(tx, org, site, year, members.len()).await?;
        for (i, code) in members.into_iter().zip(reserved) {
            codes[i] = code;
        }
    }
    let built: Vec<(Raise<'_>, Built)> = raises
        .into_iter()
        .zip(codes)
        .map(|(r, code)| build(&r, code).map(|b| (r, b)))
        .collect::<ApiResult<_>>()?;
    let rows: Vec<work_order::Model> = built.iter().map(|(_, b)| b.row.clone()).collect();
    let lines: Vec<work_order_history::ActiveModel> =
        built.iter().map(|(_, b)| b.history.clone()).collect();
    write(tx, &rows, &lines).await?;
    let mut out = Vec::with_capacity(built.len());
    let mut triagers = Triagers::default();
    for (r, b) in built {
        out.push(announce(tx, r, b, &mut triagers).await?);
    }
    Ok(out)
}

/// Who hears of a new request nobody is on yet: the site's facility managers (looked up once
/// per site in a batch) and the head of its department.
#[derive(Default)]
struct Triagers(BTreeMap<(Uuid, Uuid), Vec<Uuid>>);

impl Triagers {
    async fn of(&mut self, tx: &WriteTx, w: &work_order::Model) -> ApiResult<Vec<Uuid>> {
        let key = (w.organization_id, w.site_id);
        if let std::collections::btree_map::Entry::Vacant(slot) = self.0.entry(key) {
            let managers = crate::modules::notifications::holders_at_site(
                &**tx,
                w.organization_id,
                "facility_manager",
                w.site_id,
            )
            .await?;
            slot.insert(managers);
        }
        let mut to = self.0.get(&key).cloned().unwrap_or_default();
        if let Some(d) = w.department_id
            && let Some(head) = department::Entity::find_by_id(d)
                .one(&**tx)
                .await?
                .and_then(|d| d.head_user_id)
        {
            to.push(head);
        }
        to.retain(|u| *u != w.requester_id);
        to.sort();
        to.dedup();
        Ok(to)
    }
}

/// Writes new work orders and their history lines in multi-row statements, each as large as
/// the backend takes.
pub(super) async fn write(
    tx: &WriteTx,
    rows: &[work_order::Model],
    lines: &[work_order_history::ActiveModel],
) -> ApiResult<()> {
    let backend = tx.get_database_backend();
    let rows: Vec<work_order::ActiveModel> = rows
        .iter()
        .map(|r| sea_orm::IntoActiveModel::into_active_model(r.clone()))
        .collect();
    let size =
        |w: &work_order::ActiveModel| w.title.as_ref().len() + w.description.as_ref().len() + 600;
    for run in crate::audit::batches_for(backend, &rows, size) {
        work_order::Entity::insert_many(run.to_vec())
            .exec_without_returning(&**tx)
            .await?;
    }
    for run in crate::audit::batches_for(backend, lines, |h| h.detail.as_ref().len()) {
        work_order_history::Entity::insert_many(run.to_vec())
            .exec_without_returning(&**tx)
            .await?;
    }
    Ok(())
}

/// A history line of work order `w` (of organization `org`).
pub(super) fn history_line(
    org: Uuid,
    w: Uuid,
    actor: Option<Uuid>,
    kind: &str,
    status: Option<(Status, Status)>,
    detail: &Value,
    at: DateTime<Utc>,
) -> work_order_history::ActiveModel {
    work_order_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org),
        work_order_id: Set(w),
        actor_id: Set(actor),
        kind: Set(kind.into()),
        from_status: Set(status.map(|(f, _)| f.key().into())),
        to_status: Set(status.map(|(_, t)| t.key().into())),
        detail: Set(detail.to_string()),
        created_at: Set(at),
    }
}

/// A new work order as it will be stored, with its first history line.
struct Built {
    row: work_order::Model,
    history: work_order_history::ActiveModel,
}

/// Builds a new work order numbered `code`, without touching the database.
fn build(r: &Raise<'_>, code: String) -> ApiResult<Built> {
    let n = &r.new;
    // Stored timestamps keep microseconds; building with the same keeps the answer equal to
    // what a later read returns.
    let now = r.at.trunc_subsecs(6);
    let status = if n.assignment.is_some() {
        Status::Assigned
    } else {
        Status::Pending
    };
    let (organization_id, requester_id, actor) = match r.by {
        Raiser::Person(p) => (p.org(), p.id(), Some(p.id())),
        Raiser::Public {
            requester_id, who, ..
        } => (
            who.organization_id.ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!("a public request without organization"))
            })?,
            requester_id,
            None,
        ),
    };
    let row = row_of(n, organization_id, requester_id, code, status, now);
    let mut detail = json!({
        "status": status.key(),
        "assigneeId": row.assignee_id,
        "vendorCompanyId": row.vendor_company_id,
    });
    if let (Raiser::Public { detail: extra, .. }, Some(d)) = (r.by, detail.as_object_mut()) {
        d.extend(
            extra
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
    }
    let history = history_line(
        row.organization_id,
        row.id,
        actor,
        "created",
        None,
        &detail,
        now,
    );
    Ok(Built { row, history })
}

/// The row of a new work order numbered `code`, raised at `now` in `status` (pending, or
/// assigned when it names its workers): the one place a work order's columns are filled.
pub(super) fn row_of(
    n: &NewWorkOrder,
    organization_id: Uuid,
    requester_id: Uuid,
    code: String,
    status: Status,
    now: DateTime<Utc>,
) -> work_order::Model {
    let (response_due, resolution_due) = n.due.unwrap_or_else(|| rules::deadlines(now, n.sla));
    work_order::Model {
        id: n.id.unwrap_or_else(Uuid::now_v7),
        organization_id,
        site_id: n.site_id,
        code,
        title: n.title.clone(),
        description: n.description.clone(),
        wo_type: n.wo_type,
        priority: n.priority,
        status,
        asset_id: n.asset_id,
        department_id: n.department_id,
        location_id: n.location_id,
        requester_id,
        assignee_id: n.assignment.and_then(|a| a.assignee),
        vendor_company_id: n.assignment.and_then(|a| a.company),
        sla_response_due_at: response_due,
        sla_resolution_due_at: resolution_due,
        first_response_at: None,
        started_at: None,
        completed_at: None,
        closed_at: None,
        closed_by: None,
        downtime_minutes: None,
        resolution_category: None,
        failure_problem: None,
        failure_cause: None,
        failure_remedy: None,
        vendor_cost_minor: 0,
        signature_required: n.signature_required,
        rejection_reason: None,
        cancellation_reason: None,
        escalation_level: 0,
        hold_reason: None,
        on_hold_since: None,
        hold_minutes: 0,
        sla_warned_at: None,
        sla_breached_at: None,
        created_at: now,
        updated_at: now,
        version: 1,
        pm_instance_id: n.pm_instance_id,
        follow_up_of: n.follow_up_of,
    }
}

/// After a built work order's row and history line are written: its notice and audit entry.
async fn announce(
    tx: &WriteTx,
    r: Raise<'_>,
    b: Built,
    triagers: &mut Triagers,
) -> ApiResult<Raised> {
    let w = b.row;
    let now = w.created_at;
    match (r.notice, r.by) {
        (Notice::Assignees, Raiser::Person(p)) => {
            if let Some(a) = r.new.assignment {
                let title = format!("New work: {}", w.code);
                let to = assignment::workers(&**tx, a).await?;
                notify(
                    tx,
                    &w,
                    &to,
                    "work_order_assigned",
                    title,
                    w.title.clone(),
                    now,
                )
                .await?;
            } else {
                // A request nobody is on yet: those who triage it hear of it, in the app as by
                // a QR report.
                let to = triagers.of(tx, &w).await?;
                notify(
                    tx,
                    &w,
                    &to,
                    "work_order_requested",
                    format!("New request: {}", w.code),
                    w.title.clone(),
                    now,
                )
                .await?;
            }
            // Nothing is logged or priced on new work yet, so the view needs no further reads.
            let view = super::query::dto_of(p, w.clone(), Default::default(), now);
            let change = Change {
                action: "work_order.created",
                entity_type: "work_order",
                entity_id: Some(view.id.to_string()),
                before: None,
                after: Some(serde_json::to_value(&view)?),
            };
            audit::record(tx, now, &p.who(), change).await?;
            Ok(Raised {
                row: w,
                view: Some(view),
            })
        }
        (Notice::Assignees, Raiser::Public { .. }) => Err(ApiError::Internal(anyhow::anyhow!(
            "a public request is raised quietly: it has no person to show it to"
        ))),
        (Notice::Quiet(facts), by) => {
            let mut after = json!({ "code": w.code, "status": w.status });
            if let (Some(a), Some(f)) = (after.as_object_mut(), facts.as_object()) {
                a.extend(f.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            let change = Change {
                action: "work_order.created",
                entity_type: "work_order",
                entity_id: Some(w.id.to_string()),
                before: None,
                after: Some(after),
            };
            match by {
                Raiser::Person(p) => audit::record(tx, now, &p.who(), change).await?,
                Raiser::Public { who, .. } => audit::record(tx, now, who, change).await?,
            }
            Ok(Raised { row: w, view: None })
        }
    }
}

/// Reserves the next `count` work-order numbers of a site's year, in order. One statement
/// (insert or increment, returning the last number) keeps the time under the write lock short;
/// both SQLite (3.35+) and PostgreSQL support it.
pub async fn reserve_codes(
    tx: &WriteTx,
    org: Uuid,
    site: Uuid,
    year: i32,
    count: usize,
) -> ApiResult<Vec<String>> {
    let count = i64::try_from(count)
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("too many codes at once")))?;
    let counter = code_counter::Entity::insert(code_counter::ActiveModel {
        site_id: Set(site),
        prefix: Set("WO".into()),
        year: Set(year),
        organization_id: Set(org),
        last_number: Set(count),
    })
    .on_conflict(
        OnConflict::columns([
            code_counter::Column::SiteId,
            code_counter::Column::Prefix,
            code_counter::Column::Year,
        ])
        .value(
            code_counter::Column::LastNumber,
            Expr::col((code_counter::Entity, code_counter::Column::LastNumber)).add(count),
        )
        .to_owned(),
    )
    .exec_with_returning(&**tx)
    .await?;
    let last = counter.last_number;
    Ok((last - count + 1..=last)
        .map(|n| rules::code("WO", year, n))
        .collect())
}

/// A status step through the front door.
pub struct Move<'a> {
    pub from: Status,
    pub to: Status,
    /// What the history line records beside the step.
    pub detail: Value,
    /// Why, for a cancellation (hooks are told).
    pub reason: Option<&'a str>,
    /// How the work was resolved, for a completion (hooks are told).
    pub resolution: &'a str,
    /// The code of the (active) reason, for a step onto hold.
    pub hold_reason: Option<&'a str>,
}

/// Takes a status step on `m` (the caller's copy of `current`, which the caller saves and
/// audits): the hooks' checks before a completion, the timestamps and timers the step implies,
/// the history line, then every registered hook's reaction — all in the caller's transaction.
/// The caller has judged the step against the status machine.
pub async fn transition(
    tx: &WriteTx,
    p: &Principal,
    current: &work_order::Model,
    m: &mut work_order::ActiveModel,
    mv: Move<'_>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let hooks = tx.registered::<super::Wiring>()?.hooks.clone();
    if mv.to == Status::Completed {
        for h in hooks.iter() {
            h.before_complete(tx, current).await?;
        }
    }
    enter_status(
        tx,
        m,
        current,
        (mv.from, mv.to),
        mv.hold_reason,
        p.id(),
        now,
    )
    .await?;
    history(
        tx,
        current,
        Some(p.id()),
        "status",
        Some((mv.from, mv.to)),
        mv.detail,
        now,
    )
    .await?;
    let step = Step { tx, by: p, now };
    for h in hooks.iter() {
        match (mv.from, mv.to) {
            (_, Status::Completed) => h.on_completed(&step, current, mv.resolution).await?,
            (_, Status::Cancelled) => h.on_cancelled(&step, current, mv.reason).await?,
            (Status::Completed, Status::InProgress) => h.on_reopened(&step, current).await?,
            _ => {}
        }
    }
    Ok(())
}

/// Sets the timestamps a status step implies and stops timers that must not keep running.
async fn enter_status(
    tx: &WriteTx,
    m: &mut work_order::ActiveModel,
    current: &work_order::Model,
    (from, to): (Status, Status),
    hold_reason: Option<&str>,
    actor: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    m.status = Set(to);
    // Time on hold is added up as the work leaves hold, whatever it goes on to.
    if from == Status::OnHold {
        let held = current
            .on_hold_since
            .map_or(0, |since| hmms_domain::holds::held_minutes(since, now));
        m.hold_minutes = Set(current.hold_minutes.saturating_add(held));
        m.on_hold_since = Set(None);
    }
    if to == Status::OnHold {
        m.hold_reason = Set(hold_reason.map(str::to_string));
        m.on_hold_since = Set(Some(now));
    }
    match to {
        Status::InProgress => {
            if current.started_at.is_none() {
                m.started_at = Set(Some(now));
            }
            if current.first_response_at.is_none() {
                m.first_response_at = Set(Some(now));
            }
            // Sent back after completion: it is not completed any more.
            if from == Status::Completed {
                m.completed_at = Set(None);
            }
        }
        Status::Completed => m.completed_at = Set(Some(now)),
        Status::Closed => {
            m.closed_at = Set(Some(now));
            m.closed_by = Set(Some(actor));
        }
        _ => {}
    }
    if matches!(
        to,
        Status::OnHold | Status::Completed | Status::Cancelled | Status::Closed
    ) {
        super::lifecycle::stop_timers_on(tx, current.id, now).await?;
    }
    Ok(())
}
