//! One request, end to end: route, read the body (capped), pick a fault, authenticate, admit
//! (rate-limited routes), run the route's handler, and answer through the one signing exit
//! ([`reply::respond`]), letting the fault do its damage.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};

use crate::answer::{errno, Answer};
use crate::auth::{self, AuthPolicy};
use crate::conn::ConnControl;
use crate::faults::Fault;
use crate::handlers::{media, Call};
use crate::multipart;
use crate::path_params::BadParam;
use crate::reason;
use crate::reply::{self, AnswerBody, Dropped};
use crate::routes::{self, Body, Resolved, Unserved};
use crate::shared::Shared;

/// The hyper service body: answers one request, or drops the connection (`Err`) for the faults
/// that lose the answer.
pub(crate) async fn handle<B>(
    shared: Arc<Shared>,
    conn: Arc<ConnControl>,
    request: Request<B>,
) -> Result<Response<AnswerBody>, Dropped>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let _busy = conn.begin_request();
    let seq = shared.seq.fetch_add(1, Ordering::Relaxed) + 1;
    let (parts, body) = request.into_parts();
    let resolved = routes::resolve(&parts.method, parts.uri.path());
    let route = resolved.route();
    let rate_limited = matches!(&resolved, Resolved::Matched { row, .. } if row.rate_limited);
    shared
        .stats
        .record_request(route, rate_limited.then(|| shared.clock.millis()));

    // An image upload may carry a whole image.
    let cap = match &resolved {
        Resolved::Matched { row, .. } if row.body == Body::Multipart => {
            shared.max_body_bytes.max(media::MAX_UPLOAD_BODY_BYTES)
        }
        _ => shared.max_body_bytes,
    };
    let body = match read_body(body, cap, shared.body_timeout).await {
        Ok(body) => body,
        Err(problem) => {
            return match problem.answer(&shared) {
                Some(answer) => Ok(reply::respond(
                    &shared,
                    &conn,
                    seq,
                    answer.unauthenticated(),
                    None,
                )),
                // The client went away or sent a broken body: nobody to answer.
                None => Err(Dropped),
            };
        }
    };

    let fault = route.and_then(|r| shared.faults.pick(r));
    if let Some(fault) = &fault {
        let name = fault.name();
        shared.stats.record_fault(name);
        tracing::debug!(fault = name, seq, "injecting a fault");
    }
    match &fault {
        Some(Fault::CloseBeforeAnswer) => return Err(Dropped),
        Some(Fault::Status500SystemError) => {
            let answer = Answer::system_error().injected();
            return Ok(reply::respond(&shared, &conn, seq, answer, None));
        }
        Some(Fault::Status503Html) => {
            return Ok(reply::respond(
                &shared,
                &conn,
                seq,
                Answer::proxy_503(),
                None,
            ))
        }
        Some(Fault::Status429RateLimited) => {
            let answer = Answer::rate_limited().injected();
            return Ok(reply::respond(&shared, &conn, seq, answer, None));
        }
        _ => {}
    }

    let answer = process(&shared, &parts, &body, resolved);
    tracing::debug!(
        seq,
        method = %parts.method,
        path = parts.uri.path(),
        status = answer.status.as_u16(),
        code = answer.rejection.map_or("", |r| r.code),
        reason = answer.rejection.map_or("", |r| r.reason),
        "request handled"
    );

    match &fault {
        Some(Fault::AnswerLost) => {
            conn.reset_on_close();
            return Err(Dropped);
        }
        Some(Fault::Delay(pause)) => tokio::time::sleep(*pause).await,
        _ => {}
    }
    Ok(reply::respond(&shared, &conn, seq, answer, fault.as_ref()))
}

enum BodyProblem {
    TooLarge,
    TimedOut,
    Broken,
}

