//! Checklist templates and their items.

use chrono::{DateTime, Utc};
use hmms_domain::preventive::checklist::{Item, ItemKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// What a checklist item asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKindDto {
    /// Pass or fail (or not applicable where allowed).
    PassFail,
    /// A measured value with a unit; outside `min`..`max` it fails.
    Number,
    Text,
    /// A photo must be attached.
    Photo,
    /// A signature must be captured.
    Signature,
}

impl From<ItemKindDto> for ItemKind {
    fn from(k: ItemKindDto) -> Self {
        match k {
            ItemKindDto::PassFail => ItemKind::PassFail,
            ItemKindDto::Number => ItemKind::Number,
            ItemKindDto::Text => ItemKind::Text,
            ItemKindDto::Photo => ItemKind::Photo,
            ItemKindDto::Signature => ItemKind::Signature,
        }
    }
}

impl From<ItemKind> for ItemKindDto {
    fn from(k: ItemKind) -> Self {
        match k {
            ItemKind::PassFail => ItemKindDto::PassFail,
            ItemKind::Number => ItemKindDto::Number,
            ItemKind::Text => ItemKindDto::Text,
            ItemKind::Photo => ItemKindDto::Photo,
            ItemKind::Signature => ItemKindDto::Signature,
        }
    }
}

/// One item of a checklist.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ItemDto {
    /// Stable across versions; ties answers to the item. Letters, digits, `-` and `_`.
    #[schema(example = "earth-resistance", max_length = 64)]
    pub key: String,
    #[schema(example = "Protective earth resistance", max_length = 300)]
    pub label: String,
    pub kind: ItemKindDto,
    /// Must be answered before the work can be completed (default true).
    #[serde(default = "yes")]
    pub required: bool,
    /// Pass/fail items: "not applicable" may be answered.
    #[serde(default)]
    pub allow_na: bool,
    /// Number items: e.g. `Ω`.
    #[serde(default)]
    pub unit: Option<String>,
    /// Number items: lowest acceptable value (inclusive).
    #[serde(default)]
    pub min: Option<f64>,
    /// Number items: highest acceptable value (inclusive).
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub guidance: Option<String>,
}

fn yes() -> bool {
    true
}

impl From<ItemDto> for Item {
    fn from(i: ItemDto) -> Self {
        Item {
            key: i.key.trim().to_string(),
            label: i.label.trim().to_string(),
            kind: i.kind.into(),
            required: i.required,
            allow_na: i.allow_na,
            unit: i
                .unit
                .map(|u| u.trim().to_string())
                .filter(|u| !u.is_empty()),
            min: i.min,
            max: i.max,
            guidance: i
                .guidance
                .map(|g| g.trim().to_string())
                .filter(|g| !g.is_empty()),
        }
    }
}

impl From<Item> for ItemDto {
    fn from(i: Item) -> Self {
        ItemDto {
            key: i.key,
            label: i.label,
            kind: i.kind.into(),
            required: i.required,
            allow_na: i.allow_na,
            unit: i.unit,
            min: i.min,
            max: i.max,
            guidance: i.guidance,
        }
    }
}

/// A checklist template and its current items.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateDto {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    /// The version new work gets; editing the items makes a new one.
    pub current_version: i32,
    pub items: Vec<ItemDto>,
    /// Every version, newest first.
    pub versions: Vec<TemplateVersionDto>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateVersionDto {
    pub id: Uuid,
    pub number: i32,
    pub item_count: usize,
    pub created_at: DateTime<Utc>,
}

/// A template in a list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateSummary {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub current_version: i32,
    pub item_count: usize,
    pub active: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTemplate {
    #[schema(
        example = "Electrical safety test (IEC 62353)",
        min_length = 1,
        max_length = 160
    )]
    pub name: String,
    pub description: Option<String>,
    pub items: Vec<ItemDto>,
}

/// Changes to a template: new `items` make a new version; name, description and `active`
/// change in place.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateTemplate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub items: Option<Vec<ItemDto>>,
    pub active: Option<bool>,
    pub version: Option<i32>,
}

/// The items of one version of a template.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateVersionItems {
    pub template_id: Uuid,
    pub number: i32,
    pub items: Vec<ItemDto>,
    pub created_at: DateTime<Utc>,
}
