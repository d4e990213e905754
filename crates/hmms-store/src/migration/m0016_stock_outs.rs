//! Stock-outs: each time a part was asked for and the bin could not give it (an issue to a work
//! order refused for want of stock). The ledger records what moved; this records what could
//! not, because it is the figure a store is judged by.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(name: &str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from("stock_outs", col)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("stock_outs")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("part_id"))
                .col(uuid("store_id"))
                .col(uuid("bin_id"))
                .col(uuid_null("work_order_id"))
                // Thousandths of the part's unit: what was asked for, and what the bin held.
                .col(big_integer("requested"))
                .col(big_integer("on_hand"))
                .col(uuid("actor_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_stock_outs_organization",
                    "organization_id",
                    "organizations",
                ))
                .foreign_key(&mut fk("fk_stock_outs_part", "part_id", "parts"))
                .foreign_key(&mut fk("fk_stock_outs_store", "store_id", "stores"))
                .foreign_key(&mut fk("fk_stock_outs_bin", "bin_id", "stock_bins"))
                .foreign_key(&mut fk(
                    "fk_stock_outs_work_order",
                    "work_order_id",
                    "work_orders",
                ))
                .foreign_key(&mut fk("fk_stock_outs_actor", "actor_id", "users"))
                .take(),
        )
        .await?;
        for (name, cols) in [
            ("ix_stock_outs_org_id", ["organization_id", "id"]),
            ("ix_stock_outs_part_id", ["part_id", "id"]),
        ] {
            let mut i = Index::create();
            i.name(name).table("stock_outs");
            for c in cols {
                i.col(c);
            }
            m.create_index(i.take()).await?;
        }
        Ok(())
    }
}
