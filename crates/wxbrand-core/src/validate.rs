//! Field rules shared by the request types.
