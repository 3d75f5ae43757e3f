//! HTTPS: a certificate the simulator makes for itself (signed by a CA it also makes), or one given.

use std::fmt;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::error::{SimulatorError, SimulatorErrorKind};

/// A server identity given by the user: certificate chain and key, both PEM.
#[derive(Clone)]
pub(crate) struct GivenIdentity {
    pub(crate) chain_pem: String,
    pub(crate) key_pem: String,
    pub(crate) ca_pem: Option<String>,
}

impl fmt::Debug for GivenIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GivenIdentity")
            .field("ca_pem", &self.ca_pem.is_some())
            .finish_non_exhaustive()
    }
}

/// What the server needs to speak TLS, and the CA a client must trust.
pub(crate) struct TlsSetup {
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) ca_pem: Option<String>,
}

fn tls_error(what: &str, source: impl std::error::Error + Send + Sync + 'static) -> SimulatorError {
    SimulatorError::with_source(SimulatorErrorKind::Tls, what, source)
}

/// Generates a CA and a server certificate for `localhost` and `127.0.0.1` (and `::1`) signed by it.
pub(crate) fn generate() -> Result<TlsSetup, SimulatorError> {
    let ca_key =
        rcgen::KeyPair::generate().map_err(|e| tls_error("generating the CA key failed", e))?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new())
        .map_err(|e| tls_error("CA parameters", e))?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "wxbrand-simulator test CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params
        .self_signed(&ca_key)
        .map_err(|e| tls_error("signing the CA failed", e))?;

    let leaf_key =
        rcgen::KeyPair::generate().map_err(|e| tls_error("generating the server key failed", e))?;
    let mut leaf_params = rcgen::CertificateParams::new(vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ])
    .map_err(|e| tls_error("server certificate parameters", e))?;
    leaf_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    leaf_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_cert = leaf_params
        .signed_by(&leaf_key, &ca_cert, &ca_key)
        .map_err(|e| tls_error("signing the server certificate failed", e))?;

    let chain = vec![leaf_cert.der().clone(), ca_cert.der().clone()];
    let key = PrivateKeyDer::try_from(leaf_key.serialize_der())
        .map_err(|_| SimulatorError::new(SimulatorErrorKind::Tls, "server key encoding"))?;
    let acceptor = acceptor(chain, key)?;
    Ok(TlsSetup {
        acceptor,
        ca_pem: Some(ca_cert.pem()),
    })
}

/// Loads a given certificate chain and key.
pub(crate) fn from_given(given: &GivenIdentity) -> Result<TlsSetup, SimulatorError> {
    let chain = CertificateDer::pem_slice_iter(given.chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_error("reading the certificate chain PEM failed", e))?;
    if chain.is_empty() {
        return Err(SimulatorError::new(
            SimulatorErrorKind::Tls,
            "the certificate chain PEM holds no certificate",
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(given.key_pem.as_bytes())
        .map_err(|e| tls_error("reading the server key PEM failed", e))?;
    let acceptor = acceptor(chain, key)?;
    Ok(TlsSetup {
        acceptor,
        ca_pem: given.ca_pem.clone(),
    })
}

fn acceptor(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<TlsAcceptor, SimulatorError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error("TLS protocol versions", e))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| tls_error("the certificate and key do not make a TLS identity", e))?;
    // HTTP/1.1 only: a client offering h2 falls back to it.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
