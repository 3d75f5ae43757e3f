//! Writes on stocks: create, update, budget, stores and uploaded codes.

use std::collections::HashSet;

use wxbrand_core::product_coupon::{
    BudgetUpdateMode, CouponCodeMode, ProductCouponUsageMode, StockEntity, StoreRef,
    StoresResponse, UpdateBudgetBody, UploadCouponCodesResponse,
};

use super::writes::{encode, stock_is_live, Refusal, WriteKey, Written};
use super::World;

/// At most this many live stocks per product coupon (WeChat Pay's documented limit).
pub(crate) const MAX_LIVE_STOCKS: usize = 200;

/// What the simulator keeps about a stock beside its entity: its stores and uploaded codes.
#[derive(Debug, Default)]
pub(crate) struct StockExtras {
    /// Associated store ids, in the order they were added.
    pub(crate) stores: Vec<String>,
    /// Uploaded coupon codes.
    pub(crate) codes: HashSet<String>,
}

/// One page of a stock's associated stores.
#[derive(Debug)]
pub(crate) struct StorePage {
    pub(crate) total: usize,
    pub(crate) stores: Vec<String>,
    pub(crate) next_offset: Option<usize>,
}

/// The answer of a store change: every store succeeded.
pub(super) fn stores_answer(stores: &[StoreRef]) -> Result<bytes::Bytes, Refusal> {
    let mut answer = StoresResponse::default();
    answer.total_count = Some(stores.len() as u64);
    answer.success_store_list = stores.to_vec();
    encode(&answer)
}

impl World {
    /// The live stock `stock_id` of the live coupon `product_coupon_id`, to change.
    fn live_stock_mut(
        &mut self,
        product_coupon_id: &str,
        stock_id: &str,
    ) -> Result<&mut StockEntity, Refusal> {
        self.live_coupon_mut(product_coupon_id)?;
        let i = self
            .position(product_coupon_id, stock_id)
            .ok_or_else(|| Refusal::StockMissing(self.missing(stock_id)))?;
        let stock = self
            .coupon_mut(product_coupon_id)
            .and_then(|c| c.stocks.get_mut(i))
            .ok_or(Refusal::Encoding)?;
        if !stock_is_live(&stock.state) {
            return Err(Refusal::WrongState(format!(
                "the stock is {}: it cannot be changed",
                stock.state
            )));
        }
        Ok(stock)
    }

    /// The simulator's records of a stock.
    fn extras_mut(&mut self, product_coupon_id: &str, stock_id: &str) -> &mut StockExtras {
        self.coupon_or_implied(product_coupon_id)
            .extras
            .entry(stock_id.to_string())
            .or_default()
    }

    /// Adds a stock to a live `SINGLE` coupon (bundled coupons get stocks by bundles).
    pub(crate) fn create_stock(
        &mut self,
        key: WriteKey<'_>,
        stock: serde_json::Value,
    ) -> Result<Written, Refusal> {
        let product_coupon_id = key.target.clone();
        self.write(key, |world| {
            let coupon = world.live_coupon_mut(&product_coupon_id)?;
            if coupon.usage_mode == Some(ProductCouponUsageMode::ProgressiveBundle) {
                return Err(Refusal::Invalid(
                    "the product coupon is PROGRESSIVE_BUNDLE: add a stock bundle instead".into(),
                ));
            }
            let live = world.coupon(&product_coupon_id).map_or(0, |c| {
                c.stocks.iter().filter(|s| stock_is_live(&s.state)).count()
            });
            if live >= MAX_LIVE_STOCKS {
                return Err(Refusal::Invalid(format!(
                    "the product coupon already has {MAX_LIVE_STOCKS} live stocks"
                )));
            }
            let serde_json::Value::Object(fields) = stock else {
                return Err(Refusal::Encoding);
            };
            let stock = world.new_stock(&product_coupon_id, fields)?;
            let body = encode(&stock)?;
            world.put(stock);
            Ok((body, Vec::new()))
        })
    }

