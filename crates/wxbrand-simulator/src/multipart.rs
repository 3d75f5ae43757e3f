//! `multipart/form-data` bodies of the image upload: the `meta` part (the JSON the request's
//! signature covers) and the `file` part.

/// The parts of an image upload, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Upload {
    /// The `meta` part's bytes, exactly as received (what the signature covers).
    pub(crate) meta: Vec<u8>,
    /// The `file` part's bytes.
    pub(crate) file: Vec<u8>,
}

/// Why a multipart body cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Broken {
    /// `Content-Type` is not `multipart/form-data` with a `boundary`.
    ContentType,
    /// The body does not follow its boundary, or lacks the `meta` or `file` part.
    Body(&'static str),
}

/// The boundary of a `multipart/form-data` content type.
fn boundary(content_type: &str) -> Option<&str> {
    let mut items = content_type.split(';');
    let media = items.next()?.trim();
    if !media.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    items.find_map(|item| {
        let (name, value) = item.trim().split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        (!value.is_empty() && value.len() <= 70).then_some(value)
    })
}

/// Where `needle` first occurs in `haystack` at or after `from`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// The `name` of a part's `Content-Disposition: form-data; name="…"` header.
fn part_name(headers: &str) -> Option<&str> {
    headers.split("\r\n").find_map(|line| {
        let (header, value) = line.split_once(':')?;
        if !header.trim().eq_ignore_ascii_case("content-disposition") {
            return None;
        }
        value.split(';').find_map(|item| {
            let (k, v) = item.trim().split_once('=')?;
            (k.trim() == "name").then(|| v.trim().trim_matches('"'))
        })
    })
}

/// Splits a body into its `meta` and `file` parts (each once).
pub(crate) fn parse(content_type: &str, body: &[u8]) -> Result<Upload, Broken> {
    let boundary = boundary(content_type).ok_or(Broken::ContentType)?;
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let not_multipart = Broken::Body("the body does not follow its multipart boundary");
    let mut at = find(body, delimiter, 0).ok_or(not_multipart)? + delimiter.len();
    let (mut meta, mut file) = (None, None);
    loop {
        if body.get(at..at + 2) == Some(b"--") {
            break;
        }
        if body.get(at..at + 2) != Some(b"\r\n") {
            return Err(not_multipart);
        }
        let head_start = at + 2;
        let head_end = find(body, b"\r\n\r\n", head_start).ok_or(not_multipart)?;
        let headers = std::str::from_utf8(body.get(head_start..head_end).ok_or(not_multipart)?)
            .map_err(|_| not_multipart)?;
        let content_start = head_end + 4;
        let mut closing = b"\r\n".to_vec();
        closing.extend_from_slice(delimiter);
        let content_end = find(body, &closing, content_start).ok_or(not_multipart)?;
        let content = body.get(content_start..content_end).ok_or(not_multipart)?;
        let slot = match part_name(headers) {
            Some("meta") => &mut meta,
            Some("file") => &mut file,
            _ => return Err(Broken::Body("a part other than meta and file")),
        };
        if slot.replace(content.to_vec()).is_some() {
            return Err(Broken::Body("a part given twice"));
        }
        at = content_end + closing.len();
    }
    Ok(Upload {
        meta: meta.ok_or(Broken::Body("no meta part"))?,
        file: file.ok_or(Broken::Body("no file part"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, content) in parts {
            out.extend_from_slice(b"--XyZ\r\n");
            out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            );
            out.extend_from_slice(content);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"--XyZ--\r\n");
        out
    }

    #[test]
    fn reads_meta_and_file() {
        let ct = "multipart/form-data; boundary=XyZ";
        let upload = parse(
            ct,
            &body(&[("meta", b"{\"a\":1}"), ("file", b"\x89PNG\r\n")]),
        )
        .unwrap();
        assert_eq!(upload.meta, b"{\"a\":1}");
        assert_eq!(upload.file, b"\x89PNG\r\n");
        assert_eq!(parse("application/json", b"{}"), Err(Broken::ContentType));
        assert!(matches!(
            parse(ct, &body(&[("meta", b"{}")])),
            Err(Broken::Body(_))
        ));
        assert!(matches!(
            parse(
                ct,
                &body(&[("meta", b"{}"), ("meta", b"{}"), ("file", b"x")])
            ),
            Err(Broken::Body(_))
        ));
        assert!(matches!(parse(ct, b"garbage"), Err(Broken::Body(_))));
        assert_eq!(
            boundary("multipart/form-data; boundary=\"a b\""),
            Some("a b")
        );
    }
}
