//! The async client and its pipeline: validate → serialize → sign → send → verify → decode.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{
    HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER, USER_AGENT,
};
use tracing::field::Empty;
use tracing::Instrument;
use wxbrand_core::{ApiError, BodyKind, Method, Operation, PreparedRequest};
use wxbrand_sign::{Signer, Verifier};
use wxbrand_transport::{Transport, TransportError, TransportErrorKind};

use crate::clock::{Clock, NonceSource, Sleeper};
use crate::error::DecodeError;
use crate::hosts::{HostRole, Hosts};
use crate::rate_limit::{RateLimitRequest, RateLimiter, RateLimits, SlidingWindow};
use crate::retry::{after_status, after_transport_error, random_unit, Verdict};
use crate::{Error, ErrorKind, Response, RetryPolicy};

const WECHATPAY_SERIAL: HeaderName = HeaderName::from_static("wechatpay-serial");
const REQUEST_ID: &str = "request-id";
const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// The async WeChat Pay brand API client. Cheap to clone: clones share the connection pool, the
/// rate limits and the host-failover state, so build one per brand and clone it freely.
///
/// [`Client::send`] runs any [`Operation`] and [`Client::paginate`] pages through any
/// [`Paged`](wxbrand_core::Paged) listing; endpoint crates add one-line methods through extension traits (e.g.
/// `wxbrand-product-coupon`'s `client.product_coupon()`).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

/// Everything a client holds, built once by [`ClientBuilder::build`](crate::ClientBuilder::build)
/// and shared by its clones.
pub(crate) struct Inner {
    pub(crate) brand_id: String,
    pub(crate) signer: Signer,
    pub(crate) verifier: Verifier,
    pub(crate) wechatpay_serial: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) hosts: Hosts,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) sleeper: Arc<dyn Sleeper>,
    pub(crate) nonces: Arc<dyn NonceSource>,
    pub(crate) retry: RetryPolicy,
    pub(crate) rate_limits: RateLimits,
    /// A limiter given by the user (e.g. one shared by a fleet); the in-process windows of
    /// `rate_limits` when `None`.
    pub(crate) limiter: Option<Arc<dyn RateLimiter>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("brand_id", &inner.brand_id)
            .field("wechatpay_public_key_id", &inner.verifier.primary_key_id())
            .field("main_url", &inner.hosts.main())
            .field("backup_url", &inner.hosts.backup())
            .field("transport", &inner.transport)
            .field("retry", &inner.retry)
            .finish_non_exhaustive()
    }
}

/// One failed attempt that may be retried.
enum Failure {
    /// The transport failed; `switched_host` when the main host was found unreachable and a
    /// backup takes over (retried at once).
    Transport {
        error: TransportError,
        switched_host: bool,
    },
    /// A retryable status; `retry_after` from its `Retry-After` header (seconds), if any.
    Api {
        error: ApiError,
        retry_after: Option<Duration>,
    },
}

impl Failure {
    /// The error to report; `request_id` is the last one an earlier attempt was answered with.
    fn into_error(self, attempts: u32, request_id: Option<String>) -> Error {
        match self {
            Failure::Transport { error, .. } => {
                Error::new(ErrorKind::Transport(error), attempts, request_id)
            }
            Failure::Api { error, .. } => api_error(error, attempts),
        }
    }
}

/// A rate-limit slot held during one attempt (given back when dropped).
enum Permit<'a> {
    Window(#[allow(dead_code)] crate::rate_limit::Permit<'a>),
    Shared(#[allow(dead_code)] crate::rate_limit::RateLimitPermit),
}

/// What one attempt came to.
enum Outcome {
    /// The call is over: a verified answer, or an error not worth retrying.
    Done(Result<Response<Bytes>, Error>),
    /// A failure that may be retried.
    Failed(Failure),
}

/// The state of one call across its attempts.
struct Call<'a> {
    prepared: &'a PreparedRequest,
    method: http::Method,
    body: Option<Bytes>,
    /// The body's `Content-Type`, as the prepared request's [`BodyKind`] states it.
    content_type: HeaderValue,
    limiter: Option<CallLimiter>,
    started: Duration,
    /// Time waiting for the rate limiter, which the retry deadline does not count.
    queued: Duration,
    /// The `Request-ID` of the last answer, kept for a final transport error.
    last_request_id: Option<String>,
    attempts: u32,
}