    /// Applies an update to one live stock; answers the stock as changed.
    pub(super) fn apply_update(
        &mut self,
        product_coupon_id: &str,
        stock_id: &str,
        changes: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<StockEntity, Refusal> {
        let stock = self.live_stock_mut(product_coupon_id, stock_id)?;
        let Ok(serde_json::Value::Object(mut fields)) = serde_json::to_value(&*stock) else {
            return Err(Refusal::Encoding);
        };
        fields.extend(changes.clone());
        let updated: StockEntity = serde_json::from_value(serde_json::Value::Object(fields))
            .map_err(|_| Refusal::Encoding)?;
        *stock = updated.clone();
        Ok(updated)
    }

    /// Applies a budget change to one live stock: `current` must be the limit now, `target` not
    /// below what was already sent (in all, or today), a daily limit not above the total.
    pub(super) fn apply_budget(
        &mut self,
        product_coupon_id: &str,
        stock_id: &str,
        budget: &UpdateBudgetBody,
    ) -> Result<StockEntity, Refusal> {
        {
            let stock = self.live_stock_mut(product_coupon_id, stock_id)?;
            let mut updated = stock.clone();
            let rule = updated.stock_send_rule.get_or_insert_with(Default::default);
            let sent = updated.sent_count_info.clone().unwrap_or_default();
            let per_day = budget.update_mode == BudgetUpdateMode::MaxCountPerDay;
            let (name, current, target, limit, already) = if per_day {
                (
                    "max_count_per_day",
                    budget.current_max_count_per_day,
                    budget.target_max_count_per_day,
                    &mut rule.max_count_per_day,
                    sent.today_count.unwrap_or(0),
                )
            } else {
                (
                    "max_count",
                    budget.current_max_count,
                    budget.target_max_count,
                    &mut rule.max_count,
                    sent.total_count.unwrap_or(0),
                )
            };
            let (Some(current), Some(target)) = (current, target) else {
                return Err(Refusal::Encoding);
            };
            if *limit != Some(current) {
                return Err(Refusal::Invalid(format!(
                    "current_{name} is {current} but the stock's {name} is {}",
                    limit.map_or("not set".to_string(), |l| l.to_string())
                )));
            }
            if target < already {
                return Err(Refusal::Invalid(format!(
                    "target_{name} {target} is below the {already} coupons already sent"
                )));
            }
            *limit = Some(target);
            if let (Some(day), Some(total)) = (rule.max_count_per_day, rule.max_count) {
                if day > total {
                    return Err(Refusal::Invalid(format!(
                        "max_count_per_day {day} would be above max_count {total}"
                    )));
                }
            }
            *stock = updated.clone();
            Ok(updated)
        }
    }

    /// Associates (`add`) or disassociates stores with one live stock: every store succeeds (the
    /// simulator knows every store id); associating twice or removing an absent store is a no-op.
    pub(super) fn apply_stores(
        &mut self,
        product_coupon_id: &str,
        stock_id: &str,
        stores: &[StoreRef],
        add: bool,
    ) -> Result<(), Refusal> {
        self.live_stock_mut(product_coupon_id, stock_id)?;
        let extras = self.extras_mut(product_coupon_id, stock_id);
        for store in stores {
            let held = extras.stores.iter().position(|s| *s == store.store_id);
            match (add, held) {
                (true, None) => extras.stores.push(store.store_id.clone()),
                (false, Some(i)) => {
                    extras.stores.remove(i);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A page of a stock's associated stores; `Err` when the stock is unknown.
    pub(crate) fn stores_page(
        &self,
        product_coupon_id: &str,
        stock_id: &str,
        offset: usize,
        page_size: usize,
    ) -> Result<StorePage, Refusal> {
        self.get(product_coupon_id, stock_id)
            .map_err(Refusal::StockMissing)?;
        let all = self
            .coupon(product_coupon_id)
            .and_then(|c| c.extras.get(stock_id))
            .map_or(&[][..], |e| e.stores.as_slice());
        let stores: Vec<String> = all.iter().skip(offset).take(page_size).cloned().collect();
        let end = offset.saturating_add(stores.len());
        Ok(StorePage {
            total: all.len(),
            next_offset: (end < all.len() && !stores.is_empty()).then_some(end),
            stores,
        })
    }

    /// Uploads codes to a live `UPLOAD`-mode stock. Codes given twice in the request go to
    /// `duplicate_code_list`, codes the stock holds to `already_exist_code_list`; an upload that
    /// would hold more codes than the stock's `max_count` is refused whole.
    pub(crate) fn upload_codes(
        &mut self,
        key: WriteKey<'_>,
        product_coupon_id: &str,
        stock_id: &str,
        codes: &[String],
    ) -> Result<Written, Refusal> {
        self.write(key, |world| {
            let stock = world.live_stock_mut(product_coupon_id, stock_id)?;
            if stock.coupon_code_mode != Some(CouponCodeMode::Upload) {
                return Err(Refusal::Invalid(
                    "codes can be uploaded only to a stock whose coupon_code_mode is UPLOAD".into(),
                ));
            }
            let max = stock
                .stock_send_rule
                .as_ref()
                .and_then(|r| r.max_count)
                .unwrap_or(i64::MAX);
            let extras = world.extras_mut(product_coupon_id, stock_id);
            let mut seen = HashSet::new();
            let mut answer = UploadCouponCodesResponse::default();
            answer.total_count = Some(codes.len() as u64);
            let mut fresh = Vec::new();
            for code in codes {
                if !seen.insert(code.as_str()) {
                    if !answer.duplicate_code_list.contains(code) {
                        answer.duplicate_code_list.push(code.clone());
                    }
                } else if extras.codes.contains(code) {
                    answer.already_exist_code_list.push(code.clone());
                } else {
                    fresh.push(code.clone());
                }
            }
            let held = extras.codes.len() + fresh.len();
            if i64::try_from(held).unwrap_or(i64::MAX) > max {
                return Err(Refusal::Invalid(format!(
                    "the stock would hold {held} codes, more than its max_count {max}"
                )));
            }
            extras.codes.extend(fresh.iter().cloned());
            let count = extras.codes.len() as i64;
            // Sends draw the codes in upload order (`state/user_coupons.rs`).
            let book = world.send_book(product_coupon_id, stock_id);
            book.uploaded(&fresh);
            let available = book.available_codes();
            answer.success_code_list = fresh;
            let body = encode(&answer)?;
            if let Ok(stock) = world.live_stock_mut(product_coupon_id, stock_id) {
                let mut info = stock.coupon_code_count_info.clone().unwrap_or_default();
                info.total_count = Some(count);
                info.available_count = Some(available);
                stock.coupon_code_count_info = Some(info);
            }
            Ok((body, Vec::new()))
        })
    }
}
