//! An operation as a declaration: what one API call sends and what comes back, stated once.
//!
//! A request type implements [`Operation`]: its name, method, path template, query parameters,
//! body type, answer type, repeat safety, default rate limit and how to check that an answer is
//! about what was asked. The runtime ([`PreparedRequest::of`], and the client's generic `send`)
//! turns any of them into the exact bytes to sign and send; it names no operation.
//! A listing adds [`Paged`], and one generic stream pages through any of them.
//!
//! ```
//! use serde::Serialize;
//! use wxbrand_core::field::{Id, OutRequestNo};
//! use wxbrand_core::product_coupon::ProductCouponEntity;
//! use wxbrand_core::{Method, Operation};
//!
//! /// Deactivate a product coupon (an example; not a request of this crate).
//! struct DeactivateCoupon {
//!     product_coupon_id: Id,
//!     body: DeactivateCouponBody,
//! }
//! #[derive(Serialize)]
//! struct DeactivateCouponBody {
//!     out_request_no: OutRequestNo,
//!     deactivate_reason: String,
//! }
//!
//! impl Operation for DeactivateCoupon {
//!     const NAME: &'static str = "deactivate_coupon";
//!     const METHOD: Method = Method::Post;
//!     const PATH: &'static str = "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/deactivate";
//!     const REPEAT_SAFE: bool = true; // it carries an out_request_no
//!     type Body = DeactivateCouponBody;
//!     type Response = ProductCouponEntity;
//!     fn path_parameter(&self, name: &str) -> Option<&str> {
//!         (name == "product_coupon_id").then(|| self.product_coupon_id.as_str())
//!     }
//!     fn body(&self) -> Option<&DeactivateCouponBody> {
//!         Some(&self.body)
//!     }
//! }
//!
//! let request = DeactivateCoupon {
//!     product_coupon_id: Id::new("1000000013")?,
//!     body: DeactivateCouponBody { out_request_no: OutRequestNo::new("deact_0001")?, deactivate_reason: "r".into() },
//! };
//! let prepared = request.prepare()?;
//! assert_eq!(prepared.path_and_query(), "/brand/marketing/product-coupon/product-coupons/1000000013/deactivate");
//! assert_eq!(prepared.body(), Some(&br#"{"out_request_no":"deact_0001","deactivate_reason":"r"}"#[..]));
//! # Ok::<(), wxbrand_core::ValidationError>(())
//! ```

use std::fmt;
use std::ops::Range;
use std::time::Duration;

use crate::error::{AnswerMismatch, ValidationError, ValidationRule};
use crate::field::PageToken;
use crate::percent_encoding::encode;

/// An HTTP method used by the brand API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PATCH`
    Patch,
}

impl Method {
    /// The upper-case method name, as it is sent and signed.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
        }
    }
}

/// At most `max` requests of an operation in any window of `window`: an operation's default
/// ([`Operation::RATE_LIMIT`], as WeChat Pay sets it) or a user's override in the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    max: u32,
    window: Duration,
}

impl RateLimit {
    /// At most `max` requests per second. `max` must not be zero.
    pub const fn per_second(max: u32) -> Self {
        RateLimit {
            max,
            window: Duration::from_secs(1),
        }
    }
    /// At most `max` requests in any window of `window`. `max` must not be zero.
    pub const fn new(max: u32, window: Duration) -> Self {
        RateLimit { max, window }
    }
    /// The largest number of requests in a window.
    pub fn max(&self) -> u32 {
        self.max
    }
    /// The window.
    pub fn window(&self) -> Duration {
        self.window
    }
}

/// The body type of an operation that sends no body (`type Body = NoBody;`). It has no values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoBody {}

impl serde::Serialize for NoBody {
    fn serialize<S: serde::Serializer>(&self, _serializer: S) -> Result<S::Ok, S::Error> {
        match *self {}
    }
}

