//! Event notifications (事件通知): the decrypted resources WeChat Pay posts to the brand's notify
//! URL, as typed events.
//!
//! A notification's envelope (`id`, `create_time`, `event_type`, `summary`, the encrypted
//! `resource`) is verified and decrypted by `wxbrand-sign`; this module models what comes out: the
//! [`EventType`] and the decrypted resource, together an [`Event`]. The models live here, in core,
//! so that a server (the simulator) builds exactly what a receiver decodes.
//!
//! Forward compatible: an event type this version does not know is [`Event::Other`] with its
//! resource kept as raw JSON (not an error), and fields this version does not know are kept in
//! [`CouponEventResource::extra`] and written back when encoded.
//!
//! ```
//! use wxbrand_core::event::{Event, EventType};
//!
//! let event = Event::decode(
//!     "PRODUCT_COUPON.USE",
//!     r#"{"coupon_code":"C0001","product_coupon_id":"200000001","stock_id":"123456789","openid":"o_user_1","new_field":1}"#,
//! )?;
//! assert_eq!(event.event_type(), EventType::ProductCouponUse);
//! let coupon = event.coupon().expect("a coupon event");
//! assert_eq!(coupon.coupon_code, "C0001");
//! assert!(coupon.extra.contains_key("new_field"));
//!
//! // A type this version does not know is kept, not refused.
//! let other = Event::decode("PRODUCT_COUPON.SOMETHING_NEW", r#"{"a":1}"#)?;
//! assert_eq!(other.event_type().as_str(), "PRODUCT_COUPON.SOMETHING_NEW");
//! assert_eq!(other.resource_json()?, r#"{"a":1}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::product_coupon::ExtraFields;
use crate::string_enum::string_enum;
use crate::Rfc3339;

string_enum! {
    /// The `event_type` of a notification (通知类型), as the product-coupon family names them.
    pub enum EventType {
        /// `PRODUCT_COUPON.SEND`: a coupon was sent to (or claimed by) a user. Record it, then
        /// confirm it (the coupon stays `CONFIRMING`, unusable, until confirmed).
        ProductCouponSend = "PRODUCT_COUPON.SEND",
        /// `PRODUCT_COUPON.USE`: a user's coupon was redeemed (核销).
        ProductCouponUse = "PRODUCT_COUPON.USE",
        /// `PRODUCT_COUPON.RETURN`: a redemption was undone (退券).
        ProductCouponReturn = "PRODUCT_COUPON.RETURN",
    }
}

impl EventType {
    /// The envelope's `summary` WeChat Pay writes for this type (a human text; Chinese, as sent),
    /// or a generic one for a type this version does not know.
    pub fn summary(&self) -> &'static str {
        match self {
            EventType::ProductCouponSend => "商品券发放",
            EventType::ProductCouponUse => "商品券核销",
            EventType::ProductCouponReturn => "商品券退券",
            EventType::Unknown(_) => "商品券事件",
        }
    }
}

/// The decrypted resource of a product-coupon event (`SEND`, `USE`, `RETURN`): which coupon, of
/// which stock, held by which user. `original_type` of the envelope is `product_coupon`.
///
/// The three ids are required; every other field is optional so that a resource of an older or
/// newer shape still decodes. Unknown fields are kept in [`extra`](CouponEventResource::extra).
/// `Debug` shows the ids but not the user's `openid`/`unionid`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CouponEventResource {
    /// The user's coupon code (券Code).
    pub coupon_code: String,
    /// Product coupon id (商品券ID).
    pub product_coupon_id: String,
    /// Stock id (批次ID).
    pub stock_id: String,
    /// The user's OpenID under the stock's `notify_appid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openid: Option<String>,
    /// The user's UnionID, when the AppID has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unionid: Option<String>,
    /// How the coupon was sent: `BRAND_MANAGE`, `API` or `RECEIVE_COMPONENT` (kept as text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_channel: Option<String>,
    /// The brand's `send_request_no` of the send, for a coupon sent through the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_request_no: Option<String>,
    /// When the user received the coupon (RFC3339).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_keeping_null"
    )]
    pub receive_time: Option<Rfc3339>,
    /// Start of the coupon's validity (RFC3339).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_keeping_null"
    )]
    pub valid_begin_time: Option<Rfc3339>,
    /// End of the coupon's validity (RFC3339).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_keeping_null"
    )]
    pub valid_end_time: Option<Rfc3339>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl fmt::Debug for CouponEventResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CouponEventResource")
            .field("coupon_code", &self.coupon_code)
            .field("product_coupon_id", &self.product_coupon_id)
            .field("stock_id", &self.stock_id)
            .field("send_channel", &self.send_channel)
            .field("send_request_no", &self.send_request_no)
            .field("extra_fields", &self.extra.len())
            .finish_non_exhaustive()
    }
}

