//! People who use HMMS: accounts, their role and where they work.

mod dto;
pub mod routes;
mod service;

pub use dto::UserDto;
pub use service::record_scope;

/// Events about an account (`USER_…`) reach those who may read it.
pub struct UserEvents;

#[async_trait::async_trait]
impl crate::events::visibility::RecordVisibility for UserEvents {
    async fn may_see(
        &self,
        db: &sea_orm::DatabaseConnection,
        p: &crate::auth::principal::Principal,
        event_type: &str,
        id: uuid::Uuid,
    ) -> bool {
        use sea_orm::EntityTrait;
        event_type.starts_with("USER_")
            && p.can("user.read")
            && hmms_store::entities::user::Entity::find_by_id(id)
                .one(db)
                .await
                .ok()
                .flatten()
                .is_some_and(|u| p.sees(&service::record_scope(&u)))
    }
}
