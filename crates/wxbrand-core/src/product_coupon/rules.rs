//! The documented rules of the objects that requests share (display info, send rule, usage rules,
//! usage-rule display, coupon display, notify config), each written once and applied by every
//! request that carries the object. Each check names the failing field relative to the object;
//! the request adds the object's own path (`stock.stock_send_rule.max_count_per_user`).
//!
//! Where WeChat Pay's documents and its official samples disagree, the rules follow what the
//! samples send, and the constant says so.

use super::coupon::{
    ComboPackage, ComboPackageChoice, ProductCouponDisplayInfo, ProductCouponScope,
    ProductCouponType, ProgressiveBundleUsageInfo, SingleUsageInfo,
};
use super::display::{
    CouponCodeDisplayMode, CouponDisplayInfo, CouponUsageMethod, NotifyConfig, UsageRuleDisplayInfo,
};
use super::stock::{CouponCodeMode, StockSendRule, StockStoreScope};
use super::usage_rule::{
    DiscountCouponUsageRule, ExchangeCouponUsageRule, NormalCouponUsageRule,
    SequentialCouponAvailablePeriod, SequentialUsageRule, SingleCouponAvailablePeriod,
    SingleUsageRule, TimePeriod,
};
use crate::error::{ValidationError, ValidationRule};
use crate::field::WithinField;
use crate::validate::count_rule;
use crate::Rfc3339;

/// Longest coupon name. The docs say 3–15 characters; 9 of the 10 create samples say at most 12,
/// which is what they send, so this follows the samples.
pub const COUPON_NAME_MAX_CHARS: usize = 12;
/// Most detail images. The docs say 8; the samples' comments say 6, which this follows.
pub const DETAIL_IMAGES_MAX: usize = 6;
/// Longest stock remark. The docs say 20; the samples' comments say 60, which this follows.
pub const REMARK_MAX_CHARS: usize = 60;
/// Most coupons of a stock over its life, and per day.
pub const MAX_COUNT_LIMIT: i64 = 100_000_000;
/// Most coupons of a stock per user.
pub const MAX_COUNT_PER_USER_LIMIT: i64 = 100;
/// Longest usage description and store-info description.
pub const DESCRIPTION_MAX_CHARS: usize = 1000;
/// Longest brand product key (`out_product_no`).
pub const OUT_PRODUCT_NO_MAX_CHARS: usize = 40;
/// Longest store id and coupon code.
pub const STORE_ID_MAX_CHARS: usize = 40;
/// Longest uploaded coupon code (the length WeChat Pay's own codes have at most).
pub const COUPON_CODE_MAX_CHARS: usize = 40;
/// Longest stock validity, in days.
pub const VALIDITY_MAX_DAYS: i64 = 365;

/// `field` must be present (`why` words when: "required", "required when usage_mode is SINGLE").
pub(crate) fn required<'a, T>(
    value: &'a Option<T>,
    field: &'static str,
    why: &'static str,
) -> Result<&'a T, ValidationError> {
    value.as_ref().ok_or_else(|| {
        ValidationError::new(field, ValidationRule::Missing, "").with_requirement(why)
    })
}

/// `field` must be absent (`why` words when).
pub(crate) fn absent<T>(
    value: &Option<T>,
    field: &'static str,
    why: &'static str,
) -> Result<(), ValidationError> {
    match value {
        None => Ok(()),
        Some(_) => {
            Err(ValidationError::new(field, ValidationRule::NotAllowed, "").with_requirement(why))
        }
    }
}

/// A number of `min..=max`.
pub(crate) fn in_range(
    field: &'static str,
    value: i64,
    min: i64,
    max: i64,
) -> Result<(), ValidationError> {
    if (min..=max).contains(&value) {
        return Ok(());
    }
    let rule = ValidationRule::OutOfRange {
        min,
        max,
        actual: value,
    };
    Err(ValidationError::new(field, rule, &value.to_string()))
}

/// An amount in fen, 0 or more.
fn amount(field: &'static str, value: i64) -> Result<(), ValidationError> {
    in_range(field, value, 0, i64::MAX)
        .map_err(|error| error.with_requirement("an amount in fen, 0 or more"))
}

