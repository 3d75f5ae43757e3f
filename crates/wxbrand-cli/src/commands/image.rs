//! `wxbrand image upload FILE`: uploads a JPG, PNG or BMP image (at most 2 MB) and prints the
//! answer with its `image_url` (settings, exit codes and output as for `wxbrand stock`).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use wxbrand_product_coupon::{UploadImageRequest, MAX_IMAGE_BYTES};

use crate::cli::ConnectionArgs;
use crate::commands::send::{built, send_and_print};
use crate::config;
use crate::exit::Failure;

const IMAGE_UPLOAD_EXAMPLES: &str = "\
The answer's image_url goes into a coupon's display_info (image_url, background_url,
detail_image_url_list).

Example:
  wxbrand image upload coupon.png";

/// Read a little past the 2 MB limit, so that a too-large image is refused by the SDK's own
/// check (with its message) rather than cut off by the reader.
const MAX_IMAGE_FILE_SIZE: u64 = MAX_IMAGE_BYTES as u64 + 1024;

/// `wxbrand image …`.
#[derive(Debug, Args)]
pub struct ImageArgs {
    /// The image operation.
    #[command(subcommand)]
    pub command: ImageCommand,
}

/// The image operations.
#[derive(Debug, Subcommand)]
pub enum ImageCommand {
    /// Upload a JPG, PNG or BMP image (at most 2 MB) and print its URL.
    #[command(after_help = IMAGE_UPLOAD_EXAMPLES)]
    Upload(ImageUploadArgs),
}

/// `wxbrand image upload`.
#[derive(Debug, Args)]
pub struct ImageUploadArgs {
    /// The image file (.jpg, .jpeg, .png or .bmp; its name is sent as the file name).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Client settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Runs one image operation.
pub fn run(args: &ImageArgs) -> Result<(), Failure> {
    match &args.command {
        ImageCommand::Upload(args) => {
            let bytes = config::read_file(&args.file, "image file", MAX_IMAGE_FILE_SIZE)?;
            let name = args
                .file
                .file_name()
                .and_then(|name| name.to_str())
                .ok_or_else(|| {
                    Failure::usage(format!(
                        "the image file {} has no file name in UTF-8",
                        args.file.display()
                    ))
                })?;
            let sha256 = wxbrand_sign::sha256(&bytes);
            let request = built(UploadImageRequest::new(name, bytes, sha256))?;
            send_and_print(&args.connection, request, None)
        }
    }
}
