//! The route table: one row per route — method, path pattern, body, rate limit, handler — and the
//! resolution of a request's method and path against it.
//!
//! To serve a new route: add its [`Route`] variant (the public name for fault rules and counters),
//! one row to [`ROUTES`] and its handler in the module of its resource under `handlers/`.

use http::Method;

use crate::answer::Answer;
use crate::handlers::{bundles, coupons, media, notify_config, stocks, user_coupons, Call};
use crate::path_params::{self, BadParam, PathParams};
use crate::route::Route;

/// The path prefix of the product-coupon API.
pub const PRODUCT_COUPON_PREFIX: &str = "/brand/marketing/product-coupon";

/// What a route's request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Body {
    /// Nothing (`GET`); the handler reads path and query.
    None,
    /// A JSON object (`Content-Type: application/json` required), decoded by the handler's body
    /// type with its declared rules ([`crate::body_rules`]).
    Json,
    /// `multipart/form-data` with a `meta` JSON part (what the signature covers, decoded like a
    /// JSON body) and a `file` part ([`crate::multipart`]).
    Multipart,
}

impl Body {
    /// The media type `Content-Type` must name, if the route takes a body.
    pub(crate) fn media_type(self) -> Option<&'static str> {
        match self {
            Body::None => None,
            Body::Json => Some("application/json"),
            Body::Multipart => Some("multipart/form-data"),
        }
    }
}

/// Runs an authenticated (and, for rate-limited routes, admitted) request.
pub(crate) type Handler = fn(&Call<'_>) -> Answer;

/// One served route.
#[derive(Debug)]
pub(crate) struct RouteRow {
    /// Its public name.
    pub(crate) route: Route,
    /// Its short name (`deactivate_stock`), as [`Route::name`] answers.
    pub(crate) name: &'static str,
    /// Its method.
    pub(crate) method: Method,
    /// The whole path, `{name}` for a parameter (each an id by the client's rule).
    pub(crate) path: &'static str,
    /// What the request carries.
    pub(crate) body: Body,
    /// Whether the per-brand rate limit applies (WeChat Pay's 20/s on deactivations).
    pub(crate) rate_limited: bool,
    /// What answers it.
    pub(crate) handler: Handler,
}

/// Every route the simulator serves.
pub(crate) const ROUTES: &[RouteRow] = &[
    RouteRow {
        route: Route::DeactivateStock,
        name: "deactivate_stock",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}/deactivate",
        body: Body::Json,
        rate_limited: true,
        handler: |call| call.with_json(stocks::deactivate),
    },
    RouteRow {
        route: Route::GetStock,
        name: "get_stock",
        method: Method::GET,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}",
        body: Body::None,
        rate_limited: false,
        handler: stocks::get,
    },
    RouteRow {
        route: Route::ListStocks,
        name: "list_stocks",
        method: Method::GET,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks",
        body: Body::None,
        rate_limited: false,
        handler: stocks::list,
    },
    RouteRow {
        route: Route::GetCoupon,
        name: "get_coupon",
        method: Method::GET,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}",
        body: Body::None,
        rate_limited: false,
        handler: coupons::get,
    },
    RouteRow {
        route: Route::CreateCoupon,
        name: "create_coupon",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/product-coupons",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(coupons::create),
    },
    RouteRow {
        route: Route::UpdateCoupon,
        name: "update_coupon",
        method: Method::PATCH,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(coupons::update),
    },
    RouteRow {
        route: Route::DeactivateCoupon,
        name: "deactivate_coupon",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/deactivate",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(coupons::deactivate),
    },
    RouteRow {
        route: Route::CreateStock,
        name: "create_stock",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(stocks::create),
    },
    RouteRow {
        route: Route::UpdateStock,
        name: "update_stock",
        method: Method::PATCH,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(stocks::update),
    },
    RouteRow {
        route: Route::UpdateStockBudget,
        name: "update_stock_budget",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}/update-budget",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(stocks::update_budget),
    },
    RouteRow {
        route: Route::AssociateStores,
        name: "associate_stores",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}/associate-stores",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(stocks::associate_stores),
    },
    RouteRow {
        route: Route::DisassociateStores,
        name: "disassociate_stores",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}/disassociate-stores",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(stocks::disassociate_stores),
    },
    RouteRow {
        route: Route::ListAssociatedStores,
        name: "list_associated_stores",
        method: Method::GET,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}/associated-stores",
        body: Body::None,
        rate_limited: false,
        handler: stocks::list_stores,
    },
    RouteRow {
        route: Route::UploadCouponCodes,
        name: "upload_coupon_codes",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stocks/{stock_id}/upload-coupon-codes",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(stocks::upload_codes),
    },
    RouteRow {
        route: Route::CreateStockBundle,
        name: "create_stock_bundle",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stock-bundles",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(bundles::create),
    },
    RouteRow {
        route: Route::UpdateStockBundle,
        name: "update_stock_bundle",
        method: Method::PATCH,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stock-bundles/{stock_bundle_id}",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(stocks::update),
    },
    RouteRow {
        route: Route::UpdateStockBundleBudget,
        name: "update_stock_bundle_budget",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stock-bundles/{stock_bundle_id}/update-budget",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(stocks::update_budget),
    },
    RouteRow {
        route: Route::AssociateBundleStores,
        name: "associate_bundle_stores",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stock-bundles/{stock_bundle_id}/associate-stores",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(stocks::associate_stores),
    },
    RouteRow {
        route: Route::DisassociateBundleStores,
        name: "disassociate_bundle_stores",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/product-coupons/{product_coupon_id}/stock-bundles/{stock_bundle_id}/disassociate-stores",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(stocks::disassociate_stores),
    },
    RouteRow {
        route: Route::UploadImage,
        name: "upload_image",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/media/upload-image",
        body: Body::Multipart,
        rate_limited: false,
        handler: |call| call.with_body(media::upload_image),
    },
    RouteRow {
        route: Route::SendUserCoupon,
        name: "send_user_coupon",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/users/{openid}/coupons",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(user_coupons::send),
    },
    RouteRow {
        route: Route::PreSendUserCoupon,
        name: "pre_send_user_coupon",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/users/{openid}/pre-send-coupon",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(user_coupons::pre_send),
    },
    RouteRow {
        route: Route::ConfirmUserCoupon,
        name: "confirm_user_coupon",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/users/{openid}/coupons/{coupon_code}/confirm",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(user_coupons::confirm),
    },
    RouteRow {
        route: Route::UseUserCoupon,
        name: "use_user_coupon",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/users/{openid}/coupons/{coupon_code}/use",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(user_coupons::use_coupon),
    },
    RouteRow {
        route: Route::GetUserCoupon,
        name: "get_user_coupon",
        method: Method::GET,
        path: "/brand/marketing/product-coupon/users/{openid}/coupons/{coupon_code}",
        body: Body::None,
        rate_limited: false,
        handler: user_coupons::get,
    },
    RouteRow {
        route: Route::ListUserCoupons,
        name: "list_user_coupons",
        method: Method::GET,
        path: "/brand/marketing/product-coupon/users/{openid}/coupons",
        body: Body::None,
        rate_limited: false,
        handler: user_coupons::list,
    },
    RouteRow {
        route: Route::DeactivateUserCoupon,
        name: "deactivate_user_coupon",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/users/{openid}/coupons/{coupon_code}/deactivate",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(user_coupons::deactivate),
    },
    RouteRow {
        route: Route::ReturnUserCoupon,
        name: "return_user_coupon",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/users/{openid}/coupons/{coupon_code}/return",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(user_coupons::return_coupon),
    },
    RouteRow {
        route: Route::SetNotifyConfig,
        name: "set_notify_config",
        method: Method::POST,
        path: "/brand/marketing/product-coupon/notify-configs",
        body: Body::Json,
        rate_limited: false,
        handler: |call| call.with_body(notify_config::set),
    },
    RouteRow {
        route: Route::GetNotifyConfig,
        name: "get_notify_config",
        method: Method::GET,
        path: "/brand/marketing/product-coupon/notify-configs",
        body: Body::None,
        rate_limited: false,
        handler: notify_config::get,
    },
];

