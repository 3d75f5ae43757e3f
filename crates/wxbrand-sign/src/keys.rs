//! RSA keys: loading (PEM or DER, with errors that say what to fix), signing, verifying, OAEP encryption.

use std::sync::Arc;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{OaepPublicEncryptingKey, PublicEncryptingKey, OAEP_SHA1_MGF1SHA1};
use aws_lc_rs::signature::{self, KeyPair as _, ParsedPublicKey, RsaKeyPair};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rustls_pki_types::pem::{self, PemObject as _, SectionKind};

use crate::{EncryptError, KeyError, SignError};

/// The largest RSA modulus aws-lc-rs accepts (8192 bits), in bytes: the size of stack buffers for signatures.
pub(crate) const MAX_SIGNATURE_LEN: usize = 1024;

/// An RSA private key (a brand API key, or in the simulator WeChat Pay's). Cheap to clone.
#[derive(Clone)]
pub struct PrivateKey {
    inner: Arc<PrivateInner>,
}

struct PrivateInner {
    key_pair: RsaKeyPair,
    public: PublicKey,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("bits", &(self.inner.key_pair.public_modulus_len() * 8))
            .finish_non_exhaustive()
    }
}

impl PrivateKey {
    /// From PEM: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`).
    ///
    /// A file holding a certificate and the key together is accepted (the key is used).
    ///
    /// # Errors
    /// A [`KeyError`] saying what was given instead (a certificate, a public key, an EC key, a short
    /// RSA key, damaged PEM, an empty input, …) and what to use.
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        let sections = read_pem(pem, "private key")?;
        let sections = match sections {
            PemInput::Der(der) => return Self::from_der(der),
            PemInput::Sections(sections) => sections,
        };
        if let Some((_, der)) = sections
            .iter()
            .find(|(kind, _)| matches!(kind, SectionKind::PrivateKey | SectionKind::RsaPrivateKey))
        {
            return Self::from_der(der);
        }
        Err(match sections.first() {
            Some((SectionKind::Certificate, _)) => KeyError::CertificateInsteadOfPrivateKey,
            Some((SectionKind::PublicKey, _)) => KeyError::PublicKeyInsteadOfPrivateKey,
            Some((SectionKind::EcPrivateKey, _)) => KeyError::NotRsa,
            Some((kind, _)) => KeyError::UnsupportedPemSection {
                label: section_label(kind),
                expected: "private key",
            },
            None => KeyError::Unrecognized {
                expected: "private key",
            },
        })
    }

    /// From DER: PKCS#8 or PKCS#1.
    ///
    /// # Errors
    /// As [`PrivateKey::from_pem`].
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        if der.is_empty() {
            return Err(KeyError::Empty);
        }
        let expected = "private key";
        let key_pair = match classify_der(der) {
            DerShape::PrivateKeyInfo => {
                RsaKeyPair::from_pkcs8(der).map_err(|e| rejected(&e, expected))?
            }
            DerShape::RsaPrivateKey => {
                RsaKeyPair::from_der(der).map_err(|e| rejected(&e, expected))?
            }
            DerShape::EcPrivateKey => return Err(KeyError::NotRsa),
            DerShape::Certificate => return Err(KeyError::CertificateInsteadOfPrivateKey),
            DerShape::SubjectPublicKeyInfo | DerShape::RsaPublicKey => {
                return Err(KeyError::PublicKeyInsteadOfPrivateKey)
            }
            DerShape::Unknown => return Err(KeyError::Unrecognized { expected }),
        };
        let spki = key_pair
            .public_key()
            .as_der()
            .map_err(|_| KeyError::InvalidKey { expected })?;
        let public = PublicKey::from_spki_der(spki.as_ref())?;
        Ok(Self {
            inner: Arc::new(PrivateInner { key_pair, public }),
        })
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        self.inner.public.clone()
    }

    /// The modulus length in bytes (256 for RSA-2048): the length of a signature.
    pub fn modulus_len(&self) -> usize {
        self.inner.key_pair.public_modulus_len()
    }

    /// RSASSA-PKCS1-v1_5 SHA-256 signature of `message`, standard Base64.
    ///
    /// # Errors
    /// [`SignError::Crypto`] if the cryptographic library refuses (not expected with a loaded key).
    pub fn sign_base64(&self, message: &[u8]) -> Result<String, SignError> {
        let mut out = String::with_capacity(base64_len(self.modulus_len()));
        self.sign_base64_into(message, &mut out)?;
        Ok(out)
    }

    /// Signs `message` and appends the Base64 signature to `out` (no intermediate allocation).
    pub(crate) fn sign_base64_into(
        &self,
        message: &[u8],
        out: &mut String,
    ) -> Result<(), SignError> {
        let mut buf = [0u8; MAX_SIGNATURE_LEN];
        let sig = buf
            .get_mut(..self.inner.key_pair.public_modulus_len())
            .ok_or(SignError::Crypto)?;
        // The PKCS#1 v1.5 padding is deterministic; aws-lc-rs ignores the random source for it.
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.inner
            .key_pair
            .sign(&signature::RSA_PKCS1_SHA256, &rng, message, sig)
            .map_err(|_| SignError::Crypto)?;
        STANDARD.encode_string(&*sig, out);
        Ok(())
    }
}

