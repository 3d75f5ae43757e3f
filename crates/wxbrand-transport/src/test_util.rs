//! Transports for tests: [`MockTransport`] records what it is asked and answers from a script.
//!
//! Use it in your own tests to run code that takes a [`Transport`] or a [`BlockingTransport`]
//! without a network: prepare the answers (and faults) it should give, run the code, then look at
//! the requests it recorded.
//!
//! ```
//! use std::sync::Arc;
//! use wxbrand_transport::test_util::MockTransport;
//! use wxbrand_transport::{BlockingTransport, Bytes, TransportErrorKind};
//!
//! let mock = MockTransport::new();
//! mock.push_response(http::Response::new(Bytes::from_static(b"{\"ok\":true}")));
//! mock.push_fault(TransportErrorKind::NotSent);
//!
//! // Hand a clone to the code under test (clones share the script and the record) …
//! let transport: Arc<dyn BlockingTransport> = Arc::new(mock.clone());
//! let request = http::Request::post("https://example.test/v1/things")
//!     .header("content-type", "application/json")
//!     .body(Bytes::from_static(b"{}"))
//!     .unwrap();
//! let answer = transport.send(request).unwrap();
//! assert_eq!(answer.body().as_ref(), b"{\"ok\":true}");
//!
//! let again = http::Request::get("https://example.test/v1/things/1").body(Bytes::new()).unwrap();
//! assert_eq!(transport.send(again).unwrap_err().kind(), TransportErrorKind::NotSent);
//!
//! // … and look at what it was asked.
//! let requests = mock.requests();
//! assert_eq!(requests.len(), 2);
//! assert_eq!(requests[0].method(), http::Method::POST);
//! assert_eq!(requests[0].uri().path(), "/v1/things");
//! assert_eq!(requests[0].headers()["content-type"], "application/json");
//! assert_eq!(requests[0].body().as_ref(), b"{}");
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use http::{HeaderMap, Method, Request, Response, StatusCode, Uri, Version};

use crate::{BlockingTransport, Bytes, Transport, TransportError, TransportErrorKind};

type Responder =
    dyn Fn(&Request<Bytes>) -> Result<Response<Bytes>, TransportError> + Send + Sync + 'static;

/// A transport that records every request and answers from a queue of prepared answers and
/// faults, then (optionally) from a responder closure.
///
/// For each request, in order:
/// 1. the request is recorded (unless [`without_recording`](Self::without_recording) was used);
/// 2. the oldest queued entry, if any, is taken and returned: an answer
///    ([`push_response`](Self::push_response), [`push_status`](Self::push_status)) or an error
///    ([`push_error`](Self::push_error), [`push_fault`](Self::push_fault));
/// 3. otherwise the responder given to [`with_responder`](Self::with_responder) answers;
/// 4. otherwise the result is an error of kind [`Other`](TransportErrorKind::Other) saying the
///    script ran out.
///
/// It implements both [`Transport`] and [`BlockingTransport`], never blocks and needs no runtime.
/// Clones share the queue, the responder and the record, so keep one clone to inspect after
/// handing another to the code under test.
///
/// A benchmark or a long test that needs an endless answer:
///
/// ```
/// use wxbrand_transport::test_util::MockTransport;
/// use wxbrand_transport::{BlockingTransport, Bytes};
///
/// let mock = MockTransport::with_responder(|request| {
///     let body = format!("you asked for {}", request.uri().path());
///     Ok(http::Response::new(Bytes::from(body)))
/// })
/// .without_recording(); // keep memory flat over millions of requests
///
/// for _ in 0..3 {
///     let request = http::Request::get("http://local.test/ping").body(Bytes::new()).unwrap();
///     assert_eq!(mock.send(request).unwrap().body().as_ref(), b"you asked for /ping");
/// }
/// assert_eq!(mock.request_count(), 3);
/// assert!(mock.requests().is_empty());
/// ```
#[derive(Clone, Default)]
pub struct MockTransport {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    responder: Option<Box<Responder>>,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Result<Response<Bytes>, TransportError>>,
    recorded: Vec<RecordedRequest>,
    count: usize,
    not_recording: bool,
}

/// One request seen by a [`MockTransport`]: method, URI, version, headers and body.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    method: Method,
    uri: Uri,
    version: Version,
    headers: HeaderMap,
    body: Bytes,
}

