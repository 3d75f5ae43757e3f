//! Error types: one per operation, each variant saying what to check or fix.

use std::fmt;

/// How many characters of a value received from the network (a `Wechatpay-Serial`, an `algorithm`)
/// an error keeps; `Display` escapes them, so they cannot flood or drive a terminal or log.
pub const RECEIVED_PREFIX_CHARS: usize = 64;

/// At most [`RECEIVED_PREFIX_CHARS`] characters of `received` (invalid UTF-8 replaced by `�`),
/// with `…` appended when cut.
pub(crate) fn received_prefix(received: &[u8]) -> String {
    let text = String::from_utf8_lossy(received);
    let mut prefix: String = text.chars().take(RECEIVED_PREFIX_CHARS).collect();
    if prefix.len() < text.len() {
        prefix.push('…');
    }
    prefix
}

/// A key that could not be loaded. The message says what was found and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The input is empty (or only whitespace): the file was probably not read, or the path is wrong.
    Empty,
    /// The input is neither PEM nor a DER structure this crate knows.
    Unrecognized {
        /// What kind of key was expected (`"private key"` or `"public key"`).
        expected: &'static str,
    },
    /// The PEM text is damaged (a missing `END` line, invalid Base64 between the lines).
    MalformedPem {
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A PEM section this crate does not read (an encrypted key, an OpenSSH key, a certificate
    /// request, …). The message's advice depends on the label and on the kind of key expected.
    UnsupportedPemSection {
        /// The label after `BEGIN`, e.g. `ENCRYPTED PRIVATE KEY` (at most 64 characters).
        label: String,
        /// What kind of key was expected (`"private key"` or `"public key"`).
        expected: &'static str,
    },
    /// A certificate was given where the brand private key belongs.
    CertificateInsteadOfPrivateKey,
    /// A public key was given where the brand private key belongs.
    PublicKeyInsteadOfPrivateKey,
    /// A private key was given where a public key belongs.
    PrivateKeyInsteadOfPublicKey,
    /// A certificate was given where the WeChat Pay public key belongs.
    CertificateInsteadOfPublicKey,
    /// The key is not an RSA key (for example an EC or Ed25519 key).
    NotRsa,
    /// The RSA key is shorter than 2048 bits.
    RsaKeyTooSmall,
    /// The RSA key is longer than 8192 bits.
    RsaKeyTooLarge,
    /// The structure looked like a key of the right kind but its contents are invalid.
    InvalidKey {
        /// What kind of key was expected (`"private key"` or `"public key"`).
        expected: &'static str,
    },
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str(
                "the key input is empty: check that the key file path is right and that the file was read",
            ),
            Self::Unrecognized { expected } => write!(
                f,
                "the input is not a PEM or DER {expected}: pass the contents of the key file \
                 (PEM text starting with -----BEGIN ...-----), not its path or another file"
            ),
            Self::MalformedPem { problem } => write!(
                f,
                "the PEM text is damaged ({problem}): copy the key file again without editing or re-wrapping it"
            ),
            Self::UnsupportedPemSection { label, expected } => write!(
                f,
                "a \"{}\" PEM section was given where a {expected} belongs: {}",
                label.escape_debug(),
                unsupported_section_advice(label, expected)
            ),
            Self::CertificateInsteadOfPrivateKey => f.write_str(
                "a certificate was given where the brand private key belongs: use apiclient_key.pem \
                 (BEGIN PRIVATE KEY), not apiclient_cert.pem",
            ),
            Self::PublicKeyInsteadOfPrivateKey => f.write_str(
                "a public key was given where the brand private key belongs: use the brand API private key \
                 file apiclient_key.pem (BEGIN PRIVATE KEY)",
            ),
            Self::PrivateKeyInsteadOfPublicKey => f.write_str(
                "a private key was given where a public key belongs: use the WeChat Pay public key file \
                 (BEGIN PUBLIC KEY) downloaded from the merchant platform, never a private key",
            ),
            Self::CertificateInsteadOfPublicKey => f.write_str(
                "a certificate was given where a public key belongs: extract its public key \
                 (openssl x509 -in cert.pem -pubkey -noout) or use the WeChat Pay public key file \
                 (BEGIN PUBLIC KEY)",
            ),
            Self::NotRsa => f.write_str(
                "the key is not an RSA key (EC, Ed25519, …): the brand API uses RSA-2048 keys only; \
                 use the RSA key file the merchant platform issued",
            ),
            Self::RsaKeyTooSmall => f.write_str(
                "the RSA key is shorter than 2048 bits: the brand API requires RSA-2048; use the key \
                 the merchant platform issued or generate a 2048-bit one",
            ),
            Self::RsaKeyTooLarge => f.write_str(
                "the RSA key is longer than 8192 bits: the brand API uses RSA-2048 keys",
            ),
            Self::InvalidKey { expected } => write!(
                f,
                "the {expected} is structurally invalid (corrupted or truncated): copy the key file again"
            ),
        }
    }
}
impl std::error::Error for KeyError {}

