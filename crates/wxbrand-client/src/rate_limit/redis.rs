//! One rate limit for a fleet: the sliding window of the in-process limiter, kept in Redis.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{LocalRateLimiter, RateLimitPermit, RateLimitRequest, RateLimiter, RateLimiterError};

// The window is the in-process one (see `SlidingWindow`), over every process of the fleet: a
// sorted set per brand and operation whose members are attempts. An attempt enters with the end
// of its lease as its score while it is in flight, and when it ends its score becomes "now +
// window"; a member leaves once its score has passed. An attempt may be sent while the set holds
// fewer than `max` members. So, as in process, a slot is held from the send until one window
// after the answer, and no window at the server sees more than `max` requests of the fleet.
//
// The time is Redis's own (`TIME`, read inside the scripts): the fleet's machines do not share a
// clock, and a window kept with each process's clock would be as wrong as the skew between them.
// One clock, read where the decision is made, atomically with it.
//
// KEYS[1]: the sorted set; KEYS[2]: the counter naming attempts. ARGV: max, window (ms), lease (ms).
// Answers {1, id} when a slot was taken, {0, ms to wait} otherwise.
const ACQUIRE: &str = r"
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < max then
  local id = redis.call('INCR', KEYS[2])
  redis.call('ZADD', KEYS[1], now + lease, id)
  redis.call('PEXPIRE', KEYS[1], lease + window)
  redis.call('PEXPIRE', KEYS[2], lease + window)
  return {1, id}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = tonumber(first[2]) - now
if wait > window then
  wait = math.floor(window / max)
end
if wait < 1 then wait = 1 end
return {0, wait}
";

// KEYS[1]: the sorted set. ARGV: the attempt's id, window (ms). The attempt ended now: it keeps
// its slot for one window more (added again if its lease had already run out).
const RELEASE: &str = r"
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + window, ARGV[1])
if redis.call('PTTL', KEYS[1]) < window then
  redis.call('PEXPIRE', KEYS[1], window)
end
return 1
";

/// How often a limiter that cannot reach Redis looks again, when told to wait.
const RETRY_INTERVAL: Duration = Duration::from_millis(100);

/// What a [`RedisRateLimiter`] does when Redis cannot be reached (refused, timed out, an error
/// answer). Nothing is sent while Redis is asked; the choice is about what comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WhenUnavailable {
    /// Keep asking Redis (every 100 ms) until it answers or the call's retry deadline
    /// ([`RetryPolicy::total_deadline`](crate::RetryPolicy::total_deadline)) has passed, then fail
    /// with [`ErrorKind::RateLimiter`](crate::ErrorKind::RateLimiter). The default: the fleet never
    /// goes over the limit, a Redis restart or failover of a few seconds costs only a delay, and
    /// when the call does fail, the error says the request was not sent, so it is safe to repeat
    /// whatever the operation.
    #[default]
    Wait,
    /// Use this process's own limit (the in-process sliding window) until Redis answers again.
    /// Calls go on, but each process then allows the whole limit: a fleet of N processes can send
    /// up to N times the limit and get rate-limit errors (429) from WeChat Pay, which the client
    /// retries for repeat-safe calls only.
    FallBackToLocal,
    /// Fail at once with [`ErrorKind::RateLimiter`](crate::ErrorKind::RateLimiter), nothing sent.
    /// For callers that would rather drop or queue the work themselves than wait.
    Fail,
}

/// A [`RateLimiter`] shared by every process that points at the same Redis: the window of the
/// in-process limit, kept by an atomic Lua script per brand and operation, with Redis's own clock.
///
/// Clones share one connection (the `redis` crate's tokio `ConnectionManager`, which reconnects
/// by itself). The connection is made on the first call and lives on that call's tokio runtime:
/// use one limiter (and its clones) per runtime. Its waits go through the client's
/// [`Sleeper`](crate::clock::Sleeper), which must really wait (the default does): the limit is
/// kept in Redis's time, not the client's clock.
///
/// ```no_run
/// # fn run(builder: wxbrand_client::ClientBuilder) -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use wxbrand_client::rate_limit::{RedisRateLimiter, WhenUnavailable};
///
/// let limiter = RedisRateLimiter::new("redis://10.0.0.5:6379/")?
///     .when_unavailable(WhenUnavailable::Wait); // the default
/// let client = builder.rate_limiter(Arc::new(limiter)).build()?;
/// # drop(client);
/// # Ok(())
/// # }
/// ```
///
/// Keys: `{prefix}:{brand_id:operation}` (a sorted set) and the same with `:seq`, both expiring
/// on their own; the braces keep them in one Redis Cluster slot. An attempt whose process dies
/// holds its slot until its lease ends ([`in_flight_lease`](Self::in_flight_lease), 60 s).
#[derive(Clone)]
pub struct RedisRateLimiter {
    client: redis::Client,
    connection: Arc<Mutex<Option<ConnectionManager>>>,
    prefix: String,
    lease: Duration,
    when_unavailable: WhenUnavailable,
    local: LocalRateLimiter,
    acquire: Arc<redis::Script>,
    release: Arc<redis::Script>,
}

impl fmt::Debug for RedisRateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The address may carry a password: only the host is shown.
        let info = self.client.get_connection_info();
        f.debug_struct("RedisRateLimiter")
            .field("addr", &info.addr().to_string())
            .field("prefix", &self.prefix)
            .field("lease", &self.lease)
            .field("when_unavailable", &self.when_unavailable)
            .finish_non_exhaustive()
    }
}

