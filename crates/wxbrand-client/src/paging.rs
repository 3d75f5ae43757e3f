//! Paging through any [`Paged`] listing: one pager, driven by the async [`PageStream`] and by the
//! blocking `PageIter`.
//!
//! Items are handed out as each page arrives; memory holds one page, the tokens followed so far
//! (at most [`DEFAULT_MAX_PAGES`] unless raised) and nothing else. A listing ends:
//! - normally, on a page without a next token (absent or empty);
//! - with [`ErrorKind::RepeatedPageToken`] when the server gives a token it gave before (following it
//!   would loop forever);
//! - with [`ErrorKind::EmptyPageWithToken`] on a page with no items that still carries a token: a
//!   server that does so can keep a client fetching forever without handing out anything, and the
//!   listing cannot be known to be complete, so it stops and says so (the token is in the error
//!   for whoever wants to continue by hand);
//! - with [`ErrorKind::PagingLimit`] when it would fetch more than `max_pages` pages (default
//!   [`DEFAULT_MAX_PAGES`]) or hand out more than `max_items` items (default
//!   [`DEFAULT_MAX_ITEMS`]); raise them with `.max_pages(n)` / `.max_items(n)`. The error carries
//!   the page token that resumes the listing exactly where it stopped, when there is one;
//! - with the error of a page that failed.
//!
//! Items of the pages before an error have been handed out; nothing follows the error.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use wxbrand_core::field::PageToken;
use wxbrand_core::{Page, Paged};

use crate::error::PagingLimit;
use crate::{Client, Error, ErrorKind, Response};

/// How many pages a listing fetches at most, unless raised with `.max_pages(n)`: 1,000 pages
/// (50,000 items at the largest page size; WeChat Pay keeps at most 200 active stocks per coupon).
pub const DEFAULT_MAX_PAGES: u32 = 1_000;
/// How many items a listing hands out at most, unless raised with `.max_items(n)`.
pub const DEFAULT_MAX_ITEMS: u64 = 100_000;

/// Which page to ask for next, the items of the last page not yet handed out, and the limits.
pub(crate) struct Pager<O: Paged> {
    next: Option<O>,
    /// The page token of `next` (none for the first page): where a listing stopped by a limit
    /// goes on.
    next_token: Option<String>,
    /// Every page token followed so far: a server giving one again would make us loop forever.
    seen_tokens: HashSet<String>,
    items: VecDeque<O::Item>,
    /// The error that ends the listing, handed out once the items before it are.
    ending: Option<Error>,
    pages_fetched: u32,
    items_handed_out: u64,
    max_pages: u32,
    max_items: u64,
}

impl<O: Paged> Pager<O> {
    pub(crate) fn new(first: O) -> Self {
        Pager {
            next: Some(first),
            next_token: None,
            seen_tokens: HashSet::new(),
            items: VecDeque::new(),
            ending: None,
            pages_fetched: 0,
            items_handed_out: 0,
            max_pages: DEFAULT_MAX_PAGES,
            max_items: DEFAULT_MAX_ITEMS,
        }
    }

    pub(crate) fn set_max_pages(&mut self, max_pages: u32) {
        self.max_pages = max_pages;
    }

    pub(crate) fn set_max_items(&mut self, max_items: u64) {
        self.max_items = max_items;
    }

    /// Ends the listing with `error` (after the items already fetched).
    fn end(&mut self, error: Error) {
        self.next = None;
        self.ending = Some(error);
    }

    /// Ends the listing at `limit`; `resume` says whether the next page's token continues it
    /// exactly (no item of the current page left unread).
    fn end_at(&mut self, limit: PagingLimit, resume: bool) {
        let resume_token = if resume { self.next_token.take() } else { None };
        self.end(
            ErrorKind::PagingLimit {
                limit,
                resume_token,
            }
            .into(),
        );
    }

    /// Pages fetched so far (the one being fetched included).
    pub(crate) fn pages_fetched(&self) -> u32 {
        self.pages_fetched
    }

