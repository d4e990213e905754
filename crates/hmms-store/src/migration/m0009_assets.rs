//! The equipment registry: equipment classes (a tree, with optional GMDN/UMDNS codes), assets
//! with their place, money, risk and maintenance strategy, and each asset's status history.

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
                .table("equipment_classes")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid_null("parent_id"))
                .col(string("code"))
                .col(string("name"))
                .col(string_null("nomenclature_code"))
                // JSON: the extra fields assets of this class carry, [{key, label, type, required}].
                .col(text("custom_fields"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk(
                    "fk_equipment_classes_parent",
                    "equipment_classes",
                    "parent_id",
                    "equipment_classes",
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_equipment_classes_org_code")
                .table("equipment_classes")
                .col("organization_id")
                .col("code")
                .unique()
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("assets")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("site_id"))
                .col(uuid_null("department_id"))
                .col(uuid_null("location_id"))
                .col(uuid_null("parent_id"))
                .col(uuid_null("class_id"))
                .col(string("tag"))
                .col(string("name"))
                .col(string_null("make"))
                .col(string_null("model"))
                .col(string_null("serial_number"))
                .col(string("status"))
                .col(date_null("installed_on"))
                .col(date_null("commissioned_on"))
                .col(date_null("warranty_end"))
                .col(date_null("purchase_date"))
                .col(big_integer_null("purchase_cost_minor"))
                .col(big_integer_null("replacement_cost_minor"))
                .col(integer_null("expected_life_years"))
                .col(big_integer_null("salvage_value_minor"))
                .col(string("depreciation_method"))
                .col(string_null("supplier"))
                .col(uuid_null("service_vendor_id"))
                .col(date_null("service_contract_end"))
                .col(boolean("life_support").default(false))
                .col(string("risk_class"))
                .col(small_integer_null("em_function"))
                .col(small_integer_null("em_physical_risk"))
                .col(small_integer_null("em_maintenance"))
                .col(small_integer_null("em_incident_history"))
                .col(string("maintenance_strategy"))
                .col(text_null("strategy_justification"))
                .col(text_null("notes"))
                // JSON object: values of the class's custom fields.
                .col(text("custom_values"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk("fk_assets_site", "assets", "site_id", "sites"))
                .foreign_key(&mut fk(
                    "fk_assets_department",
                    "assets",
                    "department_id",
                    "departments",
                ))
                .foreign_key(&mut fk(
                    "fk_assets_location",
                    "assets",
                    "location_id",
                    "locations",
                ))
                .foreign_key(&mut fk("fk_assets_parent", "assets", "parent_id", "assets"))
                .foreign_key(&mut fk(
                    "fk_assets_class",
                    "assets",
                    "class_id",
                    "equipment_classes",
                ))
                .foreign_key(&mut fk(
                    "fk_assets_service_vendor",
                    "assets",
                    "service_vendor_id",
                    "vendor_companies",
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_assets_org_tag")
                .table("assets")
                .col("organization_id")
                .col("tag")
                .unique()
                .take(),
        )
        .await?;
        for (name, col) in [
            ("ix_assets_site", "site_id"),
            ("ix_assets_department", "department_id"),
            ("ix_assets_location", "location_id"),
            ("ix_assets_class", "class_id"),
            ("ix_assets_parent", "parent_id"),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table("assets")
                    .col(col)
                    .col("tag")
                    .take(),
            )
            .await?;
        }
        // What happened to an asset besides its work orders: registration, status steps (with
        // the statuses, for downtime), moves and edits.
        m.create_table(
            Table::create()
                .table("asset_history")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("asset_id"))
                .col(string("kind"))
                .col(string_null("from_status"))
                .col(string_null("to_status"))
                .col(text("detail"))
                .col(uuid_null("actor_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_asset_history_asset",
                    "asset_history",
                    "asset_id",
                    "assets",
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_asset_history_asset")
                .table("asset_history")
                .col("asset_id")
                .col("created_at")
                .take(),
        )
        .await?;
        // Equipment-related incidents: what happened, whether anyone was harmed, whether it
        // was reported to the regulator.
        m.create_table(
            Table::create()
                .table("asset_incidents")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("asset_id"))
                .col(timestamp_with_time_zone("occurred_at"))
                .col(text("description"))
                .col(boolean("patient_harm"))
                .col(boolean("staff_harm"))
                .col(boolean("reported_externally"))
                .col(string_null("external_reference"))
                .col(uuid_null("work_order_id"))
                .col(uuid("reported_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_asset_incidents_asset",
                    "asset_incidents",
                    "asset_id",
                    "assets",
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_asset_incidents_asset")
                .table("asset_incidents")
                .col("asset_id")
                .col("occurred_at")
                .take(),
        )
        .await?;
        // Recalls and field safety notices against a make and model (and serial range), with
        // the work order opened on each affected asset.
        m.create_table(
            Table::create()
                .table("recalls")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(string("reference"))
                .col(string("title"))
                .col(text("description"))
                .col(string("make"))
                .col(string("model"))
                .col(string_null("serial_from"))
                .col(string_null("serial_to"))
                .col(date("issued_on"))
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("recall_assets")
                .col(uuid("recall_id"))
                .col(uuid("asset_id"))
                .col(uuid("work_order_id"))
                .primary_key(Index::create().col("recall_id").col("asset_id"))
                .foreign_key(&mut fk(
                    "fk_recall_assets_recall",
                    "recall_assets",
                    "recall_id",
                    "recalls",
                ))
                .foreign_key(&mut fk(
                    "fk_recall_assets_asset",
                    "recall_assets",
                    "asset_id",
                    "assets",
                ))
                .foreign_key(&mut fk(
                    "fk_recall_assets_work_order",
                    "recall_assets",
                    "work_order_id",
                    "work_orders",
                ))
                .take(),
        )
        .await?;
        // Meters (runtime hours, cycles, exposures) and their readings, for usage-based
        // maintenance.
        m.create_table(
            Table::create()
                .table("asset_meters")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("asset_id"))
                .col(string("name"))
                .col(string("unit"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_asset_meters_asset",
                    "asset_meters",
                    "asset_id",
                    "assets",
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_asset_meters_asset_name")
                .table("asset_meters")
                .col("asset_id")
                .col("name")
                .unique()
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("meter_readings")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("meter_id"))
                .col(big_integer("value"))
                .col(timestamp_with_time_zone("read_at"))
                .col(uuid("recorded_by"))
                .foreign_key(&mut fk(
                    "fk_meter_readings_meter",
                    "meter_readings",
                    "meter_id",
                    "asset_meters",
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_meter_readings_meter")
                .table("meter_readings")
                .col("meter_id")
                .col("read_at")
                .take(),
        )
        .await?;
        // When repairs have cost this share of a replacement, the asset is flagged for replacing.
        m.alter_table(
            Table::alter()
                .table("organizations")
                .add_column(integer("repair_replace_percent").default(50))
                .take(),
        )
        .await?;
        // Work orders already name an asset; now it must exist.
        m.create_index(
            Index::create()
                .name("ix_work_orders_asset")
                .table("work_orders")
                .col("asset_id")
                .col("created_at")
                .take(),
        )
        .await
    }
}
