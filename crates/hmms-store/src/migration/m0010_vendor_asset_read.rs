//! Vendors read the equipment of their own jobs: organizations made before this migration give
//! their built-in vendor role the `asset.read` permission new organizations start with. The
//! vendor's assigned scope still limits it to assets on work orders assigned to the vendor.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO role_permissions (role_id, permission, organization_id) \
                 SELECT id, 'asset.read', organization_id FROM roles \
                 WHERE key = 'vendor' AND builtin = TRUE AND NOT EXISTS ( \
                 SELECT 1 FROM role_permissions rp \
                 WHERE rp.role_id = roles.id AND rp.permission = 'asset.read')",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "DELETE FROM role_permissions WHERE permission = 'asset.read' \
                 AND role_id IN (SELECT id FROM roles WHERE key = 'vendor' AND builtin = TRUE)",
            )
            .await?;
        Ok(())
    }
}