    /// The next item already fetched, else the error that ends the listing (once).
    pub(crate) fn pop(&mut self) -> Option<Result<O::Item, Error>> {
        if !self.items.is_empty() && self.items_handed_out >= self.max_items {
            // Items of this page are left: the next page's token would skip them.
            self.items.clear();
            self.end_at(PagingLimit::Items(self.max_items), false);
        }
        match self.items.pop_front() {
            Some(item) => {
                self.items_handed_out += 1;
                Some(Ok(item))
            }
            None => self.ending.take().map(Err),
        }
    }

    /// The request for the next page, or `None` when the listing is over (then [`Pager::pop`]
    /// gives the error that ended it, if any).
    pub(crate) fn next_request(&mut self) -> Option<O> {
        if self.next.is_some() && self.items_handed_out >= self.max_items {
            // Every item allowed is out and another page would follow: stop before fetching it.
            self.end_at(PagingLimit::Items(self.max_items), true);
        } else if self.next.is_some() && self.pages_fetched >= self.max_pages {
            self.end_at(PagingLimit::Pages(self.max_pages), true);
        }
        let next = self.next.take()?;
        self.pages_fetched += 1;
        Some(next)
    }

    /// Takes in the answer to the request from [`Pager::next_request`], which is `request`.
    pub(crate) fn accept(&mut self, request: O, page: Result<Response<O::Response>, Error>) {
        let page = match page {
            Ok(page) => page,
            // A failed page ends the listing (the caller may start again from a token).
            Err(error) => return self.end(error),
        };
        let (request_id, attempts) = (page.request_id().map(str::to_owned), page.attempts());
        let Page {
            items,
            next_page_token,
            ..
        } = O::into_page(page.into_inner());
        let had_items = !items.is_empty();
        self.items.extend(items);
        let token = match next_page_token {
            Some(token) if !token.is_empty() => token,
            _ => return,
        };
        if !had_items {
            return self.end(Error::new(
                ErrorKind::EmptyPageWithToken { token },
                attempts,
                request_id,
            ));
        }
        if !self.seen_tokens.insert(token.clone()) {
            return self.end(Error::new(
                ErrorKind::RepeatedPageToken { token },
                attempts,
                request_id,
            ));
        }
        match PageToken::new(token.clone()) {
            Ok(page_token) => {
                let mut next = request;
                next.set_page_token(page_token);
                self.next = Some(next);
                self.next_token = Some(token);
            }
            Err(error) => self.end(Error::from(error.within("next_page_token"))),
        }
    }
}

/// The `max_pages` and `max_items` methods of [`PageStream`] and `PageIter`, which both hold a
/// `pager`.
macro_rules! limit_methods {
    () => {
        /// Fetches at most `max_pages` pages (default
        /// [`DEFAULT_MAX_PAGES`](crate::paging::DEFAULT_MAX_PAGES)); one more page is
        /// [`ErrorKind::PagingLimit`](crate::ErrorKind::PagingLimit).
        pub fn max_pages(mut self, max_pages: u32) -> Self {
            self.pager.set_max_pages(max_pages);
            self
        }

        /// Pages fetched so far (the one being fetched included): with an error that ends the
        /// listing, the number of the page it is about.
        pub fn pages_fetched(&self) -> u32 {
            self.pager.pages_fetched()
        }

        /// Hands out at most `max_items` items (default
        /// [`DEFAULT_MAX_ITEMS`](crate::paging::DEFAULT_MAX_ITEMS)); one more item is
        /// [`ErrorKind::PagingLimit`](crate::ErrorKind::PagingLimit).
        pub fn max_items(mut self, max_items: u64) -> Self {
            self.pager.set_max_items(max_items);
            self
        }
    };
}
#[cfg(feature = "blocking")]
pub(crate) use limit_methods;

type PageFuture<O> = Pin<
    Box<
        dyn Future<Output = Result<Response<<O as wxbrand_core::Operation>::Response>, Error>>
            + Send,
    >,
>;

/// Every item of a listing, page after page: a [`Stream`] of `Result<item, Error>`, fetching the
/// next page only when the items of the last one are read. Made by [`Client::paginate`] (and
/// endpoint crates' `list_all_…` methods); how it ends and its limits: see the
/// [module](crate::paging). `Unpin`, `Send`.
pub struct PageStream<O: Paged> {
    client: Client,
    pager: Pager<O>,
    fetching: Option<(O, PageFuture<O>)>,
}