/// A text of `min..=max` characters.
pub(crate) fn chars(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), ValidationError> {
    match count_rule(value, min, max) {
        None => Ok(()),
        Some(rule) => Err(ValidationError::new(field, rule, value)
            .with_requirement(format!("{min} to {max} characters"))),
    }
}

/// A present text of `min..=max` characters.
fn required_chars(
    field: &'static str,
    value: &Option<String>,
    min: usize,
    max: usize,
) -> Result<(), ValidationError> {
    chars(field, required(value, field, "given")?, min, max)
}

/// An optional text of at most `max` characters (empty allowed when `min` is 0).
fn optional_chars(
    field: &'static str,
    value: &Option<String>,
    min: usize,
    max: usize,
) -> Result<(), ValidationError> {
    value
        .as_deref()
        .map_or(Ok(()), |value| chars(field, value, min, max))
}

/// A list of `min..=max` items.
pub(crate) fn item_count(
    field: &'static str,
    len: usize,
    min: usize,
    max: usize,
) -> Result<(), ValidationError> {
    let to_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    in_range(field, to_i64(len), to_i64(min), to_i64(max))
        .map_err(|error| error.with_requirement(format!("{min} to {max} items")))
}

/// An enum value this version knows (an `Unknown` value decoded from an answer is not sent).
pub(crate) fn known(
    field: &'static str,
    text: &str,
    is_unknown: bool,
) -> Result<(), ValidationError> {
    if is_unknown {
        return Err(
            ValidationError::new(field, ValidationRule::NotAllowed, text)
                .with_requirement("one of the values the API documents"),
        );
    }
    Ok(())
}

macro_rules! check_known {
    ($field:literal, $value:expr, $enum:ident) => {
        known($field, $value.as_str(), matches!($value, $enum::Unknown(_)))
    };
}

/// `ProductCouponDisplayInfo` of a coupon of `scope` (original price and combo packages are
/// required for `SINGLE`).
pub(crate) fn display_info(
    info: &ProductCouponDisplayInfo,
    scope: Option<&ProductCouponScope>,
) -> Result<(), ValidationError> {
    required_chars("name", &info.name, 1, COUPON_NAME_MAX_CHARS)?;
    required_chars("image_url", &info.image_url, 1, 2048)?;
    optional_chars("background_url", &info.background_url, 1, 2048)?;
    if let Some(list) = &info.detail_image_url_list {
        item_count("detail_image_url_list", list.len(), 0, DETAIL_IMAGES_MAX)?;
        for (index, url) in list.iter().enumerate() {
            chars("", url, 1, 2048).map_err(|e| e.within_item("detail_image_url_list", index))?;
        }
    }
    if let Some(price) = info.original_price {
        amount("original_price", price)?;
    }
    if scope == Some(&ProductCouponScope::Single) {
        required(
            &info.original_price,
            "original_price",
            "given when scope is SINGLE",
        )?;
        required(
            &info.combo_package_list,
            "combo_package_list",
            "given when scope is SINGLE",
        )?;
    }
    if let Some(list) = &info.combo_package_list {
        item_count("combo_package_list", list.len(), 1, 50)?;
        for (index, package) in list.iter().enumerate() {
            combo_package(package).map_err(|e| e.within_item("combo_package_list", index))?;
        }
    }
    Ok(())
}

fn combo_package(package: &ComboPackage) -> Result<(), ValidationError> {
    required_chars("name", &package.name, 1, 15)?;
    in_range(
        "pick_count",
        *required(&package.pick_count, "pick_count", "given")?,
        1,
        99,
    )?;
    let choices = required(&package.choice_list, "choice_list", "given")?;
    item_count("choice_list", choices.len(), 1, 99)?;
    for (index, choice) in choices.iter().enumerate() {
        combo_choice(choice).map_err(|e| e.within_item("choice_list", index))?;
    }
    Ok(())
}

