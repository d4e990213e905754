//! Vendor companies (contractors whose users hold the vendor role and share their company's
//! work), and the spare parts used on a work order, for its cost roll-up.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `ALTER TABLE … ADD COLUMN … REFERENCES …`: SQLite cannot add a foreign key any other way,
/// and the statement is the same on PostgreSQL apart from the column type.
async fn add_reference(
    m: &SchemaManager<'_>,
    table: &str,
    column: &str,
    target: &str,
) -> Result<(), DbErr> {
    let ty = match m.get_database_backend() {
        DbBackend::Sqlite => "uuid_text",
        _ => "uuid",
    };
    m.get_connection()
        .execute_unprepared(&format!(
            "ALTER TABLE {table} ADD COLUMN {column} {ty} NULL REFERENCES {target} (id) ON DELETE RESTRICT"
        ))
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("vendor_companies")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(string("name"))
                .col(string_null("contact_name"))
                .col(string_null("phone"))
                .col(string_null("email"))
                .col(text_null("notes"))
                .col(boolean("active").default(true))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version").default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_vendor_companies_organization")
                        .from("vendor_companies", "organization_id")
                        .to("organizations", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_vendor_companies_org_name")
                .table("vendor_companies")
                .col("organization_id")
                .col("name")
                .unique()
                .take(),
        )
        .await?;
        add_reference(m, "users", "vendor_company_id", "vendor_companies").await?;
        add_reference(m, "work_orders", "vendor_company_id", "vendor_companies").await?;
        // A vendor's list: its company's work, newest first.
        m.create_index(
            Index::create()
                .name("ix_work_orders_vendor_company")
                .table("work_orders")
                .col("vendor_company_id")
                .col("created_at")
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("work_order_parts")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("work_order_id"))
                .col(string("description"))
                .col(string_null("part_number"))
                .col(integer("quantity"))
                .col(big_integer("unit_cost_minor"))
                .col(uuid("added_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_work_order_parts_work_order")
                        .from("work_order_parts", "work_order_id")
                        .to("work_orders", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_work_order_parts_added_by")
                        .from("work_order_parts", "added_by")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_work_order_parts_work_order")
                .table("work_order_parts")
                .col("work_order_id")
                .take(),
        )
        .await
    }
}
