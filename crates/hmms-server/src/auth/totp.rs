//! Second factor: RFC 6238 codes, secrets encrypted at rest, and one-time recovery codes.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use chrono::{DateTime, Utc};
use rand::{Rng, RngCore};
use totp_rs::{Builder, Secret, Totp};

pub const ISSUER: &str = "HMMS";
pub const RECOVERY_CODES: usize = 10;

/// Encrypts a second-factor secret with the server's data key (XChaCha20-Poly1305).
pub fn encrypt(key: &[u8; 32], plain: &[u8]) -> anyhow::Result<String> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let ct = cipher
        .encrypt(XNonce::from_slice(&nonce), plain)
        .map_err(|_| anyhow::anyhow!("the second factor's secret could not be encrypted"))?;
    let mut out = nonce.to_vec();
    out.extend(ct);
    Ok(B64.encode(out))
}

pub fn decrypt(key: &[u8; 32], stored: &str) -> anyhow::Result<Vec<u8>> {
    let raw = B64.decode(stored)?;
    anyhow::ensure!(raw.len() > 24, "ciphertext too short");
    let cipher = XChaCha20Poly1305::new(key.into());
    cipher
        .decrypt(XNonce::from_slice(&raw[..24]), &raw[24..])
        .map_err(|_| {
            anyhow::anyhow!("second-factor secret does not decrypt with the configured data key")
        })
}

/// A fresh 160-bit secret (RFC 4226 recommends 160 bits).
pub fn new_secret() -> Vec<u8> {
    let mut b = vec![0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

pub fn base32(secret: &[u8]) -> String {
    Secret::from(secret.to_vec()).to_base32()
}

pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    Secret::try_from_base32(text)
        .ok()
        .map(|s| s.as_bytes().to_vec())
}

fn totp(secret: &[u8], account: &str) -> Totp {
    // Non-compliant build: secrets shorter than 128 bits exist in the wild (and in the demo).
    Builder::new()
        .with_secret(Secret::from(secret.to_vec()))
        .with_issuer(Some(ISSUER))
        .with_account_name(account)
        .with_skew(1)
        .build_noncompliant()
}

/// The time step a code matches (one step of clock skew either way), if any.
pub fn check(secret: &[u8], code: &str, now: DateTime<Utc>) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    totp(secret, "x")
        .check(code, now.timestamp().max(0) as u64)
        .map(|s| s as i64)
}

/// The current code (for tests and the CLI).
pub fn code_at(secret: &[u8], now: DateTime<Utc>) -> String {
    totp(secret, "x")
        .generate(now.timestamp().max(0) as u64)
        .to_string()
}

pub fn otpauth_uri(secret: &[u8], account: &str) -> String {
    totp(secret, account).to_url().unwrap_or_default()
}

/// The `otpauth://` URI as an SVG QR code for authenticator apps.
pub fn qr_svg(uri: &str) -> String {
    qrcode::QrCode::new(uri.as_bytes())
        .map(|c| {
            c.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .build()
        })
        .unwrap_or_default()
}

/// Ten recovery codes like `7KQ2-M9XD-4TPA`, from an alphabet without look-alike characters.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: Vec<char> = (0..12)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect();
            format!(
                "{}-{}-{}",
                chars[0..4].iter().collect::<String>(),
                chars[4..8].iter().collect::<String>(),
                chars[8..12].iter().collect::<String>()
            )
        })
        .collect()
}

/// Recovery codes are compared without dashes, spaces or case.
pub fn normalize_recovery_code(code: &str) -> String {
    let c: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_uppercase();
    if c.len() == 12 {
        format!("{}-{}-{}", &c[0..4], &c[4..8], &c[8..12])
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encryption_round_trips_and_detects_the_wrong_key() {
        let k = [7u8; 32];
        let s = encrypt(&k, b"secret").unwrap();
        assert_eq!(decrypt(&k, &s).unwrap(), b"secret");
        assert!(decrypt(&[8u8; 32], &s).is_err());
    }

    #[test]
    fn codes_match_their_step() {
        let secret = from_base32("JBSWY3DPEHPK3PXP").unwrap();
        let now = Utc::now();
        let code = code_at(&secret, now);
        assert_eq!(check(&secret, &code, now), Some(now.timestamp() / 30));
        assert_eq!(check(&secret, "12345", now), None);
    }

    #[test]
    fn recovery_codes_normalize() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert_eq!(
            normalize_recovery_code(&codes[0].to_lowercase().replace('-', " ")),
            codes[0]
        );
    }
}
