//! What the write commands of the product-coupon family share: a body read from `--body-file`
//! (JSON, checked by the SDK's own request types), a request number given or generated, and one
//! generic send-and-print over any operation (the SDK's declarations).

use std::path::Path;

use wxbrand_core::Operation;
use wxbrand_sign::generate_nonce;

use crate::cli::ConnectionArgs;
use crate::commands::stock::{fresh_out_request_no, validation_failure, with_client};
use crate::config;
use crate::exit::{Failure, FailureKind};
use crate::{clock, output};

/// Decodes the JSON body of `--body-file` into the SDK's body type `T` (a usage failure, exit 2,
/// names the file and where the JSON breaks).
pub(crate) fn body_from_file<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, Failure> {
    let bytes = config::read_file(path, "body file (--body-file)", config::MAX_BODY_FILE_SIZE)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Failure::usage(format!(
            "invalid --body-file {}: {}",
            path.display(),
            output::untrusted(&e.to_string(), 300)
        ))
    })
}

/// The `--out-request-no` given, or a fresh one, printed on stderr so the call can be retried.
pub(crate) fn out_request_no(given: Option<&str>) -> String {
    match given {
        Some(given) => given.to_string(),
        None => {
            let generated = fresh_out_request_no(clock::now_unix_seconds(), &generate_nonce());
            output::note(&format!(
                "out_request_no: {generated} (to retry, pass --out-request-no {generated})"
            ));
            generated
        }
    }
}

/// A request the SDK refused to build: exit 2, nothing sent.
pub(crate) fn built<O>(request: Result<O, wxbrand_core::ValidationError>) -> Result<O, Failure> {
    request.map_err(|e| validation_failure(&e))
}

/// Sends `request` with the client of `connection` and prints the answer as `wxbrand stock get`
/// does. For a repeat-safe write, a failure notes the request number to retry with.
pub(crate) fn send_and_print<O>(
    connection: &ConnectionArgs,
    request: O,
    request_no: Option<&str>,
) -> Result<(), Failure>
where
    O: Operation + Send + Sync + 'static,
    O::Response: serde::Serialize + Send + 'static,
{
    let result = with_client(
        connection,
        |client| async move { client.send(&request).await },
    );
    match result {
        Ok(response) => output::stock(response.value(), connection.output),
        Err(failure) => {
            if let Some(no) = request_no.filter(|_| O::REPEAT_SAFE) {
                if matches!(failure.kind(), FailureKind::Transport | FailureKind::Api) {
                    output::note(&format!(
                        "to retry safely (WeChat Pay acts once per request number): --out-request-no {no}"
                    ));
                }
            } else if !O::REPEAT_SAFE && failure.kind() == FailureKind::Transport {
                output::note(
                    "this request carries no request number and may have reached WeChat Pay: \
                     check the result (e.g. `wxbrand stock stores list`) before sending it again",
                );
            }
            Err(failure)
        }
    }
}
