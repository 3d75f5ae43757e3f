//! The listener: accepts connections and serves each with hyper through the request pipeline.

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

/// Accepts connections until `shutdown` flips, then drains them (briefly) and returns.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let _ = stream.set_nodelay(true);
                    shared.stats.update(|s| s.connections_accepted += 1);
                    connections.spawn(serve_connection(
                        stream,
                        tls.clone(),
                        Arc::clone(&shared),
                        shutdown.clone(),
                    ));
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait a little and go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(joined) = connections.join_next(), if !connections.is_empty() => {
                record_join(&shared.stats, joined);
            }
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while let Some(joined) = connections.join_next().await {
            record_join(&shared.stats, joined);
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
    shutdown: watch::Receiver<bool>,
) {
    let control = Arc::new(ConnControl::default());
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
