//! `ReqwestTransport`: the [`Transport`] over a `reqwest::Client` the user configured.

use bytes::BytesMut;
use http::{Request, Response};

use crate::classify::{before_sending, check_url, content_length, too_large};
use crate::{Bytes, Transport, TransportError, TransportErrorKind};

/// A [`Transport`] over your own [`reqwest::Client`]: its proxies, TLS roots, timeouts and pool
/// are used as they are.
///
/// ```no_run
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use wxbrand_transport::ReqwestTransport;
///
/// let http = reqwest::Client::builder()
///     .redirect(reqwest::redirect::Policy::none()) // required: see below
///     .timeout(std::time::Duration::from_secs(10))
///     .build()?;
/// let transport = Arc::new(ReqwestTransport::new(http));
/// // wxbrand_client::Client::builder().transport(transport) …
/// # drop(transport);
/// # Ok(())
/// # }
/// ```
///
/// # Redirects
/// WeChat Pay does not redirect API calls, and a followed redirect would send a signed request
/// somewhere else (and turn a POST into a GET). Build the client with
/// `redirect(reqwest::redirect::Policy::none())`: a 3xx answer then reaches the client, which
/// reports it as an API error with its `Location`, as with the built-in transport. If the client
/// follows a redirect anyway, the answer is refused with
/// [`MaybeDelivered`](TransportErrorKind::MaybeDelivered) (the first request did reach a server).
///
/// # What an error says
/// | what reqwest reports | kind |
/// |---|---|
/// | a connect error (DNS, TCP refused or timed out, TLS handshake), certificate refused | [`CertificateRejected`](TransportErrorKind::CertificateRejected) |
/// | a connect error (DNS, TCP refused or timed out, TLS handshake), anything else | [`NotSent`](TransportErrorKind::NotSent) |
/// | a request builder error (bad header, bad URL) | [`Other`](TransportErrorKind::Other) (nothing sent, not worth repeating) |
/// | a timeout that is not a connect error, a reset, a body cut short, any other error | [`MaybeDelivered`](TransportErrorKind::MaybeDelivered) |
/// | a body larger than [`max_response_size`](Self::max_response_size) | [`ResponseTooLarge`](TransportErrorKind::ResponseTooLarge) |
///
/// What reqwest does not let one tell apart, and so is reported on the safe side
/// (`MaybeDelivered`): a total-request timeout (`ClientBuilder::timeout`) that fired while waiting
/// for a connection from the pool (nothing written) from one that fired after the request was
/// written; and a pooled connection found closed before the request was written (hyper-util
/// retries those itself when it can tell) from a connection lost afterwards. The built-in
/// `HyperTransport` tells the first pair apart; use it where that matters.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    max_response_size: usize,
    https_only: bool,
}

impl ReqwestTransport {
    /// The default [`max_response_size`](Self::max_response_size): 4 MiB, as the built-in transport.
    pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 4 * 1024 * 1024;

    /// Wraps `client` (build it with redirects off: see [Redirects](#redirects)); answers up to
    /// 4 MiB; `http://` URLs allowed (the client decides, e.g. `https_only` on reqwest's builder).
    pub fn new(client: reqwest::Client) -> Self {
        ReqwestTransport {
            client,
            max_response_size: Self::DEFAULT_MAX_RESPONSE_SIZE,
            https_only: false,
        }
    }

    /// The largest answer body accepted; a larger one (announced by `Content-Length`, or read so
    /// far) stops the read with [`ResponseTooLarge`](TransportErrorKind::ResponseTooLarge).
    pub fn with_max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// Refuses `http://` URLs before sending ([`InvalidUrl`](TransportErrorKind::InvalidUrl)).
    pub fn https_only(mut self, https_only: bool) -> Self {
        self.https_only = https_only;
        self
    }

    /// The largest answer body accepted.
    pub fn max_response_size(&self) -> usize {
        self.max_response_size
    }

    async fn exchange(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        let uri = request.uri().clone();
        let host = uri.host().unwrap_or_default().to_owned();
        let request = reqwest::Request::try_from(request).map_err(|error| {
            TransportError::with_source(
                TransportErrorKind::Other,
                "the request cannot be expressed as a reqwest request",
                error,
            )
        })?;
        let asked = request.url().clone();
        let mut answer = self
            .client
            .execute(request)
            .await
            .map_err(|error| classify(error, &host))?;
        if answer.url() != &asked {
            return Err(TransportError::new(
                TransportErrorKind::MaybeDelivered,
                format!(
                    "the reqwest client followed a redirect from {host}; build it with \
                     redirect(reqwest::redirect::Policy::none())"
                ),
                None,
            ));
        }
        let max = self.max_response_size;
        if let Some(announced) = content_length(answer.headers()) {
            if announced > max as u64 {
                return Err(too_large(max));
            }
        }
        let mut response = Response::new(Bytes::new());
        *response.status_mut() = answer.status();
        *response.version_mut() = answer.version();
        *response.headers_mut() = std::mem::take(answer.headers_mut());
        let mut body = BytesMut::new();
        while let Some(chunk) = answer.chunk().await.map_err(|error| {
            TransportError::with_source(
                TransportErrorKind::MaybeDelivered,
                "answer body cut short",
                error,
            )
        })? {
            if chunk.len() > max - body.len() {
                return Err(too_large(max));
            }
            body.extend_from_slice(&chunk);
        }
        *response.body_mut() = body.freeze();
        Ok(response)
    }
}

#[async_trait::async_trait]
impl Transport for ReqwestTransport {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        check_url(request.uri(), self.https_only)?;
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(TransportError::new(
                TransportErrorKind::Other,
                "ReqwestTransport::send must run inside a tokio runtime",
                None,
            ));
        }
        self.exchange(request).await
    }
}

/// What a reqwest error says about the request, as far as it can be told (see the table on
/// [`ReqwestTransport`]).
fn classify(error: reqwest::Error, host: &str) -> TransportError {
    // reqwest says "connect" only for errors of the connector (name resolution, TCP connect or
    // its timeout, the TLS handshake).
    let connect = error.is_connect();
    let error = match before_sending(error, host, connect) {
        Ok(known) => return known,
        Err(error) => error,
    };
    if error.is_builder() {
        return TransportError::with_source(
            TransportErrorKind::Other,
            "reqwest refused to build the request",
            error,
        );
    }
    let message = if error.is_timeout() {
        format!("no complete answer from {host} within the reqwest client's timeout")
    } else {
        format!("connection to {host} failed after the request was handed to it")
    };
    TransportError::with_source(TransportErrorKind::MaybeDelivered, message, error)
}