/// An RSA public key (WeChat Pay's, or in the simulator a brand's), parsed once. Cheap to clone.
#[derive(Clone)]
pub struct PublicKey {
    inner: Arc<PublicInner>,
}

struct PublicInner {
    spki_der: Vec<u8>,
    verifying: ParsedPublicKey,
    encrypting: OaepPublicEncryptingKey,
    bits: usize,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicKey")
            .field("bits", &self.inner.bits)
            .finish_non_exhaustive()
    }
}

impl PublicKey {
    /// From SPKI PEM (`BEGIN PUBLIC KEY`) or PKCS#1 PEM (`BEGIN RSA PUBLIC KEY`).
    ///
    /// # Errors
    /// A [`KeyError`] saying what was given instead (a private key, a certificate, a non-RSA or short
    /// key, damaged PEM, an empty input, …) and what to use.
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        let sections = match read_pem(pem, "public key")? {
            PemInput::Der(der) => return Self::from_der(der),
            PemInput::Sections(sections) => sections,
        };
        if let Some((_, der)) = sections
            .iter()
            .find(|(kind, _)| *kind == SectionKind::PublicKey)
        {
            return Self::from_der(der);
        }
        Err(match sections.first() {
            Some((SectionKind::Certificate, _)) => KeyError::CertificateInsteadOfPublicKey,
            Some((
                SectionKind::PrivateKey | SectionKind::RsaPrivateKey | SectionKind::EcPrivateKey,
                _,
            )) => KeyError::PrivateKeyInsteadOfPublicKey,
            Some((kind, _)) => KeyError::UnsupportedPemSection {
                label: section_label(kind),
                expected: "public key",
            },
            None => KeyError::Unrecognized {
                expected: "public key",
            },
        })
    }

    /// From SPKI DER or PKCS#1 `RSAPublicKey` DER.
    ///
    /// # Errors
    /// As [`PublicKey::from_pem`].
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        if der.is_empty() {
            return Err(KeyError::Empty);
        }
        match classify_der(der) {
            DerShape::SubjectPublicKeyInfo => Self::from_spki_der(der),
            DerShape::RsaPublicKey => Self::from_pkcs1_der(der),
            DerShape::PrivateKeyInfo | DerShape::RsaPrivateKey | DerShape::EcPrivateKey => {
                Err(KeyError::PrivateKeyInsteadOfPublicKey)
            }
            DerShape::Certificate => Err(KeyError::CertificateInsteadOfPublicKey),
            DerShape::Unknown => Err(KeyError::Unrecognized {
                expected: "public key",
            }),
        }
    }

    /// A PKCS#1 `RSAPublicKey`, re-encoded as SPKI (the form the key is kept and written in).
    fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        let expected = "public key";
        let key = aws_lc_rs::rsa::PublicKey::from_der(der).map_err(|e| rejected(&e, expected))?;
        let spki = key
            .as_der()
            .map_err(|_| KeyError::InvalidKey { expected })?;
        Self::from_spki_der(spki.as_ref())
    }

    fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let expected = "public key";
        let encrypting_key =
            PublicEncryptingKey::from_der(der).map_err(|e| rejected(&e, expected))?;
        let bits = encrypting_key.key_size_bits();
        let encrypting = OaepPublicEncryptingKey::new(encrypting_key)
            .map_err(|_| KeyError::InvalidKey { expected })?;
        let verifying = ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, der)
            .map_err(|e| rejected(&e, expected))?;
        Ok(Self {
            inner: Arc::new(PublicInner {
                spki_der: der.to_vec(),
                verifying,
                encrypting,
                bits,
            }),
        })
    }

    /// SPKI DER bytes (also for a key loaded from PKCS#1).
    pub fn to_der(&self) -> &[u8] {
        &self.inner.spki_der
    }

    /// SPKI PEM text (`BEGIN PUBLIC KEY`, 64-character lines).
    pub fn to_pem(&self) -> String {
        let b64 = STANDARD.encode(&self.inner.spki_der);
        let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 64);
        out.push_str("-----BEGIN PUBLIC KEY-----\n");
        let mut rest = b64.as_str();
        while !rest.is_empty() {
            let (line, tail) = rest.split_at(rest.len().min(64));
            out.push_str(line);
            out.push('\n');
            rest = tail;
        }
        out.push_str("-----END PUBLIC KEY-----\n");
        out
    }

    /// The key size in bits.
    pub fn bits(&self) -> usize {
        self.inner.bits
    }

    /// Whether `signature_base64` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `message`.
    /// Malformed Base64 is simply an invalid signature.
    pub fn verify_base64(&self, message: &[u8], signature_base64: &str) -> bool {
        let mut buf = [0u8; MAX_SIGNATURE_LEN];
        match STANDARD.decode_slice(signature_base64.as_bytes(), &mut buf) {
            Ok(len) => buf.get(..len).is_some_and(|sig| self.verify(message, sig)),
            Err(_) => false,
        }
    }

    /// Whether `signature` (raw bytes) is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.inner.verifying.verify_sig(message, signature).is_ok()
    }

    /// Encrypts `plaintext` with RSA-OAEP (SHA-1, MGF1-SHA-1), standard Base64 out: how the brand API
    /// wants sensitive fields (names, ID numbers) encrypted with the WeChat Pay public key.
    ///
    /// # Errors
    /// [`EncryptError::PlaintextTooLong`] beyond the key's limit (214 bytes for RSA-2048).
    pub fn encrypt_oaep_base64(&self, plaintext: &[u8]) -> Result<String, EncryptError> {
        let key = &self.inner.encrypting;
        let max = key.max_plaintext_size(&OAEP_SHA1_MGF1SHA1);
        if plaintext.len() > max {
            return Err(EncryptError::PlaintextTooLong {
                len: plaintext.len(),
                max,
            });
        }
        let mut buf = vec![0u8; key.ciphertext_size()];
        let ciphertext = key
            .encrypt(&OAEP_SHA1_MGF1SHA1, plaintext, &mut buf, None)
            .map_err(|_| EncryptError::Crypto)?;
        Ok(STANDARD.encode(ciphertext))
    }
}

