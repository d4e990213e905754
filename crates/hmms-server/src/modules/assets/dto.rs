//! Wire types of the assets module.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::modules::double_option;

/// Where an asset is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssetStatusDto {
    PendingAcceptance,
    InService,
    UnderMaintenance,
    OutOfService,
    Retired,
    Disposed,
}

/// How dangerous a failure would be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskClass {
    High,
    Medium,
    Low,
}

/// How the asset is maintained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MaintenanceStrategy {
    /// The manufacturer's schedule.
    Manufacturer,
    /// An alternative equipment maintenance programme; needs a written justification.
    AlternativeEquipmentMaintenance,
    /// No planned maintenance; repaired or replaced when it fails.
    RunToFail,
}

/// Straight-line or double-declining balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DepreciationMethodDto {
    StraightLine,
    DecliningBalance,
}

macro_rules! keyed {
    ($t:ident, [$($v:ident => $k:literal),*]) => {
        impl $t {
            pub fn key(self) -> &'static str {
                match self { $($t::$v => $k),* }
            }
            pub fn from_key(k: &str) -> Option<Self> {
                match k { $($k => Some($t::$v),)* _ => None }
            }
        }
    };
}
impl From<hmms_domain::assets::AssetStatus> for AssetStatusDto {
    fn from(s: hmms_domain::assets::AssetStatus) -> Self {
        use hmms_domain::assets::AssetStatus as S;
        match s {
            S::PendingAcceptance => Self::PendingAcceptance,
            S::InService => Self::InService,
            S::UnderMaintenance => Self::UnderMaintenance,
            S::OutOfService => Self::OutOfService,
            S::Retired => Self::Retired,
            S::Disposed => Self::Disposed,
        }
    }
}

impl From<AssetStatusDto> for hmms_domain::assets::AssetStatus {
    fn from(s: AssetStatusDto) -> Self {
        match s {
            AssetStatusDto::PendingAcceptance => Self::PendingAcceptance,
            AssetStatusDto::InService => Self::InService,
            AssetStatusDto::UnderMaintenance => Self::UnderMaintenance,
            AssetStatusDto::OutOfService => Self::OutOfService,
            AssetStatusDto::Retired => Self::Retired,
            AssetStatusDto::Disposed => Self::Disposed,
        }
    }
}

impl From<hmms_domain::assets::DepreciationMethod> for DepreciationMethodDto {
    fn from(m: hmms_domain::assets::DepreciationMethod) -> Self {
        use hmms_domain::assets::DepreciationMethod as M;
        match m {
            M::StraightLine => Self::StraightLine,
            M::DecliningBalance => Self::DecliningBalance,
        }
    }
}

impl From<DepreciationMethodDto> for hmms_domain::assets::DepreciationMethod {
    fn from(m: DepreciationMethodDto) -> Self {
        match m {
            DepreciationMethodDto::StraightLine => Self::StraightLine,
            DepreciationMethodDto::DecliningBalance => Self::DecliningBalance,
        }
    }
}

same_variants!(
    RiskClass,
    hmms_domain::assets::RiskClass,
    [High, Medium, Low]
);
same_variants!(
    MaintenanceStrategy,
    hmms_domain::assets::MaintenanceStrategy,
    [Manufacturer, AlternativeEquipmentMaintenance, RunToFail]
);

keyed!(AssetStatusDto, [PendingAcceptance => "pending_acceptance", InService => "in_service",
    UnderMaintenance => "under_maintenance", OutOfService => "out_of_service",
    Retired => "retired", Disposed => "disposed"]);
keyed!(RiskClass, [High => "high", Medium => "medium", Low => "low"]);
keyed!(MaintenanceStrategy, [Manufacturer => "manufacturer",
    AlternativeEquipmentMaintenance => "alternative_equipment_maintenance",
    RunToFail => "run_to_fail"]);
keyed!(DepreciationMethodDto, [StraightLine => "straight_line",
    DecliningBalance => "declining_balance"]);

/// One piece of equipment.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssetDto {
    pub id: Uuid,
    /// Unique within the organization; printed on the QR label.
    pub tag: String,
    pub name: String,
    pub class_id: Option<Uuid>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub serial_number: Option<String>,
    pub site_id: Uuid,
    pub department_id: Option<Uuid>,
    pub location_id: Option<Uuid>,
    /// The asset this one is a component of.
    pub parent_id: Option<Uuid>,
    pub status: AssetStatusDto,
    /// Where the asset is in its life, from its status: `commissioning` (awaiting acceptance),
    /// `operation`, `decommissioning` (retired) or `disposal`.
    pub lifecycle_stage: String,
    pub installed_on: Option<NaiveDate>,
    pub commissioned_on: Option<NaiveDate>,
    pub warranty_end: Option<NaiveDate>,
    /// Whether the warranty still runs today.
    pub under_warranty: bool,
    pub purchase_date: Option<NaiveDate>,
    pub purchase_cost_minor: Option<i64>,
    pub replacement_cost_minor: Option<i64>,
    pub expected_life_years: Option<i32>,
    pub salvage_value_minor: Option<i64>,
    pub depreciation_method: DepreciationMethodDto,
    /// Today's book value; absent without purchase cost, life and a start date.
    pub book_value_minor: Option<i64>,
    pub supplier: Option<String>,
    /// The vendor company holding the service contract.
    pub service_vendor_id: Option<Uuid>,
    pub service_contract_end: Option<NaiveDate>,
    pub life_support: bool,
    pub risk_class: RiskClass,
    pub em_function: Option<i16>,
    pub em_physical_risk: Option<i16>,
    pub em_maintenance: Option<i16>,
    pub em_incident_history: Option<i16>,
    /// Function + physical risk + maintenance + incident history, when all four are scored;
    /// 12 or more means planned maintenance.
    pub em_number: Option<i16>,
    pub maintenance_strategy: MaintenanceStrategy,
    pub strategy_justification: Option<String>,
    pub notes: Option<String>,
    /// Values of the equipment class's custom fields.
    #[schema(value_type = Object)]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssetPage {
    pub items: Vec<AssetDto>,
    pub next_cursor: Option<String>,
}

