//! Public requests: where they may be made, and turning one into a pending work order.

use bytes::Bytes;
use chrono::Duration;
use hmms_domain::validate::{self, Errors};
use hmms_domain::work_orders::{Priority, WorkOrderType};
use hmms_store::entities::{asset, location, public_submission, site};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::Who;
use crate::auth::principal::Meta;
use crate::error::{ApiError, ApiResult};
use crate::modules::attachments::{self as files, AttachmentKind, Owner};
use crate::modules::notifications::{Message, holders_at_site, send};
use crate::modules::work_orders::{self, NewWorkOrder, Notice, Raise, Raiser};
use crate::state::{AppState, WriteTx};

/// 429 once an address has sent its requests for the hour.
async fn within_limit(
    db: &impl sea_orm::ConnectionTrait,
    ip: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    let recent = public_submission::Entity::find()
        .filter(public_submission::Column::Ip.eq(ip))
        .filter(public_submission::Column::CreatedAt.gt(now - Duration::hours(1)))
        .count(db)
        .await?;
    if recent >= PER_HOUR {
        return Err(ApiError::TooManyRequests {
            detail: "Thank you — several requests came from here in the last hour. Please ask the ward to call maintenance.".into(),
            retry_after_secs: 3600,
        });
    }
    Ok(())
}

/// Requests one address may send per hour.
pub const PER_HOUR: u64 = 5;

/// Where a QR code points: a room, or a piece of equipment (with the room it stands in, if
/// known).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublicPlace {
    pub site_name: String,
    pub site_code: String,
    pub location_name: Option<String>,
    pub location_code: Option<String>,
    /// The equipment's name, when the code is on a piece of equipment.
    pub asset_name: Option<String>,
    pub asset_tag: Option<String>,
}

/// What a public report is about, once its code is resolved.
struct Target {
    site: site::Model,
    location: Option<location::Model>,
    asset: Option<asset::Model>,
}

impl Target {
    fn public(&self) -> PublicPlace {
        PublicPlace {
            site_name: self.site.name.clone(),
            site_code: self.site.code.clone(),
            location_name: self.location.as_ref().map(|l| l.name.clone()),
            location_code: self.location.as_ref().map(|l| l.code.clone()),
            asset_name: self.asset.as_ref().map(|a| a.name.clone()),
            asset_tag: self.asset.as_ref().map(|a| a.tag.clone()),
        }
    }

    /// "ICU Bay A", "Infusion pump SMGH-ICU-INFPUMP-003 in ICU Bay A".
    fn describe(&self) -> String {
        match (&self.asset, &self.location) {
            (Some(a), Some(l)) => format!("{} {} in {}", a.name, a.tag, l.name),
            (Some(a), None) => format!("{} {}", a.name, a.tag),
            (None, Some(l)) => format!("{} ({})", l.name, l.code),
            (None, None) => self.site.name.clone(),
        }
    }

    /// The short name used in the work order's title.
    fn short(&self) -> String {
        match (&self.asset, &self.location) {
            (Some(a), _) => a.name.clone(),
            (None, Some(l)) => l.name.clone(),
            (None, None) => self.site.name.clone(),
        }
    }
}

fn not_here() -> ApiError {
    ApiError::NotFound("There is no such place, or it does not take requests this way.".into())
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
) -> ApiResult<Target> {
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
    Ok(Target {
        site: s,
        location: Some(l),
        asset: None,
    })
}

