//! Event notification delivery: the simulated WeChat Pay POSTs signed, encrypted notifications to
//! the brand's notify URL and redelivers them on WeChat Pay's schedule.
//!
//! An event ([`wxbrand_core::event::Event`]) enters through [`Deliveries::publish`]. When a notify
//! URL is set ([`SimulatorBuilder::notify_url`](crate::SimulatorBuilder::notify_url) or
//! [`Deliveries::set_notify_url`], which the notify-config operation calls), it becomes one
//! notification: an envelope whose `resource` is the event's JSON encrypted with AES-256-GCM under
//! the brand API key ([`SimulatorBuilder::brand_api_key`](crate::SimulatorBuilder::brand_api_key),
//! generated when not given: [`Deliveries::brand_api_key`]), posted with `Wechatpay-Timestamp`,
//! `-Nonce`, `-Signature` (the simulator's WeChat Pay key, signed afresh on each attempt over
//! `timestamp\nnonce\nbody\n`), `-Serial` and `-Signature-Type`.
//!
//! A 2xx answer ends it. A non-2xx answer, an attempt that takes longer than the attempt timeout
//! (default 5 s, as WeChat Pay) or a refused connection schedules the next attempt after the next
//! interval of the [`RetrySchedule`], measured on the simulator's clock; after the last interval's
//! attempt it gives up. A background task checks for due attempts every few milliseconds of real
//! time, so with a [`ManualClock`](crate::clock::ManualClock) a test moves time to trigger a
//! redelivery, and with the system clock a [compressed](RetrySchedule::compressed) schedule runs
//! by itself. [`Deliveries::settled`] waits until nothing is in flight or due.
//!
//! Fault hooks ([`DeliveryFault`]): a notification delivered twice, one whose first attempt has a
//! bad signature, one whose first attempt is stale (timestamp 10 minutes old).
//!
//! Notify URLs are `http://` or `https://`; over HTTPS the receiver's certificate must chain to a
//! root given with [`SimulatorBuilder::notification_root_certificate_pem`](crate::SimulatorBuilder::notification_root_certificate_pem)
//! (a test's own CA; no public roots are trusted), otherwise each attempt fails as
//! [`AttemptOutcome::ConnectFailed`].

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::sync::watch;
use tokio_rustls::TlsConnector;
use wxbrand_core::event::Event;
use wxbrand_core::Rfc3339;
use wxbrand_sign::{ApiKey, NotificationEnvelope, PrivateKey};

use crate::clock::SharedClock;
use crate::error::{SimulatorError, SimulatorErrorKind};

/// How often the background task looks for due attempts (real time).
const POLL_INTERVAL: Duration = Duration::from_millis(5);
/// The default limit on one attempt (connect, send, answer): WeChat Pay waits 5 s.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// How many attempts the delivery log keeps (the counters stay exact).
const LOG_CAPACITY: usize = 1_000;

/// The intervals between attempts: attempt 1 is at once, attempt `n + 1` comes `intervals[n - 1]`
/// after attempt `n` failed; after the last interval's attempt fails, the delivery gives up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule {
    intervals: Vec<Duration>,
}

impl Default for RetrySchedule {
    /// WeChat Pay's: 15 s, 15 s, 30 s, 3 min, 10 min, 20 min, 30 min, 30 min, 30 min, 60 min,
    /// 3 h, 3 h, 3 h, 6 h, 6 h (16 attempts over about 24 hours).
    fn default() -> Self {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        RetrySchedule::new(vec![
            Duration::from_secs(15),
            Duration::from_secs(15),
            Duration::from_secs(30),
            minutes(3),
            minutes(10),
            minutes(20),
            minutes(30),
            minutes(30),
            minutes(30),
            minutes(60),
            minutes(180),
            minutes(180),
            minutes(180),
            minutes(360),
            minutes(360),
        ])
    }
}

impl RetrySchedule {
    /// A schedule of these intervals (empty: one attempt, then give up).
    pub fn new(intervals: Vec<Duration>) -> Self {
        RetrySchedule { intervals }
    }

