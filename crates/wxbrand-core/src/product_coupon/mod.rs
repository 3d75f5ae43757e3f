//! Product coupons (商品券), their stocks (批次), the coupons users hold (用户商品券) and the event
//! address: the models and the requests that act on them.
//!
//! Every model keeps fields and enum values this version does not know, so an answer of a newer API
//! decodes and re-encodes without loss. Amounts are in fen (分); `percent_off` is a percentage; periods
//! of the day are seconds since midnight.

mod bundle;
mod coupon;
mod coupon_requests;
mod declare;
mod display;
mod image;
mod notify_config;
#[cfg(test)]
mod request_tests;
mod requests;
pub mod rules;
mod stock;
mod stock_requests;
mod usage_rule;
mod user_coupon;
mod user_coupon_requests;
#[cfg(test)]
mod user_coupon_tests;

pub use bundle::{
    AssociateBundleStoresRequest, CreateStockBundleBody, CreateStockBundleRequest,
    DisassociateBundleStoresRequest, StockBundleEntity, UpdateStockBundleBudgetRequest,
    UpdateStockBundleRequest,
};
pub use coupon::{
    ComboPackage, ComboPackageChoice, ProductCouponDisplayInfo, ProductCouponEntity,
    ProductCouponScope, ProductCouponState, ProductCouponType, ProductCouponUsageMode,
    ProgressiveBundleUsageInfo, SingleUsageInfo,
};
pub use coupon_requests::{
    CreateCouponBody, CreateCouponBuilder, CreateCouponRequest, CreateCouponResponse,
    DeactivateCouponBody, DeactivateCouponRequest, StockBundleForCreate, StockBundleUsageRule,
    StockForCreate, UpdateCouponBody, UpdateCouponRequest,
};
pub use display::{
    CouponAvailableStoreInfo, CouponCodeDisplayMode, CouponDisplayInfo, CouponUsageMethod,
    EntranceFinder, EntranceMiniProgram, EntranceOfficialAccount, NotifyConfig,
    UsageRuleDisplayInfo,
};
pub use image::{UploadImageMeta, UploadImageRequest, UploadImageResponse, MAX_IMAGE_BYTES};
pub use notify_config::{
    GetNotifyConfigRequest, NotifyConfigResponse, SetNotifyConfigBody, SetNotifyConfigRequest,
};
pub use requests::{
    DeactivateReason, DeactivateStockBody, DeactivateStockRequest, GetCouponRequest,
    GetStockRequest, ListStocksRequest,
};
pub use stock::{
    CouponCodeCountInfo, CouponCodeMode, ExtraFields, ListStocksResponse, StockBundleInfo,
    StockEntity, StockSendRule, StockSentCountInfo, StockState, StockStoreScope,
};
pub use stock_requests::{
    AssociateStoresRequest, BudgetUpdateMode, CreateStockBody, CreateStockRequest,
    DisassociateStoresRequest, FailedCode, FailedStore, ListAssociatedStoresRequest,
    ListAssociatedStoresResponse, StoreListBody, StoreRef, StoresResponse, UpdateBudgetBody,
    UpdateStockBody, UpdateStockBudgetRequest, UpdateStockRequest, UploadCouponCodesBody,
    UploadCouponCodesRequest, UploadCouponCodesResponse,
};
pub use usage_rule::{
    DiscountCouponUsageRule, ExchangeCouponUsageRule, FixedWeekPeriod, NormalCouponUsageRule,
    PeriodOfTheDay, SequentialCouponAvailablePeriod, SequentialUsageRule,
    SingleCouponAvailablePeriod, SingleUsageRule, TimePeriod, WeekEnum,
};
pub use user_coupon::{
    AssociatedOrderInfo, AssociatedPayScoreOrderInfo, CouponTagInfo, CouponUsageDetail,
    ListUserProductCouponsResponse, MemberTagInfo, PreSendUserCouponResponse,
    UserProductCouponBundleInfo, UserProductCouponEntity, UserProductCouponSendChannel,
    UserProductCouponState, UserProductCouponTag,
};
pub use user_coupon_requests::{
    Appid, AssociatedOrder, ConfirmUserCouponRequest, DeactivateUserCouponBody,
    DeactivateUserCouponRequest, GetUserCouponRequest, ListUserCouponsRequest,
    PreSendUserCouponBody, PreSendUserCouponRequest, ReturnUserCouponRequest, SendUserCouponBody,
    SendUserCouponRequest, StoreId, UseUserCouponBody, UseUserCouponRequest, UserCouponBody,
};
