//! The product-coupon items of bulk jobs ([`wxbrand_client::bulk`]): each a declaration of what
//! makes an item itself and which request it becomes.

use wxbrand_client::bulk::BulkItem;
use wxbrand_core::field::OutRequestNo;
use wxbrand_core::product_coupon::DeactivateStockRequest;
use wxbrand_core::ValidationError;

/// One stock to deactivate in a bulk job. Its identity is the stock (product coupon id and stock
/// id), not the reason: a re-run of the job with another reason still deactivates it once.
///
/// ```no_run
/// use std::num::NonZeroUsize;
/// use futures_util::StreamExt;
/// use wxbrand_client::bulk::{BulkJob, JobId};
/// use wxbrand_client::Client;
/// use wxbrand_product_coupon::DeactivateStockItem;
///
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let stocks = ["1000000013001", "1000000013002"]
///     .map(|stock| DeactivateStockItem::new("1000000013", stock, "活动结束"));
/// let job = BulkJob::new(JobId::new("end-of-season")?, NonZeroUsize::new(4).unwrap());
/// let mut results = job.run(&client, stocks);
/// while let Some(done) = results.next().await {
///     println!("{} {}: {:?}", done.item.stock_id, done.out_request_no, done.result.as_ref().map(|s| &s.state));
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeactivateStockItem {
    /// The product coupon id.
    pub product_coupon_id: String,
    /// The stock id.
    pub stock_id: String,
    /// Why it is deactivated (1–150 characters).
    pub deactivate_reason: String,
}

impl DeactivateStockItem {
    /// An item; its fields are checked when the job builds its request (a bad one is that item's
    /// [`ErrorKind::InvalidRequest`](wxbrand_client::ErrorKind::InvalidRequest), nothing sent).
    pub fn new(
        product_coupon_id: impl Into<String>,
        stock_id: impl Into<String>,
        deactivate_reason: impl Into<String>,
    ) -> Self {
        DeactivateStockItem {
            product_coupon_id: product_coupon_id.into(),
            stock_id: stock_id.into(),
            deactivate_reason: deactivate_reason.into(),
        }
    }
}

impl BulkItem for DeactivateStockItem {
    type Operation = DeactivateStockRequest;

    fn identity(&self) -> Vec<&str> {
        vec![&self.product_coupon_id, &self.stock_id]
    }

    fn request(&self, out_request_no: &OutRequestNo) -> Result<Self::Operation, ValidationError> {
        DeactivateStockRequest::new(
            self.product_coupon_id.as_str(),
            self.stock_id.as_str(),
            out_request_no.as_str(),
            self.deactivate_reason.as_str(),
        )
    }
}