/// What a call's attempts wait for: the client's own window, or the user's limiter with the
/// call's limit.
enum CallLimiter {
    Window(Arc<SlidingWindow>),
    Shared(Arc<dyn RateLimiter>, wxbrand_core::RateLimit),
}

impl Client {
    pub(crate) fn new(inner: Inner) -> Client {
        Client {
            inner: Arc::new(inner),
        }
    }

    /// The brand id requests are signed for.
    pub fn brand_id(&self) -> &str {
        &self.inner.brand_id
    }

    /// The main host's base URL.
    pub fn main_url(&self) -> &str {
        self.inner.hosts.main()
    }

    /// The backup host's base URL, if failover is on.
    pub fn backup_url(&self) -> Option<&str> {
        self.inner.hosts.backup()
    }

    /// Runs any operation: prepare it, sign, send (with retries, failover and its rate limit),
    /// verify the answer, decode it and check that it is about what was asked
    /// ([`Operation::check_answer`]; a mismatch is [`ErrorKind::AnswerMismatch`]).
    pub async fn send<O: Operation>(&self, operation: &O) -> Result<Response<O::Response>, Error> {
        let prepared = operation.prepare()?;
        let answer = decode::<O::Response>(self.send_prepared(&prepared).await?)?;
        if let Err(source) = operation.check_answer(answer.value()) {
            tracing::warn!(
                operation = O::NAME,
                field = source.field(),
                request_id = answer.request_id(),
                "the answer is not about the request; discarded"
            );
            return Err(Error::new(
                ErrorKind::AnswerMismatch(source),
                answer.attempts(),
                answer.request_id().map(str::to_owned),
            ));
        }
        Ok(answer)
    }

    /// Runs a prepared request and returns the verified body undecoded (for callers who want the
    /// raw JSON). Only verified 2xx bodies come back; the answer is not checked against the request.
    pub async fn send_prepared(
        &self,
        prepared: &PreparedRequest,
    ) -> Result<Response<Bytes>, Error> {
        let span = tracing::info_span!(
            "wxbrand.call",
            operation = prepared.name(),
            attempt = Empty,
            host = Empty,
            status = Empty,
            request_id = Empty,
            elapsed_ms = Empty,
        );
        let started = self.inner.clock.monotonic();
        let result = self
            .inner
            .run(prepared, &span)
            .instrument(span.clone())
            .await;
        let elapsed = self.inner.clock.monotonic().saturating_sub(started);
        span.record("elapsed_ms", elapsed.as_millis() as u64);
        match &result {
            Ok(answer) => {
                tracing::debug!(parent: &span, attempts = answer.attempts(), "call succeeded")
            }
            Err(error) => {
                tracing::debug!(parent: &span, attempts = error.attempts(), %error, "call failed")
            }
        }
        result
    }
}

fn decode<T: serde::de::DeserializeOwned>(answer: Response<Bytes>) -> Result<Response<T>, Error> {
    match serde_json::from_slice::<T>(answer.value()) {
        Ok(value) => Ok(Response::new(
            value,
            answer.status(),
            answer.request_id().map(str::to_owned),
            answer.attempts(),
        )),
        Err(source) => Err(Error::new(
            ErrorKind::Decode(DecodeError::new(std::any::type_name::<T>(), source)),
            answer.attempts(),
            answer.request_id().map(str::to_owned),
        )),
    }
}

/// The error of an API answer, with its `Request-ID`.
fn api_error(error: ApiError, attempts: u32) -> Error {
    let request_id = error.request_id().map(str::to_owned);
    Error::new(ErrorKind::Api(error), attempts, request_id)
}

