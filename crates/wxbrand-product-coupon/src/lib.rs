//! Product coupons (商品券) of the WeChat Pay brand API for wxbrand: create, get, update and
//! deactivate a coupon; create, get, list, update, deactivate its stocks (批次), change their
//! budgets, upload their codes and attach stores; the same for stock bundles (批次组); send coupons
//! to users, confirm, use, return, deactivate, get and list them (用户商品券); set and get the
//! event address — on the async [`Client`] and (feature `blocking`) the `BlockingClient`.
//!
//! Each method is one line over the client's generic `send` / `paginate`, generated from one list
//! (the operations themselves are declarations in [`wxbrand_core::product_coupon`]); any request
//! can also be sent directly with `client.send(&request)`.
//!
//! Bring [`ProductCouponExt`] into scope and call `client.product_coupon()`:
//!
//! ```no_run
//! use wxbrand_client::Client;
//! use wxbrand_product_coupon::{DeactivateStockRequest, ProductCouponExt};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::from_env()?;
//! let (coupon_id, stock_id) = ("1000000013", "1000000013001");
//! let (out_request_no, reason) = ("deact_20250101_0001", "批次信息有误,重新创建");
//! let stock = client
//!     .product_coupon()
//!     .deactivate_stock(DeactivateStockRequest::new(coupon_id, stock_id, out_request_no, reason)?)
//!     .await?;
//! println!("{:?}, Request-ID {:?}", stock.state, stock.request_id());
//! # Ok(())
//! # }
//! ```
//!
//! Every stock of a coupon, page after page (items come as pages arrive; the listing stops with an
//! error at a repeated token, an empty page that still has a token, or 1,000 pages unless raised
//! with `.max_pages(n)`: see [`wxbrand_client::paging`]):
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use wxbrand_client::Client;
//! use wxbrand_product_coupon::{ListStocksRequest, ProductCouponExt};
//!
//! # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! let mut stocks = client
//!     .product_coupon()
//!     .list_all_stocks(ListStocksRequest::new("1000000013")?.page_size(50)?)
//!     .max_pages(5_000);
//! while let Some(stock) = stocks.next().await {
//!     let stock = stock?;
//!     println!("{} {:?}", stock.stock_id, stock.state);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! A coupon's life with a user: send, confirm (after the `PRODUCT_COUPON.SEND` event), use at the
//! till, return when the order is refunded. Every write carries its request number, so the client
//! retries it safely with the same body:
//!
//! ```no_run
//! use wxbrand_client::Client;
//! use wxbrand_product_coupon::{
//!     AssociatedOrder, AssociatedOrderInfo, ConfirmUserCouponRequest, ProductCouponExt,
//!     ReturnUserCouponRequest, SendUserCouponBody, SendUserCouponRequest, UseUserCouponBody,
//!     UseUserCouponRequest, UserCouponBody,
//! };
//!
//! # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! let api = client.product_coupon();
//! let (openid, appid) = ("oh-394z-6CGkNoJrsDLTTUKiAnp4", "wx233544546545989");
//! let (coupon_id, stock_id) = ("1000000013", "1000000013001");
//! let send = SendUserCouponBody::new(coupon_id, stock_id, appid, "send_20250801_0001")?;
//! let coupon = api.send_user_coupon(SendUserCouponRequest::new(openid, send)?).await?;
//! let code = coupon.coupon_code.clone();
//! let confirm = UserCouponBody::new(coupon_id, stock_id, appid, "confirm_20250801_0001")?;
//! api.confirm_user_coupon(ConfirmUserCouponRequest::new(openid, &code, confirm)?).await?;
//! let order = AssociatedOrder::Order(AssociatedOrderInfo::transaction("4200000000123456789123456789"));
//! let used = UseUserCouponBody::new(coupon_id, stock_id, appid, "use_20250801_0001", "2025-08-01T12:00:00+08:00", order)?;
//! api.use_user_coupon(UseUserCouponRequest::new(openid, &code, used)?).await?;
//! let back = UserCouponBody::new(coupon_id, stock_id, appid, "return_20250801_0001")?;
//! let coupon = api.return_user_coupon(ReturnUserCouponRequest::new(openid, &code, back)?).await?;
//! println!("{} is {:?} again", coupon.coupon_code, coupon.coupon_state);
//! # Ok(())
//! # }
//! ```
//!
//! The models and requests are [`wxbrand_core::product_coupon`]'s, re-exported here.
//!
//! # Crate features
//! - `blocking`: [`ProductCouponExt`] for `BlockingClient`, with an iterator
//!   ([`wxbrand_client::PageIter`]) in place of the stream.
#![warn(missing_docs, missing_debug_implementations)]

