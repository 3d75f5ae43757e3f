//! Usage rules of a stock: when its coupons may be used and what discount they give.
//!
//! Amounts are in fen (分, 1/100 yuan); `percent_off` is a percentage; periods of the day are seconds
//! since midnight.

use serde::{Deserialize, Serialize};

use super::stock::ExtraFields;
use crate::string_enum::string_enum;
use crate::Rfc3339;

/// Usage rule of a single-use coupon (单券使用规则); also the shape of a progressive bundle's rule.
///
/// The stock carries exactly one of the three discount rules, matching its coupon type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SingleUsageRule {
    /// When a received coupon may be used (券可核销时间).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_available_period: Option<SingleCouponAvailablePeriod>,
    /// Rule of an amount-off coupon (满减券).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normal_coupon: Option<NormalCouponUsageRule>,
    /// Rule of a percentage-off coupon (折扣券).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_coupon: Option<DiscountCouponUsageRule>,
    /// Rule of an exchange coupon (兑换券).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_coupon: Option<ExchangeCouponUsageRule>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// Usage rule of a multi-use coupon (多次优惠使用规则): one discount rule per use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SequentialUsageRule {
    /// When the received coupon may be used (多次优惠可核销时间).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_available_period: Option<SequentialCouponAvailablePeriod>,
    /// Amount-off rules, one per use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normal_coupon_list: Option<Vec<NormalCouponUsageRule>>,
    /// Percentage-off rules, one per use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_coupon_list: Option<Vec<DiscountCouponUsageRule>>,
    /// Exchange rules, one per use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_coupon_list: Option<Vec<ExchangeCouponUsageRule>>,
    /// Whether the first use gets a special discount (首笔特惠); `false` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special_first: Option<bool>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// When a single-use coupon may be used once received (券可核销时间).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SingleCouponAvailablePeriod {
    /// Start of the usable period (RFC3339).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_keeping_null"
    )]
    pub available_begin_time: Option<Rfc3339>,
    /// End of the usable period (RFC3339).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_keeping_null"
    )]
    pub available_end_time: Option<Rfc3339>,
    /// Days the coupon stays usable after it becomes usable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_days: Option<i64>,
    /// Days after receipt before the coupon becomes usable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_days_after_receive: Option<i64>,
    /// Usable only on some days of the week and times of the day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_available_period: Option<FixedWeekPeriod>,
    /// Usable only in these irregular periods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub irregular_available_period_list: Option<Vec<TimePeriod>>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// When a multi-use coupon may be used once received (多次优惠可核销时间).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SequentialCouponAvailablePeriod {
    /// Start of the usable period (RFC3339).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_keeping_null"
    )]
    pub available_begin_time: Option<Rfc3339>,
    /// End of the usable period (RFC3339).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_keeping_null"
    )]
    pub available_end_time: Option<Rfc3339>,
    /// Days after receipt before the coupon becomes usable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_days_after_receive: Option<i64>,
    /// Usable only on some days of the week and times of the day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_available_period: Option<FixedWeekPeriod>,
    /// Usable only in these irregular periods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub irregular_available_period_list: Option<Vec<TimePeriod>>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// Amount-off rule (满减券使用规则): `discount_amount` off when the order reaches `threshold`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NormalCouponUsageRule {
    /// Smallest order amount, in fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<i64>,
    /// Amount taken off, in fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<i64>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl NormalCouponUsageRule {
    /// `discount_amount` fen off orders of at least `threshold` fen.
    pub fn new(threshold: i64, discount_amount: i64) -> Self {
        NormalCouponUsageRule {
            threshold: Some(threshold),
            discount_amount: Some(discount_amount),
            extra: ExtraFields::new(),
        }
    }
}

/// Percentage-off rule (折扣券使用规则): `percent_off` percent off when the order reaches `threshold`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DiscountCouponUsageRule {
    /// Smallest order amount, in fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<i64>,
    /// Percentage taken off (30 means 30 % off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_off: Option<i64>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl DiscountCouponUsageRule {
    /// `percent_off` percent off orders of at least `threshold` fen.
    pub fn new(threshold: i64, percent_off: i64) -> Self {
        DiscountCouponUsageRule {
            threshold: Some(threshold),
            percent_off: Some(percent_off),
            extra: ExtraFields::new(),
        }
    }
}

/// Exchange rule (兑换券使用规则): the product for `exchange_price` when the order reaches `threshold`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExchangeCouponUsageRule {
    /// Smallest order amount, in fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<i64>,
    /// Price paid for the product, in fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_price: Option<i64>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl ExchangeCouponUsageRule {
    /// The product for `exchange_price` fen on orders of at least `threshold` fen.
    pub fn new(threshold: i64, exchange_price: i64) -> Self {
        ExchangeCouponUsageRule {
            threshold: Some(threshold),
            exchange_price: Some(exchange_price),
            extra: ExtraFields::new(),
        }
    }
}

/// Fixed days of the week and periods of those days (每周固定可用时间).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FixedWeekPeriod {
    /// Days of the week.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_list: Option<Vec<WeekEnum>>,
    /// Periods within each of those days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_period_list: Option<Vec<PeriodOfTheDay>>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// A period within a day, in seconds since midnight (60 is 00:01:00, 86399 is 23:59:59).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PeriodOfTheDay {
    /// Start, in seconds of the day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub begin_time: Option<i64>,
    /// End, in seconds of the day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl PeriodOfTheDay {
    /// From `begin_time` to `end_time`, both in seconds of the day.
    pub fn new(begin_time: i64, end_time: i64) -> Self {
        PeriodOfTheDay {
            begin_time: Some(begin_time),
            end_time: Some(end_time),
            extra: ExtraFields::new(),
        }
    }
}

/// A period between two RFC3339 times.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TimePeriod {
    /// Start (RFC3339).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_keeping_null"
    )]
    pub begin_time: Option<Rfc3339>,
    /// End (RFC3339).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_keeping_null"
    )]
    pub end_time: Option<Rfc3339>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl TimePeriod {
    /// From `begin_time` to `end_time`.
    pub fn new(begin_time: Rfc3339, end_time: Rfc3339) -> Self {
        TimePeriod {
            begin_time: Some(begin_time),
            end_time: Some(end_time),
            extra: ExtraFields::new(),
        }
    }
}

string_enum! {
    /// A day of the week.
    pub enum WeekEnum {
        /// `MONDAY`
        Monday = "MONDAY",
        /// `TUESDAY`
        Tuesday = "TUESDAY",
        /// `WEDNESDAY`
        Wednesday = "WEDNESDAY",
        /// `THURSDAY`
        Thursday = "THURSDAY",
        /// `FRIDAY`
        Friday = "FRIDAY",
        /// `SATURDAY`
        Saturday = "SATURDAY",
        /// `SUNDAY`
        Sunday = "SUNDAY",
    }
}
