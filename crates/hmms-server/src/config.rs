//! Configuration: built-in defaults, then `hmms.toml`, then `HMMS_*` environment variables.
//! Secrets that are not configured are generated on first start and kept in the data folder.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD};
use rand::RngCore;
use serde::{Deserialize, Serialize};

/// The effective configuration of a running server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: String,
    /// Folder for the SQLite database, local files and generated secrets.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; defaults to `<data_dir>/hmms.db`.
    pub database_url: Option<String>,
    /// The address users reach this server at (for links and QR codes).
    pub public_url: Option<String>,
    /// HMAC key for access tokens. Generated and kept in `<data_dir>/secrets.toml` if unset.
    pub jwt_secret: Option<String>,
    /// Base64 of 32 bytes: encrypts second-factor secrets at rest. Generated like `jwt_secret`.
    pub data_key: Option<String>,
    /// Base64 of 32 bytes: keys the audit trail's hash chain, so a database writer cannot
    /// recompute it. Generated like `jwt_secret`; keep it with the secrets, not the database.
    pub audit_key: Option<String>,
    /// Web Push (VAPID) signing key: base64url of a 32-byte P-256 private key. Generated like
    /// `jwt_secret`; every server sharing a database needs the same one.
    pub vapid_private_key: Option<String>,
    /// Who push services may contact about this server's pushes: `mailto:…` or `https://…`.
    pub vapid_subject: Option<String>,
    pub access_token_ttl_secs: i64,
    /// How long a refresh token stays usable while unused; each refresh starts it again.
    pub refresh_token_ttl_secs: i64,
    /// How long one sign-in lasts at most, however often it is refreshed: then sign in again.
    pub session_max_age_secs: i64,
    /// Largest request body accepted by JSON endpoints.
    pub max_body_bytes: usize,
    /// Largest file accepted by uploads (photos, documents).
    pub max_upload_bytes: usize,
    /// Where files live. Unset: `<data_dir>/files`. `s3://bucket?region=…&endpoint=…` puts them
    /// in an S3-compatible bucket; clients then upload to pre-signed URLs.
    pub storage_url: Option<String>,
    /// S3 credentials; when unset, the standard `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`.
    pub storage_access_key_id: Option<String>,
    pub storage_secret_access_key: Option<String>,
    /// `pretty` for people, `json` for log collectors.
    pub log_format: String,
    /// Reverse proxies (addresses or CIDR blocks, e.g. `10.0.0.0/8`) whose `X-Forwarded-For`
    /// names the client. From anyone else the header is ignored: the peer address is the client
    /// for sign-in throttling, public-report limits and the audit trail.
    pub trusted_proxies: Vec<String>,
    /// Tests only: lets push subscriptions point at a push-service stand-in on this machine
    /// (plain `http://` to loopback). Off, pushes go only to `https://` hosts on the internet.
    pub push_allow_loopback: bool,
    /// Bearer token for `GET /metrics`. Unset: metrics answer only to this machine (loopback).
    pub metrics_token: Option<String>,
    /// SQLite only: `full` (default) puts every acknowledged commit on disk, so a power cut
    /// loses nothing; `normal` is faster but may lose the last commits on a power cut.
    pub sqlite_synchronous: String,
    /// argon2id memory cost in KiB and iterations (OWASP: 19 MiB, 2 passes).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            public_url: None,
            jwt_secret: None,
            data_key: None,
            audit_key: None,
            vapid_private_key: None,
            vapid_subject: None,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            session_max_age_secs: 30 * 24 * 3600,
            max_body_bytes: 1024 * 1024,
            max_upload_bytes: 20 * 1024 * 1024,
            storage_url: None,
            storage_access_key_id: None,
            storage_secret_access_key: None,
            log_format: "pretty".into(),
            sqlite_synchronous: "full".into(),
            trusted_proxies: vec![],
            metrics_token: None,
            push_allow_loopback: false,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
        }
    }
}

