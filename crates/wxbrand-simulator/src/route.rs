//! The names of the routes the simulator serves ([`Route`]). What each route is — method, path,
//! body, handler — is one row of the table in `routes.rs`.

/// An API route the simulator serves (for [fault rules](crate::Faults::on) and
/// [counters](crate::Stats::requests_on)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Route {
    /// `POST …/product-coupons/{product_coupon_id}/stocks/{stock_id}/deactivate`
    DeactivateStock,
    /// `GET …/product-coupons/{product_coupon_id}/stocks/{stock_id}`
    GetStock,
    /// `GET …/product-coupons/{product_coupon_id}/stocks`
    ListStocks,
    /// `GET …/product-coupons/{product_coupon_id}`
    GetCoupon,
    /// `POST …/product-coupons`
    CreateCoupon,
    /// `PATCH …/product-coupons/{product_coupon_id}`
    UpdateCoupon,
    /// `POST …/product-coupons/{product_coupon_id}/deactivate`
    DeactivateCoupon,
    /// `POST …/product-coupons/{product_coupon_id}/stocks`
    CreateStock,
    /// `PATCH …/product-coupons/{product_coupon_id}/stocks/{stock_id}`
    UpdateStock,
    /// `POST …/product-coupons/{product_coupon_id}/stocks/{stock_id}/update-budget`
    UpdateStockBudget,
    /// `POST …/product-coupons/{product_coupon_id}/stocks/{stock_id}/associate-stores`
    AssociateStores,
    /// `POST …/product-coupons/{product_coupon_id}/stocks/{stock_id}/disassociate-stores`
    DisassociateStores,
    /// `GET …/product-coupons/{product_coupon_id}/stocks/{stock_id}/associated-stores`
    ListAssociatedStores,
    /// `POST …/product-coupons/{product_coupon_id}/stocks/{stock_id}/upload-coupon-codes`
    UploadCouponCodes,
    /// `POST …/product-coupons/{product_coupon_id}/stock-bundles`
    CreateStockBundle,
    /// `PATCH …/product-coupons/{product_coupon_id}/stock-bundles/{stock_bundle_id}`
    UpdateStockBundle,
    /// `POST …/product-coupons/{product_coupon_id}/stock-bundles/{stock_bundle_id}/update-budget`
    UpdateStockBundleBudget,
    /// `POST …/product-coupons/{product_coupon_id}/stock-bundles/{stock_bundle_id}/associate-stores`
    AssociateBundleStores,
    /// `POST …/product-coupons/{product_coupon_id}/stock-bundles/{stock_bundle_id}/disassociate-stores`
    DisassociateBundleStores,
    /// `POST …/media/upload-image` (multipart: `meta` and `file`)
    UploadImage,
    /// `POST …/users/{openid}/coupons`
    SendUserCoupon,
    /// `POST …/users/{openid}/pre-send-coupon`
    PreSendUserCoupon,
    /// `POST …/users/{openid}/coupons/{coupon_code}/confirm`
    ConfirmUserCoupon,
    /// `POST …/users/{openid}/coupons/{coupon_code}/use`
    UseUserCoupon,
    /// `GET …/users/{openid}/coupons/{coupon_code}`
    GetUserCoupon,
    /// `GET …/users/{openid}/coupons`
    ListUserCoupons,
    /// `POST …/users/{openid}/coupons/{coupon_code}/deactivate`
    DeactivateUserCoupon,
    /// `POST …/users/{openid}/coupons/{coupon_code}/return`
    ReturnUserCoupon,
    /// `POST …/notify-configs`
    SetNotifyConfig,
    /// `GET …/notify-configs`
    GetNotifyConfig,
}
