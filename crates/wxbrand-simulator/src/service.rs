//! One request, end to end: route, read the body (capped), pick a fault, authenticate, act on the
//! state, answer (signed), and let the fault do its damage.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http::request::Parts;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use wxbrand_core::product_coupon::StockState;

use crate::answer::{errno, pad_body, Answer, AnswerSigner};
use crate::auth::{self, AuthPolicy, BrandKeys};
use crate::clock::SharedClock;
use crate::faults::{Fault, Faults};
use crate::reason;
use crate::routes::{self, Resolved, Route};
use crate::server::{AnswerBody, ConnControl, Dropped};
use crate::state::{Deactivation, Missing, World};
use crate::stats::{DeactivationEvent, Recorder};

/// Everything the request handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) brands: BrandKeys,
    pub(crate) signer: AnswerSigner,
    pub(crate) clock: SharedClock,
    pub(crate) world: Mutex<World>,
    pub(crate) faults: Faults,
    pub(crate) stats: Recorder,
    pub(crate) seq: AtomicU64,
    pub(crate) rate_limit: Option<u32>,
    pub(crate) max_body_bytes: usize,
    pub(crate) body_timeout: Duration,
    pub(crate) window_seconds: i64,
}

impl Shared {
    pub(crate) fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

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
    let seq = shared.seq.fetch_add(1, Ordering::Relaxed) + 1;
    let (parts, body) = request.into_parts();
    let resolved = routes::resolve(&parts.method, parts.uri.path());
    let route = match &resolved {
        Resolved::Matched { route, .. } => Some(*route),
        _ => None,
    };
    let arrival = (route == Some(Route::DeactivateStock)).then(|| DeactivationEvent {
        brand_id: claimed_brand(&parts),
        at_unix_millis: shared.clock.millis(),
    });
    shared.stats.update(|s| {
        s.requests_received += 1;
        if let Some(route) = route {
            *s.requests_by_route.entry(route).or_default() += 1;
        }
        if let Some(arrival) = arrival {
            s.deactivation_arrivals.push(arrival);
        }
    });

    let body = match read_body(body, shared.max_body_bytes, shared.body_timeout).await {
        Ok(body) => body,
        Err(problem) => {
            return match problem.answer(&shared) {
                Some(answer) => Ok(respond(&shared, &conn, seq, answer, None)),
                // The client went away or sent a broken body: nobody to answer.
                None => Err(Dropped),
            };
        }
    };