/// The query parameters of a request, collected by [`Operation::query`] and written in
/// alphabetical order of their names, values percent-encoded (as WeChat Pay's samples do).
#[derive(Debug, Default)]
pub struct Query {
    parameters: Vec<(&'static str, String)>,
}

impl Query {
    /// Adds `name=value` when `value` is `Some`; `None` leaves the parameter out.
    pub fn add(&mut self, name: &'static str, value: Option<impl fmt::Display>) {
        if let Some(value) = value {
            self.parameters.push((name, value.to_string()));
        }
    }

    /// Appends `?a=1&b=2` (or nothing) to `out`.
    fn write_to(mut self, out: &mut String) {
        self.parameters.sort_by_key(|&(name, _)| name);
        for (index, (name, value)) in self.parameters.iter().enumerate() {
            out.push(if index == 0 { '?' } else { '&' });
            out.push_str(name);
            out.push('=');
            out.push_str(&encode(value));
        }
    }
}

/// One API call, declared: what the wire needs and what the answer is.
///
/// Request types validate their fields when they are built (with the types of
/// [`crate::field`]), so preparing only serializes. See the [module](self) for an example.
pub trait Operation {
    /// The operation's name, e.g. `"deactivate_stock"`: for traces, errors and rate-limit
    /// overrides in the client.
    const NAME: &'static str;
    /// The HTTP method.
    const METHOD: Method;
    /// The path template, e.g. `/brand/…/product-coupons/{product_coupon_id}/stocks/{stock_id}`:
    /// each `{name}` is replaced by [`Operation::path_parameter`]`(name)`, percent-encoded.
    const PATH: &'static str;
    /// Whether sending it twice cannot act twice, so the client may retry it after a delivery
    /// that may have happened: a `GET` (the default), or a call that carries an `out_request_no`.
    const REPEAT_SAFE: bool = matches!(Self::METHOD, Method::Get);
    /// The rate limit WeChat Pay sets for this operation, if any (the client applies it unless
    /// the user overrides it by [`Operation::NAME`]).
    const RATE_LIMIT: Option<RateLimit> = None;

    /// The JSON body type ([`NoBody`] for none). Fields are written in declaration order.
    type Body: serde::Serialize;
    /// The type a 2xx answer decodes to.
    type Response: serde::de::DeserializeOwned;

    /// The value of the path parameter `name` of [`Operation::PATH`], unencoded.
    fn path_parameter(&self, name: &str) -> Option<&str> {
        let _ = name;
        None
    }

    /// Adds the query parameters (none by default).
    fn query(&self, query: &mut Query) {
        let _ = query;
    }

    /// The body, if the request has one (none by default).
    fn body(&self) -> Option<&Self::Body> {
        None
    }

    /// A file sent beside the body (none by default). With one, the wire body is
    /// `multipart/form-data`: a `meta` part holding the JSON of [`Operation::body`] (the bytes the
    /// signature covers, as WeChat Pay's uploads want) and a `file` part holding the file.
    fn file(&self) -> Option<FilePart<'_>> {
        None
    }

    /// Checks that a decoded answer is about what this request asked for (its identifying
    /// fields: ids, request numbers). The default accepts every answer.
    fn check_answer(&self, answer: &Self::Response) -> Result<(), AnswerMismatch> {
        let _ = answer;
        Ok(())
    }

    /// The exact method, path and query, and body bytes to sign and send.
    fn prepare(&self) -> Result<PreparedRequest, ValidationError>
    where
        Self: Sized,
    {
        PreparedRequest::of(self)
    }
}

/// The file of a multipart upload ([`Operation::file`]): its name and media type as the `file`
/// part's headers state them, and its bytes.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct FilePart<'a> {
    /// The file name of the part's `Content-Disposition` (no `"`, `\`, CR or LF: the request
    /// type checks it when it is built).
    pub file_name: &'a str,
    /// The part's `Content-Type`, e.g. `image/png`.
    pub content_type: &'static str,
    /// The file's bytes.
    pub bytes: &'a [u8],
}

