//! `wxbrand stock deactivate --from-file`: the stock deactivation as a row of a bulk job.

use serde_json::{json, Map, Value};
use wxbrand_product_coupon::DeactivateStockItem;

use super::bulk::BulkRow;
use super::bulk_input::Row;

/// Columns `product_coupon_id`, `stock_id` and an optional `reason` (or `deactivate_reason`;
/// `--reason` for rows without one).
impl BulkRow for DeactivateStockItem {
    const COLUMNS: &'static [&'static str] = &["product_coupon_id", "stock_id"];

    fn from_row(row: &Row) -> Result<Self, String> {
        // `reason` is filled from --reason; a row's own `deactivate_reason` comes first.
        let reason = row
            .get("deactivate_reason")
            .or_else(|| row.get("reason"))
            .ok_or("no reason: give a reason column or --reason")?;
        Ok(DeactivateStockItem::new(
            super::bulk::required(row, "product_coupon_id")?,
            super::bulk::required(row, "stock_id")?,
            reason,
        ))
    }

    fn fields(&self) -> Map<String, Value> {
        let value = json!({
            "product_coupon_id": self.product_coupon_id,
            "stock_id": self.stock_id,
            "reason": self.deactivate_reason,
        });
        match value {
            Value::Object(fields) => fields,
            _ => Map::new(),
        }
    }
}