    /// Every interval divided by `factor` (at least 1 ms each): WeChat Pay's day of retries in
    /// seconds of a test on the system clock. A factor of 0 counts as 1.
    #[must_use]
    pub fn compressed(&self, factor: u32) -> Self {
        let factor = factor.max(1);
        RetrySchedule::new(
            self.intervals
                .iter()
                .map(|d| (*d / factor).max(Duration::from_millis(1)))
                .collect(),
        )
    }

    /// The intervals.
    pub fn intervals(&self) -> &[Duration] {
        &self.intervals
    }

    /// How many attempts a delivery makes at most.
    pub fn max_attempts(&self) -> usize {
        self.intervals.len() + 1
    }
}

/// A misbehaviour of one notification's delivery, for testing a receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryFault {
    /// Once delivered (2xx), deliver the same notification (same id and body, signed afresh)
    /// once more, as WeChat Pay does when it lost the answer.
    Duplicate,
    /// The first attempt carries a signature that does not verify; later attempts are correct.
    BadSignature,
    /// The first attempt's `Wechatpay-Timestamp` is 10 minutes old (a replay); later attempts
    /// are current.
    Stale,
}

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttemptOutcome {
    /// The receiver answered with this status.
    Status(u16),
    /// No answer within the attempt timeout.
    Timeout,
    /// The connection failed (refused, reset) or the URL cannot be reached.
    ConnectFailed,
}

impl AttemptOutcome {
    /// Whether the receiver took the notification (2xx).
    pub fn is_success(&self) -> bool {
        matches!(self, AttemptOutcome::Status(s) if (200..300).contains(s))
    }
}

/// One attempt, as the delivery log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryAttempt {
    /// The notification id.
    pub notification_id: String,
    /// The event type.
    pub event_type: String,
    /// 1 for the first attempt.
    pub attempt: usize,
    /// The simulator's clock when it was made, Unix milliseconds.
    pub at_millis: i64,
    /// How it ended.
    pub outcome: AttemptOutcome,
}

/// Counters of the delivery engine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryStats {
    /// Events published.
    pub published: u64,
    /// Events published while no notify URL was set (nothing is sent).
    pub skipped_without_url: u64,
    /// Attempts made (every POST, redeliveries and injected duplicates included).
    pub attempts: u64,
    /// Notifications delivered (a 2xx answer), injected duplicates not counted.
    pub deliveries: u64,
    /// Notifications given up after the last attempt of the schedule.
    pub give_ups: u64,
    /// Notifications still to be delivered (waiting or in flight).
    pub pending: u64,
    /// The most recent attempts (at most 1,000), oldest first.
    pub log: Vec<DeliveryAttempt>,
}

/// What a published event became.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Published {
    /// A notification with this id is on its way.
    Queued {
        /// The notification id (`SIM-EV-…`, the same on every attempt).
        notification_id: String,
    },
    /// No notify URL is set: nothing is sent (counted in [`DeliveryStats::skipped_without_url`]).
    NoNotifyUrl,
}

/// One notification to deliver.
struct Pending {
    id: String,
    event_type: String,
    body: Bytes,
    url: http::Uri,
    attempts: usize,
    due_millis: i64,
    in_flight: bool,
    fault: Option<DeliveryFault>,
    /// An injected duplicate: not counted as a delivery, never retried.
    duplicate: bool,
}

#[derive(Default)]
struct State {
    notify_url: Option<http::Uri>,
    next_fault: Option<DeliveryFault>,
    seq: u64,
    queue: Vec<Pending>,
    stats: DeliveryStats,
    log: VecDeque<DeliveryAttempt>,
}

/// The delivery engine of a running simulator ([`SimulatorHandle::deliveries`](crate::SimulatorHandle::deliveries)).
pub struct Deliveries {
    key: PrivateKey,
    key_id: String,
    api_key: ApiKey,
    clock: SharedClock,
    schedule: RetrySchedule,
    attempt_timeout: Duration,
    tls: Option<TlsConnector>,
    state: Mutex<State>,
}

impl fmt::Debug for Deliveries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deliveries")
            .field("key_id", &self.key_id)
            .field("notify_url", &self.lock().notify_url)
            .field("schedule", &self.schedule)
            .finish_non_exhaustive()
    }
}