/// What to do about a PEM section of `label` given where an `expected` key belongs.
fn unsupported_section_advice(label: &str, expected: &str) -> &'static str {
    let public = expected == "public key";
    match label {
        _ if public && label.contains("PRIVATE KEY") => {
            "that is a private key; use the WeChat Pay public key file (BEGIN PUBLIC KEY) downloaded \
             from the merchant platform, never a private key"
        }
        "CERTIFICATE REQUEST" if public => {
            "a certificate signing request is not the WeChat Pay public key; use the WeChat Pay public \
             key file (BEGIN PUBLIC KEY) downloaded from the merchant platform"
        }
        "CERTIFICATE REQUEST" => {
            "a certificate signing request holds no private key; use the private key it was made \
             from, apiclient_key.pem (BEGIN PRIVATE KEY)"
        }
        "ENCRYPTED PRIVATE KEY" => {
            "the key is password-protected; decrypt it once: \
             openssl pkcs8 -in key.pem -nocrypt -topk8 -out plain.pem"
        }
        "OPENSSH PRIVATE KEY" => {
            "an OpenSSH key is not a WeChat Pay key; use the brand API private key file \
             apiclient_key.pem (BEGIN PRIVATE KEY), or if this is that RSA key saved by ssh-keygen, \
             convert it (in place): ssh-keygen -p -m PKCS8 -f key"
        }
        _ if public => {
            "give the WeChat Pay public key as SPKI (BEGIN PUBLIC KEY) or PKCS#1 (BEGIN RSA PUBLIC KEY)"
        }
        _ => {
            "give an unencrypted PKCS#8 (BEGIN PRIVATE KEY) or PKCS#1 (BEGIN RSA PRIVATE KEY) \
             private key"
        }
    }
}

/// Signing failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignError {
    /// An input would make the header or the signed message ambiguous or invalid.
    InvalidInput {
        /// Which input: `method` or `path_and_query`.
        field: &'static str,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// The brand id, serial number or nonce cannot be a parameter of the `Authorization` header.
    HeaderParam(crate::HeaderParamError),
    /// The cryptographic library refused to sign (should not happen with a loaded key).
    Crypto,
    /// The random source failed.
    Random,
}
impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidInput { field, rule } => write!(f, "cannot sign: {field} {rule}"),
            // What is wrong with the value is the source's text.
            Self::HeaderParam(e) => write!(
                f,
                "cannot sign: {} cannot be a parameter of the Authorization header",
                e.field()
            ),
            Self::Crypto => f.write_str(
                "the RSA signing operation failed; check that the private key is intact",
            ),
            Self::Random => f.write_str("the system random source failed"),
        }
    }
}
impl std::error::Error for SignError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::HeaderParam(e) => Some(e),
            Self::InvalidInput { .. } | Self::Crypto | Self::Random => None,
        }
    }
}

/// What kind of [`VerifyError`] it is, for matching without the details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerifyErrorKind {
    /// See [`VerifyError::MissingHeader`].
    MissingHeader,
    /// See [`VerifyError::MalformedHeader`].
    MalformedHeader,
    /// See [`VerifyError::UnknownKeyId`].
    UnknownKeyId,
    /// See [`VerifyError::TimestampOutOfWindow`].
    TimestampOutOfWindow,
    /// See [`VerifyError::BadSignature`].
    BadSignature,
}

