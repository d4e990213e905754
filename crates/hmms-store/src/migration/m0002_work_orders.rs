//! Work orders with their notes, time logs and history; per-site SLA policies; and the
//! counters behind human codes such as `WO-2026-000123`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(table: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{col}"))
        .from(table, col)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .take()
}

fn idx(table: &'static str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(format!("ix_{table}_{}", cols.join("_")))
        .table(table);
    for c in cols {
        i.col(*c);
    }
    if unique {
        i.unique();
    }
    i.take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let tables = vec![
            Table::create()
                .table("code_counters")
                .col(uuid("site_id"))
                .col(string("prefix"))
                .col(integer("year"))
                .col(uuid("organization_id"))
                .col(big_integer("last_number"))
                .primary_key(Index::create().col("site_id").col("prefix").col("year"))
                .foreign_key(&mut fk("code_counters", "site_id", "sites"))
                .take(),
            Table::create()
                .table("sla_policies")
                .col(uuid("site_id"))
                .col(string("priority"))
                .col(uuid("organization_id"))
                .col(integer("response_minutes"))
                .col(integer("resolution_minutes"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("site_id").col("priority"))
                .foreign_key(&mut fk("sla_policies", "site_id", "sites"))
                .take(),
            Table::create()
                .table("work_orders")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("site_id"))
                .col(string("code"))
                .col(string("title"))
                .col(text("description"))
                .col(string("wo_type"))
                .col(string("priority"))
                .col(string("status"))
                .col(uuid_null("asset_id"))
                .col(uuid_null("department_id"))
                .col(uuid_null("location_id"))
                .col(uuid("requester_id"))
                .col(uuid_null("assignee_id"))
                .col(timestamp_with_time_zone("sla_response_due_at"))
                .col(timestamp_with_time_zone("sla_resolution_due_at"))
                .col(timestamp_with_time_zone_null("first_response_at"))
                .col(timestamp_with_time_zone_null("started_at"))
                .col(timestamp_with_time_zone_null("completed_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .col(uuid_null("closed_by"))
                .col(integer_null("downtime_minutes"))
                .col(string_null("resolution_category"))
                .col(text_null("failure_problem"))
                .col(text_null("failure_cause"))
                .col(text_null("failure_remedy"))
                .col(big_integer("vendor_cost_minor").default(0))
                .col(boolean("signature_required").default(false))
                .col(text_null("rejection_reason"))
                .col(text_null("cancellation_reason"))
                .col(integer("escalation_level").default(0))
                .col(timestamp_with_time_zone_null("sla_warned_at"))
                .col(timestamp_with_time_zone_null("sla_breached_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk("work_orders", "organization_id", "organizations"))
                .foreign_key(&mut fk("work_orders", "site_id", "sites"))
                .foreign_key(&mut fk("work_orders", "department_id", "departments"))
                .foreign_key(&mut fk("work_orders", "location_id", "locations"))
                .foreign_key(&mut fk("work_orders", "requester_id", "users"))
                .foreign_key(&mut fk("work_orders", "assignee_id", "users"))
                .take(),
            Table::create()
                .table("work_order_notes")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("work_order_id"))
                .col(uuid("author_id"))
                .col(text("body"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("work_order_notes", "work_order_id", "work_orders"))
                .foreign_key(&mut fk("work_order_notes", "author_id", "users"))
                .take(),
            Table::create()
                .table("work_order_time_logs")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("work_order_id"))
                .col(uuid("user_id"))
                .col(timestamp_with_time_zone("started_at"))
                .col(timestamp_with_time_zone_null("ended_at"))
                .col(integer_null("minutes"))
                .col(text_null("note"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "work_order_time_logs",
                    "work_order_id",
                    "work_orders",
                ))
                .foreign_key(&mut fk("work_order_time_logs", "user_id", "users"))
                .take(),
            Table::create()
                .table("work_order_history")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("work_order_id"))
                .col(uuid_null("actor_id"))
                .col(string("kind"))
                .col(string_null("from_status"))
                .col(string_null("to_status"))
                .col(text("detail"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "work_order_history",
                    "work_order_id",
                    "work_orders",
                ))
                .take(),
        ];
        for t in tables {
            m.create_table(t).await?;
        }
        // Lists filter on a few columns and page in id (creation) or deadline order: each index
        // ends with the sort key so a page is read in order and stops after `limit` rows.
        let indexes = [
            idx("work_orders", &["site_id", "code"], true),
            idx("work_orders", &["organization_id", "id"], false),
            idx("work_orders", &["organization_id", "status", "id"], false),
            idx("work_orders", &["site_id", "status", "id"], false),
            idx("work_orders", &["department_id", "status", "id"], false),
            idx(
                "work_orders",
                &["department_id", "status", "sla_resolution_due_at", "id"],
                false,
            ),
            idx("work_orders", &["assignee_id", "status", "id"], false),
            idx("work_orders", &["requester_id", "id"], false),
            idx("work_orders", &["status", "sla_resolution_due_at"], false),
            idx("work_order_notes", &["work_order_id"], false),
            idx("work_order_time_logs", &["work_order_id"], false),
            idx("work_order_time_logs", &["user_id", "ended_at"], false),
            idx(
                "work_order_history",
                &["work_order_id", "created_at"],
                false,
            ),
        ];
        for i in indexes {
            m.create_index(i).await?;
        }
        Ok(())
    }
}