/// The Redis address given to [`RedisRateLimiter::new`] is not usable.
#[derive(Debug)]
pub struct RedisUrlError {
    source: redis::RedisError,
}

impl fmt::Display for RedisUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the Redis address is not usable; expected e.g. redis://host:6379/ or rediss://… for TLS")
    }
}

impl std::error::Error for RedisUrlError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl RedisRateLimiter {
    /// A limiter on the Redis at `url` (`redis://[:password@]host:port/[db]`), keys under
    /// `wxbrand:rate`, a 60 s lease, [`WhenUnavailable::Wait`]. Nothing is connected yet.
    pub fn new(url: &str) -> Result<Self, RedisUrlError> {
        let client = redis::Client::open(url).map_err(|source| RedisUrlError { source })?;
        Ok(RedisRateLimiter {
            client,
            connection: Arc::new(Mutex::new(None)),
            prefix: "wxbrand:rate".to_owned(),
            lease: Duration::from_secs(60),
            when_unavailable: WhenUnavailable::default(),
            local: LocalRateLimiter::new(),
            acquire: Arc::new(redis::Script::new(ACQUIRE)),
            release: Arc::new(redis::Script::new(RELEASE)),
        })
    }

    /// What to do when Redis cannot be reached (default [`WhenUnavailable::Wait`]).
    pub fn when_unavailable(mut self, choice: WhenUnavailable) -> Self {
        self.when_unavailable = choice;
        self
    }

    /// The start of every key (default `wxbrand:rate`); processes sharing a limit must agree.
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How long an attempt in flight may hold its slot without ending (default 60 s): the slot of
    /// a process that died mid-attempt comes back after this. Keep it above the transport's
    /// longest request; an attempt still in flight after it no longer counts.
    pub fn in_flight_lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(1));
        self
    }

    /// The shared connection, made on first use (it needs the runtime).
    fn connection(&self) -> Result<ConnectionManager, redis::RedisError> {
        let mut connection = self
            .connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(existing) = &*connection {
            return Ok(existing.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_millis(500)))
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(1);
        let made = ConnectionManager::new_lazy_with_config(self.client.clone(), config)?;
        *connection = Some(made.clone());
        Ok(made)
    }

    /// One try of the acquire script: `Ok(Ok(id))` for a slot, `Ok(Err(wait))` when full.
    async fn try_acquire(
        &self,
        key: &str,
        request: &RateLimitRequest<'_>,
    ) -> Result<Result<i64, Duration>, redis::RedisError> {
        let mut connection = self.connection()?;
        let limit = request.limit();
        let (taken, value): (i64, i64) = self
            .acquire
            .key(key)
            .key(format!("{key}:seq"))
            .arg(limit.max())
            .arg(millis(limit.window()))
            .arg(millis(self.lease))
            .invoke_async(&mut connection)
            .await?;
        Ok(if taken == 1 {
            Ok(value)
        } else {
            Err(Duration::from_millis(value.max(1) as u64))
        })
    }

    /// The permit of attempt `id`: when dropped, the attempt's end is stamped in Redis (in a
    /// task, as a drop cannot wait). If that fails, the slot comes back when its lease ends.
    fn permit(&self, key: String, id: i64, window: Duration) -> RateLimitPermit {
        let (script, connection) = (Arc::clone(&self.release), self.connection());
        RateLimitPermit::new(move || {
            let (Ok(mut connection), Ok(runtime)) =
                (connection, tokio::runtime::Handle::try_current())
            else {
                return;
            };
            runtime.spawn(async move {
                let released: Result<i64, _> = script
                    .key(&key)
                    .arg(id)
                    .arg(millis(window))
                    .invoke_async(&mut connection)
                    .await;
                if let Err(error) = released {
                    tracing::warn!(%error, "could not release a rate-limit slot in Redis; it comes back when its lease ends");
                }
            });
        })
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

#[async_trait::async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn acquire(
        &self,
        request: RateLimitRequest<'_>,
    ) -> Result<RateLimitPermit, RateLimiterError> {
        let key = format!(
            "{}:{{{}:{}}}",
            self.prefix,
            request.brand_id(),
            request.operation()
        );
        let clock = request.clock();
        let started = clock.monotonic();
        loop {
            let error = match self.try_acquire(&key, &request).await {
                Ok(Ok(id)) => return Ok(self.permit(key, id, request.limit().window())),
                Ok(Err(wait)) => {
                    request.sleeper().sleep(wait).await;
                    continue;
                }
                Err(error) => error,
            };
            let waited = clock.monotonic().saturating_sub(started);
            match self.when_unavailable {
                WhenUnavailable::FallBackToLocal => {
                    tracing::warn!(%error, "Redis unreachable; keeping the rate limit in this process");
                    return self.local.acquire(request).await;
                }
                WhenUnavailable::Wait if waited + RETRY_INTERVAL <= request.budget() => {
                    tracing::debug!(%error, "Redis unreachable; waiting for it");
                    request.sleeper().sleep(RETRY_INTERVAL).await;
                }
                _ => {
                    return Err(RateLimiterError::unavailable(
                        "Redis",
                        waited,
                        Some(Box::new(error)),
                    ))
                }
            }
        }
    }
}
