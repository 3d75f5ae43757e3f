//! One module per subcommand; each returns the failure class that decides the exit code.

pub mod coupon;
pub mod sign;
pub mod simulate;
pub mod stock;
pub mod verify;