/// An answer or notification that failed verification. Never decode a body that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// A required header is absent.
    MissingHeader(&'static str),
    /// A header is present but not of the expected form.
    MalformedHeader(&'static str),
    /// `Wechatpay-Serial` names no key this verifier holds (a serial mismatch).
    UnknownKeyId {
        /// The ids held.
        expected: Vec<String>,
        /// The id received: at most [`RECEIVED_PREFIX_CHARS`] characters, `…` appended when cut.
        received: String,
    },
    /// The timestamp is outside the window.
    TimestampOutOfWindow {
        /// The answer's timestamp.
        server: i64,
        /// The local time given.
        local: i64,
    },
    /// The signature does not verify (includes `WECHATPAY/SIGNTEST/` probes and malformed Base64).
    BadSignature,
}

impl VerifyError {
    /// The kind, without details.
    pub fn kind(&self) -> VerifyErrorKind {
        match self {
            Self::MissingHeader(_) => VerifyErrorKind::MissingHeader,
            Self::MalformedHeader(_) => VerifyErrorKind::MalformedHeader,
            Self::UnknownKeyId { .. } => VerifyErrorKind::UnknownKeyId,
            Self::TimestampOutOfWindow { .. } => VerifyErrorKind::TimestampOutOfWindow,
            Self::BadSignature => VerifyErrorKind::BadSignature,
        }
    }

    /// The header concerned, for a missing or malformed header.
    pub fn header_name(&self) -> Option<&'static str> {
        match self {
            Self::MissingHeader(name) | Self::MalformedHeader(name) => Some(name),
            _ => None,
        }
    }

    /// The key id received (at most [`RECEIVED_PREFIX_CHARS`] characters), for an unknown key id.
    pub fn received_key_id(&self) -> Option<&str> {
        match self {
            Self::UnknownKeyId { received, .. } => Some(received),
            _ => None,
        }
    }

    /// The clock skew `server - local` in seconds, for a timestamp outside the window.
    pub fn skew_seconds(&self) -> Option<i64> {
        match self {
            Self::TimestampOutOfWindow { server, local } => Some(server.saturating_sub(*local)),
            _ => None,
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingHeader(name) => write!(
                f,
                "the answer has no {name} header: it did not come from WeChat Pay, or a proxy stripped the header"
            ),
            Self::MalformedHeader(name) => write!(
                f,
                "the {name} header is malformed: the answer did not come from WeChat Pay, or a proxy altered it"
            ),
            Self::UnknownKeyId { expected, received } => write!(
                f,
                "Wechatpay-Serial is \"{}\" but the configured WeChat Pay public key id is {}: \
                 check the public key id (PUB_KEY_ID_...) in your configuration, or add the new key if \
                 WeChat Pay rotated it",
                received.escape_debug(),
                expected.join(" or ")
            ),
            Self::TimestampOutOfWindow { server, local } => write!(
                f,
                "Wechatpay-Timestamp {server} is {} s away from the local time {local}: check the local \
                 clock (NTP), or this is a replayed answer",
                server.abs_diff(*local)
            ),
            Self::BadSignature => f.write_str(
                "the Wechatpay-Signature does not verify: check that the configured WeChat Pay public key \
                 matches its id; the body may have been altered (WeChat Pay also sends deliberate \
                 WECHATPAY/SIGNTEST/ probes, which must fail like this)",
            ),
        }
    }
}
impl std::error::Error for VerifyError {}

