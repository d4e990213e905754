//! Feature modules, one per part of the product. Each has `routes.rs` (HTTP and OpenAPI),
//! `service.rs` (permission, validation, writes, audit) and `dto.rs` (the wire types).

pub mod assets;
pub mod attachments;
pub mod inventory;
pub mod notifications;
pub mod org;
pub mod preventive;
pub mod public_requests;
pub mod push;
pub mod reports;
pub mod roles;
pub mod users;
pub mod vendors;
pub mod work_orders;

use serde::{Deserialize, Deserializer};

/// Tells "field absent" (`None`) from "field set to null" (`Some(None)`) in PATCH bodies.
pub fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}