/// Settings of the engine, from the builder.
pub(crate) struct DeliverySettings {
    pub(crate) notify_url: Option<String>,
    pub(crate) api_key: Option<ApiKey>,
    pub(crate) schedule: RetrySchedule,
    pub(crate) attempt_timeout: Duration,
    /// Roots (PEM) trusted for `https://` notify URLs.
    pub(crate) root_pems: Vec<String>,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            notify_url: None,
            api_key: None,
            schedule: RetrySchedule::default(),
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            root_pems: Vec::new(),
        }
    }
}

/// A TLS client trusting exactly `root_pems` (none: no HTTPS delivery).
fn tls_connector(root_pems: &[String]) -> Result<Option<TlsConnector>, SimulatorError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    if root_pems.is_empty() {
        return Ok(None);
    }
    let refused = |what: &str| {
        SimulatorError::new(
            SimulatorErrorKind::Config,
            format!("the notification root certificate is refused: {what}"),
        )
    };
    let mut roots = rustls::RootCertStore::empty();
    for pem in root_pems {
        for certificate in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let certificate = certificate.map_err(|_| refused("not PEM certificates"))?;
            roots
                .add(certificate)
                .map_err(|_| refused("not a usable certificate"))?;
        }
    }
    if roots.is_empty() {
        return Err(refused("no certificate in the PEM"));
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|_| refused("no TLS version available"))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(Some(TlsConnector::from(Arc::new(config))))
}

/// Parses a notify URL: `http(s)://host[:port]/path`.
fn parse_url(url: &str) -> Result<http::Uri, SimulatorError> {
    let refused = |why: &str| {
        SimulatorError::new(
            SimulatorErrorKind::Config,
            format!("the notify URL is refused: {why}"),
        )
    };
    let uri: http::Uri = url.parse().map_err(|_| refused("not a URL"))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
        return Err(refused("expected http(s)://host[:port]/path"));
    }
    Ok(uri)
}