/// A notification that could not be verified or decrypted.
#[derive(Debug)]
#[non_exhaustive]
pub enum NotificationError {
    /// The headers and body failed verification: answer non-2xx so WeChat Pay retries.
    Verification(VerifyError),
    /// The API key given is not 32 bytes.
    ApiKeyLength {
        /// The length given, in bytes.
        len: usize,
    },
    /// The body is not a notification envelope.
    MalformedEnvelope(JsonError),
    /// `resource.algorithm` is not `AEAD_AES_256_GCM`.
    UnsupportedAlgorithm {
        /// The algorithm named: at most [`RECEIVED_PREFIX_CHARS`] characters, `…` appended when cut.
        algorithm: String,
    },
    /// A field of `resource` cannot be used (ciphertext not Base64, nonce not 12 bytes).
    MalformedResource {
        /// The field: `ciphertext` or `nonce`.
        field: &'static str,
    },
    /// Decryption failed: the API key is wrong, or the ciphertext, nonce or associated data were altered.
    DecryptFailed,
    /// The decrypted resource is not UTF-8 text.
    PlaintextNotUtf8,
    /// The decrypted resource is not the JSON the caller asked for.
    PlaintextJson(JsonError),
}

impl fmt::Display for NotificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Verification(_) => f.write_str(
                "the notification failed signature verification; answer with a non-2xx status so WeChat Pay retries",
            ),
            Self::ApiKeyLength { len } => write!(
                f,
                "the brand API key is {len} bytes but must be exactly 32: copy the API key (品牌API密钥) \
                 from the merchant platform as is"
            ),
            Self::MalformedEnvelope(_) => f.write_str("the notification body is not a notification envelope"),
            Self::UnsupportedAlgorithm { algorithm } => write!(
                f,
                "resource.algorithm is \"{}\"; only AEAD_AES_256_GCM is supported",
                algorithm.escape_debug()
            ),
            Self::MalformedResource { field } => write!(f, "resource.{field} cannot be used (invalid Base64 or length)"),
            Self::DecryptFailed => f.write_str(
                "the resource did not decrypt: check that the brand API key (品牌API密钥) is the current one; \
                 otherwise the ciphertext was altered",
            ),
            Self::PlaintextNotUtf8 => f.write_str("the decrypted resource is not UTF-8 text"),
            Self::PlaintextJson(_) => f.write_str("the decrypted resource does not decode into the requested type"),
        }
    }
}

impl std::error::Error for NotificationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Verification(e) => Some(e),
            Self::MalformedEnvelope(e) | Self::PlaintextJson(e) => Some(e),
            _ => None,
        }
    }
}

impl From<VerifyError> for NotificationError {
    fn from(e: VerifyError) -> Self {
        Self::Verification(e)
    }
}

/// A JSON decoding failure: its position and category only. serde_json's own message is dropped,
/// because it quotes values from the text (which may be a decrypted notification).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    line: usize,
    column: usize,
    category: &'static str,
}

impl JsonError {
    /// The position and category of a serde_json error, dropping its message (which may quote
    /// the text).
    pub fn new(e: &serde_json::Error) -> Self {
        use serde_json::error::Category;
        JsonError {
            line: e.line(),
            column: e.column(),
            category: match e.classify() {
                Category::Io => "I/O error",
                Category::Syntax => "syntax error (not valid JSON)",
                Category::Data => "data error (valid JSON of the wrong shape or type)",
                Category::Eof => "unexpected end of input",
            },
        }
    }
    /// The line (1-based) where decoding failed.
    pub fn line(&self) -> usize {
        self.line
    }
    /// The column (1-based) where decoding failed.
    pub fn column(&self) -> usize {
        self.column
    }
    /// What went wrong, e.g. `syntax error (not valid JSON)`.
    pub fn category(&self) -> &'static str {
        self.category
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "JSON {} at line {} column {}",
            self.category, self.line, self.column
        )
    }
}
impl std::error::Error for JsonError {}

/// A sensitive field that could not be encrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncryptError {
    /// The plaintext is longer than RSA-OAEP with this key allows.
    PlaintextTooLong {
        /// The plaintext length, bytes.
        len: usize,
        /// The most this key can encrypt, bytes.
        max: usize,
    },
    /// The cryptographic library refused to encrypt.
    Crypto,
}
impl fmt::Display for EncryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PlaintextTooLong { len, max } => {
                write!(f, "the sensitive field is {len} bytes; RSA-OAEP with this key takes at most {max}")
            }
            Self::Crypto => f.write_str("RSA-OAEP encryption failed"),
        }
    }
}
impl std::error::Error for EncryptError {}
