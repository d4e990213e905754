//! Portable migrations: one code path builds the schema on SQLite and PostgreSQL.
//! Migrations are append-only once landed: add a new module, never edit an old one.

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_work_orders;
mod m0003_jobs_notifications;
mod m0004_attachments;
mod m0005_notification_preferences;
mod m0006_public_requests;
mod m0007_vendors_parts;
mod m0008_push_subscriptions;
mod m0009_assets;
mod m0010_vendor_asset_read;
mod m0011_notify_trigger;
mod m0012_department_heads;
mod m0013_preventive;
mod m0014_begin_write;
mod m0015_inventory;
mod m0016_stock_outs;
mod m0017_report_indexes;
pub mod m0018_hold_reasons;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_work_orders::Migration),
            Box::new(m0003_jobs_notifications::Migration),
            Box::new(m0004_attachments::Migration),
            Box::new(m0005_notification_preferences::Migration),
            Box::new(m0006_public_requests::Migration),
            Box::new(m0007_vendors_parts::Migration),
            Box::new(m0008_push_subscriptions::Migration),
            Box::new(m0009_assets::Migration),
            Box::new(m0010_vendor_asset_read::Migration),
            Box::new(m0011_notify_trigger::Migration),
            Box::new(m0012_department_heads::Migration),
            Box::new(m0013_preventive::Migration),
            Box::new(m0014_begin_write::Migration),
            Box::new(m0015_inventory::Migration),
            Box::new(m0016_stock_outs::Migration),
            Box::new(m0017_report_indexes::Migration),
            Box::new(m0018_hold_reasons::Migration),
        ]
    }
}
