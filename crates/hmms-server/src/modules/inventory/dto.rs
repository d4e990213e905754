//! Wire types of the inventory module. Quantities travel as decimal strings in the part's unit
//! (`"1.5"`), never as floating point; values as integer minor units of the organization's
//! currency.

use chrono::{DateTime, Utc};
use hmms_domain::stock::{MovementKind, StoreKind, WriteOffReason};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A quantity as sent: a decimal string (`"1.5"`), or a JSON number read by its digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecimalText(pub String);

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(DecimalText(s)),
            serde_json::Value::Number(n) => Ok(DecimalText(n.to_string())),
            _ => Err(serde::de::Error::custom(
                "a quantity must be a decimal string such as \"1.5\"",
            )),
        }
    }
}

/// A spare part in the catalogue, with its stock in the stores the caller may see.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SparePartDto {
    pub id: Uuid,
    /// Unique within the organization.
    pub part_number: String,
    pub name: String,
    pub category: Option<String>,
    /// The unit stock is counted in (`each`, `m`, `l`, `box`).
    pub unit: String,
    /// Decimal places the unit allows (0 for parts counted whole).
    pub decimals: i16,
    pub manufacturer: Option<String>,
    pub manufacturer_part_number: Option<String>,
    pub description: Option<String>,
    /// A critical spare (kept for life-support equipment).
    pub critical: bool,
    /// Obsolete parts keep their history but take no new stock.
    pub active: bool,
    /// On hand across the stores the caller may see, in the part's unit.
    #[schema(example = "12")]
    pub on_hand: String,
    /// The value of that stock, minor units.
    pub value_minor: i64,
    /// At or below its reorder point in at least one of those stores.
    pub low: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SparePartPage {
    pub items: Vec<SparePartDto>,
    pub next_cursor: Option<String>,
}

/// Filters and paging for `GET /parts`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct SparePartQuery {
    /// Part of the name or part number.
    pub q: Option<String>,
    pub category: Option<String>,
    pub critical: Option<bool>,
    pub active: Option<bool>,
    /// Only parts at or below their reorder point in a store the caller may see.
    pub low: Option<bool>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A new part.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateSparePart {
    #[schema(min_length = 1, max_length = 64, example = "VLV-EXH-001")]
    pub part_number: String,
    #[schema(min_length = 1, max_length = 160, example = "Exhalation valve")]
    pub name: String,
    #[schema(max_length = 80)]
    pub category: Option<String>,
    /// Defaults to `each`.
    #[schema(max_length = 16)]
    pub unit: Option<String>,
    /// 0 to 3; defaults to 0 (counted whole).
    #[schema(minimum = 0, maximum = 3)]
    pub decimals: Option<i16>,
    #[schema(max_length = 120)]
    pub manufacturer: Option<String>,
    #[schema(max_length = 64)]
    pub manufacturer_part_number: Option<String>,
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    #[serde(default)]
    pub critical: bool,
}

/// Changes to a part. Absent fields stay as they are; `null` clears an optional one. The unit
/// and its decimals are fixed once the part has stock movements.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateSparePart {
    #[schema(min_length = 1, max_length = 64)]
    pub part_number: Option<String>,
    #[schema(min_length = 1, max_length = 160)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "super::super::double_option")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    #[schema(max_length = 16)]
    pub unit: Option<String>,
    #[schema(minimum = 0, maximum = 3)]
    pub decimals: Option<i16>,
    #[serde(default, deserialize_with = "super::super::double_option")]
    #[schema(value_type = Option<String>)]
    pub manufacturer: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::super::double_option")]
    #[schema(value_type = Option<String>)]
    pub manufacturer_part_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::super::double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub critical: Option<bool>,
    pub active: Option<bool>,
    pub version: Option<i32>,
}

/// A bin (shelf, drawer, rack position) within a store.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BinDto {
    pub id: Uuid,
    pub store_id: Uuid,
    pub code: String,
    pub active: bool,
}

/// A store at a site: the main store, a satellite store, or a technician's van or bag.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoreDto {
    pub id: Uuid,
    pub site_id: Uuid,
    pub code: String,
    pub name: String,
    #[schema(value_type = String, example = "main")]
    pub kind: StoreKind,
    pub active: bool,
    pub bins: Vec<BinDto>,
    /// Value of everything in the store, minor units.
    pub value_minor: i64,
    pub version: i32,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoreList {
    pub items: Vec<StoreDto>,
}

