//! One module per subcommand; each returns the failure class that decides the exit code.

pub mod bundle;
pub mod coupon;
pub mod image;
pub mod notify;
pub(crate) mod send;
pub mod sign;
pub mod simulate;
pub mod stock;
pub mod stock_admin;
pub mod verify;