impl RecordedRequest {
    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The URI, as given to the transport.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The HTTP version asked for.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body as UTF-8 text, if it is.
    pub fn body_text(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }

    /// Rebuilds an `http::Request` from the record (extensions are not kept).
    pub fn to_request(&self) -> Request<Bytes> {
        let mut request = Request::new(self.body.clone());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.version_mut() = self.version;
        *request.headers_mut() = self.headers.clone();
        request
    }

    fn of(request: &Request<Bytes>) -> Self {
        RecordedRequest {
            method: request.method().clone(),
            uri: request.uri().clone(),
            version: request.version(),
            headers: request.headers().clone(),
            body: request.body().clone(),
        }
    }
}

impl fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("MockTransport")
            .field("queued", &state.queue.len())
            .field("requests", &state.count)
            .field("recording", &!state.not_recording)
            .field("responder", &self.shared.responder.is_some())
            .finish()
    }
}

impl MockTransport {
    /// An empty script: push answers before use, or every request fails with
    /// [`Other`](TransportErrorKind::Other).
    pub fn new() -> Self {
        Self::default()
    }

    /// A transport that answers with `responder` whenever the queue is empty (always, if nothing
    /// is pushed). The responder sees the request and returns the answer or a fault.
    pub fn with_responder<F>(responder: F) -> Self
    where
        F: Fn(&Request<Bytes>) -> Result<Response<Bytes>, TransportError> + Send + Sync + 'static,
    {
        MockTransport {
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                responder: Some(Box::new(responder)),
            }),
        }
    }

    /// Stops keeping the requests (they are still counted by
    /// [`request_count`](Self::request_count)); for benchmarks and long runs.
    pub fn without_recording(self) -> Self {
        self.state().not_recording = true;
        self
    }

    /// Queues an answer.
    pub fn push_response(&self, response: Response<Bytes>) -> &Self {
        self.state().queue.push_back(Ok(response));
        self
    }

    /// Queues an answer with `status` and `body` and no headers.
    pub fn push_status(&self, status: StatusCode, body: impl Into<Bytes>) -> &Self {
        let mut response = Response::new(body.into());
        *response.status_mut() = status;
        self.push_response(response)
    }

    /// Queues an error, returned as is.
    pub fn push_error(&self, error: TransportError) -> &Self {
        self.state().queue.push_back(Err(error));
        self
    }

    /// Queues an error of `kind` with the description `"mock fault: <kind>"` and no source.
    pub fn push_fault(&self, kind: TransportErrorKind) -> &Self {
        self.push_error(TransportError::new(
            kind,
            format!("mock fault: {kind}"),
            None,
        ))
    }

    /// How many queued answers and faults are left.
    pub fn remaining(&self) -> usize {
        self.state().queue.len()
    }

    /// A copy of the requests recorded so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().recorded.clone()
    }

    /// Takes the requests recorded so far, oldest first, leaving the record empty.
    pub fn take_requests(&self) -> Vec<RecordedRequest> {
        std::mem::take(&mut self.state().recorded)
    }

    /// The most recent recorded request.
    pub fn last_request(&self) -> Option<RecordedRequest> {
        self.state().recorded.last().cloned()
    }

    /// How many requests were sent through this transport (recorded or not).
    pub fn request_count(&self) -> usize {
        self.state().count
    }

    /// Answers one request: the shared logic behind both trait impls.
    pub fn respond(&self, request: &Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        let queued = {
            let mut state = self.state();
            state.count += 1;
            if !state.not_recording {
                state.recorded.push(RecordedRequest::of(request));
            }
            state.queue.pop_front()
        };
        // The responder runs without the lock, so it may use this transport (e.g. push_*).
        match (queued, &self.shared.responder) {
            (Some(answer), _) => answer,
            (None, Some(responder)) => responder(request),
            (None, None) => Err(TransportError::new(
                TransportErrorKind::Other,
                "MockTransport has no prepared answer left",
                None,
            )),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves the state usable; carry on.
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait::async_trait]
impl Transport for MockTransport {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        self.respond(&request)
    }
}

impl BlockingTransport for MockTransport {
    fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        self.respond(&request)
    }
}
