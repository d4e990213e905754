//! Wire types of the vendor-companies module.

use chrono::{DateTime, Utc};
use hmms_store::entities::vendor_company;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A contractor that can be assigned work orders.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VendorCompanyDto {
    pub id: Uuid,
    pub name: String,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
    /// Inactive companies keep their history but get no new work.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<vendor_company::Model> for VendorCompanyDto {
    fn from(m: vendor_company::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            contact_name: m.contact_name,
            phone: m.phone,
            email: m.email,
            notes: m.notes,
            active: m.active,
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VendorCompanyPage {
    pub items: Vec<VendorCompanyDto>,
    pub next_cursor: Option<String>,
}

/// Filters and paging for `GET /vendor-companies`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct VendorCompanyQuery {
    /// Part of the name.
    pub q: Option<String>,
    pub active: Option<bool>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A new vendor company.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateVendorCompany {
    #[schema(min_length = 1, max_length = 160, example = "MedEquip Services Ltd")]
    pub name: String,
    #[schema(max_length = 120)]
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    #[schema(format = "email")]
    pub email: Option<String>,
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
}

/// Changes to a vendor company. Absent fields stay as they are; `null` clears an optional one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateVendorCompany {
    #[schema(min_length = 1, max_length = 160)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "super::super::double_option")]
    #[schema(value_type = Option<String>)]
    pub contact_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::super::double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::super::double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::super::double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    /// `false` stops new assignments; open work stays with the company.
    pub active: Option<bool>,
    pub version: Option<i32>,
}
