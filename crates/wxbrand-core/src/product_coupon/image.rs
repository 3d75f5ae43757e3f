//! Image upload (上传图片, #30): `POST /brand/marketing/product-coupon/media/upload-image`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{ValidationError, ValidationRule};
use crate::field::Text;
use crate::operation::{FilePart, Method, Operation};

use super::stock::ExtraFields;

/// The largest image WeChat Pay takes: 2 MB.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;

/// The `meta` part of an image upload: the file name and the hex SHA-256 of the file. It is the
/// JSON the request's signature covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UploadImageMeta {
    /// The file name (1 to 128 characters, ending `.jpg`, `.jpeg`, `.png` or `.bmp`).
    pub filename: Text<1, 128>,
    /// The lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
}

/// Upload an image (上传图片) for `image_url`, `background_url` and the detail images of coupons:
/// `POST /brand/marketing/product-coupon/media/upload-image`, a `multipart/form-data` body whose
/// `meta` part (the signed bytes) names the file and its SHA-256.
///
/// Repeat-safe: it carries no request number, but it changes no coupon, stock or budget; a second
/// delivery at worst stores the same image again under a URL nothing references until a coupon
/// names it, so the client may retry it.
///
/// Checked when built: the bytes are not empty, at most 2 MB ([`MAX_IMAGE_BYTES`]), and a JPG,
/// PNG or BMP by their first bytes; the name is 1 to 128 characters without `"`, `\`, CR or LF.
/// The SHA-256 is the caller's (this crate has no cryptography): `wxbrand_sign::sha256(&bytes)`.
///
/// ```
/// use wxbrand_core::product_coupon::UploadImageRequest;
/// # let sha256 = [0u8; 32];
/// let png = b"\x89PNG\r\n\x1a\n....".to_vec();
/// let request = UploadImageRequest::new("coupon.png", png, sha256)?;
/// # Ok::<(), wxbrand_core::ValidationError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct UploadImageRequest {
    meta: UploadImageMeta,
    content_type: &'static str,
    bytes: Vec<u8>,
}

impl fmt::Debug for UploadImageRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The file as its part shows it: name, type and size, not the bytes.
        f.debug_struct("UploadImageRequest")
            .field("meta", &self.meta)
            .field("file", &self.file())
            .finish()
    }
}

/// The media type of an image by its first bytes (JPG, PNG or BMP), as WeChat Pay takes them.
fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\xFF\xD8\xFF") {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1A\n") {
        Some("image/png")
    } else if bytes.starts_with(b"BM") {
        Some("image/bmp")
    } else {
        None
    }
}

/// Whether a file name's extension fits the media type.
fn extension_fits(file_name: &str, content_type: &str) -> bool {
    let Some((_, extension)) = file_name.rsplit_once('.') else {
        return false;
    };
    let extension = extension.to_ascii_lowercase();
    matches!(
        (extension.as_str(), content_type),
        ("jpg" | "jpeg", "image/jpeg") | ("png", "image/png") | ("bmp", "image/bmp")
    )
}

impl UploadImageRequest {
    /// An upload of `bytes` named `file_name`, whose SHA-256 is `sha256`
    /// (`wxbrand_sign::sha256(&bytes)`).
    pub fn new(file_name: &str, bytes: Vec<u8>, sha256: [u8; 32]) -> Result<Self, ValidationError> {
        let filename = Text::<1, 128>::new(file_name).map_err(|e| e.within("filename"))?;
        if let Some((index, character)) = file_name
            .chars()
            .enumerate()
            .find(|&(_, c)| matches!(c, '"' | '\\' | '\r' | '\n'))
        {
            return Err(ValidationError::new(
                "filename",
                ValidationRule::ForbiddenCharacter { character, index },
                file_name,
            ));
        }
        if bytes.is_empty() {
            return Err(ValidationError::new("file", ValidationRule::Empty, ""));
        }
        if bytes.len() > MAX_IMAGE_BYTES {
            return Err(ValidationError::new(
                "file",
                ValidationRule::OutOfRange {
                    min: 1,
                    max: MAX_IMAGE_BYTES as i64,
                    actual: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
                },
                "",
            )
            .with_requirement("an image of at most 2 MB"));
        }
        let Some(content_type) = image_type(&bytes) else {
            return Err(ValidationError::new("file", ValidationRule::NotAllowed, "")
                .with_requirement("a JPG, PNG or BMP image (its first bytes say which)"));
        };
        if !extension_fits(file_name, content_type) {
            return Err(
                ValidationError::new("filename", ValidationRule::NotAllowed, file_name)
                    .with_requirement(format!(
                        "an extension fitting the file's type ({content_type}): .jpg, .jpeg, .png or .bmp"
                    )),
            );
        }
        let sha256 = sha256.iter().map(|b| format!("{b:02x}")).collect();
        Ok(UploadImageRequest {
            meta: UploadImageMeta { filename, sha256 },
            content_type,
            bytes,
        })
    }

