//! Stable keys naming why a request was refused ([`Stats::rejections_for`](crate::Stats::rejections_for)).
//!
//! Several reasons share one WeChat Pay `code` (every authentication failure is `SIGN_ERROR`); the
//! reason tells them apart, so a test can assert "refused for a stale timestamp". Each error answer
//! carries exactly one reason, counted in [`Stats::rejections_by_reason`](crate::Stats::rejections_by_reason).

/// No `Authorization` header (401 `SIGN_ERROR`).
pub const MISSING_AUTHORIZATION: &str = "missing_authorization";
/// `Authorization` not visible ASCII, of another scheme, with a parameter missing, empty or
/// repeated, an empty item in its list (a trailing comma, `,,`), or a timestamp that is not a
/// number (401 `SIGN_ERROR`).
pub const MALFORMED_AUTHORIZATION: &str = "malformed_authorization";
/// `brand_id` not registered (401 `SIGN_ERROR`).
pub const UNKNOWN_BRAND: &str = "unknown_brand";
/// `serial_no` not registered for the brand (401 `SIGN_ERROR`).
pub const UNKNOWN_SERIAL: &str = "unknown_serial";
/// The request timestamp is outside the window of the simulator's clock (401 `SIGN_ERROR`).
pub const TIMESTAMP_OUT_OF_WINDOW: &str = "timestamp_out_of_window";
/// The signature does not verify over the bytes received (401 `SIGN_ERROR`).
pub const BAD_SIGNATURE: &str = "bad_signature";
/// `Wechatpay-Serial` names another key (400 `INVALID_REQUEST`).
pub const WRONG_WECHATPAY_SERIAL: &str = "wrong_wechatpay_serial";
/// No `Wechatpay-Serial` header (400 `INVALID_REQUEST`).
pub const MISSING_WECHATPAY_SERIAL: &str = "missing_wechatpay_serial";
/// `Accept` does not admit JSON (400 `INVALID_REQUEST`).
pub const BAD_ACCEPT: &str = "bad_accept";
/// A body without `Content-Type: application/json` (400 `INVALID_REQUEST`).
pub const BAD_CONTENT_TYPE: &str = "bad_content_type";
/// A path segment, query parameter or body field breaks the rules (400 `PARAM_ERROR`).
pub const PARAM_ERROR: &str = "param_error";
/// No such stock (404 `RESOURCE_NOT_EXISTS`).
pub const STOCK_NOT_FOUND: &str = "stock_not_found";
/// The stock exists under another product coupon (404 `RESOURCE_NOT_EXISTS`).
pub const STOCK_OF_ANOTHER_COUPON: &str = "stock_of_another_coupon";
/// No such stock bundle under the product coupon (404 `RESOURCE_NOT_EXISTS`).
pub const STOCK_BUNDLE_NOT_FOUND: &str = "stock_bundle_not_found";
/// A product coupon the simulator does not hold (404 `RESOURCE_NOT_EXISTS`).
pub const PRODUCT_COUPON_NOT_FOUND: &str = "product_coupon_not_found";
/// Changing something whose state does not allow it: deactivating a stock that is not `SENDING`
/// or `PAUSED`, changing a deactivated coupon (400 `INVALID_REQUEST`).
pub const INVALID_STATE: &str = "invalid_state";
/// An `out_request_no` the brand already used for this operation on another target, or with
/// another body (400 `INVALID_REQUEST`).
pub const OUT_REQUEST_NO_REUSED: &str = "out_request_no_reused";
/// A write that breaks a rule only the state can check, such as a budget below what was already
/// sent (400 `INVALID_REQUEST`).
pub const INVALID_REQUEST: &str = "invalid_request";
/// No such coupon of this user under the product coupon and stock named (404
/// `RESOURCE_NOT_EXISTS`).
pub const USER_COUPON_NOT_FOUND: &str = "user_coupon_not_found";
/// A send beyond the stock's `max_count`, `max_count_per_day` or `max_count_per_user` (400
/// `INVALID_REQUEST`).
pub const SEND_LIMIT_REACHED: &str = "send_limit_reached";
/// A send from an `UPLOAD` stock with no uploaded code left (400 `INVALID_REQUEST`).
pub const CODES_EXHAUSTED: &str = "codes_exhausted";
/// A send from an `API_ASSIGN` stock with a code it already gave out (400 `INVALID_REQUEST`).
pub const COUPON_CODE_TAKEN: &str = "coupon_code_taken";
/// The brand never set a notify URL (404 `RESOURCE_NOT_EXISTS`).
pub const NOTIFY_CONFIG_NOT_SET: &str = "notify_config_not_set";
/// The brand's deactivation rate limit (429 `RATELIMIT_EXCEEDED`).
pub const RATE_LIMITED: &str = "rate_limited";
/// The body exceeds the cap (413 `PARAM_ERROR`).
pub const BODY_TOO_LARGE: &str = "body_too_large";
/// The body did not arrive in time (408 `INVALID_REQUEST`).
pub const BODY_TIMEOUT: &str = "body_timeout";
/// A path the simulator does not serve (404 `NOT_FOUND`).
pub const UNKNOWN_ROUTE: &str = "unknown_route";
/// A served path with another method (405 `METHOD_NOT_ALLOWED`).
pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
/// The simulator could not encode an answer (500 `SYSTEM_ERROR`).
pub const SYSTEM_ERROR: &str = "system_error";
/// An error answer injected by a [`Fault`](crate::Fault) (500 `SYSTEM_ERROR`, 429
/// `RATELIMIT_EXCEEDED`); [`Stats::faults`](crate::Stats::faults) says which.
pub const INJECTED_FAULT: &str = "injected_fault";