fn combo_choice(choice: &ComboPackageChoice) -> Result<(), ValidationError> {
    required_chars("name", &choice.name, 1, 15)?;
    amount("price", *required(&choice.price, "price", "given")?)?;
    in_range("count", *required(&choice.count, "count", "given")?, 1, 99)
}

/// `progressive_bundle_usage_info`: count 3–15, interval_days 0–7.
pub(crate) fn progressive_bundle_usage_info(
    info: &ProgressiveBundleUsageInfo,
) -> Result<(), ValidationError> {
    in_range("count", *required(&info.count, "count", "given")?, 3, 15)?;
    if let Some(days) = info.interval_days {
        in_range("interval_days", days, 0, 7)?;
    }
    Ok(())
}

/// `stock_send_rule`: max_count 1–100,000,000 (required), max_count_per_day 1–100,000,000,
/// max_count_per_user 1–100 (required).
pub(crate) fn stock_send_rule(rule: &StockSendRule) -> Result<(), ValidationError> {
    let max_count = *required(&rule.max_count, "max_count", "given")?;
    in_range("max_count", max_count, 1, MAX_COUNT_LIMIT)?;
    if let Some(per_day) = rule.max_count_per_day {
        in_range("max_count_per_day", per_day, 1, MAX_COUNT_LIMIT)?;
    }
    let per_user = *required(&rule.max_count_per_user, "max_count_per_user", "given")?;
    in_range("max_count_per_user", per_user, 1, MAX_COUNT_PER_USER_LIMIT)
}

