//! Test transports. SKELETON.