impl CouponEventResource {
    /// A resource naming one coupon, every optional field empty.
    pub fn new(
        coupon_code: impl Into<String>,
        product_coupon_id: impl Into<String>,
        stock_id: impl Into<String>,
    ) -> Self {
        CouponEventResource {
            coupon_code: coupon_code.into(),
            product_coupon_id: product_coupon_id.into(),
            stock_id: stock_id.into(),
            openid: None,
            unionid: None,
            send_channel: None,
            send_request_no: None,
            receive_time: None,
            valid_begin_time: None,
            valid_end_time: None,
            extra: ExtraFields::new(),
        }
    }
}

/// A decrypted notification as a typed event. Unknown event types are [`Event::Other`], their
/// resource kept as raw JSON.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// `PRODUCT_COUPON.SEND`.
    CouponSent(CouponEventResource),
    /// `PRODUCT_COUPON.USE`.
    CouponUsed(CouponEventResource),
    /// `PRODUCT_COUPON.RETURN`.
    CouponReturned(CouponEventResource),
    /// An event type this version does not know, kept as sent.
    Other {
        /// The `event_type` as sent.
        event_type: String,
        /// The decrypted resource, any JSON.
        resource: serde_json::Value,
    },
}

impl Event {
    /// Decodes a decrypted resource (JSON text) for the envelope's `event_type`.
    ///
    /// # Errors
    /// [`EventDecodeError`] when the text is not JSON, or a known type's resource lacks a required
    /// field or has one of the wrong type. An unknown type only needs JSON.
    pub fn decode(event_type: &str, resource: &str) -> Result<Self, EventDecodeError> {
        let error = |e: serde_json::Error| EventDecodeError::new(event_type, &e);
        let coupon = || serde_json::from_str::<CouponEventResource>(resource).map_err(error);
        Ok(match EventType::from(event_type) {
            EventType::ProductCouponSend => Event::CouponSent(coupon()?),
            EventType::ProductCouponUse => Event::CouponUsed(coupon()?),
            EventType::ProductCouponReturn => Event::CouponReturned(coupon()?),
            EventType::Unknown(event_type) => Event::Other {
                resource: serde_json::from_str(resource).map_err(error)?,
                event_type,
            },
        })
    }

    /// The event's type.
    pub fn event_type(&self) -> EventType {
        match self {
            Event::CouponSent(_) => EventType::ProductCouponSend,
            Event::CouponUsed(_) => EventType::ProductCouponUse,
            Event::CouponReturned(_) => EventType::ProductCouponReturn,
            Event::Other { event_type, .. } => EventType::from(event_type.as_str()),
        }
    }

    /// The coupon the event concerns, for the product-coupon events.
    pub fn coupon(&self) -> Option<&CouponEventResource> {
        match self {
            Event::CouponSent(c) | Event::CouponUsed(c) | Event::CouponReturned(c) => Some(c),
            Event::Other { .. } => None,
        }
    }

    /// The `original_type` (and associated data) WeChat Pay gives the encrypted resource:
    /// `product_coupon` for the product-coupon events.
    pub fn original_type(&self) -> &'static str {
        "product_coupon"
    }

    /// The resource as JSON text: what is encrypted into the notification, and what a receiver
    /// decrypted (unknown fields included).
    ///
    /// # Errors
    /// Only if a kept unknown value cannot be written (never for values that were decoded).
    pub fn resource_json(&self) -> Result<String, EventDecodeError> {
        let written = match self {
            Event::CouponSent(c) | Event::CouponUsed(c) | Event::CouponReturned(c) => {
                serde_json::to_string(c)
            }
            Event::Other { resource, .. } => serde_json::to_string(resource),
        };
        written.map_err(|e| EventDecodeError::new(self.event_type().as_str(), &e))
    }
}