/// The discount rules a coupon of `coupon_type` carries: exactly the one of its type.
fn discount_rules(
    coupon_type: &ProductCouponType,
    normal: bool,
    discount: bool,
    exchange: bool,
    names: [&'static str; 3],
) -> Result<(), ValidationError> {
    let wanted = match coupon_type {
        ProductCouponType::Normal => 0,
        ProductCouponType::Discount => 1,
        ProductCouponType::Exchange => 2,
        ProductCouponType::Unknown(_) => return Ok(()),
    };
    let why = [
        "the rule of a NORMAL coupon",
        "the rule of a DISCOUNT coupon",
        "the rule of an EXCHANGE coupon",
    ];
    for (index, present) in [normal, discount, exchange].into_iter().enumerate() {
        if index == wanted && !present {
            return Err(
                ValidationError::new(names[index], ValidationRule::Missing, "")
                    .with_requirement(format!("given: {}", why[index])),
            );
        }
        if index != wanted && present {
            return Err(
                ValidationError::new(names[index], ValidationRule::NotAllowed, "")
                    .with_requirement(format!("absent: only {} is given", names[wanted])),
            );
        }
    }
    Ok(())
}

fn normal_coupon(rule: &NormalCouponUsageRule) -> Result<(), ValidationError> {
    let threshold = *required(&rule.threshold, "threshold", "given (0: no minimum)")?;
    amount("threshold", threshold)?;
    let amount = *required(&rule.discount_amount, "discount_amount", "given")?;
    let max = if threshold > 0 { threshold } else { i64::MAX };
    in_range("discount_amount", amount, 1, max).map_err(|error| {
        error.with_requirement("at least 1 fen and not above threshold (when it is not 0)")
    })
}

fn discount_coupon(rule: &DiscountCouponUsageRule) -> Result<(), ValidationError> {
    let threshold = *required(&rule.threshold, "threshold", "given (0: no minimum)")?;
    amount("threshold", threshold)?;
    in_range(
        "percent_off",
        *required(&rule.percent_off, "percent_off", "given")?,
        1,
        99,
    )
}

fn exchange_coupon(rule: &ExchangeCouponUsageRule) -> Result<(), ValidationError> {
    let threshold = *required(&rule.threshold, "threshold", "given (0: no minimum)")?;
    amount("threshold", threshold)?;
    amount(
        "exchange_price",
        *required(&rule.exchange_price, "exchange_price", "given")?,
    )
}

/// `single_usage_info` of a whole-store coupon: the one discount rule of its type.
pub(crate) fn single_usage_info(
    info: &SingleUsageInfo,
    coupon_type: &ProductCouponType,
) -> Result<(), ValidationError> {
    if coupon_type == &ProductCouponType::Exchange {
        return Err(
            ValidationError::new("", ValidationRule::NotAllowed, "").with_requirement(
                "absent for an EXCHANGE coupon (whole-store coupons are NORMAL or DISCOUNT)",
            ),
        );
    }
    discount_rules(
        coupon_type,
        info.normal_coupon.is_some(),
        info.discount_coupon.is_some(),
        false,
        ["normal_coupon", "discount_coupon", "exchange_coupon"],
    )?;
    if let Some(rule) = &info.normal_coupon {
        normal_coupon(rule).within("normal_coupon")?;
    }
    if let Some(rule) = &info.discount_coupon {
        discount_coupon(rule).within("discount_coupon")?;
    }
    Ok(())
}

/// `single_usage_rule` of a stock. For `scope` `SINGLE` it carries the discount rule of the
/// coupon's type; for `ALL` the rule is in the coupon's `single_usage_info` and none may be here
/// (WeChat Pay answers INVALID_REQUEST when they are swapped).
///
/// Without the coupon (`None`: a stock added to an existing coupon), at most one discount rule may
/// be given and WeChat Pay checks that it fits the coupon.
pub(crate) fn single_usage_rule(
    rule: &SingleUsageRule,
    coupon: Option<(&ProductCouponScope, &ProductCouponType)>,
) -> Result<(), ValidationError> {
    single_period(required(
        &rule.coupon_available_period,
        "coupon_available_period",
        "given",
    )?)
    .within("coupon_available_period")?;
    let names = ["normal_coupon", "discount_coupon", "exchange_coupon"];
    let Some((scope, coupon_type)) = coupon else {
        let given = [
            rule.normal_coupon.is_some(),
            rule.discount_coupon.is_some(),
            rule.exchange_coupon.is_some(),
        ];
        one_of(given, names)?;
        return stage_rules(rule);
    };
    if scope == &ProductCouponScope::All {
        let why = "absent for scope ALL: the discount rule goes in single_usage_info";
        absent(&rule.normal_coupon, names[0], why)?;
        absent(&rule.discount_coupon, names[1], why)?;
        return absent(&rule.exchange_coupon, names[2], why);
    }
    discount_rules(
        coupon_type,
        rule.normal_coupon.is_some(),
        rule.discount_coupon.is_some(),
        rule.exchange_coupon.is_some(),
        names,
    )?;
    stage_rules(rule)
}

/// At most one of the discount rules (when the coupon's type is not known here).
fn one_of(given: [bool; 3], names: [&'static str; 3]) -> Result<(), ValidationError> {
    if given.iter().filter(|given| **given).count() > 1 {
        let index = given.iter().rposition(|given| *given).unwrap_or(2);
        return Err(
            ValidationError::new(names[index], ValidationRule::NotAllowed, "")
                .with_requirement("absent: one discount rule (of the coupon's type) is given"),
        );
    }
    Ok(())
}

fn stage_rules(rule: &SingleUsageRule) -> Result<(), ValidationError> {
    if let Some(rule) = &rule.normal_coupon {
        normal_coupon(rule).within("normal_coupon")?;
    }
    if let Some(rule) = &rule.discount_coupon {
        discount_coupon(rule).within("discount_coupon")?;
    }
    if let Some(rule) = &rule.exchange_coupon {
        exchange_coupon(rule).within("exchange_coupon")?;
    }
    Ok(())
}

/// `progressive_bundle_usage_rule` of a stock bundle: one rule per use (`count` of them), in the
/// list of the coupon's type.
pub(crate) fn bundle_usage_rule(
    rule: &SequentialUsageRule,
    coupon_type: Option<&ProductCouponType>,
    count: Option<i64>,
) -> Result<(), ValidationError> {
    sequential_period(required(
        &rule.coupon_available_period,
        "coupon_available_period",
        "given",
    )?)
    .within("coupon_available_period")?;
    let names = [
        "normal_coupon_list",
        "discount_coupon_list",
        "exchange_coupon_list",
    ];
    let given = [
        rule.normal_coupon_list.is_some(),
        rule.discount_coupon_list.is_some(),
        rule.exchange_coupon_list.is_some(),
    ];
    match coupon_type {
        Some(coupon_type) => discount_rules(coupon_type, given[0], given[1], given[2], names)?,
        None => one_of(given, names)?,
    }
    let check_len = |field: &'static str, len: usize| match count {
        Some(count) => in_range(field, i64::try_from(len).unwrap_or(i64::MAX), count, count)
            .map_err(|e| {
                e.with_requirement(
                    "one rule per use: as long as progressive_bundle_usage_info.count",
                )
            }),
        None => item_count(field, len, 3, 15),
    };
    if let Some(list) = &rule.normal_coupon_list {
        check_len("normal_coupon_list", list.len())?;
        for (index, item) in list.iter().enumerate() {
            normal_coupon(item).map_err(|e| e.within_item("normal_coupon_list", index))?;
        }
    }
    if let Some(list) = &rule.discount_coupon_list {
        check_len("discount_coupon_list", list.len())?;
        for (index, item) in list.iter().enumerate() {
            discount_coupon(item).map_err(|e| e.within_item("discount_coupon_list", index))?;
        }
    }
    if let Some(list) = &rule.exchange_coupon_list {
        check_len("exchange_coupon_list", list.len())?;
        for (index, item) in list.iter().enumerate() {
            exchange_coupon(item).map_err(|e| e.within_item("exchange_coupon_list", index))?;
        }
    }
    Ok(())
}

/// An RFC3339 time (`2025-08-01T00:00:00+08:00`), parsed.
pub(crate) fn rfc3339(
    field: &'static str,
    time: &Rfc3339,
) -> Result<crate::time::Instant, ValidationError> {
    time.instant().map_err(|_| {
        ValidationError::new(field, ValidationRule::NotAllowed, time.as_str())
            .with_requirement("an RFC3339 time such as 2025-08-01T00:00:00+08:00")
    })
}

/// Begin and end given, RFC3339, end after begin, at most 365 days apart.
fn validity(begin: &Option<Rfc3339>, end: &Option<Rfc3339>) -> Result<(), ValidationError> {
    let parse = |field: &'static str, time: &Option<Rfc3339>| {
        rfc3339(field, required(time, field, "given")?)
    };
    let begin = parse("available_begin_time", begin)?;
    let end_time = parse("available_end_time", end)?;
    let seconds = end_time.unix_seconds - begin.unix_seconds;
    if seconds <= 0 || seconds > VALIDITY_MAX_DAYS * 86_400 {
        let days = seconds / 86_400;
        return Err(ValidationError::new(
            "available_end_time",
            ValidationRule::OutOfRange {
                min: 0,
                max: VALIDITY_MAX_DAYS,
                actual: days,
            },
            end.as_ref().map_or("", Rfc3339::as_str),
        )
        .with_requirement("after available_begin_time, by at most 365 days"));
    }
    Ok(())
}

