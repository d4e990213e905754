//! Public requests: where they may be made, and turning one into a pending work order.

use bytes::Bytes;
use chrono::{Datelike, Duration};
use hmms_domain::BuiltinRole;
use hmms_domain::validate::{self, Errors};
use hmms_domain::work_orders::{self as rules, Priority, Status};
use hmms_store::entities::{location, public_submission, site, user, work_order};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, Change, Who};
use crate::auth::principal::Meta;
use crate::bootstrap::{NewUser, insert_user};
use crate::error::{ApiError, ApiResult};
use crate::modules::attachments::service::{self as files, AttachmentKind, Owner};
use crate::modules::notifications::service::{Message, holders_at_site, send};
use crate::modules::work_orders::{service as wo, sla};
use crate::state::{AppState, WriteTx};

/// Requests one address may send per hour.
pub const PER_HOUR: u64 = 5;

/// Where a QR code points.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublicPlace {
    pub site_name: String,
    pub site_code: String,
    pub location_name: String,
    pub location_code: String,
}

/// The answer to a public request: its code, to quote when asking about it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublicReceipt {
    pub code: String,
    pub message: String,
}

/// The site and location behind a QR code, if the site takes public requests.
async fn place(
    db: &impl ConnectionTrait,
    site_code: &str,
    location_code: &str,
) -> ApiResult<(site::Model, location::Model)> {
    let not_here = || {
        ApiError::NotFound("There is no such place, or it does not take requests this way.".into())
    };
    let s = site::Entity::find()
        .filter(site::Column::Code.eq(site_code.trim().to_uppercase()))
        .filter(site::Column::PublicRequestsEnabled.eq(true))
        .one(db)
        .await?
        .ok_or_else(not_here)?;
    let l = location::Entity::find()
        .filter(location::Column::SiteId.eq(s.id))
        .filter(location::Column::Code.eq(location_code.trim().to_uppercase()))
        .one(db)
        .await?
        .ok_or_else(not_here)?;
    Ok((s, l))
}

pub async fn lookup(
    state: &AppState,
    site_code: &str,
    location_code: &str,
) -> ApiResult<PublicPlace> {
    let (s, l) = place(&state.db, site_code, location_code).await?;
    Ok(PublicPlace {
        site_name: s.name,
        site_code: s.code,
        location_name: l.name,
        location_code: l.code,
    })
}

/// The organization's stand-in requester for public requests: a user who cannot sign in.
async fn public_requester(
    tx: &WriteTx,
    org: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Uuid> {
    let email = format!("public-requests@{org}.invalid");
    if let Some(u) = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&**tx)
        .await?
    {
        return Ok(u.id);
    }
    let nobody = NewUser {
        organization_id: org,
        email: &email,
        name: "Public request (QR code)",
        role: BuiltinRole::Staff,
        // Not a password hash: nothing verifies against it, so nobody signs in as this user.
        password_hash: "!".into(),
        site_id: None,
        department_id: None,
        section_id: None,
        must_change_password: false,
    };
    let u = insert_user(&**tx, nobody, now)
        .await
        .map_err(ApiError::Internal)?;
    let mut m: user::ActiveModel = u.clone().into();
    m.status = Set("inactive".into());
    m.update(&**tx).await?;
    Ok(u.id)
}

pub struct Submission {
    pub site_code: String,
    pub location_code: String,
    pub name: String,
    pub phone: Option<String>,
    pub description: String,
    pub photo: Option<(Option<String>, Bytes)>,
}