/// Filters and paging for `GET /assets` (sorted by tag).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct AssetQuery {
    /// Text in the tag, name, make, model or serial number.
    pub q: Option<String>,
    pub site_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub location_id: Option<Uuid>,
    pub class_id: Option<Uuid>,
    pub parent_id: Option<Uuid>,
    pub status: Option<AssetStatusDto>,
    pub risk_class: Option<RiskClass>,
    pub life_support: Option<bool>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Fields of an asset as sent by a client. On create, `tag` and `name` are required and absent
/// fields take their defaults; on update, absent fields stay and `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssetInput {
    #[schema(max_length = 32, example = "SMGH-ICU-VENT-004")]
    pub tag: Option<String>,
    #[schema(max_length = 200, example = "Ventilator")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub class_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "Dräger")]
    pub make: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "Evita V500")]
    pub model: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub serial_number: Option<Option<String>>,
    /// Defaults to the department's or location's site, else yours.
    pub site_id: Option<Uuid>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub department_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub location_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Option<Option<Uuid>>,
    /// New assets start `in_service`, or `pending_acceptance` until inspected.
    pub status: Option<AssetStatusDto>,
    /// Why the status changes (kept in the history).
    #[schema(max_length = 2000)]
    pub status_reason: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub installed_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub commissioned_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub warranty_end: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub purchase_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub purchase_cost_minor: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub replacement_cost_minor: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 50)]
    pub expected_life_years: Option<Option<i32>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub salvage_value_minor: Option<Option<i64>>,
    pub depreciation_method: Option<DepreciationMethodDto>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub supplier: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub service_vendor_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub service_contract_end: Option<Option<NaiveDate>>,
    pub life_support: Option<bool>,
    /// Defaults to `high` for life support, else `medium`.
    pub risk_class: Option<RiskClass>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i16>, minimum = 2, maximum = 10)]
    pub em_function: Option<Option<i16>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i16>, minimum = 1, maximum = 5)]
    pub em_physical_risk: Option<Option<i16>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i16>, minimum = 1, maximum = 5)]
    pub em_maintenance: Option<Option<i16>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i16>, minimum = 1, maximum = 5)]
    pub em_incident_history: Option<Option<i16>>,
    pub maintenance_strategy: Option<MaintenanceStrategy>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 4000)]
    pub strategy_justification: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 4000)]
    pub notes: Option<Option<String>>,
    /// Values of the equipment class's custom fields (replaces them all).
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<serde_json::Map<String, serde_json::Value>>,
    /// On update: the version you edited (or send `If-Match`).
    pub version: Option<i32>,
}

/// One line of an asset's story.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssetHistoryEntry {
    /// `registered`, `status`, `moved`, `updated`, `work_order_opened` or
    /// `work_order_completed`.
    pub kind: String,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub work_order_id: Option<Uuid>,
    pub detail: serde_json::Value,
}

/// A printable QR code for an asset or location.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QrCode {
    /// What the code holds: this server's `/a/{tag}` (assets) or `/l/{site}/{code}` (locations).
    pub url: String,
    pub label: String,
    pub svg: String,
    /// The same code as a PNG, base64.
    pub png_base64: String,
}

/// What a scanned code is.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScanResult {
    /// `asset`, `location` or `work_order`.
    pub kind: String,
    pub id: Uuid,
    pub code: String,
    pub name: String,
    /// The record in the API.
    pub href: String,
}

/// A kind of equipment.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EquipmentClassDto {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub code: String,
    pub name: String,
    /// GMDN or UMDNS code.
    pub nomenclature_code: Option<String>,
    /// The extra fields assets of this class carry.
    pub custom_fields: Vec<super::custom_fields::CustomFieldDef>,
    pub version: i32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateEquipmentClass {
    #[schema(example = "VENT")]
    pub code: String,
    #[schema(example = "Ventilators")]
    pub name: String,
    pub parent_id: Option<Uuid>,
    #[schema(example = "GMDN 42411")]
    pub nomenclature_code: Option<String>,
    pub custom_fields: Option<Vec<super::custom_fields::CustomFieldDef>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateEquipmentClass {
    pub code: Option<String>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub nomenclature_code: Option<Option<String>>,
    /// Replaces the class's custom fields.
    pub custom_fields: Option<Vec<super::custom_fields::CustomFieldDef>>,
    pub version: Option<i32>,
}
