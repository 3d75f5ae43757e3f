//! Local servers on 127.0.0.1 for the transport tests. They all run on one background runtime
//! of their own, so a test's runtime (or lack of one) never stalls them.
#![allow(dead_code)]

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

/// The runtime every test server runs on; never dropped.
pub fn server_runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("test-server")
            .enable_all()
            .build()
            .expect("server runtime")
    })
}

/// A running server: its address and how many connections it accepted.
#[derive(Debug, Clone)]
pub struct Server {
    pub addr: SocketAddr,
    pub accepted: Arc<AtomicUsize>,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn https_url(&self, host: &str, path: &str) -> String {
        format!("https://{}:{}{}", host, self.addr.port(), path)
    }

    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

fn bind() -> (std::net::TcpListener, SocketAddr) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("addr");
    (listener, addr)
}

/// Accepts connections forever, handing each to `on_connection` on the server runtime.
pub fn raw_server<F, Fut>(on_connection: F) -> Server
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (listener, addr) = bind();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    let on_connection = Arc::new(on_connection);
    server_runtime().spawn(async move {
        let listener = TcpListener::from_std(listener).expect("listener");
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let on_connection = on_connection.clone();
            tokio::spawn(async move { on_connection(stream).await });
        }
    });
    Server { addr, accepted }
}

/// The answer every hyper test server gives: `200` with "hello <method> <path>".
pub async fn hello(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let text = format!("hello {} {}", request.method(), request.uri().path());
    Ok(Response::new(Full::new(Bytes::from(text))))
}

/// A plain-HTTP hyper server (HTTP/1.1 with keep-alive, or HTTP/2 prior knowledge) answering with [`hello`].
pub fn http_server() -> Server {
    raw_server(|stream| async move {
        let _ = auto::Builder::new(TokioExecutor::new())
            .serve_connection(TokioIo::new(stream), service_fn(hello))
            .await;
    })
}

/// A certificate authority made at test time and a server certificate it signed for
/// `localhost` and `127.0.0.1`.
pub struct TestPki {
    pub ca_pem: String,
    pub ca_der: Vec<u8>,
    pub server_config: Arc<rustls::ServerConfig>,
}

pub fn test_pki() -> TestPki {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "wxbrand transport test CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = ca_params.self_signed(&ca_key).expect("ca cert");

    let leaf_key = KeyPair::generate().expect("leaf key");
    let leaf_params = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .expect("leaf params");
    let leaf = leaf_params
        .signed_by(&leaf_key, &ca, &ca_key)
        .expect("leaf cert");

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut server_config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivatePkcs8KeyDer::from(leaf_key.serialize_der()).into(),
        )
        .expect("server config");
    server_config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];

    TestPki {
        ca_pem: ca.pem(),
        ca_der: ca.der().to_vec(),
        server_config: Arc::new(server_config),
    }
}

/// A TLS hyper server (HTTP/2 or HTTP/1.1 by ALPN) answering with [`hello`].
pub fn https_server(config: Arc<rustls::ServerConfig>) -> Server {
    let acceptor = TlsAcceptor::from(config);
    raw_server(move |stream| {
        let acceptor = acceptor.clone();
        async move {
            let Ok(tls) = acceptor.accept(stream).await else {
                return;
            };
            let _ = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(tls), service_fn(hello))
                .await;
        }
    })
}

/// Reads until the end of the request head (the tests send bodiless requests or small ones).
pub async fn read_request_head(stream: &mut TcpStream) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

/// Reads the request, then resets the connection (SO_LINGER 0, then close).
pub fn resetting_server() -> Server {
    raw_server(|mut stream| async move {
        read_request_head(&mut stream).await;
        let _ = stream.set_zero_linger();
        drop(stream);
    })
}

/// Accepts and never says a word (nor reads: a TLS handshake stalls too).
pub fn silent_server() -> Server {
    raw_server(|stream| async move {
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(stream);
    })
}

/// Reads the request and never answers.
pub fn stalling_server() -> Server {
    raw_server(|mut stream| async move {
        read_request_head(&mut stream).await;
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(stream);
    })
}

/// Answers with a chunked body of `total` bytes, counting into `written` what it managed to send.
pub fn chunked_flood_server(total: usize, written: Arc<AtomicUsize>) -> Server {
    raw_server(move |mut stream| {
        let written = written.clone();
        async move {
            read_request_head(&mut stream).await;
            let head = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
            if stream.write_all(head).await.is_err() {
                return;
            }
            let chunk = vec![b'x'; 64 * 1024];
            let framed = [
                format!("{:x}\r\n", chunk.len()).into_bytes(),
                chunk,
                b"\r\n".to_vec(),
            ]
            .concat();
            let mut sent = 0;
            while sent < total {
                if stream.write_all(&framed).await.is_err() {
                    return;
                }
                sent += 64 * 1024;
                written.store(sent, Ordering::SeqCst);
            }
            let _ = stream.write_all(b"0\r\n\r\n").await;
        }
    })
}

/// Announces a `Content-Length` of `announced` bytes, sends a few, then waits.
pub fn announcing_server(announced: u64) -> Server {
    raw_server(move |mut stream| async move {
        read_request_head(&mut stream).await;
        let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {announced}\r\n\r\nxxxx");
        let _ = stream.write_all(head.as_bytes()).await;
        tokio::time::sleep(Duration::from_secs(60)).await;
    })
}

/// Answers with a `Content-Length` of 100 but only 10 bytes of body, then closes.
pub fn truncating_server() -> Server {
    raw_server(|mut stream| async move {
        read_request_head(&mut stream).await;
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789")
            .await;
        let _ = stream.shutdown().await;
    })
}

/// An address with nothing listening: bound, then released.
pub fn refused_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    addr
}

/// Elapsed time for the assertions on "returns quickly".
pub struct Stopwatch(std::time::Instant);

impl Stopwatch {
    // Tests measure wall time; the clock rule is about library code.
    #[allow(clippy::disallowed_methods)]
    pub fn start() -> Self {
        Stopwatch(std::time::Instant::now())
    }

    pub fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
}

/// A listener whose accept queue is full, so a further connection attempt gets no answer to its
/// SYN (Linux drops it) and hangs until the connect timeout. Keep the returned value alive.
#[cfg(target_os = "linux")]
pub fn unanswering_addr() -> (
    SocketAddr,
    Vec<std::net::TcpStream>,
    tokio::net::TcpListener,
) {
    let _guard = server_runtime().enter();
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.bind("127.0.0.1:0".parse().unwrap()).expect("bind");
    let listener = socket.listen(1).expect("listen");
    let addr = listener.local_addr().expect("addr");
    let mut fillers = Vec::new();
    for _ in 0..8 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(stream) => fillers.push(stream),
            Err(_) => break, // the queue is full
        }
    }
    (addr, fillers, listener)
}