const fn all_routes<const N: usize>() -> [Route; N] {
    let mut out = [Route::DeactivateStock; N];
    let mut i = 0;
    while i < N {
        out[i] = ROUTES[i].route;
        i += 1;
    }
    out
}

const ALL_ROUTES: [Route; ROUTES.len()] = all_routes();

impl Route {
    /// Every route, in the order of the route table.
    pub const ALL: &'static [Route] = &ALL_ROUTES;

    fn row(self) -> Option<&'static RouteRow> {
        ROUTES.iter().find(|row| row.route == self)
    }

    /// A short name (`"deactivate_stock"`, `"get_stock"`, `"list_stocks"`).
    pub fn name(self) -> &'static str {
        self.row().map_or("unknown", |row| row.name)
    }

    /// The HTTP method of the route.
    pub fn method(self) -> Method {
        self.row().map_or(Method::GET, |row| row.method.clone())
    }

    /// The HTTP method's name (`"POST"`, `"GET"`).
    pub fn method_name(self) -> &'static str {
        self.row().map_or("GET", |row| row.method.as_str())
    }
}

/// What a request's method and path resolved to.
#[derive(Debug, Clone)]
pub(crate) enum Resolved {
    /// A served route with its decoded, checked path parameters.
    Matched {
        row: &'static RouteRow,
        params: PathParams,
    },
    /// Nothing to run.
    Unserved(Unserved),
}

