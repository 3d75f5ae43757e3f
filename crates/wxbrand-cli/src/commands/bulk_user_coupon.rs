//! `wxbrand user-coupon send --from-file`: the coupon send as a row of a bulk job.

use serde_json::{Map, Value};
use wxbrand_product_coupon::SendUserCouponItem;

use super::bulk::{required, BulkRow};
use super::bulk_input::Row;

/// Columns `openid`, `product_coupon_id`, `stock_id`, `appid` (the last three may come from
/// `--product-coupon-id`, `--stock-id`, `--appid`) and optional `coupon_code` and `attach`
/// (`--attach` for rows without one). A job sends one coupon per row; two rows of the same user,
/// stock and code are one send.
impl BulkRow for SendUserCouponItem {
    const COLUMNS: &'static [&'static str] = &["openid", "product_coupon_id", "stock_id", "appid"];

    fn from_row(row: &Row) -> Result<Self, String> {
        let mut item = SendUserCouponItem::new(
            required(row, "openid")?,
            required(row, "product_coupon_id")?,
            required(row, "stock_id")?,
            required(row, "appid")?,
        );
        if let Some(code) = row.get("coupon_code") {
            item = item.coupon_code(code);
        }
        if let Some(attach) = row.get("attach") {
            item = item.attach(attach);
        }
        Ok(item)
    }

    fn fields(&self) -> Map<String, Value> {
        let mut fields = Map::new();
        for (column, value) in [
            ("openid", Some(&self.openid)),
            ("product_coupon_id", Some(&self.product_coupon_id)),
            ("stock_id", Some(&self.stock_id)),
            ("appid", Some(&self.appid)),
            ("coupon_code", self.coupon_code.as_ref()),
            ("attach", self.attach.as_ref()),
        ] {
            if let Some(value) = value {
                fields.insert(column.into(), value.as_str().into());
            }
        }
        fields
    }
}