impl Deliveries {
    pub(crate) fn new(
        key: PrivateKey,
        key_id: String,
        clock: SharedClock,
        settings: DeliverySettings,
    ) -> Result<Self, SimulatorError> {
        let api_key = match settings.api_key {
            Some(key) => key,
            None => {
                let text = wxbrand_sign::try_generate_nonce().map_err(|_| {
                    SimulatorError::new(SimulatorErrorKind::Key, "generating the API key failed")
                })?;
                ApiKey::new(text).map_err(|_| {
                    SimulatorError::new(SimulatorErrorKind::Key, "generating the API key failed")
                })?
            }
        };
        let notify_url = settings.notify_url.as_deref().map(parse_url).transpose()?;
        let tls = tls_connector(&settings.root_pems)?;
        Ok(Deliveries {
            tls,
            key,
            key_id,
            api_key,
            clock,
            schedule: settings.schedule,
            attempt_timeout: settings.attempt_timeout,
            state: Mutex::new(State {
                notify_url,
                ..State::default()
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The brand API key notifications are encrypted with: hand it to the receiver under test.
    pub fn brand_api_key(&self) -> &ApiKey {
        &self.api_key
    }

    /// Sets (or with `None` clears) the notify URL, as the notify-config operation does. Events
    /// published from now on go there; notifications already queued keep their URL.
    ///
    /// # Errors
    /// [`SimulatorErrorKind::Config`] for a URL that is not `http(s)://host[:port]/path`.
    pub fn set_notify_url(&self, url: Option<&str>) -> Result<(), SimulatorError> {
        let parsed = url.map(parse_url).transpose()?;
        self.lock().notify_url = parsed;
        Ok(())
    }

    /// The notify URL set, if any.
    pub fn notify_url(&self) -> Option<String> {
        self.lock().notify_url.as_ref().map(ToString::to_string)
    }

    /// The next published event gets `fault`.
    pub fn inject_next(&self, fault: DeliveryFault) {
        self.lock().next_fault = Some(fault);
    }

    /// **The entry point of events into notifications.** Turns `event` into one notification to
    /// the notify URL set now (a new id, `create_time` from the simulator's clock, the resource
    /// encrypted) and queues its first attempt at once; the background task sends it and
    /// redelivers it on the schedule. Never blocks and never fails: without a notify URL the
    /// event is only counted ([`Published::NoNotifyUrl`]). Called by the simulator's state for
    /// every user-coupon event, and by tests that want a notification now.
    pub fn publish(&self, event: &Event) -> Published {
        let mut state = self.lock();
        state.stats.published += 1;
        let fault = state.next_fault.take();
        let Some(url) = state.notify_url.clone() else {
            state.stats.skipped_without_url += 1;
            return Published::NoNotifyUrl;
        };
        state.seq += 1;
        let now_millis = self.clock.millis();
        let id = format!("SIM-EV-{}-{:08}", now_millis.div_euclid(1000), state.seq);
        let event_type = event.event_type().as_str().to_owned();
        let body = self.envelope(&id, event, now_millis.div_euclid(1000));
        state.queue.push(Pending {
            id: id.clone(),
            event_type,
            body,
            url,
            attempts: 0,
            due_millis: now_millis,
            in_flight: false,
            fault,
            duplicate: false,
        });
        state.stats.pending += 1;
        Published::Queued {
            notification_id: id,
        }
    }

    /// The envelope's JSON: the event's resource encrypted with the brand API key.
    fn envelope(&self, id: &str, event: &Event, now: i64) -> Bytes {
        let resource = event.resource_json().unwrap_or_else(|_| "{}".to_owned());
        let nonce: String = wxbrand_sign::generate_nonce().chars().take(12).collect();
        let encrypted = self.api_key.encrypt(
            resource.as_bytes(),
            &nonce,
            event.original_type(),
            event.original_type(),
        );
        let Ok(resource) = encrypted else {
            return Bytes::new();
        };
        let envelope = NotificationEnvelope::new(
            id,
            Rfc3339::from_unix(now, 8 * 3600).as_str(),
            event.event_type().as_str(),
            event.event_type().summary(),
            resource,
        );
        serde_json::to_vec(&envelope)
            .map(Bytes::from)
            .unwrap_or_default()
    }

    /// A snapshot of the counters and the attempt log.
    pub fn stats(&self) -> DeliveryStats {
        let state = self.lock();
        let mut stats = state.stats.clone();
        stats.log = state.log.iter().cloned().collect();
        stats
    }

    /// Waits (real time, polling) until no attempt is in flight and none is due on the
    /// simulator's clock: after a publish, or after moving a manual clock past a retry interval.
    pub async fn settled(&self) {
        loop {
            let now = self.clock.millis();
            let busy = self
                .lock()
                .queue
                .iter()
                .any(|p| p.in_flight || p.due_millis <= now);
            if !busy {
                return;
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Takes the due attempts: marks them in flight and returns what to send.
    fn take_due(&self) -> Vec<Attempt> {
        let now = self.clock.millis();
        let mut state = self.lock();
        let mut due = Vec::new();
        for pending in state.queue.iter_mut() {
            if pending.in_flight || pending.due_millis > now {
                continue;
            }
            pending.in_flight = true;
            pending.attempts += 1;
            let fault = if pending.attempts == 1 {
                pending.fault
            } else {
                None
            };
            due.push(Attempt {
                id: pending.id.clone(),
                event_type: pending.event_type.clone(),
                body: pending.body.clone(),
                url: pending.url.clone(),
                number: pending.attempts,
                fault,
                duplicate: pending.duplicate,
            });
        }
        due
    }

    /// Records an attempt's outcome: done, retried later, or given up.
    fn finish(&self, attempt: &Attempt, outcome: AttemptOutcome) {
        let now = self.clock.millis();
        let mut state = self.lock();
        state.stats.attempts += 1;
        if state.log.len() == LOG_CAPACITY {
            state.log.pop_front();
        }
        state.log.push_back(DeliveryAttempt {
            notification_id: attempt.id.clone(),
            event_type: attempt.event_type.clone(),
            attempt: attempt.number,
            at_millis: now,
            outcome,
        });
        let Some(index) = state
            .queue
            .iter()
            .position(|p| p.id == attempt.id && p.duplicate == attempt.duplicate)
        else {
            return;
        };
        let success = outcome.is_success();
        let interval = self.schedule.intervals().get(attempt.number - 1).copied();
        match (success, interval) {
            (false, Some(interval)) if !attempt.duplicate => {
                if let Some(pending) = state.queue.get_mut(index) {
                    pending.in_flight = false;
                    let millis = i64::try_from(interval.as_millis()).unwrap_or(i64::MAX);
                    pending.due_millis = now.saturating_add(millis);
                }
            }
            _ => {
                let done = state.queue.swap_remove(index);
                if done.duplicate {
                    return;
                }
                state.stats.pending = state.stats.pending.saturating_sub(1);
                if success {
                    state.stats.deliveries += 1;
                    if done.fault == Some(DeliveryFault::Duplicate) {
                        state.queue.push(Pending {
                            attempts: 0,
                            due_millis: now,
                            in_flight: false,
                            fault: None,
                            duplicate: true,
                            ..done
                        });
                    }
                } else {
                    state.stats.give_ups += 1;
                }
            }
        }
    }

    /// The headers of one attempt, signed now (or as the fault says).
    fn signed_request(&self, attempt: &Attempt) -> Option<http::Request<Full<Bytes>>> {
        let mut timestamp = self.clock.seconds();
        if attempt.fault == Some(DeliveryFault::Stale) {
            timestamp -= 600;
        }
        let nonce = wxbrand_sign::try_generate_nonce().ok()?;
        let message = wxbrand_sign::message::response_message(timestamp, &nonce, &attempt.body);
        let mut signature = self.key.sign_base64(&message).ok()?;
        if attempt.fault == Some(DeliveryFault::BadSignature) {
            // Another valid-looking Base64 signature: the first characters changed.
            let prefix = if signature.starts_with("AAAA") {
                "BBBB"
            } else {
                "AAAA"
            };
            signature = format!("{prefix}{}", signature.get(4..).unwrap_or_default());
        }
        let authority = attempt.url.authority()?.as_str().to_owned();
        let path = attempt
            .url
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        http::Request::post(path)
            .header(http::header::HOST, authority)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header("Wechatpay-Timestamp", timestamp.to_string())
            .header("Wechatpay-Nonce", nonce)
            .header("Wechatpay-Signature", signature)
            .header("Wechatpay-Serial", self.key_id.as_str())
            .header(
                "Wechatpay-Signature-Type",
                crate::answer_signer::SIGNATURE_TYPE,
            )
            .body(Full::new(attempt.body.clone()))
            .ok()
    }
}

/// One attempt to make.
struct Attempt {
    id: String,
    event_type: String,
    body: Bytes,
    url: http::Uri,
    number: usize,
    fault: Option<DeliveryFault>,
    duplicate: bool,
}

/// Sends one attempt and says how it ended.
async fn send(deliveries: &Deliveries, attempt: &Attempt) -> AttemptOutcome {
    let Some(request) = deliveries.signed_request(attempt) else {
        return AttemptOutcome::ConnectFailed;
    };
    let host = attempt.url.host().unwrap_or("127.0.0.1");
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let https = attempt.url.scheme_str() == Some("https");
    let port = attempt
        .url
        .port_u16()
        .unwrap_or(if https { 443 } else { 80 });
    let exchange = async {
        let stream = tokio::net::TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|_| AttemptOutcome::ConnectFailed)?;
        if !https {
            return exchange(TokioIo::new(stream), request).await;
        }
        let connector = deliveries
            .tls
            .as_ref()
            .ok_or(AttemptOutcome::ConnectFailed)?;
        let name = rustls::pki_types::ServerName::try_from(host.clone())
            .map_err(|_| AttemptOutcome::ConnectFailed)?;
        let stream = connector
            .connect(name, stream)
            .await
            .map_err(|_| AttemptOutcome::ConnectFailed)?;
        exchange(TokioIo::new(stream), request).await
    };
    match tokio::time::timeout(deliveries.attempt_timeout, exchange).await {
        Ok(Ok(outcome) | Err(outcome)) => outcome,
        Err(_) => AttemptOutcome::Timeout,
    }
}

/// One HTTP/1.1 exchange over a connected stream: the answer's status (its body read and dropped).
async fn exchange<IO>(
    io: IO,
    request: http::Request<Full<Bytes>>,
) -> Result<AttemptOutcome, AttemptOutcome>
where
    IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake::<_, Full<Bytes>>(io)
        .await
        .map_err(|_| AttemptOutcome::ConnectFailed)?;
    tokio::spawn(connection);
    let response = sender
        .send_request(request)
        .await
        .map_err(|_| AttemptOutcome::ConnectFailed)?;
    let status = response.status().as_u16();
    let _ = response.into_body().collect().await;
    Ok(AttemptOutcome::Status(status))
}

/// The background task: sends due attempts until shutdown.
pub(crate) async fn run(deliveries: Arc<Deliveries>, mut shutdown: watch::Receiver<bool>) {
    loop {
        for attempt in deliveries.take_due() {
            let deliveries = Arc::clone(&deliveries);
            tokio::spawn(async move {
                let outcome = send(&deliveries, &attempt).await;
                deliveries.finish(&attempt, outcome);
            });
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL_INTERVAL) => {}
            _ = shutdown.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::clock::ManualClock;
    use wxbrand_core::event::CouponEventResource;

    /// A TLS receiver answering 204, sending each request's headers to the channel.
    async fn tls_receiver(
        acceptor: tokio_rustls::TlsAcceptor,
    ) -> (
        String,
        tokio::sync::mpsc::UnboundedReceiver<http::HeaderMap>,
    ) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("https://{}/notify", listener.local_addr().unwrap());
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (acceptor, sender) = (acceptor.clone(), sender.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(
                        move |request: http::Request<hyper::body::Incoming>| {
                            let _ = sender.send(request.headers().clone());
                            async {
                                let mut answer = http::Response::new(Full::new(Bytes::new()));
                                *answer.status_mut() = http::StatusCode::NO_CONTENT;
                                Ok::<_, std::convert::Infallible>(answer)
                            }
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        (url, receiver)
    }

    fn engine(url: &str, root_pems: Vec<String>) -> Arc<Deliveries> {
        let key = crate::keys::generate_rsa_2048().unwrap().key;
        let clock = SharedClock(Arc::new(ManualClock::at_unix_seconds(1_767_225_600)));
        let settings = DeliverySettings {
            notify_url: Some(url.to_owned()),
            schedule: RetrySchedule::new(Vec::new()),
            root_pems,
            ..DeliverySettings::default()
        };
        let engine = Deliveries::new(key, "PUB_KEY_ID_01".into(), clock, settings).unwrap();
        Arc::new(engine)
    }

    #[tokio::test]
    async fn https_notify_urls_are_delivered_to_over_tls_with_the_given_root_only() {
        let tls = crate::tls::generate().unwrap();
        let (url, mut received) = tls_receiver(tls.acceptor).await;
        let event = Event::CouponSent(CouponEventResource::new("C1", "1", "2"));
        let (_stop, stop) = watch::channel(false);

        let trusted = engine(&url, vec![tls.ca_pem.unwrap()]);
        tokio::spawn(run(Arc::clone(&trusted), stop.clone()));
        trusted.publish(&event);
        trusted.settled().await;
        let stats = trusted.stats();
        assert_eq!(stats.log[0].outcome, AttemptOutcome::Status(204));
        assert_eq!(stats.deliveries, 1);
        let headers = received.recv().await.unwrap();
        assert_eq!(headers["wechatpay-serial"], "PUB_KEY_ID_01");

        // No root given: the receiver's certificate is not trusted, the attempt fails, give up.
        let untrusted = engine(&url, Vec::new());
        tokio::spawn(run(Arc::clone(&untrusted), stop));
        untrusted.publish(&event);
        untrusted.settled().await;
        let stats = untrusted.stats();
        assert_eq!(stats.log[0].outcome, AttemptOutcome::ConnectFailed);
        assert_eq!((stats.deliveries, stats.give_ups), (0, 1));
        assert!(tls_connector(&["not pem".into()]).is_err());
    }
}