pub async fn submit(state: &AppState, meta: &Meta, sub: Submission) -> ApiResult<PublicReceipt> {
    let mut errors = Errors::default();
    let name = errors.check("name", validate::name(&sub.name, 120));
    let phone = sub
        .phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .and_then(|p| errors.check("phone", validate::phone(p)));
    let description = sub.description.trim().to_string();
    if description.is_empty() || description.chars().count() > 2000 {
        errors.add(
            "description",
            "say what is wrong, in at most 2000 characters",
        );
    }
    if description
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        errors.add("description", "must not contain control characters");
    }
    errors.into_result()?;
    let (s, l) = place(&state.db, &sub.site_code, &sub.location_code).await?;
    let ip = meta.ip.clone().unwrap_or_else(|| "unknown".into());
    let now = state.clock.now();
    let recent = public_submission::Entity::find()
        .filter(public_submission::Column::Ip.eq(ip.as_str()))
        .filter(public_submission::Column::CreatedAt.gt(now - Duration::hours(1)))
        .count(&state.db)
        .await?;
    if recent >= PER_HOUR {
        return Err(ApiError::TooManyRequests {
            detail: "Thank you — several requests came from here in the last hour. Please ask the ward to call maintenance.".into(),
            retry_after_secs: 3600,
        });
    }
    let id = Uuid::now_v7();
    let photo = match sub.photo {
        Some((file_name, bytes)) => Some((
            file_name,
            files::prepare(state, s.organization_id, id, bytes).await?,
        )),
        None => None,
    };
    let tx = state.begin_write().await?;
    let requester = public_requester(&tx, s.organization_id, now).await?;
    let times = sla::policy(&*tx, s.id, Priority::Medium).await?;
    let (response_due, resolution_due) = rules::deadlines(now, times);
    let code = wo::next_code(&tx, s.organization_id, s.id, now.year()).await?;
    let reporter = match &phone {
        Some(p) => format!("{} ({p})", name.clone().unwrap_or_default()),
        None => name.clone().unwrap_or_default(),
    };
    let w = work_order::ActiveModel {
        id: Set(id),
        organization_id: Set(s.organization_id),
        site_id: Set(s.id),
        code: Set(code.clone()),
        title: Set(format!(
            "Reported at {}: {}",
            l.name,
            description
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(120)
                .collect::<String>()
        )),
        description: Set(format!(
            "{description}\n\nReported by {reporter} by scanning the QR code of {} ({}).",
            l.name, l.code
        )),
        wo_type: Set("corrective".into()),
        priority: Set(Priority::Medium.key().into()),
        status: Set(Status::Pending.key().into()),
        asset_id: Set(None),
        department_id: Set(l.department_id),
        location_id: Set(Some(l.id)),
        requester_id: Set(requester),
        assignee_id: Set(None),
        vendor_company_id: Set(None),
        sla_response_due_at: Set(response_due),
        sla_resolution_due_at: Set(resolution_due),
        first_response_at: Set(None),
        started_at: Set(None),
        completed_at: Set(None),
        closed_at: Set(None),
        closed_by: Set(None),
        downtime_minutes: Set(None),
        resolution_category: Set(None),
        failure_problem: Set(None),
        failure_cause: Set(None),
        failure_remedy: Set(None),
        vendor_cost_minor: Set(0),
        signature_required: Set(false),
        rejection_reason: Set(None),
        cancellation_reason: Set(None),
        escalation_level: Set(0),
        sla_warned_at: Set(None),
        sla_breached_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*tx)
    .await?;
    wo::history(
        &tx,
        &w,
        None,
        "created",
        None,
        json!({ "status": "pending", "via": "public_qr", "reporter": reporter }),
        now,
    )
    .await?;
    if let Some((file_name, prepared)) = photo {
        let owner = Owner {
            org: s.organization_id,
            entity_type: "work_order",
            entity_id: id,
            uploaded_by: requester,
        };
        let a = files::record(
            &tx,
            prepared,
            owner,
            AttachmentKind::Photo,
            file_name.as_deref(),
            now,
        )
        .await?;
        wo::history(
            &tx,
            &w,
            None,
            "attachment",
            None,
            serde_json::to_value(&a)?,
            now,
        )
        .await?;
    }
    public_submission::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(s.organization_id),
        site_id: Set(s.id),
        ip: Set(ip),
        work_order_id: Set(Some(id)),
        created_at: Set(now),
    }
    .insert(&*tx)
    .await?;
    let managers = holders_at_site(&*tx, s.organization_id, "facility_manager", s.id).await?;
    let msg = Message {
        kind: "work_order_requested",
        title: format!("New request by QR code: {code}"),
        body: format!(
            "At {}: {}",
            l.name,
            description.chars().take(200).collect::<String>()
        ),
        entity_type: "work_order",
        entity_id: id,
    };
    send(&tx, s.organization_id, &managers, &msg, now).await?;
    let who = Who {
        organization_id: Some(s.organization_id),
        actor_id: None,
        meta,
    };
    let change = Change {
        action: "work_order.created",
        entity_type: "work_order",
        entity_id: Some(id.to_string()),
        before: None,
        after: Some(
            json!({ "code": code, "via": "public_qr", "locationId": l.id, "reporter": reporter }),
        ),
    };
    audit::record(&tx, now, &who, change).await?;
    tx.commit().await?;
    Ok(PublicReceipt {
        message: format!(
            "Thank you. Your request {code} was received; maintenance will look at it."
        ),
        code,
    })
}
