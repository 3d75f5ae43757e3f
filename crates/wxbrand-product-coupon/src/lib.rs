//! Product coupons (商品券) of the WeChat Pay brand API for wxbrand: deactivate, get and list
//! stocks (批次), on the async [`Client`] and (feature `blocking`) the
//! `BlockingClient`.
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
//! Every stock of a coupon, page after page:
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use wxbrand_client::Client;
//! use wxbrand_product_coupon::{ListStocksRequest, ProductCouponExt};
//!
//! # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! let mut stocks = client.product_coupon().list_all_stocks(ListStocksRequest::new("1000000013")?.page_size(50)?);
//! while let Some(stock) = stocks.next().await {
//!     let stock = stock?;
//!     println!("{} {:?}", stock.stock_id, stock.state);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! The models and requests are [`wxbrand_core::product_coupon`]'s, re-exported here.
//!
//! # Crate features
//! - `blocking`: [`ProductCouponExt`] for `BlockingClient`, with an iterator in place of the stream.
#![warn(missing_docs, missing_debug_implementations)]

#[cfg(feature = "blocking")]
mod blocking;
mod paging;

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use wxbrand_client::{Client, Error, Response};

#[cfg(feature = "blocking")]
pub use blocking::{BlockingProductCoupon, StockIter};
pub use wxbrand_core::product_coupon::*;

use paging::Pager;

/// The operation names of this crate's requests ([`PreparedRequest::name`](wxbrand_core::PreparedRequest::name)),
/// for [`ClientBuilder::rate_limit`](wxbrand_client::ClientBuilder::rate_limit) and for reading traces.
pub mod operation_name {
    /// [`DeactivateStockRequest`](crate::DeactivateStockRequest): limited to 20 per second by default.
    pub const DEACTIVATE_STOCK: &str = "deactivate_stock";
    /// [`GetStockRequest`](crate::GetStockRequest).
    pub const GET_STOCK: &str = "get_stock";
    /// [`ListStocksRequest`](crate::ListStocksRequest).
    pub const LIST_STOCKS: &str = "list_stocks";
}

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

impl ProductCoupon<'_> {
    /// Deactivates a stock (失效商品券批次): it issues no more coupons; coupons already issued stay
    /// valid. Retried safely on network failures and 429/5xx (the same `out_request_no` is sent
    /// again, which WeChat Pay does not act on twice). Answers the whole stock, now `DEACTIVATED`.
    pub async fn deactivate_stock(
        &self,
        request: DeactivateStockRequest,
    ) -> Result<Response<StockEntity>, Error> {
        self.client.execute(&request).await
    }

    /// Queries one stock.
    pub async fn get_stock(
        &self,
        request: GetStockRequest,
    ) -> Result<Response<StockEntity>, Error> {
        self.client.execute(&request).await
    }

    /// Lists one page of a coupon's stocks; continue with the answer's `next_page_token`
    /// (or use [`ProductCoupon::list_all_stocks`]).
    pub async fn list_stocks(
        &self,
        request: ListStocksRequest,
    ) -> Result<Response<ListStocksResponse>, Error> {
        self.client.execute(&request).await
    }

    /// Every stock matching `request`, fetching page after page (from `request`'s page, following
    /// `next_page_token`) as the stream is read. A failed page is yielded as an error and ends the
    /// stream, and so does a page token given a second time ([`Error::RepeatedPageToken`]), which
    /// would otherwise loop forever.
    pub fn list_all_stocks(&self, request: ListStocksRequest) -> StockStream {
        let client = self.client.clone();
        let state = (client, Pager::new(request));
        let stream = futures_util::stream::unfold(state, |(client, mut pager)| async move {
            loop {
                if let Some(item) = pager.pop() {
                    return Some((item, (client, pager)));
                }
                let request = pager.next_request()?;
                pager.accept(client.execute(&request).await);
            }
        });
        StockStream {
            inner: Box::pin(stream),
        }
    }
}

/// Every stock of a listing, page after page: a [`Stream`] of `Result<StockEntity, Error>`.
/// Made by [`ProductCoupon::list_all_stocks`]; `Unpin`, `Send`.
pub struct StockStream {
    inner: Pin<Box<dyn Stream<Item = Result<StockEntity, Error>> + Send>>,
}

impl std::fmt::Debug for StockStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StockStream").finish_non_exhaustive()
    }
}

impl Stream for StockStream {
    type Item = Result<StockEntity, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

// Used by `paging` for its buffer type.
type Buffer = VecDeque<Result<StockEntity, Error>>;
