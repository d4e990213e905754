//! Entity for the `work_order_checklists` table: the checklist of a work order and its answers so far.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "work_order_checklists")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub work_order_id: Uuid,
    pub organization_id: Uuid,
    pub template_version_id: Uuid,
    /// JSON array of `hmms_domain::preventive::checklist::Answer`.
    #[sea_orm(column_type = "Text")]
    pub answers: String,
    /// `pending`, `passed` or `failed`.
    pub result: String,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