/// Base64 length (with padding) of `n` bytes.
pub(crate) const fn base64_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}

fn rejected(e: &aws_lc_rs::error::KeyRejected, expected: &'static str) -> KeyError {
    match e.description_() {
        "WrongAlgorithm" => KeyError::NotRsa,
        "TooSmall" => KeyError::RsaKeyTooSmall,
        "TooLarge" => KeyError::RsaKeyTooLarge,
        _ => KeyError::InvalidKey { expected },
    }
}

enum PemInput<'a> {
    /// The input was DER after all.
    Der(&'a [u8]),
    Sections(Vec<(SectionKind, Vec<u8>)>),
}

/// Reads every PEM section the PEM parser knows; explains what is wrong otherwise.
fn read_pem<'a>(input: &'a [u8], expected: &'static str) -> Result<PemInput<'a>, KeyError> {
    if input.iter().all(u8::is_ascii_whitespace) {
        return Err(KeyError::Empty);
    }
    let has_begin = contains(input, b"-----BEGIN ");
    if !has_begin && input.first() == Some(&0x30) {
        return Ok(PemInput::Der(input));
    }
    // The PEM parser skips PKCS#1 public keys (`RSA PUBLIC KEY`); read them as `PUBLIC KEY` sections,
    // whose DER then tells the two forms apart.
    let relabelled = relabel_rsa_public_key(input);
    let mut sections = Vec::new();
    for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(relabelled.as_deref().unwrap_or(input))
    {
        match section {
            Ok(section) => sections.push(section),
            Err(e) => {
                return Err(KeyError::MalformedPem {
                    problem: pem_problem(&e),
                })
            }
        }
    }
    if sections.is_empty() {
        return Err(match first_label(input) {
            Some(label) => KeyError::UnsupportedPemSection { label, expected },
            None => KeyError::Unrecognized { expected },
        });
    }
    Ok(PemInput::Sections(sections))
}

