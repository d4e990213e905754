//! Preventive maintenance: checklist templates (versioned), plans, the per-asset schedule of
//! each plan, the occurrences generated from it, the checklists of work orders, and calendar
//! feeds. Work orders learn which occurrence they do and which work order a corrective job
//! follows up.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    name: &str,
    from: &'static str,
    col: &'static str,
    to: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from, col)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("checklist_templates")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(string("name"))
                .col(text_null("description"))
                .col(integer("current_version"))
                .col(boolean("active").default(true))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version").default(1))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_checklist_templates_org_name")
                .table("checklist_templates")
                .col("organization_id")
                .col("name")
                .unique()
                .take(),
        )
        .await?;
        // Versions never change once written: a completed checklist keeps the one it used.
        m.create_table(
            Table::create()
                .table("checklist_template_versions")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("template_id"))
                .col(integer("number"))
                // JSON: the items, [{key, label, kind, required, allowNa, unit, min, max, guidance}].
                .col(text("items"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_checklist_versions_template",
                    "checklist_template_versions",
                    "template_id",
                    "checklist_templates",
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_checklist_versions_template_number")
                .table("checklist_template_versions")
                .col("template_id")
                .col("number")
                .unique()
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("pm_plans")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("site_id"))
                .col(string("name"))
                .col(text("task"))
                // What it covers: `asset` (asset_id), `class` (class_id and its subclasses) or
                // `model` (make and model); classes and models include assets added later.
                .col(string("target_kind"))
                .col(uuid_null("asset_id"))
                .col(uuid_null("class_id"))
                .col(string_null("make"))
                .col(string_null("model"))
                .col(uuid_null("checklist_template_id"))
                // JSON `Recurrence` (simple frequency or RRULE) and its local start in the
                // site's zone, e.g. `2027-01-04T09:00:00`; absent for meter-only plans.
                .col(text_null("recurrence"))
                .col(string_null("start_local"))
                .col(string_null("meter_name"))
                .col(big_integer_null("meter_every"))
                .col(string("mode"))
                .col(integer("lead_days"))
                .col(integer("grace_days"))
                .col(uuid_null("assignee_id"))
                .col(uuid_null("vendor_company_id"))
                .col(string("priority"))
                .col(integer_null("estimated_minutes"))
                // JSON: [{description, quantity}].
                .col(text("required_parts"))
                .col(boolean("signature_required").default(false))
                .col(boolean("corrective_on_failure").default(true))
                .col(boolean("active").default(true))
                .col(text_null("paused_reason"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk("fk_pm_plans_site", "pm_plans", "site_id", "sites"))
                .foreign_key(&mut fk(
                    "fk_pm_plans_asset",
                    "pm_plans",
                    "asset_id",
                    "assets",
                ))
                .foreign_key(&mut fk(
                    "fk_pm_plans_class",
                    "pm_plans",
                    "class_id",
                    "equipment_classes",
                ))
                .foreign_key(&mut fk(
                    "fk_pm_plans_template",
                    "pm_plans",
                    "checklist_template_id",
                    "checklist_templates",
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_pm_plans_org_site")
                .table("pm_plans")
                .col("organization_id")
                .col("site_id")
                .col("name")
                .take(),
        )
        .await?;

        // One row per plan and asset it covers: where that asset's schedule stands.
        m.create_table(
            Table::create()
                .table("pm_targets")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("plan_id"))
                .col(uuid("asset_id"))
                // The next calendar occurrence not yet generated, and when to generate it
                // (that minus the plan's lead time): the generator reads only rows due.
                .col(timestamp_with_time_zone_null("next_due_at"))
                .col(timestamp_with_time_zone_null("generate_at"))
                // The meter reading the next meter interval counts from.
                .col(big_integer_null("meter_baseline"))
                .col(timestamp_with_time_zone_null("last_completed_at"))
                .col(uuid_null("open_instance_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_pm_targets_plan",
                    "pm_targets",
                    "plan_id",
                    "pm_plans",
                ))
                .foreign_key(&mut fk(
                    "fk_pm_targets_asset",
                    "pm_targets",
                    "asset_id",
                    "assets",
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_pm_targets_plan_asset")
                .table("pm_targets")
                .col("plan_id")
                .col("asset_id")
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_pm_targets_generate_at")
                .table("pm_targets")
                .col("generate_at")
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("pm_instances")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("site_id"))
                .col(uuid("plan_id"))
                .col(uuid("asset_id"))
                .col(timestamp_with_time_zone("due_at"))
                .col(timestamp_with_time_zone("window_end_at"))
                // `calendar` or `meter`.
                .col(string("trigger"))
                .col(big_integer_null("meter_value"))
                .col(string("status"))
                .col(uuid_null("work_order_id"))
                .col(timestamp_with_time_zone("generated_at"))
                .col(timestamp_with_time_zone_null("completed_at"))
                .col(text_null("miss_reason"))
                .col(timestamp_with_time_zone_null("overdue_notified_at"))
                .col(timestamp_with_time_zone_null("escalated_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk(
                    "fk_pm_instances_plan",
                    "pm_instances",
                    "plan_id",
                    "pm_plans",
                ))
                .foreign_key(&mut fk(
                    "fk_pm_instances_asset",
                    "pm_instances",
                    "asset_id",
                    "assets",
                ))
                .take(),
        )
        .await?;
        // One occurrence per plan, asset and due time, however many generators run.
        m.create_index(
            Index::create()
                .name("ux_pm_instances_plan_asset_due")
                .table("pm_instances")
                .col("plan_id")
                .col("asset_id")
                .col("due_at")
                .unique()
                .take(),
        )
        .await?;
        for (name, cols) in [
            ("ix_pm_instances_org_due", vec!["organization_id", "due_at"]),
            ("ix_pm_instances_status_due", vec!["status", "due_at"]),
            ("ix_pm_instances_work_order", vec!["work_order_id"]),
        ] {
            let mut idx = Index::create();
            idx.name(name).table("pm_instances");
            for c in cols {
                idx.col(c);
            }
            m.create_index(idx.take()).await?;
        }

        m.create_table(
            Table::create()
                .table("work_order_checklists")
                .col(pk_uuid("work_order_id"))
                .col(uuid("organization_id"))
                .col(uuid("template_version_id"))
                // JSON: the answers, [{key, result, value, text, attachmentId}].
                .col(text("answers"))
                // `pending`, `passed` or `failed` (once every required item is answered).
                .col(string("result"))
                .col(uuid_null("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk(
                    "fk_wo_checklists_work_order",
                    "work_order_checklists",
                    "work_order_id",
                    "work_orders",
                ))
                .foreign_key(&mut fk(
                    "fk_wo_checklists_version",
                    "work_order_checklists",
                    "template_version_id",
                    "checklist_template_versions",
                ))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("calendar_feeds")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("user_id"))
                // `mine` (the user's work), `department` or `site` (scope_id).
                .col(string("scope"))
                .col(uuid_null("scope_id"))
                .col(string("name"))
                .col(string("token_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_calendar_feeds_token")
                .table("calendar_feeds")
                .col("token_hash")
                .unique()
                .take(),
        )
        .await?;

        m.alter_table(
            Table::alter()
                .table("work_orders")
                .add_column(uuid_null("pm_instance_id"))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("work_orders")
                .add_column(uuid_null("follow_up_of"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_work_orders_follow_up_of")
                .table("work_orders")
                .col("follow_up_of")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_work_orders_follow_up_of")
                .table("work_orders")
                .to_owned(),
        )
        .await?;
        for col in ["follow_up_of", "pm_instance_id"] {
            m.alter_table(Table::alter().table("work_orders").drop_column(col).take())
                .await?;
        }
        for t in [
            "calendar_feeds",
            "work_order_checklists",
            "pm_instances",
            "pm_targets",
            "pm_plans",
            "checklist_template_versions",
            "checklist_templates",
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
