//! The async client and its pipeline: validate → serialize → sign → send → verify → decode.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use tracing::field::Empty;
use tracing::Instrument;
use wxbrand_core::{ApiError, Method, Operation, Paged, PreparedRequest};
use wxbrand_sign::{Signer, Verifier};
use wxbrand_transport::{BlockingTransport, Transport, TransportError, TransportErrorKind};

use crate::clock::{Clock, NonceSource, Sleeper};
use crate::error::DecodeError;
use crate::hosts::{HostRole, Hosts};
use crate::paging::PageStream;
use crate::rate_limit::RateLimits;
use crate::retry::{after_status, after_transport_error, random_unit, Verdict};
use crate::{ClientBuilder, ConfigError, Error, Response, RetryPolicy};

const WECHATPAY_SERIAL: HeaderName = HeaderName::from_static("wechatpay-serial");
const REQUEST_ID: &str = "request-id";
const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// The async WeChat Pay brand API client. Cheap to clone: clones share the connection pool, the
/// rate limits and the host-failover state, so build one per brand and clone it freely.
///
/// [`Client::send`] runs any [`Operation`] and [`Client::paginate`] pages through any [`Paged`]
/// listing; endpoint crates add one-line methods through extension traits (e.g.
/// `wxbrand-product-coupon`'s `client.product_coupon()`).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

pub(crate) struct Parts {
    pub(crate) brand_id: String,
    pub(crate) signer: Signer,
    pub(crate) verifier: Verifier,
    pub(crate) wechatpay_serial: HeaderValue,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) main_url: String,
    pub(crate) backup_url: Option<String>,
    pub(crate) failover_cooldown: Duration,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) sleeper: Arc<dyn Sleeper>,
    pub(crate) nonces: Arc<dyn NonceSource>,
    pub(crate) retry: RetryPolicy,
    pub(crate) rate_limits: RateLimits,
}

struct Inner {
    brand_id: String,
    signer: Signer,
    verifier: Verifier,
    wechatpay_serial: HeaderValue,
    user_agent: HeaderValue,
    transport: Arc<dyn Transport>,
    hosts: Hosts,
    clock: Arc<dyn Clock>,
    sleeper: Arc<dyn Sleeper>,
    nonces: Arc<dyn NonceSource>,
    retry: RetryPolicy,
    rate_limits: RateLimits,
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
    Transport(TransportError),
    Api(ApiError),
}

impl Failure {
    /// The error to report; `request_id` is the last one an earlier attempt was answered with.
    fn into_error(self, attempts: u32, request_id: Option<String>) -> Error {
        match self {
            Failure::Transport(source) => Error::Transport {
                source,
                request_id,
                attempts,
            },
            Failure::Api(source) => Error::Api {
                source: Box::new(source),
                attempts,
            },
        }
    }
}

impl Client {
    /// A builder; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the `WXBRAND_*` environment variables
    /// ([`ClientBuilder::from_env`]) with every other setting at its default.
    pub fn from_env() -> Result<Client, ConfigError> {
        ClientBuilder::from_env()?.build()
    }

    pub(crate) fn from_parts(parts: Parts) -> Client {
        Client {
            inner: Arc::new(Inner {
                brand_id: parts.brand_id,
                signer: parts.signer,
                verifier: parts.verifier,
                wechatpay_serial: parts.wechatpay_serial,
                user_agent: HeaderValue::from_static(crate::config::USER_AGENT),
                transport: parts.transport,
                hosts: Hosts::new(parts.main_url, parts.backup_url, parts.failover_cooldown),
                clock: parts.clock,
                sleeper: parts.sleeper,
                nonces: parts.nonces,
                retry: parts.retry,
                rate_limits: parts.rate_limits,
            }),
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
    /// ([`Operation::check_answer`]; a mismatch is [`Error::AnswerMismatch`]).
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
            return Err(Error::AnswerMismatch {
                source,
                request_id: answer.request_id().map(str::to_owned),
                attempts: answer.attempts(),
            });
        }
        Ok(answer)
    }

