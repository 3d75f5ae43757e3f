//! How a stock's coupons are shown to users, where they may be used, and where events are notified.

use serde::{Deserialize, Serialize};

use super::stock::ExtraFields;
use crate::string_enum::string_enum;

string_enum! {
    /// Where a coupon may be used (券使用方式).
    pub enum CouponUsageMethod {
        /// `OFFLINE`: in a physical store.
        Offline = "OFFLINE",
        /// `MINI_PROGRAM`: in the brand's mini program.
        MiniProgram = "MINI_PROGRAM",
        /// `APP`: in the brand's app.
        App = "APP",
        /// `PAYMENT_CODE`: with the WeChat payment code.
        PaymentCode = "PAYMENT_CODE",
    }
}

string_enum! {
    /// How a user's coupon code is shown in the card wallet (用户商品券Code展示模式).
    pub enum CouponCodeDisplayMode {
        /// `INVISIBLE`: not shown.
        Invisible = "INVISIBLE",
        /// `BARCODE`: as a barcode.
        Barcode = "BARCODE",
        /// `QRCODE`: as a QR code.
        Qrcode = "QRCODE",
    }
}

/// How a stock's usage rule is shown to users (券使用规则展示信息).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UsageRuleDisplayInfo {
    /// Where the coupon may be used (one or more).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_usage_method_list: Option<Vec<CouponUsageMethod>>,
    /// AppID of the brand's mini program (for `MINI_PROGRAM`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mini_program_appid: Option<String>,
    /// Path inside the brand's mini program (for `MINI_PROGRAM`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mini_program_path: Option<String>,
    /// Link into the brand's app (for `APP`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_path: Option<String>,
    /// The coupon's rules for users (券使用说明), at most 1000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_description: Option<String>,
    /// Which stores accept the coupon, as shown to users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_available_store_info: Option<CouponAvailableStoreInfo>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// Which stores accept a coupon, as shown to users (券可用门店信息).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CouponAvailableStoreInfo {
    /// Description of the stores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// AppID of a mini program that lists the stores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mini_program_appid: Option<String>,
    /// Path of the store list inside that mini program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mini_program_path: Option<String>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// How a user's coupon is shown in the card wallet (用户商品券展示信息).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CouponDisplayInfo {
    /// How the coupon code is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_display_mode: Option<CouponCodeDisplayMode>,
    /// Background colour name, e.g. `Color010`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_color: Option<String>,
    /// Entrance to a mini program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrance_mini_program: Option<EntranceMiniProgram>,
    /// Entrance to an official account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrance_official_account: Option<EntranceOfficialAccount>,
    /// Entrance to a WeChat Channels (视频号) account or video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrance_finder: Option<EntranceFinder>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// An entrance from the coupon to a mini program (小程序入口).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EntranceMiniProgram {
    /// The mini program's AppID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    /// The path opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Text of the entrance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrance_wording: Option<String>,
    /// Guidance text beside the entrance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance_wording: Option<String>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// An entrance from the coupon to an official account (公众号入口).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EntranceOfficialAccount {
    /// The official account's AppID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// An entrance from the coupon to WeChat Channels (视频号入口).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EntranceFinder {
    /// The Channels account id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finder_id: Option<String>,
    /// A video id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finder_video_id: Option<String>,
    /// URL of the video's cover image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finder_video_cover_image_url: Option<String>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// Where coupon events are notified (事件通知配置).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NotifyConfig {
    /// AppID (mini program or official account) used to compute users' OpenIDs in notifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_appid: Option<String>,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}
