//! Files attached to work orders: photos (with thumbnails), documents and signatures. The type
//! is judged by the file's bytes; files live in object storage (a local folder by default, or an S3-compatible bucket that
//! clients upload to directly with pre-signed URLs).

mod direct;
pub mod routes;
mod service;

pub use routes::{UploadForm, read_upload};
pub use service::{AttachmentDto, AttachmentKind, Owner, Upload, dto, prepare, prepare_in, record};
