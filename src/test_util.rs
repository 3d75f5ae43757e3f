//! A client wired to a running simulator (feature `test-util`): the one place that turns a
//! [`wxbrand_simulator::Connection`] into client settings, for examples and test suites.

use wxbrand_client::ClientBuilder;
pub use wxbrand_simulator::Connection;

/// A [`ClientBuilder`] configured to call the simulator of `connection` as its brand: brand id,
/// serial number and private key, the WeChat Pay public key, the base URL without a backup host,
/// and (over TLS) the simulator's CA as an extra trusted root.
///
/// Add what a test needs (clock, sleeper, retry policy, transport) and build:
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let sim = wxbrand_simulator::Simulator::ephemeral().tls(true).start().await?;
/// let connection = sim.connection().ok_or("the simulator made no brand")?;
/// let client = wxbrand::test_util::client_builder(&connection).build()?;
/// # drop(client);
/// # Ok(())
/// # }
/// ```
pub fn client_builder(connection: &Connection) -> ClientBuilder {
    let builder = ClientBuilder::new()
        .brand_id(connection.brand_id.as_str())
        .serial_no(connection.serial_no.as_str())
        .private_key(connection.private_key.clone())
        .wechatpay_public_key(
            connection.wechatpay_public_key_id.as_str(),
            connection.wechatpay_public_key.clone(),
        )
        .base_url(connection.base_url.as_str())
        .without_backup();
    match &connection.ca_certificate_pem {
        Some(ca) => builder.add_root_certificate_pem(ca.as_bytes()),
        None => builder,
    }
}
