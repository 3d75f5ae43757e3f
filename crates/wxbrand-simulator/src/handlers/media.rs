//! Images: upload one (`multipart/form-data`; the signature covers the `meta` part).

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use wxbrand_core::field::Text;

use crate::answer::{errno, Answer};
use crate::body_rules::CoreBody;
use crate::handlers::Call;
use crate::multipart::Broken;
use crate::reason;

/// The largest image WeChat Pay takes (2 MB).
pub(crate) const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;
/// The largest upload body read: the image, its `meta` and the multipart framing.
pub(crate) const MAX_UPLOAD_BODY_BYTES: usize = MAX_IMAGE_BYTES + 16 * 1024;

/// The `meta` part: the file's name and the hex SHA-256 of its bytes.
///
/// Local until core declares the image operation; its body type then replaces this one.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImageMeta {
    filename: Text<1, 128>,
    sha256: Text<64, 64>,
}

impl CoreBody for ImageMeta {}

/// The answer to a multipart body that cannot be read.
pub(crate) fn broken_upload(broken: Broken) -> Answer {
    match broken {
        Broken::ContentType => Answer::invalid_request(
            reason::BAD_CONTENT_TYPE,
            "Content-Type must be multipart/form-data with a boundary",
        ),
        Broken::Body(issue) => Answer::param_error("body", "", issue, "body", errno::PARAM_INVALID),
    }
}

/// Whether the bytes start as a JPG, PNG or BMP image.
fn is_image(file: &[u8]) -> bool {
    file.starts_with(b"\xFF\xD8\xFF")
        || file.starts_with(b"\x89PNG\r\n\x1A\n")
        || file.starts_with(b"BM")
}

/// `POST …/media/upload-image`: checks the file against `meta` and answers its URL (the same
/// URL for the same bytes).
pub(crate) fn upload_image(call: &Call<'_>, meta: ImageMeta) -> Answer {
    let file = call.file;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, file);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    if !meta.sha256.as_str().eq_ignore_ascii_case(&hex) {
        return Answer::param_error(
            "sha256",
            meta.sha256.as_str(),
            "not the SHA-256 of the file part",
            "body",
            errno::PARAM_INVALID,
        );
    }
    if file.is_empty() || file.len() > MAX_IMAGE_BYTES {
        return Answer::param_error(
            "file",
            "",
            "the image must be 1 byte to 2 MB",
            "body",
            errno::PARAM_OUT_OF_RANGE,
        );
    }
    if !is_image(file) {
        return Answer::param_error(
            "file",
            "",
            "not a JPG, PNG or BMP image",
            "body",
            errno::PARAM_INVALID,
        );
    }
    let answer = serde_json::json!({
        "image_url": format!("https://wxpaylogo.qpic.cn/wxpaylogo/simulator/{hex}"),
    });
    match serde_json::to_vec(&answer) {
        Ok(body) => Answer::ok(Bytes::from(body)),
        Err(_) => Answer::system_error(),
    }
}
