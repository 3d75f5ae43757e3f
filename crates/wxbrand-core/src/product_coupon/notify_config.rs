//! The brand's event-notification address for product coupons (商品券事件通知地址): set and get.
//! WeChat Pay sends `PRODUCT_COUPON.SEND`, `.USE` and `.RETURN` events there.
//!
//! The path is `/notify-configs` as WeChat Pay's samples send it (two of its documents write
//! `/notify-config`).

use serde::{Deserialize, Serialize};

use super::ExtraFields;
use crate::field::{NotifyUrl, WithinField};
use crate::{AnswerMismatch, Method, NoBody, Operation, Rfc3339, ValidationError};

/// The answer of set and get: the address and when it was last set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NotifyConfigResponse {
    /// The address events are sent to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_url: Option<String>,
    /// When it was last set (RFC3339).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_keeping_null"
    )]
    pub update_time: Option<Rfc3339>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl NotifyConfigResponse {
    /// An answer holding `notify_url`, set at `update_time`.
    pub fn new(notify_url: impl Into<String>, update_time: Option<Rfc3339>) -> Self {
        NotifyConfigResponse {
            notify_url: Some(notify_url.into()),
            update_time,
            extra: ExtraFields::new(),
        }
    }
}

/// The body of [`SetNotifyConfigRequest`]: exactly `notify_url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SetNotifyConfigBody {
    /// The address ([`NotifyUrl`]: `https://`, a public host name, a path, no query).
    pub notify_url: NotifyUrl,
}

/// Set the address of the product-coupon events (设置商品券事件通知地址):
/// `POST /brand/marketing/product-coupon/notify-configs`.
///
/// Repeat-safe although it carries no request number: it sets a value, so a second delivery
/// leaves the same address. WeChat Pay also needs the brand's APIv3 key set before it sends
/// events. The answer must name this address (when it names one).
///
/// ```
/// use wxbrand_core::product_coupon::SetNotifyConfigRequest;
/// use wxbrand_core::Operation;
///
/// let prepared = SetNotifyConfigRequest::new("https://brand.example.com/wxpay/coupon-events")?.prepare()?;
/// assert_eq!(prepared.body(), Some(&br#"{"notify_url":"https://brand.example.com/wxpay/coupon-events"}"#[..]));
/// let error = SetNotifyConfigRequest::new("http://brand.example.com/events").unwrap_err();
/// assert_eq!(error.field(), "notify_url");
/// # Ok::<(), wxbrand_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetNotifyConfigRequest {
    body: SetNotifyConfigBody,
}

impl SetNotifyConfigRequest {
    /// Validates the address ([`NotifyUrl`]); nothing is sent when this fails.
    pub fn new(notify_url: impl Into<String>) -> Result<Self, ValidationError> {
        Ok(SetNotifyConfigRequest {
            body: SetNotifyConfigBody {
                notify_url: NotifyUrl::new(notify_url).within("notify_url")?,
            },
        })
    }
    /// The address.
    pub fn notify_url(&self) -> &str {
        self.body.notify_url.as_str()
    }
}

impl Operation for SetNotifyConfigRequest {
    const NAME: &'static str = "set_notify_config";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/brand/marketing/product-coupon/notify-configs";
    const REPEAT_SAFE: bool = true; // sets a value: a repeat leaves the same state
    type Body = SetNotifyConfigBody;
    type Response = NotifyConfigResponse;

    fn body(&self) -> Option<&SetNotifyConfigBody> {
        Some(&self.body)
    }
    fn check_answer(&self, answer: &NotifyConfigResponse) -> Result<(), AnswerMismatch> {
        AnswerMismatch::check_if_present(
            "notify_url",
            self.notify_url(),
            answer.notify_url.as_deref(),
        )
    }
}

/// Get the address of the product-coupon events (查询商品券事件通知地址):
/// `GET /brand/marketing/product-coupon/notify-configs`. A `GET`: repeat-safe.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetNotifyConfigRequest {
    _private: (),
}

impl GetNotifyConfigRequest {
    /// The request (it has no parameters).
    pub fn new() -> Self {
        GetNotifyConfigRequest::default()
    }
}

impl Operation for GetNotifyConfigRequest {
    const NAME: &'static str = "get_notify_config";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/brand/marketing/product-coupon/notify-configs";
    type Body = NoBody;
    type Response = NotifyConfigResponse;
}