/// Filters for `GET /stores`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct StoreQuery {
    pub site_id: Option<Uuid>,
    pub active: Option<bool>,
}

/// A new store. It starts with one bin, `GENERAL`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateStore {
    pub site_id: Uuid,
    #[schema(min_length = 1, max_length = 32, example = "MAIN-SMGH")]
    pub code: String,
    #[schema(min_length = 1, max_length = 120, example = "Main engineering store")]
    pub name: String,
    #[schema(value_type = String, example = "main")]
    pub kind: StoreKind,
}

/// Changes to a store.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateStore {
    #[schema(min_length = 1, max_length = 120)]
    pub name: Option<String>,
    #[schema(value_type = Option<String>)]
    pub kind: Option<StoreKind>,
    pub active: Option<bool>,
    pub version: Option<i32>,
}

/// A new bin in a store.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateBin {
    #[schema(min_length = 1, max_length = 32, example = "A-03")]
    pub code: String,
}

/// What a movement does. `transfer` posts two entries (out of one bin, into another) together;
/// `count` posts the difference between the counted and the recorded quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MovementRequestKind {
    Receipt,
    Issue,
    Return,
    Transfer,
    Adjustment,
    Count,
    WriteOff,
}

/// A stock movement. Which fields it needs depends on `kind`:
/// - `receipt`: `binId`, `quantity`, `unitCostMinor`, optionally `reference` (delivery note, order);
/// - `issue` / `return`: `binId`, `quantity`, `workOrderId`;
/// - `transfer`: `binId` (from), `toBinId`, `quantity`;
/// - `adjustment`: `binId`, `quantity` (signed, e.g. `"-2"`), `reason`;
/// - `count`: `binId`, `countedQuantity`;
/// - `write_off`: `binId`, `quantity`, `writeOffReason`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateMovement {
    pub kind: MovementRequestKind,
    pub part_id: Uuid,
    pub bin_id: Uuid,
    pub to_bin_id: Option<Uuid>,
    #[schema(value_type = Option<String>, example = "2")]
    pub quantity: Option<DecimalText>,
    #[schema(value_type = Option<String>, example = "7")]
    pub counted_quantity: Option<DecimalText>,
    /// Price of one unit on a receipt, minor units.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64)]
    pub unit_cost_minor: Option<i64>,
    pub work_order_id: Option<Uuid>,
    #[schema(max_length = 200)]
    pub reason: Option<String>,
    #[schema(value_type = Option<String>, example = "expired")]
    pub write_off_reason: Option<WriteOffReason>,
    /// The supplier's delivery note, an order number, a count sheet.
    #[schema(max_length = 120)]
    pub reference: Option<String>,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// One ledger entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StockEntryDto {
    pub id: Uuid,
    /// Shared by the two legs of a transfer.
    pub movement_id: Uuid,
    #[schema(value_type = String, example = "issue")]
    pub kind: MovementKind,
    pub part_id: Uuid,
    pub store_id: Uuid,
    pub bin_id: Uuid,
    pub bin_code: String,
    /// Signed: negative when stock left the bin.
    #[schema(example = "-2")]
    pub quantity: String,
    /// Signed value moved, minor units.
    pub value_minor: i64,
    pub unit_cost_minor: Option<i64>,
    /// What the bin held after this entry: the running balance.
    pub on_hand_after: String,
    pub value_after: i64,
    pub work_order_id: Option<Uuid>,
    /// The work order's code (`WO-…`), for people reading the ledger.
    pub work_order_code: Option<String>,
    pub reason: Option<String>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub actor_id: Uuid,
    pub actor_name: String,
    pub created_at: DateTime<Utc>,
}

/// A posted movement: its entries, in the order they were written.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MovementDto {
    pub movement_id: Uuid,
    pub entries: Vec<StockEntryDto>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StockEntryPage {
    pub items: Vec<StockEntryDto>,
    pub next_cursor: Option<String>,
}

/// Paging and filters for a part's ledger.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct LedgerQuery {
    pub store_id: Option<Uuid>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// What one bin holds of a part.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BinStockDto {
    pub store_id: Uuid,
    pub bin_id: Uuid,
    pub bin_code: String,
    pub on_hand: String,
    pub value_minor: i64,
    /// Moving average cost of one unit, minor units.
    pub average_cost_minor: i64,
}

