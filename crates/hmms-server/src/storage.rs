//! Where files live: a folder under the data directory by default, or an S3-compatible bucket
//! (`storage_url = "s3://bucket?region=…&endpoint=…"`). With S3 the server can also sign URLs
//! so that clients upload straight to the bucket and the server only records what arrived.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as StorePath;
use object_store::signer::Signer;

use crate::config::{Config, S3Url};

/// The file store and, with S3, its URL signer.
#[derive(Clone)]
pub struct Storage {
    pub store: Arc<dyn ObjectStore>,
    /// Present only for S3 storage.
    pub signer: Option<Arc<dyn Signer>>,
}

/// How long a pre-signed upload URL stays valid.
pub const UPLOAD_URL_TTL: Duration = Duration::from_secs(15 * 60);

impl Storage {
    /// Opens the configured storage.
    pub fn open(config: &Config) -> anyhow::Result<Self> {
        match &config.storage_url {
            None => {
                let dir = config.data_dir.join("files");
                std::fs::create_dir_all(&dir)?;
                let local = object_store::local::LocalFileSystem::new_with_prefix(dir)
                    .context("opening the files folder")?;
                Ok(Self {
                    store: Arc::new(local),
                    signer: None,
                })
            }
            Some(url) => {
                let s3 = S3Url::parse(url)?;
                let mut b = AmazonS3Builder::from_env()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region);
                if let Some(e) = &s3.endpoint {
                    b = b
                        .with_endpoint(e)
                        .with_allow_http(e.starts_with("http://"))
                        .with_virtual_hosted_style_request(false);
                }
                if let Some(k) = &config.storage_access_key_id {
                    b = b.with_access_key_id(k);
                }
                if let Some(k) = &config.storage_secret_access_key {
                    b = b.with_secret_access_key(k);
                }
                let store = Arc::new(b.build().context("configuring S3 storage")?);
                Ok(Self {
                    store: store.clone(),
                    signer: Some(store),
                })
            }
        }
    }

    /// A URL the client may `PUT` the file's bytes to, or `None` for local storage.
    pub async fn upload_url(&self, key: &str) -> anyhow::Result<Option<object_store::signer::Url>> {
        let Some(signer) = &self.signer else {
            return Ok(None);
        };
        let url = signer
            .signed_url(http::Method::PUT, &StorePath::from(key), UPLOAD_URL_TTL)
            .await?;
        Ok(Some(url))
    }
}
