//! One module per subcommand; each returns the failure class that decides the exit code.

pub mod bulk;
mod bulk_input;
mod bulk_journal;
mod bulk_stock;
mod bulk_user_coupon;
pub mod bundle;
pub mod coupon;
pub mod image;
pub mod notify;
pub mod notify_config;
pub(crate) mod send;
pub mod sign;
pub mod simulate;
pub mod stock;
pub mod stock_admin;
pub mod user_coupon;
pub mod verify;
