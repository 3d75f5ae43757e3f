//! Writes on product coupons and what they own: every write idempotent by its `out_request_no`
//! ([`World::write`]), every state change along an allowed transition.

use bytes::Bytes;
use serde::Serialize;
use wxbrand_core::product_coupon::{
    ProductCouponEntity, ProductCouponState, StockBundleEntity, StockEntity, StockState,
};
use wxbrand_core::Rfc3339;

use super::{DoneRequest, Missing, Requester, World, BEIJING_OFFSET_SECONDS};
use crate::stats::StateTransition;

/// Why a write was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No such product coupon.
    CouponMissing,
    /// No such stock (or it belongs to another coupon).
    StockMissing(Missing),
    /// No such stock bundle under this coupon.
    BundleMissing,
    /// The target's state does not allow the change; the message says why.
    WrongState(String),
    /// The brand used this `out_request_no` for this operation on another target.
    RequestNoReused,
    /// The brand used this `out_request_no` for this operation with another body.
    BodyDiffers,
    /// The request breaks a rule that needs the state to check (a budget below what was sent…).
    Invalid(String),
    /// The answer could not be encoded (not expected).
    Encoding,
    /// No such coupon of this user (under these product coupon and stock ids).
    UserCouponMissing,
    /// A body field breaks a rule that depends on the state (`coupon_code` and the code mode).
    Param {
        /// The field.
        field: &'static str,
        /// What is wrong.
        issue: String,
    },
    /// A budget of the stock is used up; the message says which.
    SendLimit(String),
    /// An `UPLOAD` stock has no uploaded code left.
    CodesExhausted,
    /// An `API_ASSIGN` code the stock already gave out.
    CodeTaken(String),
}

/// A write that was done now, or earlier by the same request number (a repeat).
#[derive(Debug)]
pub(crate) struct Written {
    /// The answer (the first answer, byte for byte, for a repeat).
    pub(crate) body: Bytes,
    /// The stock state changes it made (none for a repeat).
    pub(crate) transitions: Vec<StateTransition>,
}

/// Who asks for a write, with which request number, on what, with which body.
#[derive(Debug)]
pub(crate) struct WriteKey<'a> {
    /// The authenticated brand.
    pub(crate) brand_id: &'a str,
    /// The operation (`deactivate_product_coupon`…): request numbers of different operations
    /// never collide.
    pub(crate) kind: &'static str,
    /// The request's `out_request_no`.
    pub(crate) out_request_no: &'a str,
    /// What it acts on: the path's ids, `/`-joined (empty for a create of a new coupon).
    pub(crate) target: String,
    /// The decoded body, encoded again (so the same body in another key order is the same).
    pub(crate) fingerprint: String,
}

impl<'a> WriteKey<'a> {
    /// The key of a request whose decoded body is `body`.
    pub(crate) fn new<B: Serialize>(
        brand_id: &'a str,
        kind: &'static str,
        out_request_no: &'a str,
        target: String,
        body: &B,
    ) -> Self {
        WriteKey {
            brand_id,
            kind,
            out_request_no,
            target,
            fingerprint: serde_json::to_string(body).unwrap_or_default(),
        }
    }
}

/// What a write changed, to answer and count.
pub(crate) type Acted = Result<(Bytes, Vec<StateTransition>), Refusal>;

/// Encodes an answer.
pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Bytes, Refusal> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|_| Refusal::Encoding)
}

/// The time the simulator writes for `now_millis`.
pub(crate) fn rfc3339(now_millis: i64) -> Rfc3339 {
    Rfc3339::from_unix(now_millis.div_euclid(1000), BEIJING_OFFSET_SECONDS)
}

/// Whether a stock can still be changed or deactivated (not `STOPPED` or `DEACTIVATED`).
pub(crate) fn stock_is_live(state: &StockState) -> bool {
    matches!(
        state,
        StockState::Auditing | StockState::Sending | StockState::Paused
    )
}

impl World {
    /// Runs the write `act` once per request number: a repeat of the same operation on the same
    /// target with the same body answers the first answer and changes nothing; the same number
    /// on another target or with another body is refused. A number seeded with an entity (no
    /// body known) matches any body on its target.
    pub(crate) fn write(
        &mut self,
        key: WriteKey<'_>,
        act: impl FnOnce(&mut World) -> Acted,
    ) -> Result<Written, Refusal> {
        if let Some(done) = self.done_request(key.brand_id, key.kind, key.out_request_no) {
            if done.target != key.target {
                return Err(Refusal::RequestNoReused);
            }
            if done
                .fingerprint
                .as_ref()
                .is_some_and(|f| *f != key.fingerprint)
            {
                return Err(Refusal::BodyDiffers);
            }
            return Ok(Written {
                body: done.answer.clone(),
                transitions: Vec::new(),
            });
        }
        let (body, transitions) = act(self)?;
        let done = DoneRequest {
            target: key.target,
            fingerprint: Some(key.fingerprint),
            answer: body.clone(),
        };
        self.record_request_numbers(
            &Requester::Brand(key.brand_id.to_string()),
            vec![(key.kind, key.out_request_no.to_string())],
            &done,
        );
        Ok(Written { body, transitions })
    }

