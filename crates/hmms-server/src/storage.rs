//! Where files live: a folder under the data directory by default, or an S3-compatible bucket
//! (`storage_url = "s3://bucket?region=…&endpoint=…"`). With S3 the server can also sign URLs
//! so that clients upload straight to the bucket and the server only records what arrived.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as StorePath;
use object_store::signer::Signer;

use crate::config::Config;

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

/// `s3://bucket?region=eu-west-1&endpoint=http://127.0.0.1:9000`
#[derive(Debug, Clone, PartialEq)]
pub struct S3Url {
    pub bucket: String,
    pub region: String,
    pub endpoint: Option<String>,
}

impl S3Url {
    pub fn parse(raw: &str) -> anyhow::Result<Self> {
        let url = object_store::signer::Url::parse(raw).context("storage_url is not a URL")?;
        if url.scheme() != "s3" {
            bail!("storage_url must look like s3://bucket?region=…&endpoint=…");
        }
        let bucket = url.host_str().unwrap_or_default().to_string();
        if bucket.is_empty() {
            bail!("storage_url names no bucket (s3://bucket)");
        }
        if !matches!(url.path(), "" | "/") {
            bail!("storage_url must name a bucket only, without a path");
        }
        let mut region = "us-east-1".to_string();
        let mut endpoint = None;
        for (k, v) in url.query_pairs() {
            match k.as_ref() {
                "region" => region = v.into_owned(),
                "endpoint" => endpoint = Some(v.into_owned()),
                other => bail!("storage_url: unknown parameter `{other}` (use region, endpoint)"),
            }
        }
        Ok(Self {
            bucket,
            region,
            endpoint,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::S3Url;

    #[test]
    fn s3_urls_name_a_bucket_and_optional_endpoint() {
        let u = S3Url::parse("s3://hmms-files?region=af-south-1&endpoint=http://10.0.0.5:9000")
            .unwrap();
        assert_eq!(u.bucket, "hmms-files");
        assert_eq!(u.region, "af-south-1");
        assert_eq!(u.endpoint.as_deref(), Some("http://10.0.0.5:9000"));
        assert_eq!(S3Url::parse("s3://b").unwrap().region, "us-east-1");
        for bad in ["http://b", "s3://", "s3://b/prefix", "s3://b?acl=public"] {
            assert!(S3Url::parse(bad).is_err(), "{bad}");
        }
    }
}
