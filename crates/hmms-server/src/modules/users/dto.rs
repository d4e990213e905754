//! Wire types of the users module.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub use crate::auth::account::{UserDto, UserStatus};

/// A page of users.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserPage {
    pub items: Vec<UserDto>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters and paging for `GET /users`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct UserQuery {
    /// Part of a name or e-mail address.
    pub q: Option<String>,
    /// Role key.
    pub role: Option<String>,
    pub site_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub status: Option<UserStatus>,
    /// `name` (default), `-name`, `createdAt` or `-createdAt`.
    pub sort: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    /// 1 to 200, default 50.
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateUser {
    #[schema(format = "email", example = "grace.wanjiru@hospital.org")]
    pub email: String,
    #[schema(min_length = 1, max_length = 120, example = "Grace Wanjiru")]
    pub name: String,
    pub phone: Option<String>,
    /// Role key, e.g. `technician`.
    pub role: String,
    pub site_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub section_id: Option<Uuid>,
    /// For the vendor role: the company the person works for. They then see and work on
    /// everything assigned to that company.
    pub vendor_company_id: Option<Uuid>,
    /// At least 12 characters. Leave out to have a one-time password generated; the user must
    /// change it at first sign-in.
    #[schema(min_length = 12, max_length = 256)]
    pub password: Option<String>,
}

/// The account just created, with its one-time password if one was generated.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedUser {
    pub user: UserDto,
    /// Shown this once; give it to the user over a trusted channel.
    pub temporary_password: Option<String>,
}

/// Changes to an account. Absent fields stay as they are; `null` clears an optional field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateUser {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "super::super::double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    pub role: Option<String>,
    #[serde(default, deserialize_with = "super::super::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub site_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "super::super::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub department_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "super::super::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub section_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "super::super::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub vendor_company_id: Option<Option<Uuid>>,
    /// `inactive` signs the user out everywhere and blocks sign-in.
    pub status: Option<UserStatus>,
    /// The version you edited; a mismatch answers 412.
    pub version: Option<i32>,
}