impl Client {
    /// Every item of a listing, page after page, fetched as the stream is read: see
    /// [`PageStream`] for how it ends and its limits.
    pub fn paginate<O: Paged>(&self, first: O) -> PageStream<O> {
        PageStream {
            client: self.clone(),
            pager: Pager::new(first),
            fetching: None,
        }
    }
}

impl<O: Paged> PageStream<O> {
    limit_methods!();
}

impl<O: Paged> std::fmt::Debug for PageStream<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageStream")
            .field("operation", &O::NAME)
            .field("pages_fetched", &self.pager.pages_fetched)
            .field("max_pages", &self.pager.max_pages)
            .field("max_items", &self.pager.max_items)
            .finish_non_exhaustive()
    }
}

impl<O> Stream for PageStream<O>
where
    O: Paged + Send + Sync + Unpin + 'static,
    O::Response: Send,
    O::Item: Unpin,
{
    type Item = Result<O::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some((_, fetching)) = &mut this.fetching {
                let page = match fetching.as_mut().poll(cx) {
                    Poll::Ready(page) => page,
                    Poll::Pending => return Poll::Pending,
                };
                if let Some((request, _)) = this.fetching.take() {
                    this.pager.accept(request, page);
                }
            }
            if let Some(item) = this.pager.pop() {
                return Poll::Ready(Some(item));
            }
            let Some(request) = this.pager.next_request() else {
                return Poll::Ready(this.pager.pop());
            };
            let (client, sent) = (this.client.clone(), request.clone());
            let future: PageFuture<O> = Box::pin(async move { client.send(&sent).await });
            this.fetching = Some((request, future));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use wxbrand_core::product_coupon::{ListStocksRequest, ListStocksResponse};

    fn page(ids: &[&str], token: Option<&str>) -> Result<Response<ListStocksResponse>, Error> {
        let stocks: Vec<_> = ids
            .iter()
            .map(|id| serde_json::json!({"product_coupon_id": "1", "stock_id": id, "state": "SENDING"}))
            .collect();
        let value = serde_json::from_value(
            serde_json::json!({"stock_list": stocks, "next_page_token": token}),
        )
        .unwrap();
        Ok(Response::new(
            value,
            200,
            Some(format!("08RID-{}", ids.join(""))),
            1,
        ))
    }

    fn drain(pager: &mut Pager<ListStocksRequest>) -> Vec<String> {
        std::iter::from_fn(|| pager.pop())
            .map(|s| s.unwrap().stock_id)
            .collect()
    }

    fn fetch(
        pager: &mut Pager<ListStocksRequest>,
        answer: Result<Response<ListStocksResponse>, Error>,
    ) {
        let request = pager.next_request().unwrap();
        pager.accept(request, answer);
    }

    #[test]
    fn follows_tokens_until_the_last_page() {
        let mut pager = Pager::new(ListStocksRequest::new("1").unwrap());
        fetch(&mut pager, page(&["a", "b"], Some("t1")));
        assert_eq!(drain(&mut pager), ["a", "b"]);
        let second = pager.next_request().unwrap();
        assert!(wxbrand_core::Operation::prepare(&second)
            .unwrap()
            .path_and_query()
            .contains("page_token=t1"));
        pager.accept(second, page(&["c"], Some("")));
        assert_eq!(drain(&mut pager), ["c"]);
        assert!(pager.next_request().is_none());
        assert!(pager.pop().is_none());
    }

    #[test]
    fn a_token_seen_before_ends_the_listing_with_an_error() {
        let mut pager = Pager::new(ListStocksRequest::new("1").unwrap());
        fetch(&mut pager, page(&["a"], Some("A")));
        fetch(&mut pager, page(&["b"], Some("B")));
        // A → B → A: not the previous token, but one already followed.
        fetch(&mut pager, page(&["c"], Some("A")));
        let items: Vec<_> = std::iter::from_fn(|| pager.pop()).collect();
        assert_eq!(items.len(), 4);
        match &items[3] {
            Err(error) if matches!(error.kind(), ErrorKind::RepeatedPageToken { token } if token == "A") =>
            {
                assert_eq!(error.request_id(), Some("08RID-c"));
                assert!(error.to_string().contains("`A`"), "{error}");
            }
            other => panic!("expected a repeated-token error, got {other:?}"),
        }
        assert!(pager.next_request().is_none());
    }

    #[test]
    fn an_empty_page_with_a_token_ends_the_listing_with_an_error() {
        let mut pager = Pager::new(ListStocksRequest::new("1").unwrap());
        fetch(&mut pager, page(&["a"], Some("A")));
        fetch(&mut pager, page(&[], Some("B")));
        assert!(matches!(pager.pop(), Some(Ok(_))));
        match pager.pop() {
            Some(Err(error)) => assert!(
                matches!(error.kind(), ErrorKind::EmptyPageWithToken { token } if token == "B"),
                "{error:?}"
            ),
            other => panic!("expected an empty-page error, got {other:?}"),
        }
        assert!(pager.next_request().is_none());
        assert!(pager.pop().is_none());
    }

    #[test]
    fn the_page_and_item_limits_end_the_listing_with_an_error_naming_them() {
        let mut pager = Pager::new(ListStocksRequest::new("1").unwrap());
        pager.set_max_pages(2);
        fetch(&mut pager, page(&["a"], Some("A")));
        fetch(&mut pager, page(&["b"], Some("B")));
        assert!(pager.next_request().is_none());
        let (count, error) = drain_ok(&mut pager);
        assert_eq!(count, 2);
        let error = error.unwrap();
        assert!(
            matches!(error.kind(), ErrorKind::PagingLimit { limit: PagingLimit::Pages(2), resume_token: Some(token) } if token == "B"),
            "{error:?}"
        );
        assert!(error.to_string().contains("max_pages"), "{error}");

        let mut pager = Pager::new(ListStocksRequest::new("1").unwrap());
        pager.set_max_items(3);
        fetch(&mut pager, page(&["a", "b"], Some("A")));
        fetch(&mut pager, page(&["c", "d"], Some("B")));
        let (count, error) = drain_ok(&mut pager);
        assert_eq!(count, 3);
        assert!(matches!(
            error.map(Error::into_kind),
            Some(ErrorKind::PagingLimit {
                limit: PagingLimit::Items(3),
                resume_token: None
            })
        ));
        assert!(pager.next_request().is_none());
        assert!(pager.pop().is_none());
    }

    #[test]
    fn the_item_limit_at_the_end_of_a_page_stops_before_fetching_the_next_and_says_where_to_resume()
    {
        let mut pager = Pager::new(ListStocksRequest::new("1").unwrap());
        pager.set_max_items(2);
        fetch(&mut pager, page(&["a", "b"], Some("A")));
        assert_eq!(drain(&mut pager), ["a", "b"]);
        assert!(
            pager.next_request().is_none(),
            "the next page is not fetched"
        );
        assert_eq!(pager.pages_fetched(), 1);
        match pager.pop() {
            Some(Err(error)) => {
                assert!(
                    matches!(error.kind(), ErrorKind::PagingLimit { limit: PagingLimit::Items(2), resume_token: Some(token) } if token == "A"),
                    "{error:?}"
                );
                assert!(
                    error.to_string().contains("continue from page token `A`"),
                    "{error}"
                );
            }
            other => panic!("expected the item limit, got {other:?}"),
        }
    }

    /// How many items come before the end, and the error that ends the listing.
    fn drain_ok(pager: &mut Pager<ListStocksRequest>) -> (usize, Option<Error>) {
        let mut count = 0;
        loop {
            match pager.pop() {
                Some(Ok(_)) => count += 1,
                Some(Err(error)) => return (count, Some(error)),
                None => return (count, None),
            }
        }
    }

    #[test]
    fn an_error_is_yielded_and_ends_the_listing() {
        let mut pager = Pager::new(ListStocksRequest::new("1").unwrap());
        fetch(&mut pager, Err(ErrorKind::BlockingInsideRuntime.into()));
        match pager.pop() {
            Some(Err(error)) => assert!(matches!(error.kind(), ErrorKind::BlockingInsideRuntime)),
            other => panic!("expected the page's error, got {other:?}"),
        }
        assert!(pager.pop().is_none());
        assert!(pager.next_request().is_none());
    }
}