use wxbrand_client::{Client, Error, PageStream, Response};
use wxbrand_core::Operation;

pub use wxbrand_core::product_coupon::*;

mod bulk;
pub use bulk::{DeactivateStockItem, SendUserCouponItem};

/// The operation names of this crate's requests ([`Operation::NAME`]), for
/// [`ClientBuilder::rate_limit`](wxbrand_client::ClientBuilder::rate_limit) and for reading traces.
pub mod operation_name {
    use super::*;

    /// [`DeactivateStockRequest`]: limited to 20 per second by default
    /// ([`Operation::RATE_LIMIT`]).
    pub const DEACTIVATE_STOCK: &str = DeactivateStockRequest::NAME;
    /// [`GetStockRequest`].
    pub const GET_STOCK: &str = GetStockRequest::NAME;
    /// [`ListStocksRequest`].
    pub const LIST_STOCKS: &str = ListStocksRequest::NAME;
    /// [`GetCouponRequest`].
    pub const GET_COUPON: &str = GetCouponRequest::NAME;
    /// [`CreateCouponRequest`].
    pub const CREATE_COUPON: &str = CreateCouponRequest::NAME;
    /// [`UpdateCouponRequest`].
    pub const UPDATE_COUPON: &str = UpdateCouponRequest::NAME;
    /// [`DeactivateCouponRequest`].
    pub const DEACTIVATE_COUPON: &str = DeactivateCouponRequest::NAME;
    /// [`CreateStockRequest`].
    pub const CREATE_STOCK: &str = CreateStockRequest::NAME;
    /// [`UpdateStockRequest`].
    pub const UPDATE_STOCK: &str = UpdateStockRequest::NAME;
    /// [`UpdateStockBudgetRequest`].
    pub const UPDATE_STOCK_BUDGET: &str = UpdateStockBudgetRequest::NAME;
    /// [`AssociateStoresRequest`].
    pub const ASSOCIATE_STORES: &str = AssociateStoresRequest::NAME;
    /// [`DisassociateStoresRequest`].
    pub const DISASSOCIATE_STORES: &str = DisassociateStoresRequest::NAME;
    /// [`ListAssociatedStoresRequest`].
    pub const LIST_ASSOCIATED_STORES: &str = ListAssociatedStoresRequest::NAME;
    /// [`UploadCouponCodesRequest`].
    pub const UPLOAD_COUPON_CODES: &str = UploadCouponCodesRequest::NAME;
    /// [`CreateStockBundleRequest`].
    pub const CREATE_STOCK_BUNDLE: &str = CreateStockBundleRequest::NAME;
    /// [`UpdateStockBundleRequest`].
    pub const UPDATE_STOCK_BUNDLE: &str = UpdateStockBundleRequest::NAME;
    /// [`UpdateStockBundleBudgetRequest`].
    pub const UPDATE_STOCK_BUNDLE_BUDGET: &str = UpdateStockBundleBudgetRequest::NAME;
    /// [`AssociateBundleStoresRequest`].
    pub const ASSOCIATE_BUNDLE_STORES: &str = AssociateBundleStoresRequest::NAME;
    /// [`DisassociateBundleStoresRequest`].
    pub const DISASSOCIATE_BUNDLE_STORES: &str = DisassociateBundleStoresRequest::NAME;
    /// [`UploadImageRequest`].
    pub const UPLOAD_IMAGE: &str = UploadImageRequest::NAME;
    /// [`SendUserCouponRequest`].
    pub const SEND_USER_COUPON: &str = SendUserCouponRequest::NAME;
    /// [`PreSendUserCouponRequest`].
    pub const PRE_SEND_USER_COUPON: &str = PreSendUserCouponRequest::NAME;
    /// [`ConfirmUserCouponRequest`].
    pub const CONFIRM_USER_COUPON: &str = ConfirmUserCouponRequest::NAME;
    /// [`UseUserCouponRequest`].
    pub const USE_USER_COUPON: &str = UseUserCouponRequest::NAME;
    /// [`ReturnUserCouponRequest`].
    pub const RETURN_USER_COUPON: &str = ReturnUserCouponRequest::NAME;
    /// [`DeactivateUserCouponRequest`].
    pub const DEACTIVATE_USER_COUPON: &str = DeactivateUserCouponRequest::NAME;
    /// [`GetUserCouponRequest`].
    pub const GET_USER_COUPON: &str = GetUserCouponRequest::NAME;
    /// [`ListUserCouponsRequest`].
    pub const LIST_USER_COUPONS: &str = ListUserCouponsRequest::NAME;
    /// [`SetNotifyConfigRequest`].
    pub const SET_NOTIFY_CONFIG: &str = SetNotifyConfigRequest::NAME;
    /// [`GetNotifyConfigRequest`].
    pub const GET_NOTIFY_CONFIG: &str = GetNotifyConfigRequest::NAME;
}

