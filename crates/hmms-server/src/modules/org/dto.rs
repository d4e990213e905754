//! Wire types of the organization-structure module.

use chrono::{DateTime, Utc};
use hmms_store::entities::{department, location, organization, section, site};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::modules::double_option;

/// The organization (a hospital group, or a single hospital).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationDto {
    pub id: Uuid,
    pub name: String,
    /// ISO 4217 code; money amounts are integers in its minor unit.
    pub currency: String,
    /// Cost of an hour of in-house labour, minor units (for work-order costs).
    pub labour_rate_minor: i64,
    /// When an asset's repairs have cost more than this share (%) of replacing it, it is
    /// flagged for replacement.
    pub repair_replace_percent: i32,
    /// Why work may wait: putting a work order on hold names one of the active reasons.
    pub hold_reasons: Vec<HoldReasonDto>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A reason work may wait for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HoldReasonDto {
    /// Stable key, lower snake case; what work orders and reports store.
    #[schema(
        min_length = 2,
        max_length = 40,
        pattern = "^[a-z][a-z0-9_]{1,39}$",
        example = "awaiting_parts"
    )]
    pub code: String,
    #[schema(min_length = 1, max_length = 80, example = "Awaiting parts")]
    pub name: String,
    /// An inactive reason stays on the work it delayed but cannot be chosen again.
    pub active: bool,
}

impl From<hmms_domain::holds::HoldReason> for HoldReasonDto {
    fn from(r: hmms_domain::holds::HoldReason) -> Self {
        Self {
            code: r.code,
            name: r.name,
            active: r.active,
        }
    }
}

impl From<&HoldReasonDto> for hmms_domain::holds::HoldReason {
    fn from(r: &HoldReasonDto) -> Self {
        Self {
            code: r.code.clone(),
            name: r.name.clone(),
            active: r.active,
        }
    }
}

impl From<organization::Model> for OrganizationDto {
    fn from(m: organization::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            currency: m.currency,
            labour_rate_minor: m.labour_rate_minor,
            repair_replace_percent: m.repair_replace_percent,
            // Written only by this server (validated), so it parses; an unreadable list shows
            // as none rather than failing every read of the organization.
            hold_reasons: hmms_domain::holds::parse(&m.hold_reasons)
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
        }
    }
}

/// Changes to the organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateOrganization {
    pub name: Option<String>,
    pub currency: Option<String>,
    #[schema(minimum = 0)]
    pub labour_rate_minor: Option<i64>,
    #[schema(minimum = 1, maximum = 100)]
    pub repair_replace_percent: Option<i32>,
    /// The whole list, replacing the current one. A reason work has been held for cannot be
    /// removed — set it inactive instead.
    #[schema(min_items = 1, max_items = 30)]
    pub hold_reasons: Option<Vec<HoldReasonDto>>,
    pub version: Option<i32>,
}