/// A decrypted resource that does not decode as its event type's shape. Says where, never quotes
/// the (decrypted, personal) text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDecodeError {
    event_type: String,
    line: usize,
    column: usize,
    syntax: bool,
}

impl EventDecodeError {
    fn new(event_type: &str, e: &serde_json::Error) -> Self {
        EventDecodeError {
            event_type: event_type.chars().take(64).collect(),
            line: e.line(),
            column: e.column(),
            syntax: !e.is_data(),
        }
    }

    /// The event type whose resource failed (at most 64 characters).
    pub fn event_type(&self) -> &str {
        &self.event_type
    }

    /// The line (1-based) where decoding failed.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The column (1-based) where decoding failed.
    pub fn column(&self) -> usize {
        self.column
    }
}

impl fmt::Display for EventDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.syntax {
            "is not JSON"
        } else {
            "lacks a required field or has a field of the wrong type"
        };
        write!(
            f,
            "the decrypted {} resource {what} (line {} column {})",
            self.event_type.escape_debug(),
            self.line,
            self.column
        )
    }
}

impl std::error::Error for EventDecodeError {}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const FULL: &str = r#"{"coupon_code":"C0001","product_coupon_id":"200000001","stock_id":"123456789","openid":"o_user_1","unionid":"u1","send_channel":"API","send_request_no":"SEND_1","receive_time":"2025-01-01T00:00:00+08:00","valid_begin_time":"2025-01-01T00:00:00+08:00","valid_end_time":"2025-02-01T00:00:00+08:00","future":{"x":[1,2]}}"#;

    #[test]
    fn every_known_type_decodes_typed_and_round_trips_without_loss() {
        for (text, expected) in [
            ("PRODUCT_COUPON.SEND", EventType::ProductCouponSend),
            ("PRODUCT_COUPON.USE", EventType::ProductCouponUse),
            ("PRODUCT_COUPON.RETURN", EventType::ProductCouponReturn),
        ] {
            let event = Event::decode(text, FULL).unwrap();
            assert_eq!(event.event_type(), expected);
            let coupon = event.coupon().unwrap();
            assert_eq!(coupon.send_channel.as_deref(), Some("API"));
            assert_eq!(
                coupon.valid_end_time.as_ref().unwrap().as_str(),
                "2025-02-01T00:00:00+08:00"
            );
            assert_eq!(event.resource_json().unwrap(), FULL);
        }
    }

    #[test]
    fn an_unknown_type_keeps_its_resource_and_a_known_type_needs_its_ids() {
        let event = Event::decode("PRODUCT_COUPON.EXPIRE", r#"{"b":[true]}"#).unwrap();
        assert_eq!(
            event.event_type(),
            EventType::Unknown("PRODUCT_COUPON.EXPIRE".into())
        );
        assert!(event.coupon().is_none());
        assert_eq!(event.resource_json().unwrap(), r#"{"b":[true]}"#);

        let error =
            Event::decode("PRODUCT_COUPON.USE", r#"{"coupon_code":"secret-ish"}"#).unwrap_err();
        assert_eq!(error.event_type(), "PRODUCT_COUPON.USE");
        assert!(error.to_string().contains("required field"), "{error}");
        assert!(!error.to_string().contains("secret-ish"));
        let error = Event::decode("X", "not json").unwrap_err();
        assert!(error.to_string().contains("is not JSON"), "{error}");
    }

    #[test]
    fn debug_does_not_show_the_user() {
        let event = Event::decode("PRODUCT_COUPON.SEND", FULL).unwrap();
        let shown = format!("{event:?}");
        assert!(shown.contains("C0001"));
        assert!(
            !shown.contains("o_user_1") && !shown.contains("u1\""),
            "{shown}"
        );
    }
}
