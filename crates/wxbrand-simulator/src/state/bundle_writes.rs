//! Writes on stock bundles: create, update, budget, stores. A bundle is its stocks (one per use,
//! each with `stock_bundle_info`); a change to the bundle is made to every stock, all or none.

use wxbrand_core::product_coupon::{
    ProductCouponUsageMode, StockBundleEntity, StockEntity, StoreRef, UpdateBudgetBody,
};

use super::stock_writes::stores_answer;
use super::writes::{encode, Acted, Refusal, WriteKey, Written, STAGE_LISTS};
use super::World;

impl World {
    /// The ids of the stocks of a bundle, in use order; refused when the bundle is unknown.
    fn bundle_stock_ids(
        &self,
        product_coupon_id: &str,
        stock_bundle_id: &str,
    ) -> Result<Vec<String>, Refusal> {
        let coupon = self
            .coupon(product_coupon_id)
            .ok_or(Refusal::CouponMissing)?;
        let ids: Vec<String> = coupon
            .stocks
            .iter()
            .filter(|s| {
                s.stock_bundle_info
                    .as_ref()
                    .and_then(|b| b.stock_bundle_id.as_deref())
                    == Some(stock_bundle_id)
            })
            .map(|s| s.stock_id.clone())
            .collect();
        if ids.is_empty() {
            return Err(Refusal::BundleMissing);
        }
        Ok(ids)
    }

    /// The answer about a bundle: its id and its stocks as they are now.
    fn bundle_answer(
        &self,
        product_coupon_id: &str,
        stock_bundle_id: &str,
        ids: &[String],
    ) -> Result<bytes::Bytes, Refusal> {
        let stocks: Vec<StockEntity> = ids
            .iter()
            .filter_map(|id| self.get(product_coupon_id, id).ok().cloned())
            .collect();
        encode(&StockBundleEntity::new(stock_bundle_id, stocks))
    }

    /// Runs `change` on every stock of a bundle; when one is refused, every stock is put back.
    fn each_bundle_stock(
        &mut self,
        product_coupon_id: &str,
        stock_bundle_id: &str,
        mut change: impl FnMut(&mut World, &str) -> Result<(), Refusal>,
    ) -> Result<Vec<String>, Refusal> {
        self.live_coupon_mut(product_coupon_id)?;
        let ids = self.bundle_stock_ids(product_coupon_id, stock_bundle_id)?;
        let saved = self.coupon(product_coupon_id).map(|c| c.stocks.clone());
        for id in &ids {
            if let Err(refusal) = change(self, id) {
                if let (Some(saved), Some(coupon)) = (saved, self.coupon_mut(product_coupon_id)) {
                    coupon.stocks = saved;
                }
                return Err(refusal);
            }
        }
        Ok(ids)
    }

    /// Adds a bundle to a live `PROGRESSIVE_BUNDLE` coupon: one stock per use of the coupon,
    /// the usage rule's lists holding one rule per use.
    pub(crate) fn create_bundle(
        &mut self,
        key: WriteKey<'_>,
        bundle: serde_json::Value,
    ) -> Result<Written, Refusal> {
        let product_coupon_id = key.target.clone();
        self.write(key, |world| {
            let coupon = world.live_coupon_mut(&product_coupon_id)?;
            if coupon.usage_mode != Some(ProductCouponUsageMode::ProgressiveBundle) {
                return Err(Refusal::Invalid(
                    "the product coupon is not PROGRESSIVE_BUNDLE: add a stock instead".into(),
                ));
            }
            let count = coupon
                .progressive_bundle_usage_info
                .as_ref()
                .and_then(|info| info.count)
                .and_then(|count| usize::try_from(count).ok())
                .unwrap_or(0);
            check_stage_count(&bundle, count)?;
            let (id, stocks) = world.new_bundle(&product_coupon_id, bundle, count)?;
            let bundle = StockBundleEntity::new(id, stocks);
            let body = encode(&bundle)?;
            let stocks = bundle.stock_list;
            for stock in stocks {
                world.put(stock);
            }
            Ok((body, Vec::new()))
        })
    }

    /// Runs `change` on the stock, or every stock of the bundle, of `scope`, and answers the
    /// stock or the bundle as changed.
    fn change_scope(
        &mut self,
        product_coupon_id: &str,
        scope: Scope<'_>,
        change: impl FnMut(&mut World, &str) -> Result<(), Refusal>,
    ) -> Result<bytes::Bytes, Refusal> {
        match scope {
            Scope::Stock(stock_id) => {
                let mut change = change;
                change(self, stock_id)?;
                let stock = self
                    .get(product_coupon_id, stock_id)
                    .map_err(Refusal::StockMissing)?;
                encode(stock)
            }
            Scope::Bundle(bundle_id) => {
                let ids = self.each_bundle_stock(product_coupon_id, bundle_id, change)?;
                self.bundle_answer(product_coupon_id, bundle_id, &ids)
            }
        }
    }

    /// Changes the parts an update gives (`changes`: the update body without its
    /// `out_request_no`, encoded) on a live stock or every stock of a bundle.
    pub(crate) fn update_stocks(
        &mut self,
        key: WriteKey<'_>,
        product_coupon_id: &str,
        scope: Scope<'_>,
        changes: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Written, Refusal> {
        self.write(key, |world| {
            let body = world.change_scope(product_coupon_id, scope, |w, id| {
                w.apply_update(product_coupon_id, id, &changes).map(drop)
            })?;
            Ok((body, Vec::new()))
        })
    }

    /// Changes the total or daily budget of a live stock or every stock of a bundle.
    pub(crate) fn update_budget(
        &mut self,
        key: WriteKey<'_>,
        product_coupon_id: &str,
        scope: Scope<'_>,
        budget: &UpdateBudgetBody,
    ) -> Result<Written, Refusal> {
        self.write(key, |world| {
            let body = world.change_scope(product_coupon_id, scope, |w, id| {
                w.apply_budget(product_coupon_id, id, budget).map(drop)
            })?;
            Ok((body, Vec::new()))
        })
    }

    /// Associates (`add`) or disassociates stores with a live stock or every stock of a bundle.
    pub(crate) fn change_stores(
        &mut self,
        product_coupon_id: &str,
        scope: Scope<'_>,
        stores: &[StoreRef],
        add: bool,
    ) -> Acted {
        self.change_scope(product_coupon_id, scope, |w, id| {
            w.apply_stores(product_coupon_id, id, stores, add)
        })?;
        Ok((stores_answer(stores)?, Vec::new()))
    }
}

/// What a stock write acts on: one stock, or every stock of a bundle.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope<'a> {
    /// The stock with this id.
    Stock(&'a str),
    /// The stocks of the bundle with this id.
    Bundle(&'a str),
}

/// Each rule list of a bundle's usage rule must hold one rule per use of the coupon.
fn check_stage_count(bundle: &serde_json::Value, count: usize) -> Result<(), Refusal> {
    let rule = bundle.get("progressive_bundle_usage_rule");
    for (list, _) in STAGE_LISTS {
        if let Some(items) = rule.and_then(|r| r.get(list)).and_then(|l| l.as_array()) {
            if items.len() != count {
                return Err(Refusal::Invalid(format!(
                    "stock_bundle.progressive_bundle_usage_rule.{list} holds {} rules, but the \
                     product coupon has {count} uses",
                    items.len()
                )));
            }
        }
    }
    Ok(())
}
