//! The receiver: one notification request in, a typed event or a typed rejection out.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Response, StatusCode};
use serde_json::Value;
use wxbrand_core::event::{Event, EventType};
use wxbrand_sign::{
    ApiKey, JsonError, NotificationEnvelope, NotificationError, VerifiedResponse, Verifier,
    AEAD_AES_256_GCM,
};

use crate::clock::{Clock, SystemClock};
use crate::rejection::{failure_response, success_response, EnvelopeProblem, Rejection};
use crate::store::{Claim, MemoryStore, NotificationStore};

/// Receives WeChat Pay event notifications: verifies the signature headers (key id, two-sided
/// window, signature; `WECHATPAY/SIGNTEST/` probes fail like any bad signature), checks the
/// envelope, decrypts the resource with the brand API key, decodes it into an [`Event`], and
/// de-duplicates by notification `id` through a [`NotificationStore`].
///
/// Built from a [`Verifier`] (the WeChat Pay public key(s) by id, and the window, default 300 s)
/// and the brand [`ApiKey`] (32 bytes; its `Debug` shows nothing of it). Cheap to clone (shared
/// inside), `Send + Sync`. Pure logic on `http` types: no server of its own.
#[derive(Clone)]
pub struct Receiver {
    verifier: Verifier,
    api_key: ApiKey,
    store: Arc<dyn NotificationStore>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("verifier", &self.verifier)
            .field("api_key", &self.api_key)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl Receiver {
    /// A receiver with the default [`MemoryStore`] and the system clock.
    pub fn new(verifier: Verifier, api_key: ApiKey) -> Self {
        Receiver {
            verifier,
            api_key,
            store: Arc::new(MemoryStore::default()),
            clock: Arc::new(SystemClock),
        }
    }

    /// Replaces the duplicate store (a shared one when several processes receive).
    #[must_use]
    pub fn with_store(mut self, store: Arc<dyn NotificationStore>) -> Self {
        self.store = store;
        self
    }

    /// Replaces the clock the framework adapters read `now` from.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The clock's time, Unix seconds.
    pub fn now(&self) -> i64 {
        self.clock.now_unix_seconds()
    }

    /// The verifier (keys by id, window).
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// Receives one notification request at `now` (Unix seconds).
    ///
    /// On `Ok`, the notification is claimed in the store: call [`Received::acknowledge`] once the
    /// handler succeeded (it is then a duplicate for every redelivery), or let it drop / call
    /// [`Received::handler_failed`] so the redelivery is handled.
    ///
    /// # Errors
    /// A [`Rejection`] naming the first check that failed; answer with [`Rejection::response`].
    pub fn receive<B: AsRef<[u8]>>(
        &self,
        request: &http::Request<B>,
        now: i64,
    ) -> Result<Received, Rejection> {
        self.receive_parts(request.headers(), request.body().as_ref(), now)
    }

    /// [`Receiver::receive`] from the headers and raw body.
    ///
    /// # Errors
    /// As [`Receiver::receive`].
    pub fn receive_parts(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<Received, Rejection> {
        let (envelope, event, verified) = self.open(headers, body, now)?;
        match self
            .store
            .claim(&envelope.id, now)
            .map_err(Rejection::Store)?
        {
            Claim::AlreadyHandled => Err(Rejection::Duplicate { id: envelope.id }),
            Claim::InProgress => Err(Rejection::InProgress { id: envelope.id }),
            _ => Ok(Received {
                claim: ClaimGuard {
                    store: Arc::clone(&self.store),
                    id: envelope.id.clone(),
                    done: false,
                },
                envelope,
                event,
                verified,
            }),
        }
    }

    /// Verifies, checks and decrypts one notification without decoding the event or touching the
    /// duplicate store (troubleshooting a saved request: `wxbrand notify decrypt`). Returns the
    /// envelope and the decrypted resource text.
    ///
    /// # Errors
    /// As [`Receiver::receive`], without `ResourceDecode`, `Duplicate`, `InProgress` and `Store`.
    pub fn decrypt(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<(NotificationEnvelope, String), Rejection> {
        self.verifier
            .verify_response(headers, body, now)
            .map_err(Rejection::from_verify)?;
        self.decrypt_verified(body)
    }

    /// Checks the envelope of a verified body and decrypts its resource.
    fn decrypt_verified(&self, body: &[u8]) -> Result<(NotificationEnvelope, String), Rejection> {
        let envelope = envelope(body)?;
        let plaintext = self
            .api_key
            .decrypt(&envelope.resource)
            .map_err(|e| match e {
                NotificationError::UnsupportedAlgorithm { algorithm } => {
                    Rejection::Envelope(EnvelopeProblem::UnsupportedAlgorithm(algorithm))
                }
                NotificationError::MalformedResource { field } => {
                    Rejection::Envelope(EnvelopeProblem::MalformedField(field))
                }
                _ => Rejection::Decryption,
            })?;
        Ok((envelope, plaintext))
    }

    fn open(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<(NotificationEnvelope, Event, VerifiedResponse), Rejection> {
        let verified = self
            .verifier
            .verify_response(headers, body, now)
            .map_err(Rejection::from_verify)?;
        let (envelope, plaintext) = self.decrypt_verified(body)?;
        let event =
            Event::decode(&envelope.event_type, &plaintext).map_err(Rejection::ResourceDecode)?;
        Ok((envelope, event, verified))
    }
}

/// Reads the envelope, requiring what WeChat Pay's own utility requires: `id`, `event_type`, and in
/// `resource` the algorithm `AEAD_AES_256_GCM` and non-empty `ciphertext`, `nonce`,
/// `associated_data` and `original_type`.
fn envelope(body: &[u8]) -> Result<NotificationEnvelope, Rejection> {
    let not_json =
        |e: serde_json::Error| Rejection::Envelope(EnvelopeProblem::NotJson(JsonError::new(&e)));
    let value: Value = serde_json::from_slice(body).map_err(not_json)?;
    let text = |v: &Value, field: &'static str, name: &'static str| match v.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(()),
        _ => Err(Rejection::Envelope(EnvelopeProblem::MissingField(name))),
    };
    text(&value, "id", "id")?;
    text(&value, "event_type", "event_type")?;
    let resource = match value.get("resource") {
        Some(r @ Value::Object(_)) => r,
        _ => {
            return Err(Rejection::Envelope(EnvelopeProblem::MissingField(
                "resource",
            )))
        }
    };
    text(resource, "algorithm", "resource.algorithm")?;
    if let Some(algorithm) = resource.get("algorithm").and_then(Value::as_str) {
        if algorithm != AEAD_AES_256_GCM {
            return Err(Rejection::Envelope(EnvelopeProblem::UnsupportedAlgorithm(
                algorithm.chars().take(32).collect(),
            )));
        }
    }
    text(resource, "ciphertext", "resource.ciphertext")?;
    text(resource, "nonce", "resource.nonce")?;
    text(resource, "associated_data", "resource.associated_data")?;
    text(resource, "original_type", "resource.original_type")?;
    serde_json::from_value(value).map_err(not_json)
}

/// A notification that passed every check and is claimed for handling. `Debug` shows its id and
/// event type, not the user's data.
#[must_use = "acknowledge it once handled, or WeChat Pay's redelivery will be handled again"]
pub struct Received {
    envelope: NotificationEnvelope,
    event: Event,
    verified: VerifiedResponse,
    claim: ClaimGuard,
}

impl fmt::Debug for Received {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Received")
            .field("id", &self.envelope.id)
            .field("event_type", &self.envelope.event_type)
            .field("create_time", &self.envelope.create_time)
            .field("key_id", &self.verified.key_id)
            .finish_non_exhaustive()
    }
}

impl Received {
    /// The notification id (the same on every redelivery).
    pub fn id(&self) -> &str {
        &self.envelope.id
    }

    /// The event, typed.
    pub fn event(&self) -> &Event {
        &self.event
    }

    /// The event type.
    pub fn event_type(&self) -> EventType {
        self.event.event_type()
    }

    /// The envelope as posted (`create_time`, `summary`, the encrypted resource).
    pub fn envelope(&self) -> &NotificationEnvelope {
        &self.envelope
    }

    /// What the signature headers carried (key id, timestamp, `Request-ID`).
    pub fn verified(&self) -> &VerifiedResponse {
        &self.verified
    }

    /// The handler succeeded: marks the id handled (every redelivery is now a duplicate) and
    /// returns the success answer (`204`).
    pub fn acknowledge(mut self, now: i64) -> Response<Bytes> {
        self.claim.store.mark_handled(&self.claim.id, now);
        self.claim.done = true;
        success_response()
    }

    /// The handler failed: releases the id (its redelivery is handled, not a duplicate) and
    /// returns a `500` answer with `{"code":"FAIL","message":message}`, so WeChat Pay delivers it
    /// again. Dropping a `Received` releases it too.
    pub fn handler_failed(self, message: &str) -> Response<Bytes> {
        drop(self);
        failure_response(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

/// Releases the claim unless the notification was acknowledged.
struct ClaimGuard {
    store: Arc<dyn NotificationStore>,
    id: String,
    done: bool,
}

impl Drop for ClaimGuard {
    fn drop(&mut self) {
        if !self.done {
            self.store.release(&self.id);
        }
    }
}