impl<'a> FilePart<'a> {
    /// A file part: `file_name` (checked by the request type), its media type and its bytes.
    pub fn new(file_name: &'a str, content_type: &'static str, bytes: &'a [u8]) -> Self {
        FilePart {
            file_name,
            content_type,
            bytes,
        }
    }
}

impl fmt::Debug for FilePart<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .finish()
    }
}

/// What a prepared body is, which says what the signature covers and the `Content-Type` to send.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyKind {
    /// JSON (`application/json`), signed whole. Also the kind of a request without a body.
    Json,
    /// `multipart/form-data`: the signature covers the `meta` part only.
    Multipart {
        /// The `Content-Type` header value, with its boundary.
        content_type: String,
        /// Where the signed `meta` JSON lies in the body.
        signed: Range<usize>,
    },
}

/// One page of a listing, as [`Paged::into_page`] reads it from an answer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// The token of the next page; `None` (or empty) on the last page.
    pub next_page_token: Option<String>,
}

impl<T> Page<T> {
    /// A page of `items`, followed by `next_page_token`.
    pub fn new(items: Vec<T>, next_page_token: Option<String>) -> Self {
        Page {
            items,
            next_page_token,
        }
    }
}

/// A listing operation that continues from a page token: one generic stream (and iterator) in
/// the client pages through any of them.
pub trait Paged: Operation + Clone {
    /// What the listing lists.
    type Item;
    /// Asks for the page of `token` (from the previous answer's next page token).
    fn set_page_token(&mut self, token: PageToken);
    /// The items and the next page token of an answer.
    fn into_page(answer: Self::Response) -> Page<Self::Item>;
}

/// A request ready to be signed and sent: the exact bytes that go on the wire, and what the
/// client needs to know about it. Made from an operation with [`PreparedRequest::of`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    name: &'static str,
    method: Method,
    path_and_query: String,
    body: Option<Vec<u8>>,
    kind: BodyKind,
    repeat_safe: bool,
    rate_limit: Option<RateLimit>,
}

impl PreparedRequest {
    /// Fills `O::PATH`'s parameters (percent-encoded), appends the query and serializes the body.
    ///
    /// Fails only when the declaration is inconsistent: a `{name}` of the path without a value
    /// (reported as that field being empty) or a body that does not serialize.
    pub fn of<O: Operation>(operation: &O) -> Result<Self, ValidationError> {
        let mut path_and_query = String::with_capacity(O::PATH.len() + 32);
        let mut rest: &'static str = O::PATH;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|i| open + i) else {
                break;
            };
            path_and_query.push_str(&rest[..open]);
            let name = &rest[open + 1..close];
            match operation.path_parameter(name) {
                Some(value) => path_and_query.push_str(&encode(value)),
                None => {
                    return Err(ValidationError::new(name, ValidationRule::Empty, "")
                        .with_requirement(format!("given for the path of {}", O::NAME)))
                }
            }
            rest = &rest[close + 1..];
        }
        path_and_query.push_str(rest);
        let mut query = Query::default();
        operation.query(&mut query);
        query.write_to(&mut path_and_query);
        let not_serializable =
            |_| ValidationError::new("body", ValidationRule::NotSerializable, "");
        let (body, kind) = match (operation.body(), operation.file()) {
            (Some(body), None) => (
                Some(serde_json::to_vec(body).map_err(not_serializable)?),
                BodyKind::Json,
            ),
            (None, None) => (None, BodyKind::Json),
            (meta, Some(file)) => {
                let meta = match meta {
                    Some(meta) => serde_json::to_vec(meta).map_err(not_serializable)?,
                    None => b"{}".to_vec(),
                };
                let (body, kind) = multipart(&meta, file);
                (Some(body), kind)
            }
        };
        Ok(PreparedRequest {
            name: O::NAME,
            method: O::METHOD,
            path_and_query,
            body,
            kind,
            repeat_safe: O::REPEAT_SAFE,
            rate_limit: O::RATE_LIMIT,
        })
    }
    /// The operation's name, e.g. `"deactivate_stock"` (for logs and rate limits).
    pub fn name(&self) -> &'static str {
        self.name
    }
    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.method
    }
    /// Absolute path plus `?query`, percent-encoded, exactly as sent and signed.
    pub fn path_and_query(&self) -> &str {
        &self.path_and_query
    }
    /// The body bytes exactly as sent, if the request has a body (JSON, or multipart: see
    /// [`PreparedRequest::kind`]).
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }
    /// What the body is: JSON, or multipart with its signed part and `Content-Type`.
    pub fn kind(&self) -> &BodyKind {
        &self.kind
    }
    /// The bytes the signature covers: the whole body for JSON, the `meta` part for multipart,
    /// nothing without a body. Borrowed from [`PreparedRequest::body`].
    pub fn signed_body(&self) -> &[u8] {
        let body = self.body.as_deref().unwrap_or_default();
        match &self.kind {
            BodyKind::Json => body,
            BodyKind::Multipart { signed, .. } => body.get(signed.clone()).unwrap_or_default(),
        }
    }
    /// Whether sending it twice cannot act twice: it carries an `out_request_no`, or it is a `GET`.
    pub fn is_repeat_safe(&self) -> bool {
        self.repeat_safe
    }
    /// The operation's default rate limit ([`Operation::RATE_LIMIT`]).
    pub fn default_rate_limit(&self) -> Option<RateLimit> {
        self.rate_limit
    }
}