    /// Deactivates a product coupon and every live stock it owns (the coupon's request number
    /// and reason on each); a deactivated coupon cannot be deactivated again.
    pub(crate) fn deactivate_coupon(
        &mut self,
        key: WriteKey<'_>,
        reason: &str,
        now_millis: i64,
    ) -> Result<Written, Refusal> {
        let product_coupon_id = key.target.clone();
        let brand_id = key.brand_id.to_string();
        let number = key.out_request_no.to_string();
        self.write(key, |world| {
            let coupon = world
                .coupon_mut(&product_coupon_id)
                .ok_or(Refusal::CouponMissing)?;
            if coupon.entity.state == ProductCouponState::Deactivated {
                return Err(Refusal::WrongState(
                    "the product coupon is already DEACTIVATED".into(),
                ));
            }
            let time = rfc3339(now_millis);
            let mut entity = coupon.entity.clone();
            entity.state = ProductCouponState::Deactivated;
            entity.deactivate_request_no = Some(number.clone());
            entity.deactivate_time = Some(time.clone());
            entity.deactivate_reason = Some(reason.to_string());
            let body = encode(&entity)?;
            coupon.entity = entity;
            let mut transitions = Vec::new();
            for stock in coupon.stocks.iter_mut().filter(|s| stock_is_live(&s.state)) {
                let from = std::mem::replace(&mut stock.state, StockState::Deactivated);
                stock.deactivate_request_no = Some(number.clone());
                stock.deactivate_time = Some(time.clone());
                stock.deactivate_reason = Some(reason.to_string());
                transitions.push(transition(stock, from, &brand_id, &number, now_millis));
            }
            Ok((body, transitions))
        })
    }

    /// The coupon with this id, refused if it is missing or deactivated (no change allowed).
    pub(crate) fn live_coupon_mut(
        &mut self,
        product_coupon_id: &str,
    ) -> Result<&mut ProductCouponEntity, Refusal> {
        let coupon = self
            .coupon_mut(product_coupon_id)
            .ok_or(Refusal::CouponMissing)?;
        if coupon.entity.state == ProductCouponState::Deactivated {
            return Err(Refusal::WrongState(
                "the product coupon is DEACTIVATED: it cannot be changed".into(),
            ));
        }
        Ok(&mut coupon.entity)
    }
}

/// The record of a stock's state change.
pub(crate) fn transition(
    stock: &StockEntity,
    from: StockState,
    brand_id: &str,
    out_request_no: &str,
    now_millis: i64,
) -> StateTransition {
    StateTransition {
        product_coupon_id: stock.product_coupon_id.clone(),
        stock_id: stock.stock_id.clone(),
        from,
        to: stock.state.clone(),
        brand_id: brand_id.to_string(),
        out_request_no: out_request_no.to_string(),
        at_unix_millis: now_millis,
    }
}

/// The first stock or stock bundle of a new coupon, as the create request gave it (encoded).
#[derive(Debug)]
pub(crate) enum FirstStock {
    /// A `SINGLE` coupon's stock (`StockForCreate`, encoded).
    Stock(serde_json::Value),
    /// A `PROGRESSIVE_BUNDLE` coupon's bundle (`StockBundleForCreate`, encoded) and how many
    /// uses (one stock each).
    Bundle(serde_json::Value, usize),
}

/// The answer of a create: the coupon with its first stock or bundle — the shape of core's
/// `CreateCouponResponse`, which has no constructor outside core (it is `non_exhaustive`).
#[derive(Debug, Serialize)]
struct Created<'a> {
    #[serde(flatten)]
    coupon: &'a ProductCouponEntity,
    #[serde(skip_serializing_if = "Option::is_none")]
    stock: Option<&'a StockEntity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stock_bundle: Option<StockBundleEntity>,
}

/// Which fields of a stock's usage rule list hold one rule per use, and the field of one use.
pub(super) const STAGE_LISTS: [(&str, &str); 3] = [
    ("normal_coupon_list", "normal_coupon"),
    ("discount_coupon_list", "discount_coupon"),
    ("exchange_coupon_list", "exchange_coupon"),
];

impl World {
    /// A fresh numeric id no coupon, stock or bundle has.
    fn fresh_id(&mut self) -> String {
        // Ids the simulator makes are ten digits, from 1000000001.
        self.last_id = self.last_id.max(1_000_000_000);
        loop {
            self.last_id += 1;
            let id = self.last_id.to_string();
            if !self.coupon_index.contains_key(&id) && !self.index.contains_key(&id) {
                return id;
            }
        }
    }

