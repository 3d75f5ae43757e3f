//! The product-coupon operations on the blocking client.

use wxbrand_client::{BlockingClient, Error, Response};
use wxbrand_core::product_coupon::{
    DeactivateStockRequest, GetStockRequest, ListStocksRequest, ListStocksResponse, StockEntity,
};

use crate::paging::Pager;
use crate::ProductCouponExt;

impl ProductCouponExt for BlockingClient {
    type ProductCoupon<'a> = BlockingProductCoupon<'a>;

    fn product_coupon(&self) -> BlockingProductCoupon<'_> {
        BlockingProductCoupon { client: self }
    }
}

/// The product-coupon operations on a [`BlockingClient`]: the same surface as
/// [`ProductCoupon`](crate::ProductCoupon), blocking the calling thread.
#[derive(Debug, Clone, Copy)]
pub struct BlockingProductCoupon<'a> {
    client: &'a BlockingClient,
}

impl BlockingProductCoupon<'_> {
    /// Deactivates a stock; see [`ProductCoupon::deactivate_stock`](crate::ProductCoupon::deactivate_stock).
    pub fn deactivate_stock(
        &self,
        request: DeactivateStockRequest,
    ) -> Result<Response<StockEntity>, Error> {
        self.client.execute(&request)
    }

    /// Queries one stock.
    pub fn get_stock(&self, request: GetStockRequest) -> Result<Response<StockEntity>, Error> {
        self.client.execute(&request)
    }

    /// Lists one page of a coupon's stocks.
    pub fn list_stocks(
        &self,
        request: ListStocksRequest,
    ) -> Result<Response<ListStocksResponse>, Error> {
        self.client.execute(&request)
    }

    /// Every stock matching `request`, page after page, fetched as the iterator is read. A failed
    /// page, or a page token given a second time, is yielded as an error and ends the iteration.
    pub fn list_all_stocks(&self, request: ListStocksRequest) -> StockIter {
        StockIter {
            client: self.client.clone(),
            pager: Pager::new(request),
        }
    }
}

/// Every stock of a listing, page after page: an iterator of `Result<StockEntity, Error>`.
/// Made by [`BlockingProductCoupon::list_all_stocks`].
#[derive(Debug)]
pub struct StockIter {
    client: BlockingClient,
    pager: Pager,
}

impl Iterator for StockIter {
    type Item = Result<StockEntity, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pager.pop() {
                return Some(item);
            }
            let request = self.pager.next_request()?;
            self.pager.accept(self.client.execute(&request));
        }
    }
}