/// A header's value as text, when it is present and visible ASCII.
fn header_text(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// The `Content-Type` of a prepared request's body, by its [`BodyKind`].
fn content_type(prepared: &PreparedRequest) -> Result<HeaderValue, Error> {
    match prepared.kind() {
        BodyKind::Multipart { content_type, .. } => {
            HeaderValue::from_str(content_type).map_err(|source| {
                let error = TransportError::new(
                    TransportErrorKind::Other,
                    "the multipart Content-Type is not a valid header value",
                    Some(Box::new(source)),
                );
                Error::new(ErrorKind::Transport(error), 0, None)
            })
        }
        _ => Ok(APPLICATION_JSON),
    }
}

fn http_method(method: Method) -> http::Method {
    match method {
        Method::Get => http::Method::GET,
        Method::Post => http::Method::POST,
        Method::Patch => http::Method::PATCH,
        _ => http::Method::from_bytes(method.as_str().as_bytes()).unwrap_or(http::Method::POST),
    }
}

impl Inner {
    /// Attempts until one succeeds or the retry decision says stop.
    async fn run(
        &self,
        prepared: &PreparedRequest,
        span: &tracing::Span,
    ) -> Result<Response<Bytes>, Error> {
        let mut call = Call {
            prepared,
            method: http_method(prepared.method()),
            body: prepared.body().map(Bytes::copy_from_slice),
            content_type: content_type(prepared)?,
            limiter: self.call_limiter(prepared),
            started: self.clock.monotonic(),
            queued: Duration::ZERO,
            last_request_id: None,
            attempts: 0,
        };
        loop {
            call.attempts += 1;
            let failure = match self.attempt(&mut call, span).await {
                Outcome::Done(result) => return result,
                Outcome::Failed(failure) => failure,
            };
            let Some(wait) = self.retry_wait(&call, &failure) else {
                return Err(failure.into_error(call.attempts, call.last_request_id));
            };
            if !wait.is_zero() {
                tracing::debug!(
                    attempt = call.attempts,
                    wait_ms = wait.as_millis() as u64,
                    "backing off before retrying"
                );
                self.sleeper.sleep(wait).await;
            }
        }
    }

    /// The limit a call waits for, if its operation is limited.
    fn call_limiter(&self, prepared: &PreparedRequest) -> Option<CallLimiter> {
        match &self.limiter {
            None => self.rate_limits.window(prepared).map(CallLimiter::Window),
            Some(limiter) => self
                .rate_limits
                .limit(prepared)
                .map(|limit| CallLimiter::Shared(Arc::clone(limiter), limit)),
        }
    }

    /// One attempt: wait for the rate limit, sign, send, and judge what came back.
    async fn attempt(&self, call: &mut Call<'_>, span: &tracing::Span) -> Outcome {
        let attempt = call.attempts;
        // Held until this attempt's answer is in (see `RateLimit`).
        let permit = match &call.limiter {
            None => None,
            Some(limiter) => {
                let asked = self.clock.monotonic();
                let permit = match limiter {
                    CallLimiter::Window(window) => {
                        Permit::Window(window.acquire(&*self.clock, &*self.sleeper).await)
                    }
                    CallLimiter::Shared(limiter, limit) => {
                        let spent = asked
                            .saturating_sub(call.started)
                            .saturating_sub(call.queued);
                        let request = RateLimitRequest::new(
                            &self.brand_id,
                            call.prepared.name(),
                            *limit,
                            self.retry.deadline().saturating_sub(spent),
                            &self.clock,
                            &*self.sleeper,
                        );
                        match limiter.acquire(request).await {
                            Ok(permit) => Permit::Shared(permit),
                            Err(source) => {
                                return Outcome::Done(Err(Error::new(
                                    ErrorKind::RateLimiter(source),
                                    attempt - 1,
                                    call.last_request_id.take(),
                                )))
                            }
                        }
                    }
                };
                call.queued += self.clock.monotonic().saturating_sub(asked);
                Some(permit)
            }
        };
        let (role, host) = self.hosts.current(self.clock.monotonic());
        span.record("attempt", attempt);
        span.record("host", host);
        let request = match self.request(
            &call.method,
            host,
            call.prepared,
            call.body.clone(),
            &call.content_type,
            attempt,
        ) {
            Ok(request) => request,
            Err(error) => return Outcome::Done(Err(error)),
        };
        let sent = self.transport.send(request).await;
        drop(permit);
        let error = match sent {
            Ok(answer) => return self.judge_answer(call, answer, span),
            Err(error) => error,
        };
        let kind = error.kind();
        tracing::debug!(attempt, host, kind = ?kind, "transport error");
        if kind == TransportErrorKind::NotSent
            && self.hosts.unreachable(role, self.clock.monotonic())
        {
            tracing::info!(host, "host unreachable; switching host");
        }
        if after_transport_error(kind, call.prepared.is_repeat_safe()) == Verdict::Stop {
            return Outcome::Done(Err(Error::new(
                ErrorKind::Transport(error),
                attempt,
                call.last_request_id.take(),
            )));
        }
        let switched_host = kind == TransportErrorKind::NotSent
            && role == HostRole::Main
            && self.hosts.backup().is_some();
        Outcome::Failed(Failure::Transport {
            error,
            switched_host,
        })
    }

    /// A 2xx answer is verified (never retried); another is an API error, retried when its status
    /// and the call allow.
    fn judge_answer(
        &self,
        call: &mut Call<'_>,
        answer: http::Response<Bytes>,
        span: &tracing::Span,
    ) -> Outcome {
        let attempts = call.attempts;
        let status = answer.status().as_u16();
        let request_id = header_text(answer.headers(), REQUEST_ID);
        span.record("status", status);
        if let Some(id) = &request_id {
            span.record("request_id", id.as_str());
            call.last_request_id = Some(id.clone());
        }
        if answer.status().is_success() {
            let now = self.clock.unix_seconds();
            return Outcome::Done(
                match self
                    .verifier
                    .verify_response(answer.headers(), answer.body(), now)
                {
                    Ok(_) => Ok(Response::new(
                        answer.into_body(),
                        status,
                        request_id,
                        attempts,
                    )),
                    Err(source) => {
                        tracing::warn!(status, request_id = request_id.as_deref(), reason = ?source, "answer failed verification; discarded");
                        Err(Error::new(
                            ErrorKind::Verification { source, status },
                            attempts,
                            request_id,
                        ))
                    }
                },
            );
        }
        let mut error = ApiError::from_response(status, request_id.as_deref(), answer.body());
        if answer.status().is_redirection() {
            error =
                error.with_location(header_text(answer.headers(), LOCATION.as_str()).as_deref());
        }
        if after_status(status, call.prepared.is_repeat_safe()) == Verdict::Stop {
            return Outcome::Done(Err(api_error(error, attempts)));
        }
        tracing::debug!(
            attempt = attempts,
            status,
            request_id = request_id.as_deref(),
            "retryable answer"
        );
        let retry_after = header_text(answer.headers(), RETRY_AFTER.as_str())
            .and_then(|text| text.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        Outcome::Failed(Failure::Api { error, retry_after })
    }

    /// How long to wait before the next attempt, or `None` to stop: no retries left, or the wait
    /// would pass the deadline. A host switch is retried at once; an answer's `Retry-After` is
    /// honoured when it is longer than the backoff (and stops the retries when it would pass the
    /// deadline).
    fn retry_wait(&self, call: &Call<'_>, failure: &Failure) -> Option<Duration> {
        if call.attempts > self.retry.retries() {
            return None;
        }
        let backoff = || self.retry.backoff(call.attempts, random_unit());
        let wait = match failure {
            Failure::Transport {
                switched_host: true,
                ..
            } => Duration::ZERO,
            Failure::Api {
                retry_after: Some(after),
                ..
            } => backoff().max(*after),
            _ => backoff(),
        };
        let elapsed = self
            .clock
            .monotonic()
            .saturating_sub(call.started)
            .saturating_sub(call.queued);
        (elapsed.saturating_add(wait) <= self.retry.deadline()).then_some(wait)
    }

    /// Signs (fresh timestamp and nonce) and builds one attempt's request.
    fn request(
        &self,
        method: &http::Method,
        host: &str,
        prepared: &PreparedRequest,
        body: Option<Bytes>,
        content_type: &HeaderValue,
        attempt: u32,
    ) -> Result<http::Request<Bytes>, Error> {
        let timestamp = self.clock.unix_seconds();
        let nonce = self.nonces.nonce();
        // The whole JSON body, or the signed part of a multipart one (its `meta`).
        let signed_body = prepared.signed_body();
        let authorization = self
            .signer
            .authorization(
                method.as_str(),
                prepared.path_and_query(),
                signed_body,
                timestamp,
                &nonce,
            )
            .and_then(|authorization| authorization.to_header_value())
            .map_err(|source| Error::new(ErrorKind::Signing(source), attempt - 1, None))?;
        let uri: http::Uri = format!("{host}{}", prepared.path_and_query())
            .parse()
            .map_err(|source: http::uri::InvalidUri| {
                let error = TransportError::new(
                    TransportErrorKind::InvalidUrl,
                    "the request path does not form a valid URL",
                    Some(Box::new(source)),
                );
                Error::new(ErrorKind::Transport(error), attempt - 1, None)
            })?;
        let has_body = body.is_some();
        let mut request = http::Request::new(body.unwrap_or_default());
        *request.method_mut() = method.clone();
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, authorization);
        headers.insert(ACCEPT, APPLICATION_JSON);
        headers.insert(WECHATPAY_SERIAL, self.wechatpay_serial.clone());
        headers.insert(USER_AGENT, self.user_agent.clone());
        if has_body {
            headers.insert(CONTENT_TYPE, content_type.clone());
        }
        Ok(request)
    }
}
