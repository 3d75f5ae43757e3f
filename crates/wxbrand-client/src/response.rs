//! A decoded, verified answer with its metadata.

use std::ops::{Deref, DerefMut};

/// A verified, decoded answer: the value, plus the `Request-ID`, HTTP status and number of
/// attempts. It dereferences to the value, so fields read directly (`response.state`); take the
/// value out with [`Response::into_inner`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Response<T> {
    value: T,
    status: u16,
    request_id: Option<String>,
    attempts: u32,
}

impl<T> Response<T> {
    /// Wraps a value with its metadata (for transports and tests that build answers by hand).
    pub fn new(value: T, status: u16, request_id: Option<String>, attempts: u32) -> Self {
        Response {
            value,
            status,
            request_id,
            attempts,
        }
    }
    /// The decoded value.
    pub fn into_inner(self) -> T {
        self.value
    }
    /// The decoded value, by reference.
    pub fn value(&self) -> &T {
        &self.value
    }
    /// The `Request-ID` header of the answer (quote it to WeChat Pay support).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
    /// The HTTP status (2xx).
    pub fn status(&self) -> u16 {
        self.status
    }
    /// How many times the request was sent (1 when the first attempt succeeded).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
    /// Transforms the value, keeping the metadata.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            value: f(self.value),
            status: self.status,
            request_id: self.request_id,
            attempts: self.attempts,
        }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}