/// Environment variables read, each overriding the key of the same name in `hmms.toml`.
const ENV_KEYS: &[&str] = &[
    "LISTEN",
    "DATA_DIR",
    "DATABASE_URL",
    "PUBLIC_URL",
    "JWT_SECRET",
    "DATA_KEY",
    "AUDIT_KEY",
    "VAPID_PRIVATE_KEY",
    "VAPID_SUBJECT",
    "ACCESS_TOKEN_TTL_SECS",
    "REFRESH_TOKEN_TTL_SECS",
    "SESSION_MAX_AGE_SECS",
    "MAX_BODY_BYTES",
    "MAX_UPLOAD_BYTES",
    "SQLITE_SYNCHRONOUS",
    "METRICS_TOKEN",
    "TRUSTED_PROXIES",
    "STORAGE_URL",
    "STORAGE_ACCESS_KEY_ID",
    "STORAGE_SECRET_ACCESS_KEY",
    "LOG_FORMAT",
    "ARGON2_MEMORY_KIB",
    "ARGON2_ITERATIONS",
];

impl Config {
    /// Loads `path` (or `hmms.toml` in the working folder if it exists), then the environment.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let file = match path {
            Some(p) => Some(p.to_path_buf()),
            None => std::env::var_os("HMMS_CONFIG")
                .map(PathBuf::from)
                .or_else(|| {
                    Path::new("hmms.toml")
                        .exists()
                        .then(|| PathBuf::from("hmms.toml"))
                }),
        };
        let mut table = match &file {
            Some(f) => {
                let text = std::fs::read_to_string(f)
                    .with_context(|| format!("reading {}", f.display()))?;
                text.parse::<toml::Table>()
                    .with_context(|| format!("parsing {}", f.display()))?
            }
            None => toml::Table::new(),
        };
        for key in ENV_KEYS {
            if let Ok(v) = std::env::var(format!("HMMS_{key}")) {
                let k = key.to_lowercase();
                let value = match v.parse::<i64>() {
                    // A list: comma-separated.
                    _ if k == "trusted_proxies" => toml::Value::Array(
                        v.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(|s| toml::Value::String(s.into()))
                            .collect(),
                    ),
                    Ok(n)
                        if k.ends_with("_secs")
                            || k.ends_with("_bytes")
                            || k.starts_with("argon2") =>
                    {
                        toml::Value::Integer(n)
                    }
                    _ => toml::Value::String(v),
                };
                table.insert(k, value);
            }
        }
        let cfg: Config = table.try_into().context("invalid configuration")?;
        cfg.check()?;
        Ok(cfg)
    }

    /// The trusted proxies as networks (a bare address is a network of one).
    pub fn proxies(&self) -> anyhow::Result<Vec<ipnet::IpNet>> {
        self.trusted_proxies
            .iter()
            .map(|p| {
                p.parse::<ipnet::IpNet>()
                    .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        anyhow::anyhow!("trusted_proxies: `{p}` is not an address or CIDR block")
                    })
            })
            .collect()
    }

    fn check(&self) -> anyhow::Result<()> {
        if self.access_token_ttl_secs < 30
            || self.refresh_token_ttl_secs < 60
            || self.session_max_age_secs < 60
        {
            bail!("token lifetimes are too short");
        }
        if !matches!(self.log_format.as_str(), "pretty" | "json") {
            bail!("log_format must be `pretty` or `json`");
        }
        self.proxies()?;
        if !matches!(self.sqlite_synchronous.as_str(), "full" | "normal") {
            bail!("sqlite_synchronous must be `full` or `normal`");
        }
        if let Some(url) = &self.database_url
            && !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
        {
            bail!("database_url must start with sqlite:, postgres:// or postgresql://");
        }
        if let Some(url) = &self.storage_url {
            S3Url::parse(url)?;
        }
        Ok(())
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("hmms.db").display()))
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url().starts_with("sqlite:")
    }

    /// The configuration as `hmms config` prints it: secrets and passwords in URLs redacted.
    pub fn redacted(&self) -> Config {
        let mut c = self.clone();
        let hide = |s: &Option<String>| s.as_ref().map(|_| "<redacted>".to_string());
        c.jwt_secret = hide(&c.jwt_secret);
        c.data_key = hide(&c.data_key);
        c.audit_key = hide(&c.audit_key);
        c.vapid_private_key = hide(&c.vapid_private_key);
        c.storage_secret_access_key = hide(&c.storage_secret_access_key);
        c.metrics_token = hide(&c.metrics_token);
        c.database_url = Some(redact_url_password(&self.database_url()));
        c
    }
}

