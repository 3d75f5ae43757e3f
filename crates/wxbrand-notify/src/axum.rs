//! axum adapter (feature `axum`).
