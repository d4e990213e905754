//! Entity for the `checklist_template_versions` table: an immutable version of a checklist template's items.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "checklist_template_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub template_id: Uuid,
    pub number: i32,
    /// JSON array of `hmms_domain::preventive::checklist::Item`.
    #[sea_orm(column_type = "Text")]
    pub items: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