impl BodyProblem {
    /// The answer to a body that is too large or too slow (a broken one gets none).
    fn answer(&self, shared: &Shared) -> Option<Answer> {
        let answer = match self {
            BodyProblem::Broken => return None,
            BodyProblem::TooLarge => Answer::error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PARAM_ERROR",
                reason::BODY_TOO_LARGE,
                &format!("the request body exceeds {} bytes", shared.max_body_bytes),
                errno::PARAM_TOO_LONG,
            ),
            BodyProblem::TimedOut => Answer::error(
                StatusCode::REQUEST_TIMEOUT,
                "INVALID_REQUEST",
                reason::BODY_TIMEOUT,
                &format!(
                    "the request body did not arrive within {} ms",
                    shared.body_timeout.as_millis()
                ),
                errno::NONE,
            ),
        };
        Some(answer)
    }
}

/// Reads the whole body, refusing more than `cap` bytes or a body slower than `time_limit`
/// (hyper's own timeout covers the headers only).
async fn read_body<B>(body: B, cap: usize, time_limit: Duration) -> Result<Bytes, BodyProblem>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    // An announced length over the cap is refused before reading anything.
    if body.size_hint().lower() > cap as u64 {
        return Err(BodyProblem::TooLarge);
    }
    match tokio::time::timeout(time_limit, Limited::new(body, cap).collect()).await {
        Err(_elapsed) => Err(BodyProblem::TimedOut),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(BodyProblem::TooLarge),
        Ok(Err(_)) => Err(BodyProblem::Broken),
    }
}

/// Routes and authenticates the request, admits it (rate-limited routes) and runs its handler.
fn process(shared: &Shared, parts: &Parts, body: &[u8], resolved: Resolved) -> Answer {
    let (row, params) = match resolved {
        Resolved::Matched { row, params } => (row, params),
        Resolved::Unserved(unserved) => return refuse(unserved).unauthenticated(),
    };
    // A multipart body is signed over its `meta` part: split it before authenticating.
    let upload = match row.body {
        Body::Multipart => {
            let content_type = parts
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            match multipart::parse(content_type, body) {
                Ok(upload) => Some(upload),
                Err(broken) => return media::broken_upload(broken).unauthenticated(),
            }
        }
        _ => None,
    };
    let (signed, file) = match &upload {
        Some(upload) => (upload.meta.as_slice(), upload.file.as_slice()),
        None => (body, &[][..]),
    };
    let policy = AuthPolicy {
        brands: &shared.brands,
        wechatpay_key_id: &shared.signer.key_id,
        now_seconds: shared.clock.seconds(),
        window_seconds: shared.window_seconds,
        body_media: row.body.media_type(),
    };
    let brand_id = match auth::authenticate(&policy, parts, signed) {
        Ok(brand_id) => brand_id,
        // A 401: the signature did not verify (the 400s after it concern a verified request).
        Err(answer) if answer.status == StatusCode::UNAUTHORIZED => {
            return answer.unauthenticated()
        }
        Err(answer) => return answer,
    };
    let now_millis = shared.clock.millis();
    if row.rate_limited {
        if !shared
            .world()
            .admit(&brand_id, now_millis, shared.rate_limit)
        {
            return Answer::rate_limited();
        }
        shared.stats.record_admission(&brand_id, now_millis);
    }
    let call = Call {
        shared,
        brand_id: &brand_id,
        params: &params,
        query: parts.uri.query().unwrap_or(""),
        body: signed,
        file,
        now_millis,
    };
    (row.handler)(&call)
}

/// The answer to a request no route serves as it stands.
fn refuse(unserved: Unserved) -> Answer {
    match unserved {
        Unserved::NotFound => Answer::error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            reason::UNKNOWN_ROUTE,
            "no such API path",
            errno::NONE,
        ),
        Unserved::MethodNotAllowed { allow } => {
            let mut answer = Answer::error(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                reason::METHOD_NOT_ALLOWED,
                &format!("this path accepts {allow} only"),
                errno::NONE,
            );
            answer.allow = Some(allow);
            answer
        }
        Unserved::BadParam(BadParam::Encoding { field, raw }) => Answer::param_error(
            field,
            &raw,
            "broken percent-encoding",
            "path",
            errno::PARAM_INVALID,
        ),
        Unserved::BadParam(BadParam::NotAnId(error)) => {
            Answer::rule_broken(error.field(), &error, "path")
        }
    }
}