/// A part in one store: what is there, and when to reorder.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoreStockDto {
    pub store_id: Uuid,
    pub store_code: String,
    pub store_name: String,
    pub site_id: Uuid,
    pub on_hand: String,
    /// On hand less what is reserved for planned work.
    pub available: String,
    pub value_minor: i64,
    pub reorder_point: Option<String>,
    pub maximum: Option<String>,
    pub lead_time_days: Option<i32>,
    pub low: bool,
    pub bins: Vec<BinStockDto>,
}

/// A part's stock in every store the caller may see.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartStockDto {
    pub part_id: Uuid,
    pub unit: String,
    pub on_hand: String,
    pub available: String,
    pub value_minor: i64,
    pub stores: Vec<StoreStockDto>,
}

/// Reorder point, maximum and lead time of a part in a store.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetLevels {
    /// Reorder when available stock falls to this.
    #[schema(value_type = String, example = "4")]
    pub reorder_point: DecimalText,
    /// Order up to this.
    #[schema(value_type = String, example = "20")]
    pub maximum: DecimalText,
    #[schema(minimum = 0, maximum = 365)]
    pub lead_time_days: Option<i32>,
}

/// A part at or below its reorder point in a store, and what to order.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReorderLineDto {
    pub part_id: Uuid,
    pub part_number: String,
    pub part_name: String,
    pub critical: bool,
    pub unit: String,
    pub store_id: Uuid,
    pub store_name: String,
    pub site_id: Uuid,
    pub available: String,
    pub reorder_point: String,
    pub maximum: String,
    pub lead_time_days: Option<i32>,
    /// Up to the maximum.
    pub suggested_quantity: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReorderList {
    pub items: Vec<ReorderLineDto>,
}

/// One ledger entry of a work order, with the part it moved.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkOrderStockEntry {
    pub part_number: String,
    pub part_name: String,
    pub unit: String,
    pub store_name: String,
    #[serde(flatten)]
    pub entry: StockEntryDto,
}

/// What a work order has used of one part: issued less returned, at the ledger's cost.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkOrderPartUse {
    pub part_id: Uuid,
    pub part_number: String,
    pub part_name: String,
    /// Net quantity used, in the part's unit.
    #[schema(example = "2")]
    pub quantity: String,
    pub unit: String,
    pub value_minor: i64,
}

/// The parts a work order took from the stores and gave back, from the ledger.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkOrderStockDto {
    /// Net use per part.
    pub used: Vec<WorkOrderPartUse>,
    /// What the parts used cost, in minor units: the ledger's value of issues less returns.
    pub value_minor: i64,
    /// Every issue and return, oldest first.
    pub entries: Vec<WorkOrderStockEntry>,
}

/// What the stock in the stores you reach is worth, at moving average cost.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StockValue {
    /// Everything together, minor units.
    pub total_minor: i64,
    /// Every active store you reach, most valuable first (an empty store is worth 0).
    pub stores: Vec<StoreValueDto>,
    /// By part category, most valuable first; `category` is null for parts without one.
    pub categories: Vec<CategoryValueDto>,
}

/// One store's stock value.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoreValueDto {
    pub store_id: Uuid,
    pub store_code: String,
    pub store_name: String,
    pub site_id: Uuid,
    pub value_minor: i64,
    /// Different parts held.
    pub parts: i64,
}

/// One category's stock value over the stores.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CategoryValueDto {
    pub category: Option<String>,
    pub value_minor: i64,
    /// Different parts held.
    pub parts: i64,
}

/// Which stock-outs to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct StockOutQuery {
    pub part_id: Option<Uuid>,
    /// From this instant (inclusive).
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Before this instant.
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A part asked for that the bin could not give: an issue refused for want of stock.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StockOutDto {
    pub id: Uuid,
    pub part_id: Uuid,
    pub part_number: String,
    pub part_name: String,
    pub critical: bool,
    pub unit: String,
    pub store_id: Uuid,
    pub store_code: String,
    pub bin_code: String,
    pub work_order_id: Option<Uuid>,
    pub work_order_code: Option<String>,
    /// What was asked for, in the part's unit.
    #[schema(example = "2")]
    pub requested: String,
    /// What the bin held.
    #[schema(example = "0")]
    pub on_hand: String,
    pub actor_name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StockOutPage {
    pub items: Vec<StockOutDto>,
    /// How many stock-outs the filter holds (every page together).
    pub total: u64,
    pub next_cursor: Option<String>,
}