/// Why no route runs a request.
#[derive(Debug, Clone)]
pub(crate) enum Unserved {
    /// A served path with another method; `allow` names the right one.
    MethodNotAllowed { allow: &'static str },
    /// A path parameter that is broken or not an id.
    BadParam(BadParam),
    /// No such path.
    NotFound,
}

impl Resolved {
    /// The route, when one matched.
    pub(crate) fn route(&self) -> Option<Route> {
        match self {
            Resolved::Matched { row, .. } => Some(row.route),
            _ => None,
        }
    }
}

/// Resolves a request's method and path (without the query).
pub(crate) fn resolve(method: &Method, path: &str) -> Resolved {
    // The methods the path is served with: GET, PATCH, POST.
    let mut served = [false; 3];
    for row in ROUTES {
        let Some(raw) = path_params::match_pattern(row.path, path) else {
            continue;
        };
        if row.method != *method {
            let slot = [Method::GET, Method::PATCH, Method::POST]
                .iter()
                .position(|m| *m == row.method);
            if let Some(flag) = slot.and_then(|i| served.get_mut(i)) {
                *flag = true;
            }
            continue;
        }
        return match path_params::decode_params(&raw) {
            Ok(params) => Resolved::Matched { row, params },
            Err(bad) => Resolved::Unserved(Unserved::BadParam(bad)),
        };
    }
    let allow = match served {
        [false, false, false] => return Resolved::Unserved(Unserved::NotFound),
        [true, false, false] => "GET",
        [false, true, false] => "PATCH",
        [false, false, true] => "POST",
        [true, true, false] => "GET, PATCH",
        [true, false, true] => "GET, POST",
        [false, true, true] => "PATCH, POST",
        [true, true, true] => "GET, PATCH, POST",
    };
    Resolved::Unserved(Unserved::MethodNotAllowed { allow })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_consistent() {
        for (i, row) in ROUTES.iter().enumerate() {
            assert!(row.path.starts_with(PRODUCT_COUPON_PREFIX), "{}", row.name);
            assert_eq!(
                row.body == Body::Multipart,
                row.route == Route::UploadImage,
                "{}",
                row.name
            );
            assert_eq!(Route::ALL[i], row.route);
            assert_eq!(row.route.name(), row.name);
            assert_eq!(
                row.body != Body::None,
                row.method != Method::GET,
                "{}",
                row.name
            );
            assert_eq!(
                ROUTES.iter().filter(|r| r.route == row.route).count(),
                1,
                "{}",
                row.name
            );
        }
        assert_eq!(Route::DeactivateStock.method_name(), "POST");
        assert_eq!(Route::GetStock.method(), Method::GET);
    }

    fn matched(resolved: Resolved) -> (Route, PathParams) {
        match resolved {
            Resolved::Matched { row, params } => (row.route, params),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn resolves_each_route() {
        let base = "/brand/marketing/product-coupon/product-coupons/200000001/stocks";
        let (route, params) = matched(resolve(&Method::GET, base));
        assert_eq!(route, Route::ListStocks);
        assert_eq!(params.get("product_coupon_id"), "200000001");
        let (route, params) = matched(resolve(&Method::GET, &format!("{base}/12%203")));
        assert_eq!(route, Route::GetStock);
        assert_eq!(params.get("stock_id"), "12 3");
        let (route, params) = matched(resolve(&Method::POST, &format!("{base}/123/deactivate")));
        assert_eq!(route, Route::DeactivateStock);
        assert_eq!(params.get("stock_id"), "123");
        let (route, params) = matched(resolve(
            &Method::GET,
            "/brand/marketing/product-coupon/product-coupons/200000001",
        ));
        assert_eq!(route, Route::GetCoupon);
        assert_eq!(params.get("product_coupon_id"), "200000001");
        assert!(matches!(
            resolve(&Method::GET, &format!("{base}/123/deactivate")),
            Resolved::Unserved(Unserved::MethodNotAllowed { allow: "POST" })
        ));
        // Every method a path is served with is named.
        let allowed = |path: &str| match resolve(&Method::DELETE, path) {
            Resolved::Unserved(Unserved::MethodNotAllowed { allow }) => allow,
            other => panic!("{other:?}"),
        };
        assert_eq!(allowed(base), "GET, POST");
        assert_eq!(allowed(&format!("{base}/123")), "GET, PATCH");
        assert_eq!(
            allowed("/brand/marketing/product-coupon/product-coupons"),
            "POST"
        );
        assert!(matches!(
            resolve(&Method::GET, &format!("{base}/")),
            Resolved::Unserved(Unserved::NotFound)
        ));
        assert!(matches!(
            resolve(&Method::GET, "/v3/anything"),
            Resolved::Unserved(Unserved::NotFound)
        ));
        assert!(matches!(
            resolve(&Method::GET, &format!("{base}/%ZZ")),
            Resolved::Unserved(Unserved::BadParam(BadParam::Encoding { .. }))
        ));
        assert!(matches!(
            resolve(&Method::GET, &format!("{base}/12%2F3")),
            Resolved::Unserved(Unserved::BadParam(BadParam::NotAnId(_)))
        ));
    }
}
