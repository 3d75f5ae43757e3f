//! axum adapter (feature `axum`): [`Notification`], an extractor that runs the [`Receiver`] on the
//! request, so a handler only sees verified, decrypted, not-yet-handled events.
//!
//! The router's state must give a [`Receiver`] (`Receiver: FromRef<S>`; the receiver itself as
//! the state works). A rejected notification never reaches the handler: the extractor answers
//! it ([`Rejection::response`]: 2xx for a duplicate, non-2xx otherwise so WeChat Pay retries).
//! Take `Result<Notification, NotificationRejection>` instead to see (log) rejections.
//!
//! ```
//! use axum::{response::Response, routing::post, Router};
//! use wxbrand_notify::axum::Notification;
//! use wxbrand_notify::{Event, Receiver};
//!
//! async fn on_notification(notification: Notification) -> Response {
//!     match notification.event() {
//!         Event::CouponSent(coupon) => println!("sent {}: confirm it", coupon.coupon_code),
//!         other => println!("{:?}", other.event_type()),
//!     }
//!     // Handled: WeChat Pay gets 204, and a redelivery is a duplicate. On failure, answer
//!     // `notification.handler_failed("…")` (500) so WeChat Pay delivers it again.
//!     notification.acknowledge()
//! }
//!
//! fn app(receiver: Receiver) -> Router {
//!     Router::new().route("/wechatpay/notify", post(on_notification)).with_state(receiver)
//! }
//! ```

use std::fmt;

use axum::body::Body;
use axum::extract::{FromRef, FromRequest, Request};
use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::rejection::failure_response;
use crate::{Event, Received, Receiver, Rejection};

/// The largest notification body read, in bytes (WeChat Pay's are a few hundred bytes).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A notification that passed every check of the [`Receiver`] and is claimed for handling.
/// Answer with [`Notification::acknowledge`] once handled, or [`Notification::handler_failed`].
#[derive(Debug)]
#[must_use = "answer with acknowledge() once handled"]
pub struct Notification {
    received: Received,
    receiver: Receiver,
}

impl Notification {
    /// The event, typed.
    pub fn event(&self) -> &Event {
        self.received.event()
    }

    /// Everything received (id, envelope, verified headers).
    pub fn received(&self) -> &Received {
        &self.received
    }

    /// Marks it handled and answers 204.
    pub fn acknowledge(self) -> Response {
        let now = self.receiver.now();
        into_axum(self.received.acknowledge(now))
    }

    /// Releases it and answers 500 with `{"code":"FAIL","message":message}`: WeChat Pay delivers
    /// it again, and the redelivery is handled.
    pub fn handler_failed(self, message: &str) -> Response {
        into_axum(self.received.handler_failed(message))
    }
}

/// Why [`Notification`] was not extracted; its response is what WeChat Pay expects.
#[derive(Debug)]
#[non_exhaustive]
pub enum NotificationRejection {
    /// The receiver rejected the notification (a duplicate included).
    Rejected(Rejection),
    /// The body could not be read or exceeds [`MAX_BODY_BYTES`].
    Body,
}

impl fmt::Display for NotificationRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rejected(rejection) => write!(f, "{rejection}"),
            Self::Body => write!(
                f,
                "the notification body could not be read or exceeds {MAX_BODY_BYTES} bytes"
            ),
        }
    }
}

impl std::error::Error for NotificationRejection {}

impl IntoResponse for NotificationRejection {
    fn into_response(self) -> Response {
        match self {
            Self::Rejected(rejection) => into_axum(rejection.response()),
            Self::Body => into_axum(failure_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                &self.to_string(),
            )),
        }
    }
}

impl<S> FromRequest<S> for Notification
where
    Receiver: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = NotificationRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let receiver = Receiver::from_ref(state);
        let (parts, body) = request.into_parts();
        let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
            .await
            .map_err(|_| NotificationRejection::Body)?;
        let now = receiver.now();
        let received = receiver
            .receive_parts(&parts.headers, &body, now)
            .map_err(NotificationRejection::Rejected)?;
        Ok(Notification { received, receiver })
    }
}

fn into_axum(response: http::Response<bytes::Bytes>) -> Response {
    response.map(Body::from)
}