fn irregular_periods(list: &[TimePeriod]) -> Result<(), ValidationError> {
    for (index, period) in list.iter().enumerate() {
        required(&period.begin_time, "begin_time", "given")
            .and(required(&period.end_time, "end_time", "given"))
            .map_err(|e| e.within_item("irregular_available_period_list", index))?;
    }
    Ok(())
}

fn single_period(period: &SingleCouponAvailablePeriod) -> Result<(), ValidationError> {
    validity(&period.available_begin_time, &period.available_end_time)?;
    if let Some(days) = period.available_days {
        in_range("available_days", days, 1, VALIDITY_MAX_DAYS)?;
        absent(
            &period.irregular_available_period_list,
            "irregular_available_period_list",
            "absent when available_days is given",
        )?;
    }
    if let Some(days) = period.wait_days_after_receive {
        in_range("wait_days_after_receive", days, 0, 30)?;
        required(
            &period.available_days,
            "available_days",
            "given with wait_days_after_receive",
        )?;
    }
    irregular_periods(
        period
            .irregular_available_period_list
            .as_deref()
            .unwrap_or(&[]),
    )
}

fn sequential_period(period: &SequentialCouponAvailablePeriod) -> Result<(), ValidationError> {
    validity(&period.available_begin_time, &period.available_end_time)?;
    if let Some(days) = period.wait_days_after_receive {
        in_range("wait_days_after_receive", days, 0, 30)?;
    }
    irregular_periods(
        period
            .irregular_available_period_list
            .as_deref()
            .unwrap_or(&[]),
    )
}