/// A hospital or other site of the organization.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SiteDto {
    pub id: Uuid,
    pub name: String,
    pub code: String,
    /// IANA time zone used for schedules, "today" and reports at this site.
    pub time_zone: String,
    pub address: Option<String>,
    /// Whether anyone may report a fault by scanning a QR code here without signing in.
    pub public_requests_enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<site::Model> for SiteDto {
    fn from(m: site::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            code: m.code,
            time_zone: m.time_zone,
            address: m.address,
            public_requests_enabled: m.public_requests_enabled,
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateSite {
    #[schema(
        min_length = 1,
        max_length = 160,
        example = "St. Mary's General Hospital"
    )]
    pub name: String,
    /// Short code, unique in the organization, e.g. `SMGH`.
    #[schema(pattern = "^[A-Za-z0-9._-]{1,32}$", example = "SMGH")]
    pub code: String,
    /// IANA time zone, e.g. `Africa/Nairobi`.
    #[schema(example = "Africa/Nairobi")]
    pub time_zone: String,
    pub address: Option<String>,
    pub public_requests_enabled: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateSite {
    pub name: Option<String>,
    pub code: Option<String>,
    pub time_zone: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    pub public_requests_enabled: Option<bool>,
    pub version: Option<i32>,
}

/// A department of a site, e.g. the intensive care unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DepartmentDto {
    pub id: Uuid,
    pub site_id: Uuid,
    pub name: String,
    pub code: String,
    /// The department head, told when the department's breached work escalates to
    /// `department_head`.
    pub head_user_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<department::Model> for DepartmentDto {
    fn from(m: department::Model) -> Self {
        Self {
            id: m.id,
            site_id: m.site_id,
            head_user_id: m.head_user_id,
            name: m.name,
            code: m.code,
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateDepartment {
    pub site_id: Uuid,
    #[schema(min_length = 1, max_length = 160, example = "Intensive Care Unit")]
    pub name: String,
    /// Short code, unique in the site, e.g. `ICU`.
    #[schema(pattern = "^[A-Za-z0-9._-]{1,32}$", example = "ICU")]
    pub code: String,
    /// An active user of the organization.
    pub head_user_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateDepartment {
    pub name: Option<String>,
    pub code: Option<String>,
    /// The department head (`null`: none).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub head_user_id: Option<Option<Uuid>>,
    pub version: Option<i32>,
}

/// A section of a department, e.g. the paediatric ward of Internal Medicine.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SectionDto {
    pub id: Uuid,
    pub department_id: Uuid,
    pub name: String,
    pub code: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<section::Model> for SectionDto {
    fn from(m: section::Model) -> Self {
        Self {
            id: m.id,
            department_id: m.department_id,
            name: m.name,
            code: m.code,
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateSection {
    pub department_id: Uuid,
    #[schema(min_length = 1, max_length = 160, example = "Neonatal ICU")]
    pub name: String,
    /// Short code, unique in the department.
    #[schema(pattern = "^[A-Za-z0-9._-]{1,32}$", example = "NICU")]
    pub code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateSection {
    pub name: Option<String>,
    pub code: Option<String>,
    pub version: Option<i32>,
}

/// What kind of place a location is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    Building,
    Wing,
    Floor,
    Room,
    Area,
}

impl LocationKind {
    pub fn key(self) -> &'static str {
        hmms_domain::org::LocationKind::from(self).key()
    }
}

same_variants!(
    LocationKind,
    hmms_domain::org::LocationKind,
    [Building, Wing, Floor, Room, Area]
);

/// A place within a site: building, wing, floor, room or area, nested in a tree.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LocationDto {
    pub id: Uuid,
    pub site_id: Uuid,
    pub parent_id: Option<Uuid>,
    /// The department that uses this place, if any.
    pub department_id: Option<Uuid>,
    pub kind: LocationKind,
    pub name: String,
    /// Unique in the site; printed on QR labels.
    pub code: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<location::Model> for LocationDto {
    fn from(m: location::Model) -> Self {
        Self {
            id: m.id,
            site_id: m.site_id,
            parent_id: m.parent_id,
            department_id: m.department_id,
            kind: m.kind.into(),
            name: m.name,
            code: m.code,
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateLocation {
    pub site_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub kind: LocationKind,
    #[schema(min_length = 1, max_length = 160, example = "ICU Bay A")]
    pub name: String,
    #[schema(pattern = "^[A-Za-z0-9._-]{1,32}$", example = "MB-1-01")]
    pub code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateLocation {
    /// Moves the location under another parent of the same site (`null`: to the top).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub department_id: Option<Option<Uuid>>,
    pub kind: Option<LocationKind>,
    pub name: Option<String>,
    pub code: Option<String>,
    pub version: Option<i32>,
}

/// A location with everything under it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LocationNode {
    pub id: Uuid,
    pub kind: LocationKind,
    pub name: String,
    pub code: String,
    pub department_id: Option<Uuid>,
    #[schema(no_recursion)]
    pub children: Vec<LocationNode>,
}

macro_rules! page {
    ($name:ident, $item:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Serialize, ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            pub items: Vec<$item>,
            /// Pass as `cursor` for the next page; absent on the last page.
            pub next_cursor: Option<String>,
        }
    };
}

page!(SitePage, SiteDto, "A page of sites.");
page!(DepartmentPage, DepartmentDto, "A page of departments.");
page!(SectionPage, SectionDto, "A page of sections.");
page!(LocationPage, LocationDto, "A page of locations.");

/// Paging for lists ordered by name.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct PageQuery {
    #[param(minimum = 1, maximum = 200)]
    /// 1 to 200, default 50.
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct DepartmentQuery {
    pub site_id: Option<Uuid>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct SectionQuery {
    pub department_id: Option<Uuid>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct LocationQuery {
    pub site_id: Option<Uuid>,
    /// Children of this location only.
    pub parent_id: Option<Uuid>,
    pub kind: Option<LocationKind>,
    pub department_id: Option<Uuid>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct TreeQuery {
    pub site_id: Uuid,
}