/// The piece of equipment behind a label's QR code, if its site takes public requests. Tags
/// are unique per organization; a tag two organizations on one server share names neither.
async fn equipment(db: &impl ConnectionTrait, tag: &str) -> ApiResult<Target> {
    let mut found = asset::Entity::find()
        .filter(asset::Column::Tag.eq(tag.trim().to_uppercase()))
        .all(db)
        .await?;
    if found.len() != 1 {
        return Err(not_here());
    }
    let a = found.remove(0);
    if matches!(
        a.status,
        hmms_domain::assets::AssetStatus::Retired | hmms_domain::assets::AssetStatus::Disposed
    ) {
        return Err(not_here());
    }
    let s = site::Entity::find_by_id(a.site_id)
        .filter(site::Column::PublicRequestsEnabled.eq(true))
        .one(db)
        .await?
        .ok_or_else(not_here)?;
    let l = match a.location_id {
        Some(id) => location::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    Ok(Target {
        site: s,
        location: l,
        asset: Some(a),
    })
}

pub async fn lookup(
    state: &AppState,
    site_code: &str,
    location_code: &str,
) -> ApiResult<PublicPlace> {
    Ok(place(&state.db, site_code, location_code).await?.public())
}

pub async fn lookup_asset(state: &AppState, tag: &str) -> ApiResult<PublicPlace> {
    Ok(equipment(&state.db, tag).await?.public())
}

/// The organization's stand-in requester for public requests: a user who cannot sign in.
async fn public_requester(
    tx: &WriteTx,
    org: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Uuid> {
    let u =
        crate::system_users::stand_in(tx, org, "public-requests", "Public request (QR code)", now)
            .await?;
    Ok(u.id)
}

/// A public report: about a room (site and location codes) or a piece of equipment (its tag).
pub struct Submission {
    pub site_code: String,
    pub location_code: String,
    pub asset_tag: String,
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
    if sub.asset_tag.trim().is_empty()
        && (sub.site_code.trim().is_empty() || sub.location_code.trim().is_empty())
    {
        errors.add(
            "assetTag",
            "name the equipment (assetTag) or the place (siteCode and locationCode)",
        );
    }
    errors.into_result()?;
    let target = if sub.asset_tag.trim().is_empty() {
        place(&state.db, &sub.site_code, &sub.location_code).await?
    } else {
        equipment(&state.db, &sub.asset_tag).await?
    };
    let s = &target.site;
    let ip = meta.ip.clone().unwrap_or_else(|| "unknown".into());
    let now = state.clock.now();
    // Checked before the photo is stored, and again under the write lock, where no other
    // request from this address can be counted and inserted in between.
    within_limit(&state.db, &ip, now).await?;
    let id = Uuid::now_v7();
    let photo = match sub.photo {
        Some((file_name, bytes)) => Some((
            file_name,
            files::prepare(state, s.organization_id, id, bytes).await?,
        )),
        None => None,
    };
    let tx = state.begin_write().await?;
    within_limit(&*tx, &ip, now).await?;
    let requester = public_requester(&tx, s.organization_id, now).await?;
    let times = work_orders::sla_policy(&*tx, s.id, Priority::Medium).await?;
    let reporter = match &phone {
        Some(p) => format!("{} ({p})", name.clone().unwrap_or_default()),
        None => name.clone().unwrap_or_default(),
    };
    let new = NewWorkOrder {
        id: Some(id),
        site_id: s.id,
        title: format!(
            "Reported at {}: {}",
            target.short(),
            description
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(120)
                .collect::<String>()
        ),
        description: format!(
            "{description}\n\nReported by {reporter} by scanning the QR code of {}.",
            target.describe()
        ),
        wo_type: WorkOrderType::Corrective,
        priority: Priority::Medium,
        sla: times,
        asset_id: target.asset.as_ref().map(|a| a.id),
        department_id: target
            .asset
            .as_ref()
            .and_then(|a| a.department_id)
            .or(target.location.as_ref().and_then(|l| l.department_id)),
        location_id: target.location.as_ref().map(|l| l.id),
        assignment: None,
        signature_required: false,
        due: None,
        pm_instance_id: None,
        follow_up_of: None,
    };
    let who = Who {
        organization_id: Some(s.organization_id),
        actor_id: None,
        meta,
    };
    let via = json!({ "via": "public_qr", "reporter": reporter });
    let facts = json!({
        "via": "public_qr",
        "locationId": target.location.as_ref().map(|l| l.id),
        "assetId": target.asset.as_ref().map(|a| a.id),
        "reporter": reporter,
    });
    let raised = work_orders::raise_many(
        &tx,
        vec![Raise {
            by: Raiser::Public {
                requester_id: requester,
                who: &who,
                detail: &via,
            },
            new,
            at: now,
            notice: Notice::Quiet(facts),
        }],
    )
    .await?;
    let Some(w) = raised.into_iter().next().map(|r| r.row) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "the request was not written"
        )));
    };
    let code = w.code.clone();
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
        work_orders::history(
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
            target.describe(),
            description.chars().take(200).collect::<String>()
        ),
        entity_type: "work_order",
        entity_id: id,
    };
    send(&tx, s.organization_id, &managers, &msg, now).await?;
    tx.commit().await?;
    Ok(PublicReceipt {
        message: format!(
            "Thank you. Your request {code} was received; maintenance will look at it."
        ),
        code,
    })
}