/// Every stock of a listing, page after page: a `Stream` of `Result<StockEntity, Error>`.
pub type StockStream = PageStream<ListStocksRequest>;

/// Every stock of a listing, page after page: an iterator of `Result<StockEntity, Error>`.
#[cfg(feature = "blocking")]
pub type StockIter = wxbrand_client::PageIter<ListStocksRequest>;

/// Adds `product_coupon()` to the clients.
///
/// Implemented for [`Client`] (async methods, a [`StockStream`]) and, with the `blocking`
/// feature, for `BlockingClient` (blocking methods, a `StockIter`).
pub trait ProductCouponExt {
    /// The product-coupon surface of this client.
    type ProductCoupon<'a>
    where
        Self: 'a;

    /// The product-coupon operations.
    fn product_coupon(&self) -> Self::ProductCoupon<'_>;
}

impl ProductCouponExt for Client {
    type ProductCoupon<'a> = ProductCoupon<'a>;

    fn product_coupon(&self) -> ProductCoupon<'_> {
        ProductCoupon { client: self }
    }
}

/// The product-coupon operations on the async [`Client`]. Get it with
/// [`ProductCouponExt::product_coupon`].
#[derive(Debug, Clone, Copy)]
pub struct ProductCoupon<'a> {
    client: &'a Client,
}

#[cfg(feature = "blocking")]
impl ProductCouponExt for wxbrand_client::BlockingClient {
    type ProductCoupon<'a> = BlockingProductCoupon<'a>;

    fn product_coupon(&self) -> BlockingProductCoupon<'_> {
        BlockingProductCoupon { client: self }
    }
}

/// The product-coupon operations on a `BlockingClient`: the same surface as [`ProductCoupon`],
/// blocking the calling thread.
#[cfg(feature = "blocking")]
#[derive(Debug, Clone, Copy)]
pub struct BlockingProductCoupon<'a> {
    client: &'a wxbrand_client::BlockingClient,
}