    /// The `meta` part (file name and SHA-256).
    pub fn meta(&self) -> &UploadImageMeta {
        &self.meta
    }

    /// The image's media type, from its first bytes.
    pub fn content_type(&self) -> &'static str {
        self.content_type
    }

    /// The image's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl Operation for UploadImageRequest {
    const NAME: &'static str = "upload_image";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/brand/marketing/product-coupon/media/upload-image";
    const REPEAT_SAFE: bool = true;
    type Body = UploadImageMeta;
    type Response = UploadImageResponse;

    fn body(&self) -> Option<&UploadImageMeta> {
        Some(&self.meta)
    }

    fn file(&self) -> Option<FilePart<'_>> {
        Some(FilePart::new(
            self.meta.filename.as_str(),
            self.content_type,
            &self.bytes,
        ))
    }
}

/// The answer of an image upload: the URL to put in `image_url`, `background_url` or the detail
/// images of a coupon.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UploadImageResponse {
    /// The image's URL.
    #[serde(default)]
    pub image_url: String,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::operation::BodyKind;

    const PNG: &[u8] = b"\x89PNG\r\n\x1A\nimage bytes";

    #[test]
    fn the_signed_bytes_are_the_meta_json_inside_a_multipart_body() {
        let request = UploadImageRequest::new("coupon.png", PNG.to_vec(), [0xab; 32]).unwrap();
        let prepared = request.prepare().unwrap();
        assert_eq!(
            prepared.path_and_query(),
            "/brand/marketing/product-coupon/media/upload-image"
        );
        assert!(prepared.is_repeat_safe());
        let meta = format!(
            r#"{{"filename":"coupon.png","sha256":"{}"}}"#,
            "ab".repeat(32)
        );
        assert_eq!(prepared.signed_body(), meta.as_bytes());
        let BodyKind::Multipart { content_type, .. } = prepared.kind() else {
            panic!("not multipart: {:?}", prepared.kind());
        };
        let boundary = "wxbrand-0000000000000000";
        assert_eq!(
            content_type,
            &format!("multipart/form-data; boundary={boundary}")
        );
        let mut expected = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"meta\"\r\n\
             Content-Type: application/json\r\n\r\n{meta}\r\n--{boundary}\r\n\
             Content-Disposition: form-data; name=\"file\"; filename=\"coupon.png\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .into_bytes();
        expected.extend_from_slice(PNG);
        expected.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        assert_eq!(prepared.body().unwrap(), &expected[..]);
    }

    #[test]
    fn the_boundary_never_occurs_in_the_file() {
        let mut png = PNG.to_vec();
        png.extend_from_slice(b"wxbrand-0000000000000000 wxbrand-0000000000000001");
        let request = UploadImageRequest::new("coupon.png", png, [0; 32]).unwrap();
        let prepared = request.prepare().unwrap();
        let BodyKind::Multipart { content_type, .. } = prepared.kind() else {
            panic!("not multipart");
        };
        assert!(content_type.ends_with("boundary=wxbrand-0000000000000002"));
    }

    #[test]
    fn json_bodies_stay_json_and_are_signed_whole() {
        let request =
            crate::product_coupon::DeactivateStockRequest::new("1", "2", "deact_0001", "r")
                .unwrap()
                .prepare()
                .unwrap();
        assert_eq!(request.kind(), &BodyKind::Json);
        assert_eq!(Some(request.signed_body()), request.body());
    }

    #[test]
    fn bad_files_and_names_are_refused() {
        let refuse = |name: &str, bytes: &[u8]| {
            UploadImageRequest::new(name, bytes.to_vec(), [0; 32])
                .unwrap_err()
                .field()
                .to_string()
        };
        assert_eq!(refuse("a.png", b""), "file");
        assert_eq!(refuse("a.png", b"GIF89a"), "file");
        assert_eq!(refuse("a.bmp", PNG), "filename");
        assert_eq!(refuse("", PNG), "filename");
        assert_eq!(refuse("a\".png", PNG), "filename");
        assert_eq!(refuse("noextension", PNG), "filename");
        let mut big = PNG.to_vec();
        big.resize(MAX_IMAGE_BYTES + 1, 0);
        assert_eq!(refuse("a.png", &big), "file");
        big.truncate(MAX_IMAGE_BYTES);
        assert!(UploadImageRequest::new("A.PNG", big, [0; 32]).is_ok());
        assert!(UploadImageRequest::new("a.jpeg", b"\xFF\xD8\xFFx".to_vec(), [0; 32]).is_ok());
        assert!(UploadImageRequest::new("a.bmp", b"BMxx".to_vec(), [0; 32]).is_ok());
        let debug = format!(
            "{:?}",
            UploadImageRequest::new("a.png", PNG.to_vec(), [0; 32])
        );
        assert!(
            debug.contains("19 bytes") && !debug.contains("image bytes"),
            "{debug}"
        );
    }
}