/// `usage_rule_display_info`: methods listed; mini-program and app fields when those methods are.
pub(crate) fn usage_rule_display_info(info: &UsageRuleDisplayInfo) -> Result<(), ValidationError> {
    let methods = required(
        &info.coupon_usage_method_list,
        "coupon_usage_method_list",
        "given",
    )?;
    item_count("coupon_usage_method_list", methods.len(), 1, 4)?;
    for (index, method) in methods.iter().enumerate() {
        check_known!("", method, CouponUsageMethod)
            .map_err(|e| e.within_item("coupon_usage_method_list", index))?;
    }
    if methods.contains(&CouponUsageMethod::MiniProgram) {
        let why = "given when coupon_usage_method_list has MINI_PROGRAM";
        required(&info.mini_program_appid, "mini_program_appid", why)?;
        required(&info.mini_program_path, "mini_program_path", why)?;
    }
    if methods.contains(&CouponUsageMethod::App) {
        required(
            &info.app_path,
            "app_path",
            "given when coupon_usage_method_list has APP",
        )?;
    }
    // Required in the docs, optional in the samples' comments: the samples are followed.
    optional_chars(
        "usage_description",
        &info.usage_description,
        0,
        DESCRIPTION_MAX_CHARS,
    )?;
    if let Some(store) = &info.coupon_available_store_info {
        optional_chars("description", &store.description, 0, DESCRIPTION_MAX_CHARS)
            .within("coupon_available_store_info")?;
    }
    Ok(())
}

/// `coupon_display_info`: code display mode; entrances complete when present.
pub(crate) fn coupon_display_info(info: &CouponDisplayInfo) -> Result<(), ValidationError> {
    let mode = required(&info.code_display_mode, "code_display_mode", "given")?;
    check_known!("code_display_mode", mode, CouponCodeDisplayMode)?;
    if let Some(entrance) = &info.entrance_mini_program {
        required_chars("appid", &entrance.appid, 1, 32)
            .and(required_chars("path", &entrance.path, 1, 2048))
            .and(required_chars(
                "entrance_wording",
                &entrance.entrance_wording,
                1,
                5,
            ))
            // Required in the docs, optional in the samples' comments: the samples are followed.
            .and(optional_chars(
                "guidance_wording",
                &entrance.guidance_wording,
                0,
                6,
            ))
            .within("entrance_mini_program")?;
    }
    if let Some(account) = &info.entrance_official_account {
        required_chars("appid", &account.appid, 1, 32).within("entrance_official_account")?;
    }
    if let Some(finder) = &info.entrance_finder {
        required_chars("finder_id", &finder.finder_id, 1, 64).within("entrance_finder")?;
    }
    Ok(())
}

/// `notify_config`: `notify_appid` when the object is present.
pub(crate) fn notify_config(config: &NotifyConfig) -> Result<(), ValidationError> {
    required_chars("notify_appid", &config.notify_appid, 1, 32)
}

/// A known coupon-code mode.
pub(crate) fn coupon_code_mode(mode: &CouponCodeMode) -> Result<(), ValidationError> {
    check_known!("coupon_code_mode", mode, CouponCodeMode)
}

/// A known store scope.
pub(crate) fn store_scope(scope: &StockStoreScope) -> Result<(), ValidationError> {
    check_known!("store_scope", scope, StockStoreScope)
}

/// `remark`: at most [`REMARK_MAX_CHARS`].
pub(crate) fn remark(remark: &Option<String>) -> Result<(), ValidationError> {
    optional_chars("remark", remark, 0, REMARK_MAX_CHARS)
}