/// Generates each operation's method on [`ProductCoupon`] (async) and `BlockingProductCoupon`
/// from one line: under `send`, `fn method(Request);` sends one request; under `paginate`, it pages
/// through a listing.
macro_rules! operations {
    (
        send { $( $(#[$doc:meta])* fn $method:ident($request:ty); )* }
        paginate { $( $(#[$paged_doc:meta])* fn $paged:ident($paged_request:ty); )* }
    ) => {
        impl ProductCoupon<'_> {
            $(
                $(#[$doc])*
                pub async fn $method(
                    &self,
                    request: $request,
                ) -> Result<Response<<$request as Operation>::Response>, Error> {
                    self.client.send(&request).await
                }
            )*
            $(
                $(#[$paged_doc])*
                pub fn $paged(&self, request: $paged_request) -> PageStream<$paged_request> {
                    self.client.paginate(request)
                }
            )*
        }

        #[cfg(feature = "blocking")]
        impl BlockingProductCoupon<'_> {
            $(
                $(#[$doc])*
                pub fn $method(
                    &self,
                    request: $request,
                ) -> Result<Response<<$request as Operation>::Response>, Error> {
                    self.client.send(&request)
                }
            )*
            $(
                $(#[$paged_doc])*
                pub fn $paged(
                    &self,
                    request: $paged_request,
                ) -> wxbrand_client::PageIter<$paged_request> {
                    self.client.paginate(request)
                }
            )*
        }
    };
}

operations! {
    send {
    /// Uploads an image (上传图片, multipart; the signature covers its `meta`) and answers its URL
    /// for `image_url`, `background_url` and detail images. Retried safely (a second delivery
    /// changes no coupon); see [`UploadImageRequest`].
    fn upload_image(UploadImageRequest);
    /// Queries a product coupon (查询商品券); see [`GetCouponRequest`].
    fn get_coupon(GetCouponRequest);
    /// Deactivates a stock (失效商品券批次): it issues no more coupons; coupons already issued stay
    /// valid. Retried safely on network failures and 429/5xx (the same `out_request_no` is sent
    /// again, which WeChat Pay does not act on twice). Answers the whole stock, now `DEACTIVATED`;
    /// see [`DeactivateStockRequest`].
    fn deactivate_stock(DeactivateStockRequest);
    /// Queries one stock; see [`GetStockRequest`].
    fn get_stock(GetStockRequest);
    /// Lists one page of a coupon's stocks; continue with the answer's `next_page_token` (or use
    /// `list_all_stocks`); see [`ListStocksRequest`].
    fn list_stocks(ListStocksRequest);
    /// Creates a product coupon with its first stock or stock bundle (创建商品券). Retried safely
    /// (an `out_request_no`); see [`CreateCouponRequest`].
    fn create_coupon(CreateCouponRequest);
    /// Updates a coupon's display information (PATCH, 修改商品券). Retried safely: it carries an
    /// `out_request_no`; see [`UpdateCouponRequest`].
    fn update_coupon(UpdateCouponRequest);
    /// Deactivates a product coupon (失效商品券). Retried safely (an `out_request_no`); see
    /// [`DeactivateCouponRequest`].
    fn deactivate_coupon(DeactivateCouponRequest);
    /// Adds a stock to a coupon (创建商品券批次). Retried safely (an `out_request_no`); see
    /// [`CreateStockRequest`].
    fn create_stock(CreateStockRequest);
    /// Updates a stock (PATCH, 修改商品券批次). Retried safely: it carries an `out_request_no`;
    /// see [`UpdateStockRequest`].
    fn update_stock(UpdateStockRequest);
    /// Changes a stock's budget (修改批次发放预算). Retried safely (an `out_request_no`); see
    /// [`UpdateStockBudgetRequest`].
    fn update_stock_budget(UpdateStockBudgetRequest);
    /// Associates stores with a stock (关联门店). **Not** retried once it may have been delivered
    /// (no request number); see [`AssociateStoresRequest`].
    fn associate_stores(AssociateStoresRequest);
    /// Disassociates stores from a stock (取消关联门店). **Not** retried once it may have been
    /// delivered; see [`DisassociateStoresRequest`].
    fn disassociate_stores(DisassociateStoresRequest);
    /// Lists one page of a stock's associated stores (a GET: retried safely); see
    /// [`ListAssociatedStoresRequest`].
    fn list_associated_stores(ListAssociatedStoresRequest);
    /// Uploads the codes of an `UPLOAD` stock (预上传券Code). Retried safely (an
    /// `out_request_no`); see [`UploadCouponCodesRequest`].
    fn upload_coupon_codes(UploadCouponCodesRequest);
    /// Adds a stock bundle to a multi-use coupon (创建批次组). Retried safely (an
    /// `out_request_no`); see [`CreateStockBundleRequest`].
    fn create_stock_bundle(CreateStockBundleRequest);
    /// Updates a stock bundle (PATCH). Retried safely: it carries an `out_request_no`; see
    /// [`UpdateStockBundleRequest`].
    fn update_stock_bundle(UpdateStockBundleRequest);
    /// Changes a stock bundle's budget. Retried safely (an `out_request_no`); see
    /// [`UpdateStockBundleBudgetRequest`].
    fn update_stock_bundle_budget(UpdateStockBundleBudgetRequest);
    /// Associates stores with a stock bundle. **Not** retried once it may have been delivered;
    /// see [`AssociateBundleStoresRequest`].
    fn associate_bundle_stores(AssociateBundleStoresRequest);
    /// Disassociates stores from a stock bundle. **Not** retried once it may have been
    /// delivered; see [`DisassociateBundleStoresRequest`].
    fn disassociate_bundle_stores(DisassociateBundleStoresRequest);
    /// Sends a coupon to a user (发放用户商品券); it stays `CONFIRMING` until confirmed. Retried
    /// safely: the body's `send_request_no` is sent again, and WeChat Pay sends once per number;
    /// see [`SendUserCouponRequest`].
    fn send_user_coupon(SendUserCouponRequest);
    /// Pre-sends a coupon for the mini-program claim component and answers its token (valid 5
    /// minutes). Retried safely (a `send_request_no`: a repeat is the same pre-send); see
    /// [`PreSendUserCouponRequest`].
    fn pre_send_user_coupon(PreSendUserCouponRequest);
    /// Confirms a sent coupon (确认发放), required after every `PRODUCT_COUPON.SEND` event.
    /// Retried safely (an `out_request_no`); see [`ConfirmUserCouponRequest`].
    fn confirm_user_coupon(ConfirmUserCouponRequest);
    /// Uses (redeems) a user's coupon with its order (核销). Retried safely (an `out_request_no`:
    /// reuse it for the same coupon's use); see [`UseUserCouponRequest`].
    fn use_user_coupon(UseUserCouponRequest);
    /// Returns a used coupon (退券), undoing the use. Retried safely (an `out_request_no`); see
    /// [`ReturnUserCouponRequest`].
    fn return_user_coupon(ReturnUserCouponRequest);
    /// Deactivates a user's coupon (失效用户商品券). Retried safely (an `out_request_no`); see
    /// [`DeactivateUserCouponRequest`].
    fn deactivate_user_coupon(DeactivateUserCouponRequest);
    /// Queries one coupon of a user (a GET: retried safely); see [`GetUserCouponRequest`].
    fn get_user_coupon(GetUserCouponRequest);
    /// Lists one page of a user's coupons (a GET: retried safely); continue with the answer's
    /// `next_page_token` (or use `list_all_user_coupons`); see [`ListUserCouponsRequest`].
    fn list_user_coupons(ListUserCouponsRequest);
    /// Sets the address of the product-coupon events (设置事件通知地址). Retried safely although it
    /// carries no request number: it sets a value, so a repeat leaves the same address; see
    /// [`SetNotifyConfigRequest`].
    fn set_notify_config(SetNotifyConfigRequest);
    /// Gets the address of the product-coupon events (a GET: retried safely); see
    /// [`GetNotifyConfigRequest`].
    fn get_notify_config(GetNotifyConfigRequest);
    }
    paginate {
    /// Every stock matching `request`, fetching page after page (from `request`'s page,
    /// following `next_page_token`) as the items are read. How the listing ends and its limits
    /// (`.max_pages(n)`, `.max_items(n)`): see [`wxbrand_client::paging`].
    fn list_all_stocks(ListStocksRequest);
    /// Every store associated with a stock, page after page; see [`wxbrand_client::paging`].
    fn list_all_associated_stores(ListAssociatedStoresRequest);
    /// Every coupon of a user matching `request`, page after page (a GET: retried safely); see
    /// [`wxbrand_client::paging`].
    fn list_all_user_coupons(ListUserCouponsRequest);
    }
}
