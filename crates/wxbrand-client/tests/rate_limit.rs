//! The client-side rate limit: declared by the operation, shared by clones, counting every attempt.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use wxbrand_client::rate_limit::{
    LocalRateLimiter, RateLimitPermit, RateLimitRequest, RateLimiter, RateLimiterError,
};

#[tokio::test]
async fn time_queued_for_the_rate_limit_does_not_use_up_the_retry_deadline() {
    const CALLS: usize = 40;
    let clock = ManualClock::new(START);
    let sent_at = Arc::new(Mutex::new(Vec::new()));
    let (times, responder_clock) = (sent_at.clone(), clock.clone());
    let mock = MockTransport::with_responder(move |request| {
        let mut times = times.lock().unwrap();
        times.push(responder_clock.monotonic());
        // The last call queued behind all the others; its first answer is a retryable 500.
        if times.len() == CALLS {
            return Ok(api_error(500, "SYSTEM_ERROR"));
        }
        Ok(ok_stock_for(request))
    })
    .without_recording();
    let client = builder(&mock, &clock)
        .rate_limit("deactivate_stock", RateLimit::per_second(1))
        .retry_policy(RetryPolicy::new().total_deadline(Duration::from_secs(30)))
        .build()
        .unwrap();
    let tasks: Vec<_> = (0..CALLS)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                let request = DeactivateStockRequest::new(
                    "200000001",
                    format!("{i}"),
                    format!("deact_{i:04}"),
                    "r",
                )
                .unwrap();
                client.send(&request).await.map(|r| r.attempts())
            })
        })
        .collect();
    let mut attempts = Vec::new();
    for task in tasks {
        attempts.push(task.await.unwrap().unwrap());
    }
    let times = sent_at.lock().unwrap().clone();
    assert!(
        times[CALLS - 1] >= Duration::from_secs(30),
        "the faulted call waited longer than the deadline in the limiter: {:?}",
        times[CALLS - 1]
    );
    assert_eq!(times.len(), CALLS + 1);
    assert_eq!(attempts.iter().filter(|a| **a == 2).count(), 1);
    assert_eq!(attempts.iter().filter(|a| **a == 1).count(), CALLS - 1);
}

#[tokio::test]
async fn the_rate_limit_is_shared_by_clones_and_counts_every_attempt() {
    shared_by_clones_and_counting_every_attempt(|builder| builder).await;
}

#[tokio::test]
async fn the_local_limiter_as_a_trait_object_keeps_the_same_window() {
    shared_by_clones_and_counting_every_attempt(|builder| {
        builder.rate_limiter(Arc::new(LocalRateLimiter::new()))
    })
    .await;
}

/// 60 calls at 20 per second over clones of one client (`configure`d), every fifth answer a 500:
/// no second holds more than 20 attempts, retries included.
async fn shared_by_clones_and_counting_every_attempt(
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) {
    let clock = ManualClock::new(START);
    let sent_at = Arc::new(Mutex::new(Vec::new()));
    let (times, responder_clock) = (sent_at.clone(), clock.clone());
    let mock = MockTransport::with_responder(move |request| {
        let mut times = times.lock().unwrap();
        times.push(responder_clock.monotonic());
        // Every fifth answer is a 500, so retries pass through the limiter too.
        if times.len() % 5 == 0 {
            return Ok(api_error(500, "SYSTEM_ERROR"));
        }
        Ok(ok_stock_for(request))
    })
    .without_recording();
    let client = configure(builder(&mock, &clock))
        .rate_limit(
            "deactivate_stock",
            RateLimit::new(20, Duration::from_secs(1)),
        )
        .build()
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..60 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let request = DeactivateStockRequest::new(
                "200000001",
                format!("{i}"),
                format!("deact_{i:04}"),
                "r",
            )
            .unwrap();
            client.send(&request).await.map(|r| r.attempts())
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let times = sent_at.lock().unwrap().clone();
    assert!(times.len() > 60, "some attempts were retries");
    for (i, start) in times.iter().enumerate() {
        let within = times[i..]
            .iter()
            .filter(|t| **t >= *start && **t < *start + Duration::from_secs(1))
            .count();
        assert!(within <= 20, "{within} sends in the second from {start:?}");
    }
}

#[tokio::test]
async fn other_operations_are_not_rate_limited_by_default() {
    let (client, mock, clock) = setup();
    for _ in 0..50 {
        mock.push_response(ok_stock());
    }
    for _ in 0..50 {
        client
            .send(&GetStockRequest::new("200000001", "123456789").unwrap())
            .await
            .unwrap();
    }
    assert_eq!(clock.monotonic(), Duration::ZERO);
}

