//! Product coupons (商品券): stocks (批次) and the requests that act on them.

mod requests;
mod stock;

pub use requests::{DeactivateStockRequest, GetStockRequest, ListStocksRequest};
pub use stock::*;