    let fault = route.and_then(|r| shared.faults.pick(r));
    if let Some(fault) = &fault {
        let name = fault.name();
        shared
            .stats
            .update(|s| *s.faults_injected.entry(name.to_string()).or_default() += 1);
        tracing::debug!(fault = name, seq, "injecting a fault");
    }
    match &fault {
        Some(Fault::CloseBeforeAnswer) => return Err(Dropped),
        Some(Fault::Status500SystemError) => {
            let answer = Answer::system_error().injected();
            return Ok(respond(&shared, &conn, seq, answer, None));
        }
        Some(Fault::Status503Html) => {
            return Ok(respond(&shared, &conn, seq, Answer::proxy_503(), None))
        }
        Some(Fault::Status429RateLimited) => {
            let answer = Answer::rate_limited().injected();
            return Ok(respond(&shared, &conn, seq, answer, None));
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
    Ok(respond(&shared, &conn, seq, answer, fault.as_ref()))
}

/// The `brand_id` an `Authorization` header claims (not verified), or empty.
fn claimed_brand(parts: &Parts) -> String {
    parts
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(wxbrand_sign::AuthorizationParams::parse)
        .map(|p| p.brand_id)
        .unwrap_or_default()
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

/// Signs the answer, counts it, and builds the response (with the fault's alterations).
fn respond(
    shared: &Shared,
    conn: &Arc<ConnControl>,
    seq: u64,
    answer: Answer,
    fault: Option<&Fault>,
) -> Response<AnswerBody> {
    shared.stats.update(|s| {
        *s.answers_by_status
            .entry(answer.status.as_u16())
            .or_default() += 1;
        if let Some(rejection) = answer.rejection {
            *s.rejections_by_code
                .entry(rejection.code.to_string())
                .or_default() += 1;
            *s.rejections_by_reason.entry(rejection.reason).or_default() += 1;
        }
    });
    let body = match fault {
        Some(Fault::OversizedBody(size)) => pad_body(answer.body.clone(), *size),
        _ => answer.body.clone(),
    };
    let headers = shared
        .signer
        .headers(&answer, &body, seq, shared.clock.seconds(), fault);
    let full_length = body.len();
    let response_body = match fault {
        Some(Fault::ResetMidBody) => AnswerBody::cut(body, Arc::clone(conn)),
        _ => AnswerBody::full(body),
    };
    let mut response = Response::new(response_body);
    *response.status_mut() = answer.status;
    for (name, value) in headers {
        response.headers_mut().append(name, value);
    }
    if matches!(fault, Some(Fault::ResetMidBody)) {
        // The whole length is announced, so the client knows the body was cut short.
        response.headers_mut().insert(
            http::header::CONTENT_LENGTH,
            http::HeaderValue::from(full_length),
        );
    }
    response
}

/// Routes and authenticates the request and runs its endpoint.
fn process(shared: &Shared, parts: &Parts, body: &[u8], resolved: Resolved) -> Answer {
    let (route, product_coupon_id, stock_id) = match resolved {
        Resolved::NotFound => {
            return Answer::error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                reason::UNKNOWN_ROUTE,
                "no such API path",
                errno::NONE,
            );
        }
        Resolved::MethodNotAllowed { allow } => {
            let mut answer = Answer::error(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                reason::METHOD_NOT_ALLOWED,
                &format!("this path accepts {allow} only"),
                errno::NONE,
            );
            answer.allow = Some(allow);
            return answer;
        }
        Resolved::BadSegment { field, raw } => {
            return Answer::param_error(
                field,
                &raw,
                "broken percent-encoding",
                "path",
                errno::PARAM_INVALID,
            );
        }
        Resolved::Matched {
            route,
            product_coupon_id,
            stock_id,
        } => (route, product_coupon_id, stock_id),
    };
    let policy = AuthPolicy {
        brands: &shared.brands,
        wechatpay_key_id: &shared.signer.key_id,
        now_seconds: shared.clock.seconds(),
        window_seconds: shared.window_seconds,
        has_body: route == Route::DeactivateStock,
    };
    let brand_id = match auth::authenticate(&policy, parts, body) {
        Ok(brand_id) => brand_id,
        Err(answer) => return answer,
    };
    let stock_id = stock_id.unwrap_or_default();
    match route {
        Route::DeactivateStock => {
            deactivate(shared, &brand_id, &product_coupon_id, &stock_id, body)
        }
        Route::GetStock => get(shared, &product_coupon_id, &stock_id),
        Route::ListStocks => list(shared, &product_coupon_id, parts.uri.query().unwrap_or("")),
    }
}

fn missing_answer(missing: Missing) -> Answer {
    match missing {
        Missing::Stock => Answer::not_exists(reason::STOCK_NOT_FOUND, "the stock does not exist"),
        Missing::OtherCoupon => Answer::not_exists(
            reason::STOCK_OF_ANOTHER_COUPON,
            "the stock does not belong to this product coupon",
        ),
    }
}

/// The validated body of a deactivation.
struct DeactivateBody {
    out_request_no: String,
    deactivate_reason: String,
}

fn deactivate(
    shared: &Shared,
    brand_id: &str,
    product_coupon_id: &str,
    stock_id: &str,
    body: &[u8],
) -> Answer {
    let now = shared.clock.millis();
    if !shared.world().admit(brand_id, now, shared.rate_limit) {
        return Answer::rate_limited();
    }
    shared.stats.update(|s| {
        s.deactivation_admissions.push(DeactivationEvent {
            brand_id: brand_id.to_string(),
            at_unix_millis: now,
        });
    });
    let request = match validate_deactivate_body(body) {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let outcome = shared.world().deactivate(
        brand_id,
        product_coupon_id,
        stock_id,
        &request.out_request_no,
        &request.deactivate_reason,
        now,
    );
    match outcome {
        Deactivation::Done { body, transition } => {
            if let Some(transition) = transition {
                shared.stats.update(|s| s.transitions.push(transition));
            }
            Answer::ok(body)
        }
        Deactivation::Missing(missing) => missing_answer(missing),
        Deactivation::WrongState(state) => Answer::invalid_request(
            reason::INVALID_STATE,
            &format!(
                "the stock is {}: only a SENDING or PAUSED stock can be deactivated",
                String::from(state)
            ),
        ),
        Deactivation::RequestNoReused => Answer::invalid_request(
            reason::OUT_REQUEST_NO_REUSED,
            "out_request_no was already used by this brand for another stock",
        ),
        Deactivation::Encoding => Answer::system_error(),
    }
}

fn validate_deactivate_body(body: &[u8]) -> Result<DeactivateBody, Answer> {
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(Answer::param_error(
            "body",
            "",
            "the body is not UTF-8",
            "body",
            errno::PARAM_INVALID,
        ));
    };
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) => {
            return Err(Answer::param_error(
                "body",
                text,
                "the body is not well-formed JSON",
                "body",
                errno::PARAM_INVALID,
            ))
        }
    };
    let Some(object) = value.as_object() else {
        return Err(Answer::param_error(
            "body",
            text,
            "the body must be a JSON object",
            "body",
            errno::PARAM_INVALID,
        ));
    };
    let out_request_no = required_string(object, "out_request_no")?;
    let count = out_request_no.chars().count();
    if count < 6 {
        return Err(Answer::param_error(
            "out_request_no",
            out_request_no,
            "too short: 6 to 40 characters",
            "body",
            errno::PARAM_TOO_SHORT,
        ));
    }
    if count > 40 {
        return Err(Answer::param_error(
            "out_request_no",
            out_request_no,
            "too long: 6 to 40 characters",
            "body",
            errno::PARAM_TOO_LONG,
        ));
    }
    if !out_request_no
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(Answer::param_error(
            "out_request_no",
            out_request_no,
            "only digits, letters, _ and - are allowed",
            "body",
            errno::PARAM_INVALID,
        ));
    }
    let reason = required_string(object, "deactivate_reason")?;
    let reason_chars = reason.chars().count();
    if reason_chars == 0 {
        return Err(Answer::param_error(
            "deactivate_reason",
            reason,
            "must not be empty",
            "body",
            errno::PARAM_TOO_SHORT,
        ));
    }
    if reason_chars > 150 {
        return Err(Answer::param_error(
            "deactivate_reason",
            reason,
            "too long: at most 150 characters",
            "body",
            errno::PARAM_TOO_LONG,
        ));
    }
    Ok(DeactivateBody {
        out_request_no: out_request_no.to_string(),
        deactivate_reason: reason.to_string(),
    })
}