    /// Every item of a listing, page after page, fetched as the stream is read: see
    /// [`PageStream`] for how it ends and its limits.
    pub fn paginate<O: Paged>(&self, first: O) -> PageStream<O> {
        PageStream::new(self.clone(), first)
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
        Err(source) => Err(Error::Decode {
            source: DecodeError::new(std::any::type_name::<T>(), source),
            request_id: answer.request_id().map(str::to_owned),
            attempts: answer.attempts(),
        }),
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
    async fn run(
        &self,
        prepared: &PreparedRequest,
        span: &tracing::Span,
    ) -> Result<Response<Bytes>, Error> {
        let method = http_method(prepared.method());
        let body = prepared.body().map(Bytes::copy_from_slice);
        let repeat_safe = prepared.is_repeat_safe();
        let limiter = self.rate_limits.window(prepared);
        let started = self.clock.monotonic();
        // Time waiting for the rate limiter, which the retry deadline does not count.
        let mut queued = Duration::ZERO;
        // The `Request-ID` of the last answer, kept for a final transport error.
        let mut last_request_id: Option<String> = None;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            // Held until this attempt's answer is in (see `RateLimit`).
            let permit = match limiter.as_deref() {
                Some(limiter) => {
                    let asked = self.clock.monotonic();
                    let permit = limiter.acquire(&*self.clock, &*self.sleeper).await;
                    queued += self.clock.monotonic().saturating_sub(asked);
                    Some(permit)
                }
                None => None,
            };
            let (role, host) = self.hosts.current(self.clock.monotonic());
            span.record("attempt", attempt);
            span.record("host", host);
            let request = self.request(&method, host, prepared, body.clone(), attempt)?;
            let outcome = self.transport.send(request).await;
            drop(permit);
            let failure = match outcome {
                Ok(answer) => {
                    let status = answer.status().as_u16();
                    let request_id = answer
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|value| value.to_str().ok())
                        .map(str::to_owned);
                    span.record("status", status);
                    if let Some(id) = &request_id {
                        span.record("request_id", id.as_str());
                        last_request_id = Some(id.clone());
                    }
                    if answer.status().is_success() {
                        let now = self.clock.unix_seconds();
                        return match self.verifier.verify_response(
                            answer.headers(),
                            answer.body(),
                            now,
                        ) {
                            Ok(_) => Ok(Response::new(
                                answer.into_body(),
                                status,
                                request_id,
                                attempt,
                            )),
                            Err(source) => {
                                tracing::warn!(status, request_id = request_id.as_deref(), reason = ?source, "answer failed verification; discarded");
                                Err(Error::Verification {
                                    source,
                                    status,
                                    request_id,
                                    attempts: attempt,
                                })
                            }
                        };
                    }
                    let api = ApiError::from_response(status, request_id.as_deref(), answer.body());
                    if after_status(status, repeat_safe) == Verdict::Stop {
                        return Err(Error::Api {
                            source: Box::new(api),
                            attempts: attempt,
                        });
                    }
                    tracing::debug!(
                        attempt,
                        status,
                        request_id = request_id.as_deref(),
                        "retryable answer"
                    );
                    Failure::Api(api)
                }
                Err(error) => {
                    let kind = error.kind();
                    tracing::debug!(attempt, host, kind = ?kind, "transport error");
                    if kind == TransportErrorKind::NotSent
                        && self.hosts.unreachable(role, self.clock.monotonic())
                    {
                        tracing::info!(host, "host unreachable; switching host");
                    }
                    if after_transport_error(kind, repeat_safe) == Verdict::Stop {
                        return Err(Error::Transport {
                            source: error,
                            request_id: last_request_id,
                            attempts: attempt,
                        });
                    }
                    Failure::Transport(error)
                }
            };
            if attempt > self.retry.retries() {
                return Err(failure.into_error(attempt, last_request_id));
            }
            // A host switch is retried at once; anything else waits its backoff.
            let switched = matches!(&failure, Failure::Transport(e) if e.kind() == TransportErrorKind::NotSent)
                && role == HostRole::Main
                && self.hosts.backup().is_some();
            let wait = if switched {
                Duration::ZERO
            } else {
                self.retry.backoff(attempt, random_unit())
            };
            let elapsed = self
                .clock
                .monotonic()
                .saturating_sub(started)
                .saturating_sub(queued);
            if elapsed.saturating_add(wait) > self.retry.deadline() {
                return Err(failure.into_error(attempt, last_request_id));
            }
            if !wait.is_zero() {
                tracing::debug!(
                    attempt,
                    wait_ms = wait.as_millis() as u64,
                    "backing off before retrying"
                );
                self.sleeper.sleep(wait).await;
            }
        }
    }

    /// Signs (fresh timestamp and nonce) and builds one attempt's request.
    fn request(
        &self,
        method: &http::Method,
        host: &str,
        prepared: &PreparedRequest,
        body: Option<Bytes>,
        attempt: u32,
    ) -> Result<http::Request<Bytes>, Error> {
        let timestamp = self.clock.unix_seconds();
        let nonce = self.nonces.nonce();
        let signed_body: &[u8] = body.as_deref().unwrap_or_default();
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
            .map_err(|source| Error::Signing {
                source,
                attempts: attempt - 1,
            })?;
        let uri: http::Uri = format!("{host}{}", prepared.path_and_query())
            .parse()
            .map_err(|source: http::uri::InvalidUri| Error::Transport {
                source: TransportError::new(
                    TransportErrorKind::InvalidUrl,
                    "the request path does not form a valid URL",
                    Some(Box::new(source)),
                ),
                request_id: None,
                attempts: attempt - 1,
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
            headers.insert(CONTENT_TYPE, APPLICATION_JSON);
        }
        Ok(request)
    }
}

/// A [`BlockingTransport`] seen as a [`Transport`]: each send runs on the blocking thread pool.
#[derive(Debug)]
pub(crate) struct FromBlockingTransport(pub(crate) Arc<dyn BlockingTransport>);

#[async_trait::async_trait]
impl Transport for FromBlockingTransport {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let transport = Arc::clone(&self.0);
        match tokio::task::spawn_blocking(move || transport.send(request)).await {
            Ok(outcome) => outcome,
            // The request may or may not have been written when the transport panicked.
            Err(join) => Err(TransportError::new(
                TransportErrorKind::Other,
                "the blocking transport panicked or was cancelled",
                Some(Box::new(join)),
            )),
        }
    }
}