fn redact_url_password(url: &str) -> String {
    // postgres://user:password@host/db → postgres://user:<redacted>@host/db
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((creds, host)) = rest.split_once('@')
        && let Some((user, _)) = creds.split_once(':')
    {
        return format!("{scheme}://{user}:<redacted>@{host}");
    }
    url.to_string()
}

/// Key material the server signs and encrypts with.
#[derive(Clone)]
pub struct Keys {
    pub jwt: Vec<u8>,
    pub data: [u8; 32],
    /// Keys the audit trail's hash chain.
    pub audit: [u8; 32],
    /// Web Push (VAPID) signing key.
    pub vapid: p256::SecretKey,
}

#[derive(Serialize, Deserialize, Default)]
struct SecretsFile {
    jwt_secret: Option<String>,
    data_key: Option<String>,
    audit_key: Option<String>,
    vapid_private_key: Option<String>,
}

impl Keys {
    /// Uses configured secrets; otherwise reads `<data_dir>/secrets.toml`, creating it with fresh
    /// random keys (readable by the owner only) on first start.
    pub fn load_or_create(cfg: &Config) -> anyhow::Result<Self> {
        let path = cfg.data_dir.join("secrets.toml");
        let mut file: SecretsFile = if path.exists() {
            toml::from_str(&std::fs::read_to_string(&path)?).context("reading secrets.toml")?
        } else {
            SecretsFile::default()
        };
        let mut changed = false;
        let jwt = match &cfg.jwt_secret {
            Some(s) => s.clone(),
            None => file
                .jwt_secret
                .get_or_insert_with(|| {
                    changed = true;
                    random_b64(48)
                })
                .clone(),
        };
        let data_b64 = match &cfg.data_key {
            Some(s) => s.clone(),
            None => file
                .data_key
                .get_or_insert_with(|| {
                    changed = true;
                    random_b64(32)
                })
                .clone(),
        };
        let audit_b64 = match &cfg.audit_key {
            Some(s) => s.clone(),
            None => file
                .audit_key
                .get_or_insert_with(|| {
                    changed = true;
                    random_b64(32)
                })
                .clone(),
        };
        let vapid_b64 = match &cfg.vapid_private_key {
            Some(s) => s.clone(),
            None => file
                .vapid_private_key
                .get_or_insert_with(|| {
                    changed = true;
                    let key = p256::SecretKey::random(&mut rand::rngs::OsRng);
                    URL_SAFE_NO_PAD.encode(key.to_bytes())
                })
                .clone(),
        };
        let vapid = URL_SAFE_NO_PAD
            .decode(vapid_b64.trim().trim_end_matches('='))
            .ok()
            .and_then(|b| p256::SecretKey::from_slice(&b).ok())
            .context("vapid_private_key must be the base64url encoding of a P-256 private key")?;
        if jwt.len() < 32 {
            bail!("jwt_secret must be at least 32 characters");
        }
        let data: [u8; 32] = B64
            .decode(data_b64.trim())
            .ok()
            .and_then(|v| v.try_into().ok())
            .context("data_key must be the base64 encoding of exactly 32 bytes")?;
        let audit: [u8; 32] = B64
            .decode(audit_b64.trim())
            .ok()
            .and_then(|v| v.try_into().ok())
            .context("audit_key must be the base64 encoding of exactly 32 bytes")?;
        if changed {
            std::fs::create_dir_all(&cfg.data_dir)?;
            write_private(&path, &toml::to_string(&file)?)?;
        }
        Ok(Keys {
            jwt: jwt.into_bytes(),
            data,
            audit,
            vapid,
        })
    }
}

fn random_b64(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut b);
    B64.encode(b)
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)?;
        f.write_all(text.as_bytes())?;
    }
    #[cfg(not(unix))]
    std::fs::write(path, text)?;
    Ok(())
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
    use super::*;

    #[test]
    fn passwords_in_database_urls_are_redacted() {
        assert_eq!(
            redact_url_password("postgres://u:secret@h:5432/db"),
            "postgres://u:<redacted>@h:5432/db"
        );
        assert_eq!(
            redact_url_password("sqlite://./data/hmms.db"),
            "sqlite://./data/hmms.db"
        );
    }

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