/// An operation the client has never heard of, declaring its own rate limit.
struct DeclaresItsLimit;

impl Operation for DeclaresItsLimit {
    const NAME: &'static str = "declares_its_limit";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/brand/limited";
    const RATE_LIMIT: Option<RateLimit> = Some(RateLimit::per_second(2));
    type Body = wxbrand_core::NoBody;
    type Response = serde_json::Value;
}

#[tokio::test]
async fn the_rate_limit_comes_from_the_operation_and_an_override_by_name_replaces_it() {
    let (client, mock, clock) = setup();
    for _ in 0..3 {
        mock.push_response(signed(200, "{}", START));
    }
    for _ in 0..3 {
        client.send(&DeclaresItsLimit).await.unwrap();
    }
    assert_eq!(
        clock.monotonic(),
        Duration::from_secs(1),
        "the third call waited for the declared 2 per second"
    );

    let mock = MockTransport::new();
    let clock = ManualClock::new(START);
    let client = builder(&mock, &clock)
        .without_rate_limit("declares_its_limit")
        .build()
        .unwrap();
    for _ in 0..3 {
        mock.push_response(signed(200, "{}", START));
        client.send(&DeclaresItsLimit).await.unwrap();
    }
    assert_eq!(clock.monotonic(), Duration::ZERO);
}

/// A limiter that lets everything through and writes down what it was asked and released.
#[derive(Debug, Default)]
struct Recording {
    asked: Mutex<Vec<(String, &'static str, RateLimit, Duration)>>,
    released: Arc<std::sync::atomic::AtomicUsize>,
    refuse: bool,
}

#[async_trait::async_trait]
impl RateLimiter for Recording {
    async fn acquire(
        &self,
        request: RateLimitRequest<'_>,
    ) -> Result<RateLimitPermit, RateLimiterError> {
        self.asked.lock().unwrap().push((
            request.brand_id().to_owned(),
            request.operation(),
            request.limit(),
            request.budget(),
        ));
        if self.refuse {
            return Err(RateLimiterError::unavailable(
                "test store",
                Duration::ZERO,
                None,
            ));
        }
        let released = self.released.clone();
        Ok(RateLimitPermit::new(move || {
            released.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }))
    }
}

#[tokio::test]
async fn a_given_limiter_is_asked_once_per_attempt_with_brand_operation_and_limit() {
    let (mock, clock) = (MockTransport::new(), ManualClock::new(START));
    let limiter = Arc::new(Recording::default());
    let client = builder(&mock, &clock)
        .rate_limiter(limiter.clone())
        .rate_limit("deactivate_stock", RateLimit::per_second(5))
        .retry_policy(RetryPolicy::new().total_deadline(Duration::from_secs(20)))
        .build()
        .unwrap();
    mock.push_response(api_error(500, "SYSTEM_ERROR"));
    mock.push_response(ok_stock());
    let stock = client.send(&deactivate()).await.unwrap();
    assert_eq!(stock.attempts(), 2);
    // Not limited (no default, no override): the limiter is not asked.
    mock.push_response(ok_stock());
    client
        .send(&GetStockRequest::new("200000001", "123456789").unwrap())
        .await
        .unwrap();
    let asked = limiter.asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 2, "one per attempt, retries too: {asked:?}");
    for (brand, operation, limit, budget) in &asked {
        assert_eq!(brand, BRAND_ID);
        assert_eq!(*operation, "deactivate_stock");
        assert_eq!(*limit, RateLimit::per_second(5));
        assert!(*budget <= Duration::from_secs(20) && !budget.is_zero());
    }
    assert_eq!(
        limiter.released.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "every permit was given back"
    );
}

#[tokio::test]
async fn a_limiter_that_gives_up_fails_the_call_with_nothing_sent() {
    let (mock, clock) = (MockTransport::new(), ManualClock::new(START));
    let limiter = Arc::new(Recording {
        refuse: true,
        ..Recording::default()
    });
    let client = builder(&mock, &clock)
        .rate_limiter(limiter)
        .build()
        .unwrap();
    let error = client.send(&deactivate()).await.unwrap_err();
    let ErrorKind::RateLimiter(source) = error.kind() else {
        panic!("{error:?}");
    };
    assert_eq!(source.store(), "test store");
    assert_eq!(error.attempts(), 0);
    assert!(mock.requests().is_empty());
    assert!(std::error::Error::source(&error).is_some());
}
