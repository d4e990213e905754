//! Access tokens (short-lived JWTs), sign-in challenge tokens, and opaque refresh tokens.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::Keys;
use crate::error::{ApiError, ApiResult};

/// What a token is for; a challenge token cannot be used as an access token.
pub const ACCESS: &str = "access";
pub const OTP_CHALLENGE: &str = "otp_challenge";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub org: Uuid,
    pub typ: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: Uuid,
    /// The sign-in (refresh-token family) an access token belongs to: it stops working the
    /// moment that session ends, not when the token expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<Uuid>,
}

pub fn issue(
    keys: &Keys,
    typ: &str,
    user: Uuid,
    org: Uuid,
    session: Option<Uuid>,
    now: DateTime<Utc>,
    ttl_secs: i64,
) -> ApiResult<String> {
    let claims = Claims {
        sub: user,
        org,
        typ: typ.into(),
        iat: now.timestamp(),
        exp: now.timestamp() + ttl_secs,
        jti: Uuid::now_v7(),
        sid: session,
    };
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(&keys.jwt),
    )
    .map_err(|e| ApiError::Internal(e.into()))
}

/// Checks signature, type and expiry (against the server's clock, not the system's).
pub fn verify(keys: &Keys, token: &str, typ: &str, now: DateTime<Utc>) -> Option<Claims> {
    let mut v = Validation::new(Algorithm::HS256);
    v.validate_exp = false;
    v.required_spec_claims.clear();
    let data = decode::<Claims>(token, &DecodingKey::from_secret(&keys.jwt), &v).ok()?;
    (data.claims.typ == typ && data.claims.exp > now.timestamp()).then_some(data.claims)
}

/// A new refresh token: 256 random bits, URL-safe. Only its hash is stored.
pub fn new_refresh_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// SHA-256 of a high-entropy secret (refresh tokens, recovery codes). A slow hash is not needed:
/// these cannot be guessed, only stolen, and the hash keeps a database leak from replaying them.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}
