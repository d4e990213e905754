//! Spare parts and stores: the parts catalogue, stores per site and their bins, the stock ledger
//! (every movement an immutable entry), the balance per part and bin kept with it, and reorder
//! levels per part and store. Consumables, oxygen stores and purchasing post to the same ledger.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

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

fn index(
    name: &str,
    table: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
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
        m.create_table(
            Table::create()
                .table("parts")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(string("part_number"))
                .col(string("name"))
                .col(string_null("category"))
                .col(string("unit"))
                .col(small_integer("decimals"))
                .col(string_null("manufacturer"))
                .col(string_null("manufacturer_part_number"))
                .col(text_null("description"))
                .col(boolean("critical").default(false))
                .col(boolean("active").default(true))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk(
                    "fk_parts_organization",
                    "parts",
                    "organization_id",
                    "organizations",
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ux_parts_org_number",
            "parts",
            &["organization_id", "part_number"],
            true,
        ))
        .await?;
        m.create_index(index(
            "ix_parts_org_name",
            "parts",
            &["organization_id", "name", "id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("stores")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("site_id"))
                .col(string("code"))
                .col(string("name"))
                .col(string("kind"))
                .col(boolean("active").default(true))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk("fk_stores_site", "stores", "site_id", "sites"))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ux_stores_org_code",
            "stores",
            &["organization_id", "code"],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("stock_bins")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("store_id"))
                .col(string("code"))
                .col(boolean("active").default(true))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_stock_bins_store",
                    "stock_bins",
                    "store_id",
                    "stores",
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ux_stock_bins_store_code",
            "stock_bins",
            &["store_id", "code"],
            true,
        ))
        .await?;

        // One row per part and bin, written only by the ledger in the same transaction as the
        // entry that moves it.
        m.create_table(
            Table::create()
                .table("stock_balances")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("part_id"))
                .col(uuid("store_id"))
                .col(uuid("bin_id"))
                .col(big_integer("on_hand"))
                .col(big_integer("value_minor"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_stock_balances_part",
                    "stock_balances",
                    "part_id",
                    "parts",
                ))
                .foreign_key(&mut fk(
                    "fk_stock_balances_bin",
                    "stock_balances",
                    "bin_id",
                    "stock_bins",
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ux_stock_balances_bin_part",
            "stock_balances",
            &["bin_id", "part_id"],
            true,
        ))
        .await?;
        m.create_index(index(
            "ix_stock_balances_part",
            "stock_balances",
            &["part_id", "store_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("stock_levels")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("part_id"))
                .col(uuid("store_id"))
                .col(big_integer("reorder_point"))
                .col(big_integer("maximum"))
                .col(integer_null("lead_time_days"))
                // Whether available stock is at or below the reorder point: the alert fires
                // when this turns true, once per crossing.
                .col(boolean("low").default(false))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk(
                    "fk_stock_levels_part",
                    "stock_levels",
                    "part_id",
                    "parts",
                ))
                .foreign_key(&mut fk(
                    "fk_stock_levels_store",
                    "stock_levels",
                    "store_id",
                    "stores",
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ux_stock_levels_part_store",
            "stock_levels",
            &["part_id", "store_id"],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("stock_entries")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("movement_id"))
                .col(uuid("part_id"))
                .col(uuid("store_id"))
                .col(uuid("bin_id"))
                .col(string("kind"))
                .col(big_integer("quantity"))
                .col(big_integer("value_minor"))
                .col(big_integer_null("unit_cost_minor"))
                .col(big_integer("on_hand_after"))
                .col(big_integer("value_after"))
                .col(uuid_null("work_order_id"))
                .col(uuid_null("reverses_id"))
                .col(string_null("reason"))
                .col(string_null("reference"))
                .col(text_null("note"))
                .col(uuid("actor_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_stock_entries_part",
                    "stock_entries",
                    "part_id",
                    "parts",
                ))
                .foreign_key(&mut fk(
                    "fk_stock_entries_bin",
                    "stock_entries",
                    "bin_id",
                    "stock_bins",
                ))
                .foreign_key(&mut fk(
                    "fk_stock_entries_work_order",
                    "stock_entries",
                    "work_order_id",
                    "work_orders",
                ))
                .foreign_key(&mut fk(
                    "fk_stock_entries_actor",
                    "stock_entries",
                    "actor_id",
                    "users",
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_stock_entries_part",
            "stock_entries",
            &["part_id", "id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "ix_stock_entries_work_order",
            "stock_entries",
            &["work_order_id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "ix_stock_entries_movement",
            "stock_entries",
            &["movement_id"],
            false,
        ))
        .await?;

        // The ledger is append-only for whoever writes to the database, not only for the API.
        let db = m.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE OR REPLACE FUNCTION hmms_stock_entries_immutable() RETURNS trigger AS $$ \
                     BEGIN RAISE EXCEPTION 'stock ledger entries are never changed or deleted'; END; \
                     $$ LANGUAGE plpgsql",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER stock_entries_immutable BEFORE UPDATE OR DELETE ON stock_entries \
                     FOR EACH ROW EXECUTE FUNCTION hmms_stock_entries_immutable()",
                )
                .await?;
            }
            _ => {
                for op in ["UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER stock_entries_no_{} BEFORE {op} ON stock_entries \
                         BEGIN SELECT RAISE(ABORT, 'stock ledger entries are never changed or deleted'); END",
                        op.to_lowercase()
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }
}
