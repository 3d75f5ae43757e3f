//! What the transports share in telling what happened: URL checks before sending, refused
//! certificates in an error's cause chain, and the answer size limit.

use http::header::CONTENT_LENGTH;
use http::{HeaderMap, Uri};

use crate::{TransportError, TransportErrorKind};

/// Refuses URLs the client cannot use before anything is attempted.
pub(crate) fn check_url(uri: &Uri, https_only: bool) -> Result<(), TransportError> {
    let invalid = |message: &str| {
        Err(TransportError::new(
            TransportErrorKind::InvalidUrl,
            message.to_owned(),
            None,
        ))
    };
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if !https_only => {}
        Some("http") => return invalid("plain http URL refused (https only)"),
        Some(_) => return invalid("URL scheme is neither http nor https"),
        None => return invalid("URL has no scheme (an absolute URL is required)"),
    }
    match uri.host() {
        Some(host) if !host.is_empty() => Ok(()),
        _ => invalid("URL has no host"),
    }
}

/// The error of a request that never left: its server's certificate was refused somewhere in
/// `error`'s cause chain, or the connection could not be made (`connect_error`: name resolution,
/// TCP connect or its timeout, the TLS handshake). `Err(error)` back when neither: the caller
/// knows what its client says then.
pub(crate) fn before_sending<E>(
    error: E,
    host: &str,
    connect_error: bool,
) -> Result<TransportError, E>
where
    E: std::error::Error + Send + Sync + 'static,
{
    if let Some(problem) = certificate_problem(&error) {
        // The handshake refused the server's certificate: nothing was sent, and sending again
        // fails the same way until the trust configuration (or the server) changes.
        return Ok(TransportError::with_source(
            TransportErrorKind::CertificateRejected,
            format!("the TLS certificate of {host} was refused ({problem})"),
            error,
        ));
    }
    if connect_error {
        // No connection, so no byte of the request was written.
        return Ok(TransportError::with_source(
            TransportErrorKind::NotSent,
            format!("could not connect to {host}"),
            error,
        ));
    }
    Err(error)
}

/// What is wrong with the server's certificate, in a few words, when rustls refused it somewhere
/// in `error`'s cause chain. An `io::Error` carrying another error is followed into it (its
/// `source()` skips the error it carries).
fn certificate_problem(error: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    let mut current = Some(error);
    while let Some(cause) = current {
        if let Some(rustls::Error::InvalidCertificate(problem)) =
            cause.downcast_ref::<rustls::Error>()
        {
            return Some(describe_certificate_error(problem));
        }
        current = match cause.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => cause.source(),
        };
    }
    None
}

fn describe_certificate_error(problem: &rustls::CertificateError) -> &'static str {
    use rustls::CertificateError as E;
    match problem {
        E::UnknownIssuer => "issued by a certificate authority this client does not trust",
        E::Expired | E::ExpiredContext { .. } => "expired",
        E::NotValidYet | E::NotValidYetContext { .. } => "not valid yet",
        E::NotValidForName | E::NotValidForNameContext { .. } => "not valid for this host name",
        E::Revoked => "revoked",
        E::BadSignature => "its signature does not verify",
        E::BadEncoding => "malformed",
        _ => "not acceptable",
    }
}

pub(crate) fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
}

pub(crate) fn too_large(max: usize) -> TransportError {
    TransportError::new(
        TransportErrorKind::ResponseTooLarge,
        format!("answer body larger than the maximum of {max} bytes"),
        None,
    )
}