/// `input` with `RSA PUBLIC KEY` BEGIN and END lines relabelled `PUBLIC KEY`; `None` when it has none.
fn relabel_rsa_public_key(input: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(input).ok()?;
    text.contains("-----BEGIN RSA PUBLIC KEY-----").then(|| {
        text.replace(
            "-----BEGIN RSA PUBLIC KEY-----",
            "-----BEGIN PUBLIC KEY-----",
        )
        .replace("-----END RSA PUBLIC KEY-----", "-----END PUBLIC KEY-----")
        .into_bytes()
    })
}

fn pem_problem(e: &pem::Error) -> &'static str {
    match e {
        pem::Error::MissingSectionEnd { .. } => "a section has no END line",
        pem::Error::IllegalSectionStart { .. } => "a BEGIN line is malformed",
        pem::Error::Base64Decode(_) => "the text between BEGIN and END is not valid Base64",
        pem::Error::SectionTooLarge => "a section is too large",
        _ => "unreadable PEM",
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The label of the first `-----BEGIN label-----` line, for error messages.
fn first_label(input: &[u8]) -> Option<String> {
    let start = input.windows(11).position(|w| w == b"-----BEGIN ")? + 11;
    let rest = input.get(start..)?;
    let end = rest.windows(5).position(|w| w == b"-----")?;
    let label = rest.get(..end)?;
    Some(String::from_utf8_lossy(label).chars().take(64).collect())
}

fn section_label(kind: &SectionKind) -> String {
    match kind {
        SectionKind::Certificate => "CERTIFICATE",
        SectionKind::PublicKey => "PUBLIC KEY",
        SectionKind::RsaPrivateKey => "RSA PRIVATE KEY",
        SectionKind::PrivateKey => "PRIVATE KEY",
        SectionKind::EcPrivateKey => "EC PRIVATE KEY",
        SectionKind::Crl => "X509 CRL",
        SectionKind::Csr => "CERTIFICATE REQUEST",
        _ => "(other)",
    }
    .to_owned()
}

/// What a DER structure looks like from its first elements; only used to explain errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DerShape {
    /// PKCS#8 `PrivateKeyInfo`: SEQUENCE { INTEGER version, SEQUENCE algorithm, OCTET STRING }.
    PrivateKeyInfo,
    /// PKCS#1 `RSAPrivateKey`: SEQUENCE { INTEGER 0, INTEGER n, … }.
    RsaPrivateKey,
    /// PKCS#1 `RSAPublicKey`: SEQUENCE { INTEGER n, INTEGER e }.
    RsaPublicKey,
    /// SEC 1 `ECPrivateKey`: SEQUENCE { INTEGER 1, OCTET STRING, … }.
    EcPrivateKey,
    /// `SubjectPublicKeyInfo`: SEQUENCE { SEQUENCE { OID, … }, BIT STRING }.
    SubjectPublicKeyInfo,
    /// X.509 `Certificate`: SEQUENCE { SEQUENCE tbs { [0] version | INTEGER serial, … }, … }.
    Certificate,
    Unknown,
}

