//! Blocking transport. SKELETON.

/// [`crate::HyperTransport`] driven by a private runtime, for synchronous code.
#[derive(Debug)]
pub struct BlockingHyperTransport {}
