//! The product-coupon items of bulk jobs ([`wxbrand_client::bulk`]): each a declaration of what
//! makes an item itself and which request it becomes.

use wxbrand_client::bulk::BulkItem;
use wxbrand_core::field::OutRequestNo;
use wxbrand_core::product_coupon::{
    DeactivateStockRequest, SendUserCouponBody, SendUserCouponRequest,
};
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

/// One coupon to send to one user in a bulk job ([`SendUserCouponRequest`]; the item's request
/// number is the body's `send_request_no`).
///
/// **A job sends one coupon per row, and two rows with the same identity are one send.** The
/// identity is the user and the stock (`openid`, product coupon id, stock id) and, when given, the
/// coupon code (an `API_ASSIGN` stock's code is unique, so two codes are two coupons); the appid
/// and `attach` are not part of it, so a re-run of the job that changes them still sends once. A
/// user may hold up to the stock's `max_count_per_user` coupons: to give one user two coupons of a
/// stock in one job, give the rows different coupon codes (`API_ASSIGN`), or send the second in
/// another job (another job id gives other request numbers).
///
/// ```no_run
/// use std::num::NonZeroUsize;
/// use futures_util::StreamExt;
/// use wxbrand_client::bulk::{BulkJob, JobId};
/// use wxbrand_client::Client;
/// use wxbrand_product_coupon::SendUserCouponItem;
///
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let users = ["oUser0000000000000000000001", "oUser0000000000000000000002"]
///     .map(|openid| SendUserCouponItem::new(openid, "1000000013", "1000000013001", "wx233544546545989"));
/// let job = BulkJob::new(JobId::new("welcome-2025-08")?, NonZeroUsize::new(8).unwrap());
/// let mut results = job.run(&client, users);
/// while let Some(done) = results.next().await {
///     match &done.result {
///         Ok(coupon) => println!("{} {}", done.item.openid, coupon.coupon_code),
///         Err(error) => eprintln!("{} failed ({}): {error}", done.item.openid, done.out_request_no),
///     }
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SendUserCouponItem {
    /// The user's openid under `appid`.
    pub openid: String,
    /// The product coupon id.
    pub product_coupon_id: String,
    /// The stock id.
    pub stock_id: String,
    /// The appid the openid belongs to.
    pub appid: String,
    /// The code to give the coupon (`API_ASSIGN` stocks; unique per stock), or none.
    pub coupon_code: Option<String>,
    /// The brand's own data, answered back and in the send event, or none.
    pub attach: Option<String>,
}

impl SendUserCouponItem {
    /// An item without a coupon code or `attach`; its fields are checked when the job builds its
    /// request (a bad one is that item's
    /// [`ErrorKind::InvalidRequest`](wxbrand_client::ErrorKind::InvalidRequest), nothing sent).
    pub fn new(
        openid: impl Into<String>,
        product_coupon_id: impl Into<String>,
        stock_id: impl Into<String>,
        appid: impl Into<String>,
    ) -> Self {
        SendUserCouponItem {
            openid: openid.into(),
            product_coupon_id: product_coupon_id.into(),
            stock_id: stock_id.into(),
            appid: appid.into(),
            coupon_code: None,
            attach: None,
        }
    }

    /// Gives the coupon this code (`API_ASSIGN` stocks); the code is part of the identity.
    pub fn coupon_code(mut self, code: impl Into<String>) -> Self {
        self.coupon_code = Some(code.into());
        self
    }

    /// Sets `attach` (not part of the identity).
    pub fn attach(mut self, attach: impl Into<String>) -> Self {
        self.attach = Some(attach.into());
        self
    }
}

impl BulkItem for SendUserCouponItem {
    type Operation = SendUserCouponRequest;

    fn identity(&self) -> Vec<&str> {
        let mut parts = vec![
            self.openid.as_str(),
            self.product_coupon_id.as_str(),
            self.stock_id.as_str(),
        ];
        parts.extend(self.coupon_code.as_deref());
        parts
    }

    fn request(&self, out_request_no: &OutRequestNo) -> Result<Self::Operation, ValidationError> {
        let mut body = SendUserCouponBody::new(
            self.product_coupon_id.as_str(),
            self.stock_id.as_str(),
            self.appid.as_str(),
            out_request_no.as_str(),
        )?;
        if let Some(code) = &self.coupon_code {
            body = body.coupon_code(code.as_str())?;
        }
        if let Some(attach) = &self.attach {
            body = body.attach(attach.as_str());
        }
        SendUserCouponRequest::new(self.openid.as_str(), body)
    }
}
