//! Reading files named by a user's path: [`read_key_file`] for every loader of a PEM key (the
//! CLI's `--private-key` and `--public-key`, the client's `WXBRAND_*_KEY_PATH`, the simulator's
//! key files) and [`read_bounded_file`], the same reader with the caller's size cap, for any other
//! file (a CA certificate, a body file, a stocks file).
//!
//! A key file is a small regular file. Anything else is refused before it is read, with an error
//! that says what was found: a FIFO would block the reader forever, a device such as `/dev/zero`
//! would never end, a directory cannot be read. A regular file is read with a bound, so a file that
//! grows while it is read cannot take more than [`MAX_KEY_FILE_SIZE`] + 1 bytes of memory.

use std::fs::{File, Metadata};
use std::io::{self, Read as _};
use std::path::Path;

use crate::{PrivateKey, PublicKey};

/// The largest key file read, in bytes (64 KiB). A PEM RSA key of 8192 bits is about 6.5 KB; a
/// certificate chain kept beside the key fits many times over.
pub const MAX_KEY_FILE_SIZE: u64 = 64 * 1024;

/// Reads the key file at `path`: a regular file (symbolic links are followed) of at most
/// [`MAX_KEY_FILE_SIZE`] bytes.
///
/// # Errors
/// The I/O error of opening or reading it, or an error of kind
/// [`InvalidInput`](io::ErrorKind::InvalidInput) when the path is not a regular file (a
/// directory, a FIFO, a device, a socket) or [`FileTooLarge`](io::ErrorKind::FileTooLarge) when
/// it holds more than [`MAX_KEY_FILE_SIZE`] bytes; their text says what was found and what to give.
///
/// ```
/// let error = wxbrand_sign::read_key_file(std::path::Path::new("/dev/null")).unwrap_err();
/// assert!(error.to_string().contains("not a regular file"));
/// ```
pub fn read_key_file(path: &Path) -> io::Result<Vec<u8>> {
    read_regular_file(path, MAX_KEY_FILE_SIZE, &KEY_FILE)
}

/// Reads the file at `path` with a bound: a regular file (symbolic links are followed) of at most
/// `max_size` bytes; the one reader of every other file a user names by path (a CA certificate, a
/// body file, a stocks file), as [`read_key_file`] is for keys.
///
/// Nothing else is read: a FIFO would block the reader forever, a device such as `/dev/zero`
/// would never end; a file that grows while it is read takes at most `max_size` + 1 bytes of
/// memory.
///
/// # Errors
/// The I/O error of opening or reading it, or an error of kind
/// [`InvalidInput`](io::ErrorKind::InvalidInput) when the path is not a regular file or
/// [`FileTooLarge`](io::ErrorKind::FileTooLarge) when it holds more than `max_size` bytes; their
/// text says what was found and the limit.
///
/// ```
/// let error = wxbrand_sign::read_bounded_file(std::path::Path::new("/dev/zero"), 1024).unwrap_err();
/// assert!(error.to_string().contains("not a regular file"));
/// ```
pub fn read_bounded_file(path: &Path, max_size: u64) -> io::Result<Vec<u8>> {
    read_regular_file(path, max_size, &ANY_FILE)
}

/// How the errors of a bounded read describe the file expected.
struct Expected {
    /// What to give instead, after "not a regular file: ".
    give: &'static str,
    /// What the file normally weighs, after "the file is larger than N bytes".
    usual: &'static str,
}

const KEY_FILE: Expected = Expected {
    give: "give the path of the PEM key file itself",
    usual: ", far more than a PEM key (a few KB): give the path of the PEM key file itself",
};

const ANY_FILE: Expected = Expected {
    give: "give the path of the file itself",
    usual: ", the limit for this file",
};

fn read_regular_file(path: &Path, max_size: u64, expected: &Expected) -> io::Result<Vec<u8>> {
    // Checked before opening: opening a FIFO for reading blocks until a writer appears.
    check_regular(&std::fs::metadata(path)?, max_size, expected)?;
    let file = File::open(path)?;
    // Checked again on what was opened, in case the path changed in between.
    let metadata = file.metadata()?;
    check_regular(&metadata, max_size, expected)?;
    let capacity = usize::try_from(metadata.len().min(max_size)).unwrap_or(0);
    let mut contents = Vec::with_capacity(capacity);
    file.take(max_size.saturating_add(1))
        .read_to_end(&mut contents)?;
    if contents.len() as u64 > max_size {
        return Err(too_large(max_size, expected));
    }
    Ok(contents)
}

impl PrivateKey {
    /// Reads a private key file with [`read_key_file`] and parses it with [`PrivateKey::from_pem`].
    ///
    /// # Errors
    /// [`KeyFileError::Read`] when the file cannot be read or is not a small regular file,
    /// [`KeyFileError::Key`] when its contents are not a usable private key.
    pub fn from_pem_file(path: &Path) -> Result<Self, KeyFileError> {
        let pem = read_key_file(path).map_err(KeyFileError::Read)?;
        PrivateKey::from_pem(&pem).map_err(KeyFileError::Key)
    }
}

impl PublicKey {
    /// Reads a public key file with [`read_key_file`] and parses it with [`PublicKey::from_pem`].
    ///
    /// # Errors
    /// As [`PrivateKey::from_pem_file`].
    pub fn from_pem_file(path: &Path) -> Result<Self, KeyFileError> {
        let pem = read_key_file(path).map_err(KeyFileError::Read)?;
        PublicKey::from_pem(&pem).map_err(KeyFileError::Key)
    }
}

/// Why a key file could not be loaded: it could not be read, or it holds no usable key.
///
/// `Display` says which; the details are the [`source`](std::error::Error::source).
#[derive(Debug)]
#[non_exhaustive]
pub enum KeyFileError {
    /// The file could not be read, or is not a regular file of at most [`MAX_KEY_FILE_SIZE`] bytes.
    Read(io::Error),
    /// The contents are not a usable key.
    Key(crate::KeyError),
}

impl std::fmt::Display for KeyFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyFileError::Read(_) => f.write_str("cannot read the key file"),
            KeyFileError::Key(_) => f.write_str("the key file holds no usable key"),
        }
    }
}

impl std::error::Error for KeyFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            KeyFileError::Read(e) => Some(e),
            KeyFileError::Key(e) => Some(e),
        }
    }
}

fn check_regular(metadata: &Metadata, max_size: u64, expected: &Expected) -> io::Result<()> {
    if metadata.is_file() {
        return if metadata.len() > max_size {
            Err(too_large(max_size, expected))
        } else {
            Ok(())
        };
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{} is not a regular file: {}",
            file_type_name(metadata),
            expected.give
        ),
    ))
}

fn too_large(max_size: u64, expected: &Expected) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("the file is larger than {max_size} bytes{}", expected.usual),
    )
}

/// What the path names, for the error: "a directory", "a FIFO (named pipe)", …
fn file_type_name(metadata: &Metadata) -> &'static str {
    let file_type = metadata.file_type();
    if file_type.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "the path"
}