/// Writes a `multipart/form-data` body of a `meta` part (`meta`, JSON) and a `file` part.
///
/// The boundary is `wxbrand-` and 16 hex digits, the smallest that occurs in neither part: one
/// pass collects every `wxbrand-…` the parts contain, so it is deterministic (the same request
/// gives the same bytes) and linear in the body's size even for a file made to collide.
fn multipart(meta: &[u8], file: FilePart<'_>) -> (Vec<u8>, BodyKind) {
    const PREFIX: &[u8] = b"wxbrand-";
    let mut taken = std::collections::HashSet::new();
    for part in [meta, file.bytes] {
        let mut at = 0;
        while let Some(found) = part
            .get(at..)
            .and_then(|rest| rest.windows(PREFIX.len()).position(|w| w == PREFIX))
        {
            let start = at + found + PREFIX.len();
            if let Some(digits) = part.get(start..start + 16) {
                taken.insert(digits);
            }
            at = start;
        }
    }
    let mut counter = 0u64;
    let boundary = loop {
        let boundary = format!("wxbrand-{counter:016x}");
        if !taken.contains(&boundary.as_bytes()[PREFIX.len()..]) {
            break boundary;
        }
        counter += 1;
    };
    let mut body = Vec::with_capacity(meta.len() + file.bytes.len() + 4 * boundary.len() + 256);
    body.extend_from_slice(b"--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(
        b"\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n",
    );
    let start = body.len();
    body.extend_from_slice(meta);
    let signed = start..body.len();
    body.extend_from_slice(b"\r\n--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"file\"; filename=\"");
    body.extend_from_slice(file.file_name.as_bytes());
    body.extend_from_slice(b"\"\r\nContent-Type: ");
    body.extend_from_slice(file.content_type.as_bytes());
    body.extend_from_slice(b"\r\n\r\n");
    body.extend_from_slice(file.bytes);
    body.extend_from_slice(b"\r\n--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(b"--\r\n");
    let content_type = format!("multipart/form-data; boundary={boundary}");
    (
        body,
        BodyKind::Multipart {
            content_type,
            signed,
        },
    )
}

impl fmt::Display for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method.as_str(), self.path_and_query)
    }
}
