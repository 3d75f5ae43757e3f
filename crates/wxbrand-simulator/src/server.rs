//! The listener: accepts connections and serves each with hyper through the request pipeline.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinError, JoinSet};
use tokio_rustls::TlsAcceptor;

use crate::conn::{ConnControl, ConnIo};
use crate::pipeline;
use crate::shared::Shared;
use crate::stats::Recorder;

/// How long a TLS handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for connections to finish their answers.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(2);

/// A connection idle for at least this long may be closed to make room for a new one when the
/// cap is reached ([`SimulatorBuilder::max_connections`](crate::SimulatorBuilder::max_connections)).
pub(crate) const IDLE_EVICTION_GRACE: Duration = Duration::from_secs(1);

/// The connections being served, by id, for the connection cap.
#[derive(Debug)]
struct Open {
    controls: HashMap<u64, Arc<ConnControl>>,
    next_id: u64,
    cap: usize,
}

/// What to do with a connection just accepted.
enum Admission {
    /// Serve it under this id.
    Serve(u64, Arc<ConnControl>),
    /// The cap is reached and no connection is idle enough to close: refuse it.
    Shed,
}

impl Open {
    fn admit(&mut self, stats: &Recorder) -> Admission {
        if self.controls.len() >= self.cap {
            // Make room by closing the connection idle the longest, if it has been idle a while.
            let now = tokio::time::Instant::now();
            let oldest = self
                .controls
                .iter()
                .filter_map(|(id, c)| c.idle_since().map(|since| (since, *id)))
                .filter(|(since, _)| now.saturating_duration_since(*since) >= IDLE_EVICTION_GRACE)
                .min();
            let Some((_, id)) = oldest else {
                stats.update(|s| s.connections_shed += 1);
                return Admission::Shed;
            };
            if let Some(control) = self.controls.remove(&id) {
                control.ask_to_close();
                stats.update(|s| s.connections_evicted += 1);
            }
        }
        self.next_id += 1;
        let control = Arc::new(ConnControl::default());
        self.controls.insert(self.next_id, Arc::clone(&control));
        Admission::Serve(self.next_id, control)
    }
}

/// Accepts connections until `shutdown` flips, then drains them (briefly) and returns.
///
/// At most `max_connections` are served at once; past it, the connection idle the longest (for at
/// least [`IDLE_EVICTION_GRACE`]) is closed to make room, or, if none is, the new one is reset at
/// once: excess connections never pile up, and clients already connected keep being served.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
    max_connections: usize,
) {
    let mut connections = JoinSet::new();
    let mut open = Open {
        controls: HashMap::new(),
        next_id: 0,
        cap: max_connections.max(1),
    };
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    shared.stats.update(|s| s.connections_accepted += 1);
                    match open.admit(&shared.stats) {
                        Admission::Shed => {
                            // A reset frees the socket at once (no TIME_WAIT on this side).
                            let _ = stream.set_zero_linger();
                            drop(stream);
                        }
                        Admission::Serve(id, control) => {
                            let _ = stream.set_nodelay(true);
                            let task = serve_connection(
                                stream,
                                tls.clone(),
                                Arc::clone(&shared),
                                control,
                                shutdown.clone(),
                            );
                            connections.spawn(async move {
                                task.await;
                                id
                            });
                        }
                    }
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait a little and go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(joined) = connections.join_next(), if !connections.is_empty() => {
                if let Ok(id) = &joined {
                    open.controls.remove(id);
                }
                record_join(&shared.stats, joined.map(|_| ()));
            }
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while let Some(joined) = connections.join_next().await {
            record_join(&shared.stats, joined.map(|_| ()));
        }
    })
    .await;
    if drained.is_err() {
        connections.abort_all();
    }
}

/// Counts and logs a connection task that did not end normally (it panicked: a simulator bug).
fn record_join(stats: &Recorder, joined: Result<(), JoinError>) {
    if let Err(e) = joined {
        tracing::error!(error = %e, "a connection task failed");
        stats.update(|s| s.handler_panics += 1);
    }
}

async fn serve_connection(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    control: Arc<ConnControl>,
    shutdown: watch::Receiver<bool>,
) {
    let io = ConnIo::new(stream, Arc::clone(&control));
    match tls {
        None => drive(TokioIo::new(io), shared, control, shutdown).await,
        Some(acceptor) => {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(io)).await {
                Ok(Ok(tls_stream)) => {
                    drive(TokioIo::new(tls_stream), shared, control, shutdown).await
                }
                Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                Err(_) => tracing::debug!("TLS handshake timed out"),
            }
        }
    }
}

async fn drive<I>(
    io: I,
    shared: Arc<Shared>,
    control: Arc<ConnControl>,
    mut shutdown: watch::Receiver<bool>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let closing = Arc::clone(&control);
    let service = service_fn(move |request| {
        pipeline::handle(Arc::clone(&shared), Arc::clone(&control), request)
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(io, service);
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        _ = shutdown.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
        _ = closing.close_requested() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_connection_task_is_counted() {
        let stats = Recorder::default();
        let mut tasks = JoinSet::new();
        tasks.spawn(async {});
        tasks.spawn(async { panic!("a bug in a handler") });
        while let Some(joined) = tasks.join_next().await {
            record_join(&stats, joined);
        }
        assert_eq!(stats.snapshot().handler_panics, 1);
    }
}
