//! The description of one API call, which the client signs and sends.

/// An HTTP method used by the brand API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PATCH`
    Patch,
}

impl Method {
    /// The upper-case method name, as it is sent and signed.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
        }
    }
}

/// A request ready to be signed and sent: the exact bytes that go on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    name: &'static str,
    method: Method,
    path_and_query: String,
    body: Option<Vec<u8>>,
    repeat_safe: bool,
}

impl PreparedRequest {
    /// Describes a request. `path_and_query` must already be percent-encoded (it is signed as given).
    pub fn new(
        name: &'static str,
        method: Method,
        path_and_query: String,
        body: Option<Vec<u8>>,
        repeat_safe: bool,
    ) -> Self {
        PreparedRequest {
            name,
            method,
            path_and_query,
            body,
            repeat_safe,
        }
    }
    /// The operation's name, e.g. `"deactivate_stock"` (for logs and rate limits).
    pub fn name(&self) -> &'static str {
        self.name
    }
    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.method
    }
    /// Absolute path plus `?query`, percent-encoded, exactly as sent and signed.
    pub fn path_and_query(&self) -> &str {
        &self.path_and_query
    }
    /// The JSON body bytes, if the request has a body.
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }
    /// Whether sending it twice cannot act twice: it carries an `out_request_no`, or it is a `GET`.
    pub fn is_repeat_safe(&self) -> bool {
        self.repeat_safe
    }
}

/// One API call: what to send and what type the answer decodes to.
///
/// Request types validate their fields when they are built, so `prepare` only serializes.
pub trait Operation {
    /// The type a 2xx answer decodes to.
    type Response: serde::de::DeserializeOwned;

    /// The method, path, query and body to send.
    fn prepare(&self) -> Result<PreparedRequest, crate::ValidationError>;
}
