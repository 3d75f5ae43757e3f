//! Paging through `list stocks`, shared by the stream and the blocking iterator.

use std::collections::HashSet;

use wxbrand_client::{Error, Response};
use wxbrand_core::product_coupon::{ListStocksRequest, ListStocksResponse, StockEntity};

use crate::Buffer;

/// Which page to ask for next, and the stocks of the last page not yet handed out.
#[derive(Debug)]
pub(crate) struct Pager {
    base: ListStocksRequest,
    next: Option<ListStocksRequest>,
    /// Every page token followed so far: a server giving one again would make us loop forever.
    seen_tokens: HashSet<String>,
    buffer: Buffer,
}

impl Pager {
    pub(crate) fn new(first: ListStocksRequest) -> Self {
        Pager {
            base: first.clone(),
            next: Some(first),
            seen_tokens: HashSet::new(),
            buffer: Buffer::new(),
        }
    }

    /// The next stock (or error) already fetched.
    pub(crate) fn pop(&mut self) -> Option<Result<StockEntity, Error>> {
        self.buffer.pop_front()
    }

    /// The request for the next page, or `None` when the listing is over.
    pub(crate) fn next_request(&mut self) -> Option<ListStocksRequest> {
        self.next.take()
    }

    /// Takes in the answer to the request from [`Pager::next_request`].
    pub(crate) fn accept(&mut self, page: Result<Response<ListStocksResponse>, Error>) {
        let page = match page {
            Ok(page) => page,
            Err(error) => {
                // A failed page ends the listing (the caller may start again from a token).
                self.buffer.push_back(Err(error));
                return;
            }
        };
        let (request_id, attempts) = (page.request_id().map(str::to_owned), page.attempts());
        let ListStocksResponse {
            stock_list,
            next_page_token,
            ..
        } = page.into_inner();
        self.buffer.extend(stock_list.into_iter().map(Ok));
        let token = match next_page_token {
            Some(token) if !token.is_empty() => token,
            _ => return,
        };
        if !self.seen_tokens.insert(token.clone()) {
            let error = Error::repeated_page_token(token, request_id, attempts);
            self.buffer.push_back(Err(error));
            return;
        }
        match self.base.clone().page_token(token) {
            Ok(request) => self.next = Some(request),
            Err(error) => self.buffer.push_back(Err(Error::from(error))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(ids: &[&str], token: Option<&str>) -> Response<ListStocksResponse> {
        let stocks: Vec<_> = ids
            .iter()
            .map(|id| serde_json::json!({"product_coupon_id": "1", "stock_id": id, "state": "SENDING"}))
            .collect();
        let value = serde_json::from_value(
            serde_json::json!({"stock_list": stocks, "next_page_token": token}),
        )
        .unwrap();
        Response::new(value, 200, Some(format!("08RID-{}", ids.join(""))), 1)
    }

    fn drain(pager: &mut Pager) -> Vec<String> {
        std::iter::from_fn(|| pager.pop())
            .map(|s| s.unwrap().stock_id)
            .collect()
    }

    #[test]
    fn operation_names_match_the_requests() {
        use crate::operation_name::*;
        use wxbrand_core::Operation;
        let deactivate = crate::DeactivateStockRequest::new("1", "2", "abcdef", "r").unwrap();
        assert_eq!(deactivate.prepare().unwrap().name(), DEACTIVATE_STOCK);
        let get = crate::GetStockRequest::new("1", "2").unwrap();
        assert_eq!(get.prepare().unwrap().name(), GET_STOCK);
        let list = ListStocksRequest::new("1").unwrap();
        assert_eq!(list.prepare().unwrap().name(), LIST_STOCKS);
    }

    #[test]
    fn follows_tokens_until_the_last_page() {
        let mut pager = Pager::new(ListStocksRequest::new("1").unwrap());
        assert!(pager.next_request().is_some());
        pager.accept(Ok(page(&["a", "b"], Some("t1"))));
        assert_eq!(drain(&mut pager), ["a", "b"]);
        let second = pager.next_request().unwrap();
        assert!(wxbrand_core::Operation::prepare(&second)
            .unwrap()
            .path_and_query()
            .contains("page_token=t1"));
        pager.accept(Ok(page(&["c"], Some(""))));
        assert_eq!(drain(&mut pager), ["c"]);
        assert!(pager.next_request().is_none());
    }

    #[test]
    fn a_token_seen_before_ends_the_listing_with_an_error() {
        let mut pager = Pager::new(ListStocksRequest::new("1").unwrap());
        pager.next_request();
        pager.accept(Ok(page(&["a"], Some("A"))));
        pager.next_request().unwrap();
        pager.accept(Ok(page(&["b"], Some("B"))));
        pager.next_request().unwrap();
        // A → B → A: not the previous token, but one already followed.
        pager.accept(Ok(page(&["c"], Some("A"))));
        let items: Vec<_> = std::iter::from_fn(|| pager.pop()).collect();
        assert_eq!(items.len(), 4);
        let ids: Vec<_> = items[..3]
            .iter()
            .map(|s| s.as_ref().unwrap().stock_id.as_str())
            .collect();
        assert_eq!(ids, ["a", "b", "c"]);
        match &items[3] {
            Err(error @ Error::RepeatedPageToken { token, .. }) => {
                assert_eq!(token, "A");
                assert_eq!(error.request_id(), Some("08RID-c"));
                assert!(error.to_string().contains("`A`"), "{error}");
            }
            other => panic!("expected a repeated-token error, got {other:?}"),
        }
        assert!(pager.next_request().is_none());
    }

    #[test]
    fn an_error_is_yielded_and_ends_the_listing() {
        let mut pager = Pager::new(ListStocksRequest::new("1").unwrap());
        pager.next_request();
        pager.accept(Err(Error::BlockingInsideRuntime));
        assert!(matches!(
            pager.pop(),
            Some(Err(Error::BlockingInsideRuntime))
        ));
        assert!(pager.pop().is_none());
        assert!(pager.next_request().is_none());
    }
}