fn required_string<'a>(
    object: &'a serde_json::Map<String, serde_json::Value>,
    field: &str,
) -> Result<&'a str, Answer> {
    match object.get(field) {
        None | Some(serde_json::Value::Null) => Err(Answer::param_error(
            field,
            "",
            "required",
            "body",
            errno::PARAM_INVALID,
        )),
        Some(serde_json::Value::String(s)) => Ok(s),
        Some(other) => Err(Answer::param_error(
            field,
            &other.to_string(),
            "must be a string",
            "body",
            errno::PARAM_INVALID,
        )),
    }
}

fn get(shared: &Shared, product_coupon_id: &str, stock_id: &str) -> Answer {
    let world = shared.world();
    match world.get(product_coupon_id, stock_id) {
        Ok(stock) => match serde_json::to_vec(stock) {
            Ok(body) => Answer::ok(Bytes::from(body)),
            Err(_) => Answer::system_error(),
        },
        Err(missing) => missing_answer(missing),
    }
}

const DEFAULT_PAGE_SIZE: usize = 20;
const MAX_PAGE_SIZE: usize = 50;

fn list(shared: &Shared, product_coupon_id: &str, query: &str) -> Answer {
    let pairs = match routes::parse_query(query) {
        Ok(pairs) => pairs,
        Err(raw) => {
            return Answer::param_error(
                "query",
                &raw,
                "broken percent-encoding",
                "query",
                errno::PARAM_INVALID,
            )
        }
    };
    let param = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };

    let page_size = match param("page_size") {
        None => DEFAULT_PAGE_SIZE,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            _ => {
                return Answer::param_error(
                    "page_size",
                    raw,
                    "page size out of range: 1 to 50",
                    "query",
                    errno::PARAM_OUT_OF_RANGE,
                )
            }
        },
    };
    let offset = match param("page_token") {
        None | Some("") => 0,
        Some(raw) => match decode_page_token(raw) {
            Some(offset) => offset,
            None => {
                return Answer::param_error(
                    "page_token",
                    raw,
                    "not a page token of this API",
                    "query",
                    errno::PARAM_INVALID,
                )
            }
        },
    };
    let state = match param("state") {
        None | Some("") => None,
        Some(raw) => match StockState::from(raw.to_string()) {
            StockState::Unknown(_) => {
                return Answer::param_error(
                    "state",
                    raw,
                    "not a stock state",
                    "query",
                    errno::PARAM_INVALID,
                )
            }
            known => Some(known),
        },
    };
    let bundle = param("stock_bundle_id").filter(|b| !b.is_empty());

    let page = shared
        .world()
        .list(product_coupon_id, state.as_ref(), bundle, offset, page_size);
    let Some(page) = page else {
        return Answer::not_exists(
            reason::PRODUCT_COUPON_NOT_FOUND,
            "the product coupon does not exist",
        );
    };
    let mut out = serde_json::Map::new();
    out.insert(
        "total_count".into(),
        serde_json::Value::from(page.total as u64),
    );
    let stocks: Result<Vec<serde_json::Value>, _> =
        page.stocks.iter().map(serde_json::to_value).collect();
    let Ok(stocks) = stocks else {
        return Answer::system_error();
    };
    out.insert("stock_list".into(), serde_json::Value::Array(stocks));
    if let Some(next) = page.next_offset {
        out.insert(
            "next_page_token".into(),
            serde_json::Value::String(encode_page_token(next)),
        );
    }
    match serde_json::to_vec(&serde_json::Value::Object(out)) {
        Ok(body) => Answer::ok(Bytes::from(body)),
        Err(_) => Answer::system_error(),
    }
}