const TAG_INTEGER: u8 = 0x02;
const TAG_BIT_STRING: u8 = 0x03;
const TAG_OCTET_STRING: u8 = 0x04;
const TAG_OID: u8 = 0x06;
const TAG_SEQUENCE: u8 = 0x30;
const TAG_EXPLICIT_0: u8 = 0xA0;

fn classify_der(der: &[u8]) -> DerShape {
    let Some((TAG_SEQUENCE, body, _)) = der_element(der) else {
        return DerShape::Unknown;
    };
    let Some((first_tag, first, rest)) = der_element(body) else {
        return DerShape::Unknown;
    };
    let second_tag = der_element(rest).map(|(tag, _, _)| tag);
    match (first_tag, second_tag) {
        (TAG_SEQUENCE, Some(TAG_BIT_STRING)) => match der_element(first) {
            Some((TAG_OID, _, _)) => DerShape::SubjectPublicKeyInfo,
            _ => DerShape::Unknown,
        },
        (TAG_SEQUENCE, Some(TAG_SEQUENCE)) => match der_element(first) {
            Some((TAG_EXPLICIT_0 | TAG_INTEGER, _, _)) => DerShape::Certificate,
            _ => DerShape::Unknown,
        },
        (TAG_INTEGER, Some(TAG_SEQUENCE)) => DerShape::PrivateKeyInfo,
        (TAG_INTEGER, Some(TAG_OCTET_STRING)) => DerShape::EcPrivateKey,
        (TAG_INTEGER, Some(TAG_INTEGER)) if first.len() <= 1 => DerShape::RsaPrivateKey,
        (TAG_INTEGER, Some(TAG_INTEGER)) => DerShape::RsaPublicKey,
        _ => DerShape::Unknown,
    }
}

/// One DER element: (tag, contents, what follows). `None` when truncated or not DER.
fn der_element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first_len, rest) = rest.split_first()?;
    let (len, rest) = if first_len < 0x80 {
        (usize::from(first_len), rest)
    } else {
        let count = usize::from(first_len & 0x7F);
        if count == 0 || count > 4 {
            return None;
        }
        let (len_bytes, rest) = (rest.get(..count)?, rest.get(count..)?);
        let len = len_bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, rest)
    };
    Some((tag, rest.get(..len)?, rest.get(len..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_element_rejects_truncation() {
        assert!(der_element(&[0x30, 0x05, 0x01]).is_none());
        assert!(der_element(&[0x30]).is_none());
        assert!(der_element(&[0x30, 0x85, 0, 0, 0, 0, 0]).is_none());
        assert_eq!(
            der_element(&[0x02, 0x01, 0x00, 0xFF]),
            Some((0x02, &[0u8][..], &[0xFFu8][..]))
        );
    }

    #[test]
    fn base64_lengths() {
        assert_eq!(base64_len(256), 344);
        assert_eq!(base64_len(0), 0);
        assert_eq!(base64_len(1), 4);
    }
}
