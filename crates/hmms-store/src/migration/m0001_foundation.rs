//! The foundation schema: organization structure, people and roles, sessions and second factors,
//! sign-in attempts, the audit trail, the domain-event outbox, idempotency keys and settings.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    table: &'static str,
    col: &'static str,
    to: &'static str,
    cascade: bool,
) -> ForeignKeyCreateStatement {
    let mut f = ForeignKey::create();
    f.name(format!("fk_{table}_{col}"))
        .from(table, col)
        .to(to, "id");
    if cascade {
        f.on_delete(ForeignKeyAction::Cascade);
    } else {
        f.on_delete(ForeignKeyAction::Restrict);
    }
    f.take()
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

/// Columns every mutable record carries.
fn stamps(t: &mut TableCreateStatement) -> &mut TableCreateStatement {
    t.col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .col(integer("version").default(1))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let tables: Vec<TableCreateStatement> = vec![
            stamps(
                Table::create()
                    .table("organizations")
                    .col(pk_uuid("id"))
                    .col(string("name"))
                    .col(string_len("currency", 3))
                    .col(big_integer("labour_rate_minor").default(0)),
            )
            .take(),
            stamps(
                Table::create()
                    .table("sites")
                    .col(pk_uuid("id"))
                    .col(uuid("organization_id"))
                    .col(string("name"))
                    .col(string("code"))
                    .col(string("time_zone"))
                    .col(string_null("address"))
                    .col(boolean("public_requests_enabled").default(false))
                    .foreign_key(&mut fk("sites", "organization_id", "organizations", false)),
            )
            .take(),
            stamps(
                Table::create()
                    .table("departments")
                    .col(pk_uuid("id"))
                    .col(uuid("organization_id"))
                    .col(uuid("site_id"))
                    .col(string("name"))
                    .col(string("code"))
                    .foreign_key(&mut fk(
                        "departments",
                        "organization_id",
                        "organizations",
                        false,
                    ))
                    .foreign_key(&mut fk("departments", "site_id", "sites", false)),
            )
            .take(),
            stamps(
                Table::create()
                    .table("sections")
                    .col(pk_uuid("id"))
                    .col(uuid("organization_id"))
                    .col(uuid("department_id"))
                    .col(string("name"))
                    .col(string("code"))
                    .foreign_key(&mut fk(
                        "sections",
                        "organization_id",
                        "organizations",
                        false,
                    ))
                    .foreign_key(&mut fk("sections", "department_id", "departments", false)),
            )
            .take(),
            stamps(
                Table::create()
                    .table("locations")
                    .col(pk_uuid("id"))
                    .col(uuid("organization_id"))
                    .col(uuid("site_id"))
                    .col(uuid_null("parent_id"))
                    .col(uuid_null("department_id"))
                    .col(string("kind"))
                    .col(string("name"))
                    .col(string("code"))
                    .foreign_key(&mut fk(
                        "locations",
                        "organization_id",
                        "organizations",
                        false,
                    ))
                    .foreign_key(&mut fk("locations", "site_id", "sites", false))
                    .foreign_key(&mut fk("locations", "parent_id", "locations", false))
                    .foreign_key(&mut fk("locations", "department_id", "departments", false)),
            )
            .take(),
            stamps(
                Table::create()
                    .table("users")
                    .col(pk_uuid("id"))
                    .col(uuid("organization_id"))
                    .col(string_uniq("email"))
                    .col(string("name"))
                    .col(string_null("phone"))
                    .col(string("password_hash"))
                    .col(uuid_null("site_id"))
                    .col(uuid_null("department_id"))
                    .col(uuid_null("section_id"))
                    .col(string("status"))
                    .col(boolean("must_change_password").default(false))
                    .col(timestamp_with_time_zone_null("last_login_at"))
                    .foreign_key(&mut fk("users", "organization_id", "organizations", false))
                    .foreign_key(&mut fk("users", "site_id", "sites", false))
                    .foreign_key(&mut fk("users", "department_id", "departments", false))
                    .foreign_key(&mut fk("users", "section_id", "sections", false)),
            )
            .take(),
            stamps(
                Table::create()
                    .table("roles")
                    .col(pk_uuid("id"))
                    .col(uuid("organization_id"))
                    .col(string("key"))
                    .col(string("name"))
                    .col(text_null("description"))
                    .col(boolean("builtin"))
                    .col(string("default_scope"))
                    .foreign_key(&mut fk("roles", "organization_id", "organizations", false)),
            )
            .take(),
            Table::create()
                .table("role_permissions")
                .col(uuid("role_id"))
                .col(string("permission"))
                .col(uuid("organization_id"))
                .primary_key(Index::create().col("role_id").col("permission"))
                .foreign_key(&mut fk("role_permissions", "role_id", "roles", true))
                .foreign_key(&mut fk(
                    "role_permissions",
                    "organization_id",
                    "organizations",
                    false,
                ))
                .take(),
            Table::create()
                .table("user_role_grants")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("user_id"))
                .col(uuid("role_id"))
                .col(string("scope"))
                .col(uuid_null("site_id"))
                .col(uuid_null("department_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "user_role_grants",
                    "organization_id",
                    "organizations",
                    false,
                ))
                .foreign_key(&mut fk("user_role_grants", "user_id", "users", true))
                .foreign_key(&mut fk("user_role_grants", "role_id", "roles", false))
                .take(),
            Table::create()
                .table("refresh_tokens")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("user_id"))
                .col(uuid("family_id"))
                .col(string_uniq("token_hash"))
                .col(boolean("enrolment_only").default(false))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .col(string_null("ip"))
                .col(string_null("user_agent"))
                .foreign_key(&mut fk(
                    "refresh_tokens",
                    "organization_id",
                    "organizations",
                    false,
                ))
                .foreign_key(&mut fk("refresh_tokens", "user_id", "users", true))
                .take(),
            Table::create()
                .table("totp_secrets")
                .col(pk_uuid("user_id"))
                .col(uuid("organization_id"))
                .col(text("secret_ciphertext"))
                .col(timestamp_with_time_zone_null("confirmed_at"))
                .col(big_integer_null("last_used_step"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "totp_secrets",
                    "organization_id",
                    "organizations",
                    false,
                ))
                .foreign_key(&mut fk("totp_secrets", "user_id", "users", true))
                .take(),
            Table::create()
                .table("recovery_codes")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("user_id"))
                .col(string("code_hash"))
                .col(timestamp_with_time_zone_null("used_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "recovery_codes",
                    "organization_id",
                    "organizations",
                    false,
                ))
                .foreign_key(&mut fk("recovery_codes", "user_id", "users", true))
                .take(),
            // Sign-in attempts are kept by e-mail as typed, so unknown addresses are throttled alike.
            Table::create()
                .table("login_attempts")
                .col(pk_uuid("id"))
                .col(string("email"))
                .col(string("ip"))
                .col(boolean("success"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
            Table::create()
                .table("audit_log")
                .col(big_integer("seq").primary_key())
                .col(uuid_null("organization_id"))
                .col(uuid_null("actor_id"))
                .col(string("action"))
                .col(string("entity_type"))
                .col(string_null("entity_id"))
                .col(text_null("before"))
                .col(text_null("after"))
                .col(string_null("ip"))
                .col(string_null("user_agent"))
                .col(string_null("request_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(string("prev_hash"))
                .col(string("hash"))
                .take(),
            Table::create()
                .table("domain_events")
                .col(pk_uuid("id"))
                // The audit entry's sequence number: a gap-free order across servers.
                .col(big_integer_uniq("seq"))
                .col(uuid_null("organization_id"))
                .col(string("event_type"))
                .col(string("entity_type"))
                .col(string_null("entity_id"))
                .col(uuid_null("actor_id"))
                .col(text("payload"))
                .col(string_null("request_id"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
            Table::create()
                .table("idempotency_keys")
                .col(uuid("user_id"))
                .col(string("key"))
                .col(uuid("organization_id"))
                .col(string("method"))
                .col(string("path"))
                .col(string("request_hash"))
                .col(integer("status_code"))
                .col(text("response_body"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("user_id").col("key"))
                .foreign_key(&mut fk("idempotency_keys", "user_id", "users", true))
                .take(),
            // System-wide settings have no organization; an organization's own settings name it.
            Table::create()
                .table("settings")
                .col(string("key").primary_key())
                .col(uuid_null("organization_id"))
                .col(text("value"))
                .col(timestamp_with_time_zone("updated_at"))
                .take(),
        ];

        for t in tables {
            m.create_table(t).await?;
        }

        let indexes = [
            idx("sites", &["organization_id", "code"], true),
            idx("departments", &["site_id", "code"], true),
            idx("sections", &["department_id", "code"], true),
            idx("locations", &["site_id", "code"], true),
            idx("locations", &["parent_id"], false),
            idx("users", &["organization_id", "department_id"], false),
            idx("roles", &["organization_id", "key"], true),
            idx("user_role_grants", &["user_id"], false),
            idx("refresh_tokens", &["family_id"], false),
            idx("recovery_codes", &["user_id"], false),
            idx("login_attempts", &["email", "created_at"], false),
            idx("login_attempts", &["ip", "created_at"], false),
            idx("audit_log", &["entity_type", "entity_id"], false),
            idx("audit_log", &["created_at"], false),
            idx("domain_events", &["created_at"], false),
        ];
        for i in indexes {
            m.create_index(i).await?;
        }
        Ok(())
    }
}