/// Page tokens are opaque to clients: URL-safe Base64 of `offset:N`.
fn encode_page_token(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn decode_page_token(token: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("offset:")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_round_trip() {
        assert_eq!(decode_page_token(&encode_page_token(40)), Some(40));
        assert_eq!(decode_page_token("nonsense!"), None);
    }

    #[test]
    fn deactivate_body_rules() {
        let field = |body: &str| {
            let answer = validate_deactivate_body(body.as_bytes()).err().unwrap();
            let v: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
            assert_eq!(v["code"], "PARAM_ERROR");
            v["detail"]["field"].as_str().unwrap().to_string()
        };
        assert_eq!(field("{"), "body");
        assert_eq!(field(r#"{"deactivate_reason":"x"}"#), "out_request_no");
        assert_eq!(
            field(r#"{"out_request_no":"abc","deactivate_reason":"x"}"#),
            "out_request_no"
        );
        assert_eq!(
            field(r#"{"out_request_no":"abc def","deactivate_reason":"x"}"#),
            "out_request_no"
        );
        assert_eq!(
            field(&format!(
                r#"{{"out_request_no":"{}","deactivate_reason":"x"}}"#,
                "a".repeat(41)
            )),
            "out_request_no"
        );
        assert_eq!(field(r#"{"out_request_no":"abcdef"}"#), "deactivate_reason");
        assert_eq!(
            field(r#"{"out_request_no":"abcdef","deactivate_reason":""}"#),
            "deactivate_reason"
        );
        let long = "失".repeat(151);
        assert_eq!(
            field(&format!(
                r#"{{"out_request_no":"abcdef","deactivate_reason":"{long}"}}"#
            )),
            "deactivate_reason"
        );
        let ok = "失".repeat(150);
        assert!(validate_deactivate_body(
            format!(r#"{{"out_request_no":"ab_-01","deactivate_reason":"{ok}"}}"#).as_bytes()
        )
        .is_ok());
    }
}
