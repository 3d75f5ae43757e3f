//! Key files are read by one bounded reader that refuses what is not a small regular file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use wxbrand_sign::{read_key_file, KeyFileError, PrivateKey, PublicKey, MAX_KEY_FILE_SIZE};

fn keys() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/vectors/keys")
}

fn scratch(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "wxbrand-sign-key-file-{label}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `read_key_file` on another thread and fails the test if it has not returned within 10 s
/// (a FIFO read the old way blocks forever).
fn read_with_deadline(path: &Path) -> std::io::Result<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    let path = path.to_owned();
    std::thread::spawn(move || {
        let _ = tx.send(read_key_file(&path));
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("read_key_file did not return: it blocked on the path")
}

#[test]
fn real_key_files_load() {
    let private = PrivateKey::from_pem_file(&keys().join("brand_private_key.pem")).unwrap();
    let public = PublicKey::from_pem_file(&keys().join("brand_public_key.pem")).unwrap();
    assert_eq!(private.public_key().to_der(), public.to_der());
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_at_once() {
    let dir = scratch("fifo");
    let fifo = dir.join("key.pem");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let error = read_with_deadline(&fifo).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(error.to_string().contains("FIFO"), "{error}");
    assert!(error.to_string().contains("not a regular file"), "{error}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn dev_zero_is_refused_without_reading_it() {
    let error = read_with_deadline(Path::new("/dev/zero")).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(error.to_string().contains("character device"), "{error}");
}

#[test]
fn an_oversized_file_is_refused() {
    let dir = scratch("big");
    let big = dir.join("big.pem");
    std::fs::write(&big, vec![b'A'; MAX_KEY_FILE_SIZE as usize + 1]).unwrap();
    let error = read_key_file(&big).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::FileTooLarge);
    assert!(error.to_string().contains("65536 bytes"), "{error}");
    // Exactly the limit is read.
    let fits = dir.join("fits.pem");
    std::fs::write(&fits, vec![b'A'; MAX_KEY_FILE_SIZE as usize]).unwrap();
    assert_eq!(
        read_key_file(&fits).unwrap().len(),
        MAX_KEY_FILE_SIZE as usize
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_directory_is_refused() {
    let error = read_key_file(&keys()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(error.to_string().contains("a directory"), "{error}");
    match PrivateKey::from_pem_file(&keys()) {
        Err(KeyFileError::Read(e)) => assert_eq!(e.kind(), ErrorKind::InvalidInput),
        other => panic!("expected a read error, got {other:?}"),
    }
}

#[test]
fn a_file_with_no_key_is_a_key_error() {
    match PrivateKey::from_pem_file(&keys().join("brand_public_key.pem")) {
        Err(error @ KeyFileError::Key(_)) => {
            assert!(std::error::Error::source(&error).is_some());
        }
        other => panic!("expected a key error, got {other:?}"),
    }
}

#[test]
fn the_bounded_reader_keeps_to_the_callers_cap_and_refuses_what_is_not_a_regular_file() {
    let dir = scratch("bounded");
    let file = dir.join("body.json");
    std::fs::write(&file, vec![b'x'; 100]).unwrap();
    assert_eq!(
        wxbrand_sign::read_bounded_file(&file, 100).unwrap().len(),
        100
    );
    let error = wxbrand_sign::read_bounded_file(&file, 99).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::FileTooLarge);
    assert!(
        error.to_string().contains("larger than 99 bytes"),
        "{error}"
    );
    let error = wxbrand_sign::read_bounded_file(&dir, 1 << 20).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(
        error
            .to_string()
            .contains("a directory is not a regular file"),
        "{error}"
    );
    #[cfg(unix)]
    {
        let error = wxbrand_sign::read_bounded_file(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert!(error.to_string().contains("character device"), "{error}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
