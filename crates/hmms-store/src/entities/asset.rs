//! Entity for the `assets` table: one piece of equipment.

use hmms_domain::assets::{AssetStatus, DepreciationMethod, MaintenanceStrategy, RiskClass};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "assets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub site_id: Uuid,
    pub department_id: Option<Uuid>,
    pub location_id: Option<Uuid>,
    pub parent_id: Option<Uuid>,
    pub class_id: Option<Uuid>,
    pub tag: String,
    pub name: String,
    pub make: Option<String>,
    pub model: Option<String>,
    pub serial_number: Option<String>,
    pub status: AssetStatus,
    pub installed_on: Option<Date>,
    pub commissioned_on: Option<Date>,
    pub warranty_end: Option<Date>,
    pub purchase_date: Option<Date>,
    pub purchase_cost_minor: Option<i64>,
    pub replacement_cost_minor: Option<i64>,
    pub expected_life_years: Option<i32>,
    pub salvage_value_minor: Option<i64>,
    pub depreciation_method: DepreciationMethod,
    pub supplier: Option<String>,
    pub service_vendor_id: Option<Uuid>,
    pub service_contract_end: Option<Date>,
    pub life_support: bool,
    pub risk_class: RiskClass,
    pub em_function: Option<i16>,
    pub em_physical_risk: Option<i16>,
    pub em_maintenance: Option<i16>,
    pub em_incident_history: Option<i16>,
    pub maintenance_strategy: MaintenanceStrategy,
    #[sea_orm(column_type = "Text", nullable)]
    pub strategy_justification: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub notes: Option<String>,
    /// JSON object of the class's custom field values.
    #[sea_orm(column_type = "Text")]
    pub custom_values: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
