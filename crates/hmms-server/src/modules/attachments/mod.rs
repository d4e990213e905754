//! Files attached to work orders: photos (with thumbnails), documents and signatures. The type
//! is judged by the file's bytes; files live in object storage (a local folder by default).

pub mod routes;
pub mod service;
