//! What a client needs to talk to a running simulator, as plain data.

use std::fmt;

use wxbrand_sign::{PrivateKey, PublicKey};

/// Everything a client needs to call a running simulator as its ephemeral brand
/// ([`SimulatorHandle::connection`](crate::SimulatorHandle::connection)): the brand's id, serial
/// number and private key, the WeChat Pay public key with its id, the base URL and (over TLS) the
/// CA to trust.
///
/// Plain data built from `wxbrand-sign` types, so that the simulator stays independent of the
/// client; `wxbrand::test_util::client_builder` (facade, feature `test-util`) turns it into a
/// configured `ClientBuilder`. `Debug` never prints the private key.
#[derive(Clone)]
#[non_exhaustive]
pub struct Connection {
    /// The brand id (`Wechatpay-Serial`'s brand in the `Authorization` header).
    pub brand_id: String,
    /// The serial number of the brand's certificate (40 hex characters).
    pub serial_no: String,
    /// The brand's private key, to sign requests with.
    pub private_key: PrivateKey,
    /// The WeChat Pay public key id (`PUB_KEY_ID_…`).
    pub wechatpay_public_key_id: String,
    /// The WeChat Pay public key that verifies the answers.
    pub wechatpay_public_key: PublicKey,
    /// `http://127.0.0.1:<port>` or `https://127.0.0.1:<port>`.
    pub base_url: String,
    /// The PEM of the CA that signed the server certificate (`None` for plain HTTP).
    pub ca_certificate_pem: Option<String>,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("brand_id", &self.brand_id)
            .field("serial_no", &self.serial_no)
            .field("wechatpay_public_key_id", &self.wechatpay_public_key_id)
            .field("base_url", &self.base_url)
            .field("tls", &self.ca_certificate_pem.is_some())
            .finish_non_exhaustive()
    }
}
