//! Reading key files: the one reader used by every loader of a PEM file named by a path (the
//! CLI's `--private-key` and `--public-key`, the client's `WXBRAND_*_KEY_PATH`).
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
    // Checked before opening: opening a FIFO for reading blocks until a writer appears.
    check_regular(&std::fs::metadata(path)?)?;
    let file = File::open(path)?;
    // Checked again on what was opened, in case the path changed in between.
    let metadata = file.metadata()?;
    check_regular(&metadata)?;
    let expected = usize::try_from(metadata.len().min(MAX_KEY_FILE_SIZE)).unwrap_or(0);
    let mut contents = Vec::with_capacity(expected);
    file.take(MAX_KEY_FILE_SIZE + 1)
        .read_to_end(&mut contents)?;
    if contents.len() as u64 > MAX_KEY_FILE_SIZE {
        return Err(too_large());
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

fn check_regular(metadata: &Metadata) -> io::Result<()> {
    if metadata.is_file() {
        return if metadata.len() > MAX_KEY_FILE_SIZE {
            Err(too_large())
        } else {
            Ok(())
        };
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{} is not a regular file: give the path of the PEM key file itself",
            file_type_name(metadata)
        ),
    ))
}

fn too_large() -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!(
            "the file is larger than {MAX_KEY_FILE_SIZE} bytes, far more than a PEM key (a few \
             KB): give the path of the PEM key file itself"
        ),
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
