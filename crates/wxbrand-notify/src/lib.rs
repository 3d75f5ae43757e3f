//! Receive WeChat Pay brand event notifications (事件通知): verify, decrypt, de-duplicate, answer.
//!
//! When a user receives, uses or returns a product coupon, WeChat Pay POSTs a signed notification
//! with an encrypted resource to the brand's notify URL, and delivers it again until it gets a 2xx
//! answer. A [`Receiver`] turns one such request into a typed [`Event`] or a typed [`Rejection`],
//! and gives the `http::Response` WeChat Pay expects for each outcome:
//!
//! 1. the signature headers are checked exactly as for answers: `Wechatpay-Serial` names a WeChat
//!    Pay public key held, `Wechatpay-Timestamp` is within the window on both sides of `now` (a
//!    replay with a valid signature outside it is rejected), the signature verifies
//!    (`WECHATPAY/SIGNTEST/` probes fail like any bad signature);
//! 2. the envelope: `algorithm` is `AEAD_AES_256_GCM`, the fields are present;
//! 3. the resource is decrypted with the brand API key (AES-256-GCM) and decoded into an
//!    [`Event`] (an unknown event type is kept as raw JSON, not refused);
//! 4. the notification `id` is claimed in a [`NotificationStore`]: a redelivery of a handled
//!    notification is [`Rejection::Duplicate`] (answered 2xx, not handled again). The id is marked
//!    handled only when the handler acknowledges ([`Received::acknowledge`]); a failed handler
//!    releases it, so the redelivery is handled. See [`store`] for why the key is `id`.
//!
//! Pure logic on `http` types, with no server of its own; feature `axum` adds an extractor.
//! `now` is an argument of [`Receiver::receive`]; the adapters read the receiver's [`Clock`].
//!
//! ```
//! use wxbrand_notify::{Receiver, Rejection};
//! use wxbrand_sign::{ApiKey, PublicKey, Verifier};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let pem = include_bytes!("../../../testdata/vectors/keys/wechatpay_public_key.pem");
//! // The WeChat Pay public key (pub_key.pem) and its id, and the brand API key (品牌API密钥).
//! let verifier = Verifier::new("PUB_KEY_ID_0112345678202501010000000000000001", PublicKey::from_pem(pem)?);
//! let receiver = Receiver::new(verifier, ApiKey::new("Abcdefghijklmnopqrstuvwxyz123456")?);
//!
//! // In your HTTP handler: the request as received, and your clock's Unix seconds.
//! let request = http::Request::post("/notify").body(bytes::Bytes::from_static(b"{}"))?;
//! let now = 1_735_660_800;
//! let response = match receiver.receive(&request, now) {
//!     Ok(received) => {
//!         println!("{:?}", received.event()); // handle it, then:
//!         received.acknowledge(now) // 204; a redelivery is now a duplicate
//!     }
//!     Err(rejection) => {
//!         assert!(matches!(rejection, Rejection::MissingHeader(_)));
//!         rejection.response() // non-2xx with {"code":"FAIL",…}: WeChat Pay retries
//!     }
//! };
//! assert_eq!(response.status(), 401);
//! # Ok(())
//! # }
//! ```
//!
//! # Crate features
//! - `axum`: [`axum::Notification`], an extractor for axum 0.8 routers.
#![warn(missing_docs, missing_debug_implementations)]

#[cfg(feature = "axum")]
pub mod axum;
pub mod clock;
mod receiver;
mod rejection;
pub mod store;

pub use clock::{Clock, FixedClock, SystemClock};
pub use receiver::{Received, Receiver};
pub use rejection::{failure_response, success_response, EnvelopeProblem, Rejection};
pub use store::{Claim, MemoryStore, NotificationStore, StoreError};
pub use wxbrand_core::event::{CouponEventResource, Event, EventDecodeError, EventType};
pub use wxbrand_sign::{ApiKey, PublicKey, Verifier};
