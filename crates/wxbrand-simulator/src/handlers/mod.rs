//! Route handlers, one module per resource. A handler gets a [`Call`] — the authenticated brand,
//! the checked path parameters, the query, the body — and answers an [`Answer`]; the pipeline
//! signs and sends it.

pub(crate) mod coupons;
pub(crate) mod stocks;

use crate::answer::Answer;
use crate::body_rules::{self, RequestBody};
use crate::path_params::PathParams;
use crate::shared::Shared;

/// One authenticated request, as a handler sees it.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    /// The simulator's state, settings and counters.
    pub(crate) shared: &'a Shared,
    /// The brand, as authenticated.
    pub(crate) brand_id: &'a str,
    /// The path parameters, decoded and checked.
    pub(crate) params: &'a PathParams,
    /// The raw query string (empty if none).
    pub(crate) query: &'a str,
    /// The body bytes.
    pub(crate) body: &'a [u8],
    /// When the request is handled, in Unix milliseconds of the simulator's clock.
    pub(crate) now_millis: i64,
}

impl Call<'_> {
    /// Decodes the body as `B` with its rules and runs `handler` on it, or answers the
    /// `PARAM_ERROR` of the first broken rule.
    pub(crate) fn with_json<B: RequestBody>(&self, handler: fn(&Call<'_>, B) -> Answer) -> Answer {
        match body_rules::decode::<B>(self.body) {
            Ok(body) => handler(self, body),
            Err(answer) => answer,
        }
    }
}
