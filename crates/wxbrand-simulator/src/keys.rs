//! Keys the simulator generates at start: WeChat Pay's key pair and, on request, a brand's.

use std::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use base64::Engine as _;
use wxbrand_sign::{PrivateKey, PublicKey};

use crate::error::{SimulatorError, SimulatorErrorKind};

/// A freshly generated RSA-2048 private key with its PKCS#8 PEM text.
pub(crate) struct GeneratedKey {
    pub(crate) key: PrivateKey,
    pub(crate) pem: String,
}

/// Generates an RSA-2048 key pair (aws-lc-rs) and loads it as a [`PrivateKey`].
pub(crate) fn generate_rsa_2048() -> Result<GeneratedKey, SimulatorError> {
    let pair = KeyPair::generate(KeySize::Rsa2048)
        .map_err(|_| SimulatorError::new(SimulatorErrorKind::Key, "RSA key generation failed"))?;
    let der = pair.as_der().map_err(|_| {
        SimulatorError::new(SimulatorErrorKind::Key, "encoding the generated key failed")
    })?;
    let key = PrivateKey::from_der(der.as_ref()).map_err(|e| {
        SimulatorError::with_source(
            SimulatorErrorKind::Key,
            "loading the generated key failed",
            e,
        )
    })?;
    let pem = pem_encode("PRIVATE KEY", der.as_ref());
    Ok(GeneratedKey { key, pem })
}

/// PEM armour: Base64 in lines of 64 characters between BEGIN/END lines.
pub(crate) fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// `n` random bytes from aws-lc-rs's secure random (zeros if it fails, which it does not in practice).
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    let _ = aws_lc_rs::rand::fill(&mut buf);
    buf
}

/// A WeChat Pay public key id: `PUB_KEY_ID_` and 32 random digits.
pub(crate) fn generate_public_key_id() -> String {
    let bytes: [u8; 32] = random_bytes();
    let digits: String = bytes.iter().map(|b| char::from(b'0' + b % 10)).collect();
    format!("PUB_KEY_ID_{digits}")
}

/// A certificate serial number: 40 upper-case hex characters.
pub(crate) fn generate_serial_no() -> String {
    let bytes: [u8; 20] = random_bytes();
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// A brand whose key pair the simulator generated at start ([`SimulatorBuilder::ephemeral_brand`]).
///
/// It carries the brand's **private** key so that a client in the same process can be configured
/// against the simulator with no files at all. `Debug` never prints the key.
///
/// [`SimulatorBuilder::ephemeral_brand`]: crate::SimulatorBuilder::ephemeral_brand
#[derive(Clone)]
pub struct EphemeralBrand {
    pub(crate) brand_id: String,
    pub(crate) serial_no: String,
    pub(crate) private_key: PrivateKey,
    pub(crate) private_key_pem: String,
}

impl fmt::Debug for EphemeralBrand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EphemeralBrand")
            .field("brand_id", &self.brand_id)
            .field("serial_no", &self.serial_no)
            .finish_non_exhaustive()
    }
}

impl EphemeralBrand {
    /// The brand id.
    pub fn brand_id(&self) -> &str {
        &self.brand_id
    }
    /// The serial number registered for the key (40 hex characters).
    pub fn serial_no(&self) -> &str {
        &self.serial_no
    }
    /// The brand's private key, to sign requests with.
    pub fn private_key(&self) -> &PrivateKey {
        &self.private_key
    }
    /// The brand's private key as PKCS#8 PEM (`BEGIN PRIVATE KEY`).
    pub fn private_key_pem(&self) -> &str {
        &self.private_key_pem
    }
    /// The brand's public key, as the simulator holds it.
    pub fn public_key(&self) -> PublicKey {
        self.private_key.public_key()
    }
}
