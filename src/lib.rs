//! wxbrand
