//! `StockEntity` and every type nested in it. SKELETON: the core issue fills every field of the seed.

use serde::{Deserialize, Serialize};

/// The state of a stock.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
#[non_exhaustive]
pub enum StockState {
    /// Being audited.
    Auditing,
    /// Issuing coupons.
    Sending,
    /// Paused.
    Paused,
    /// End time reached.
    Stopped,
    /// Deactivated by the brand.
    Deactivated,
    /// A state this version does not know, kept as sent.
    Unknown(String),
}

/// A product coupon stock (批次), as every stock endpoint answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StockEntity {
    /// Product coupon id.
    pub product_coupon_id: String,
    /// Stock id.
    pub stock_id: String,
    /// State.
    pub state: StockState,
    /// `out_request_no` of the deactivation (only when DEACTIVATED).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deactivate_request_no: Option<String>,
    /// When it was deactivated (only when DEACTIVATED).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deactivate_time: Option<crate::Rfc3339>,
    /// Why it was deactivated (only when DEACTIVATED).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deactivate_reason: Option<String>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// One page of `list stocks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ListStocksResponse {
    /// Number of stocks that match, over all pages.
    pub total_count: Option<u64>,
    /// This page's stocks.
    #[serde(default)]
    pub stock_list: Vec<StockEntity>,
    /// Token of the next page; absent or empty on the last page.
    pub next_page_token: Option<String>,
}

impl From<String> for StockState {
    fn from(s: String) -> Self {
        match s.as_str() {
            "AUDITING" => StockState::Auditing,
            "SENDING" => StockState::Sending,
            "PAUSED" => StockState::Paused,
            "STOPPED" => StockState::Stopped,
            "DEACTIVATED" => StockState::Deactivated,
            _ => StockState::Unknown(s),
        }
    }
}

impl From<StockState> for String {
    fn from(s: StockState) -> Self {
        match s {
            StockState::Auditing => "AUDITING".into(),
            StockState::Sending => "SENDING".into(),
            StockState::Paused => "PAUSED".into(),
            StockState::Stopped => "STOPPED".into(),
            StockState::Deactivated => "DEACTIVATED".into(),
            StockState::Unknown(s) => s,
        }
    }
}