    /// A new stock of `product_coupon_id` from a `StockForCreate` (or bundle) object, `SENDING`
    /// at once (the simulator's audit passes instantly), nothing sent yet.
    pub(super) fn new_stock(
        &mut self,
        product_coupon_id: &str,
        mut fields: serde_json::Map<String, serde_json::Value>,
    ) -> Result<StockEntity, Refusal> {
        let stock_id = self.fresh_id();
        let upload = fields.get("coupon_code_mode").and_then(|m| m.as_str()) == Some("UPLOAD");
        fields.insert("product_coupon_id".into(), product_coupon_id.into());
        fields.insert("stock_id".into(), stock_id.into());
        fields.insert(
            "sent_count_info".into(),
            serde_json::json!({ "total_count": 0, "today_count": 0 }),
        );
        if upload {
            fields.insert(
                "coupon_code_count_info".into(),
                serde_json::json!({ "total_count": 0, "available_count": 0 }),
            );
        }
        fields.insert("state".into(), "SENDING".into());
        serde_json::from_value(serde_json::Value::Object(fields)).map_err(|_| Refusal::Encoding)
    }

    /// Adds a stock that [`new_stock`](Self::new_stock) made to its coupon.
    fn add_stock(&mut self, stock: StockEntity) {
        self.put(stock);
    }

    /// The stocks of a new bundle: one per use, each with its stage's discount rule.
    pub(super) fn new_bundle(
        &mut self,
        product_coupon_id: &str,
        bundle: serde_json::Value,
        count: usize,
    ) -> Result<(String, Vec<StockEntity>), Refusal> {
        let serde_json::Value::Object(mut fields) = bundle else {
            return Err(Refusal::Encoding);
        };
        let rule = fields
            .remove("progressive_bundle_usage_rule")
            .unwrap_or_default();
        let bundle_id = self.fresh_id();
        let mut stocks = Vec::with_capacity(count);
        for index in 0..count {
            let mut stage = serde_json::Map::new();
            if let Some(period) = rule.get("coupon_available_period") {
                stage.insert("coupon_available_period".into(), period.clone());
            }
            for (list, one) in STAGE_LISTS {
                if let Some(item) = rule.get(list).and_then(|l| l.get(index)) {
                    stage.insert(one.into(), item.clone());
                }
            }
            let mut stock_fields = fields.clone();
            stock_fields.insert(
                "progressive_bundle_usage_rule".into(),
                serde_json::Value::Object(stage),
            );
            stock_fields.insert(
                "stock_bundle_info".into(),
                serde_json::json!({ "stock_bundle_id": bundle_id, "stock_bundle_index": index }),
            );
            stocks.push(self.new_stock(product_coupon_id, stock_fields)?);
        }
        Ok((bundle_id, stocks))
    }

    /// Creates a product coupon (`EFFECTIVE` at once) from the create body's coupon fields,
    /// with its first stock or bundle; ids are generated.
    pub(crate) fn create_coupon(
        &mut self,
        key: WriteKey<'_>,
        coupon_fields: serde_json::Map<String, serde_json::Value>,
        first: FirstStock,
    ) -> Result<Written, Refusal> {
        self.write(key, |world| {
            let product_coupon_id = world.fresh_id();
            let mut fields = coupon_fields;
            fields.insert("product_coupon_id".into(), product_coupon_id.clone().into());
            fields.insert("state".into(), "EFFECTIVE".into());
            let entity: ProductCouponEntity =
                serde_json::from_value(serde_json::Value::Object(fields))
                    .map_err(|_| Refusal::Encoding)?;
            let (stock, bundle) = match first {
                FirstStock::Stock(value) => {
                    let serde_json::Value::Object(fields) = value else {
                        return Err(Refusal::Encoding);
                    };
                    (Some(world.new_stock(&product_coupon_id, fields)?), None)
                }
                FirstStock::Bundle(value, count) => {
                    let (id, stocks) = world.new_bundle(&product_coupon_id, value, count)?;
                    (None, Some((id, stocks)))
                }
            };
            let body = encode(&Created {
                coupon: &entity,
                stock: stock.as_ref(),
                stock_bundle: bundle
                    .as_ref()
                    .map(|(id, stocks)| StockBundleEntity::new(id.clone(), stocks.clone())),
            })?;
            world.put_coupon(entity);
            if let Some(stock) = stock {
                world.add_stock(stock);
            }
            if let Some((_, stocks)) = bundle {
                for stock in stocks {
                    world.add_stock(stock);
                }
            }
            Ok((body, Vec::new()))
        })
    }

    /// Replaces a live coupon's display information.
    pub(crate) fn update_coupon(
        &mut self,
        key: WriteKey<'_>,
        display_info: wxbrand_core::product_coupon::ProductCouponDisplayInfo,
    ) -> Result<Written, Refusal> {
        let product_coupon_id = key.target.clone();
        self.write(key, |world| {
            let coupon = world.live_coupon_mut(&product_coupon_id)?;
            let mut entity = coupon.clone();
            entity.display_info = Some(display_info);
            let body = encode(&entity)?;
            *coupon = entity;
            Ok((body, Vec::new()))
        })
    }
}
