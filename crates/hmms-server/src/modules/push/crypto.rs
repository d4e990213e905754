//! The two pieces of cryptography Web Push needs: VAPID (RFC 8292), an ES256 JWT that tells the
//! push service which server sends, and message encryption (RFC 8291, `aes128gcm` of RFC 8188)
//! so that only the subscribed browser can read the payload.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use hkdf::Hkdf;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use rand::RngCore;
use sha2::Sha256;

/// Record size announced in the header: one record holds the whole (small) message.
const RECORD_SIZE: u32 = 4096;

/// The uncompressed public key browsers take as `applicationServerKey`, base64url.
pub fn public_key_b64(key: &SecretKey) -> String {
    B64URL.encode(key.public_key().to_encoded_point(false).as_bytes())
}

/// `Authorization: vapid t=…, k=…` for a push to `audience` (the endpoint's origin).
pub fn vapid_header(key: &SecretKey, audience: &str, subject: &str, exp: i64) -> String {
    let header = B64URL.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
    let claims = serde_json::json!({ "aud": audience, "exp": exp, "sub": subject });
    let claims = B64URL.encode(claims.to_string());
    let signing_input = format!("{header}.{claims}");
    let signature: Signature = SigningKey::from(key).sign(signing_input.as_bytes());
    let jwt = format!("{signing_input}.{}", B64URL.encode(signature.to_bytes()));
    format!("vapid t={jwt}, k={}", public_key_b64(key))
}

/// A subscription's keys as the browser gives them, checked.
pub struct SubscriberKeys {
    pub p256dh: PublicKey,
    pub auth: [u8; 16],
}

impl SubscriberKeys {
    /// Parses `p256dh` (an uncompressed P-256 point) and `auth` (16 bytes), both base64url.
    pub fn parse(p256dh: &str, auth: &str) -> Result<Self, &'static str> {
        let decode = |s: &str| B64URL.decode(s.trim().trim_end_matches('='));
        let point = decode(p256dh).map_err(|_| "p256dh is not base64url")?;
        if point.len() != 65 || point[0] != 4 {
            return Err("p256dh must be an uncompressed P-256 public key (65 bytes)");
        }
        let p256dh =
            PublicKey::from_sec1_bytes(&point).map_err(|_| "p256dh is not a point on P-256")?;
        let auth: [u8; 16] = decode(auth)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or("auth must be 16 bytes, base64url")?;
        Ok(Self { p256dh, auth })
    }
}

/// Encrypts `plaintext` for one subscriber (RFC 8291 §3–4): a fresh key pair and salt each time.
pub fn encrypt(to: &SubscriberKeys, plaintext: &[u8]) -> anyhow::Result<Vec<u8>> {
    let ephemeral = SecretKey::random(&mut rand::rngs::OsRng);
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    encrypt_with(to, plaintext, &ephemeral, salt)
}

fn encrypt_with(
    to: &SubscriberKeys,
    plaintext: &[u8],
    ephemeral: &SecretKey,
    salt: [u8; 16],
) -> anyhow::Result<Vec<u8>> {
    let ua_public = to.p256dh.to_encoded_point(false);
    let as_public = ephemeral.public_key().to_encoded_point(false);
    let shared = p256::ecdh::diffie_hellman(ephemeral.to_nonzero_scalar(), to.p256dh.as_affine());

    // IKM = HKDF(auth, ecdh, "WebPush: info" 0x00 ua_public as_public)
    let mut key_info = b"WebPush: info\0".to_vec();
    key_info.extend_from_slice(ua_public.as_bytes());
    key_info.extend_from_slice(as_public.as_bytes());
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(&to.auth), shared.raw_secret_bytes())
        .expand(&key_info, &mut ikm)
        .map_err(|_| anyhow::anyhow!("HKDF cannot give 32 bytes"))?;

    let hk = Hkdf::<Sha256>::new(Some(&salt), &ikm);
    let mut cek = [0u8; 16];
    let mut nonce = [0u8; 12];
    hk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .map_err(|_| anyhow::anyhow!("HKDF cannot give 16 bytes"))?;
    hk.expand(b"Content-Encoding: nonce\0", &mut nonce)
        .map_err(|_| anyhow::anyhow!("HKDF cannot give 12 bytes"))?;

    // One record: the message, then the last-record delimiter 0x02.
    let mut record = plaintext.to_vec();
    record.push(2);
    let ciphertext = Aes128Gcm::new_from_slice(&cek)
        .map_err(|_| anyhow::anyhow!("not a 16-byte key"))?
        .encrypt(Nonce::from_slice(&nonce), record.as_slice())
        .map_err(|_| anyhow::anyhow!("AES-GCM encryption failed"))?;

    let mut out = Vec::with_capacity(86 + ciphertext.len());
    out.extend_from_slice(&salt);
    out.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    out.push(as_public.as_bytes().len() as u8);
    out.extend_from_slice(as_public.as_bytes());
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of RFC 8291 Appendix A.
    #[test]
    fn matches_the_rfc_8291_example() {
        let ua_public = B64URL
            .decode("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4")
            .unwrap();
        let auth: [u8; 16] = B64URL
            .decode("BTBZMqHH6r4Tts7J_aSIgg")
            .unwrap()
            .try_into()
            .unwrap();
        let as_private = B64URL
            .decode("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw")
            .unwrap();
        let salt: [u8; 16] = B64URL
            .decode("DGv6ra1nlYgDCS1FRnbzlw")
            .unwrap()
            .try_into()
            .unwrap();
        let to = SubscriberKeys {
            p256dh: PublicKey::from_sec1_bytes(&ua_public).unwrap(),
            auth,
        };
        let ephemeral = SecretKey::from_slice(&as_private).unwrap();
        let body = encrypt_with(
            &to,
            b"When I grow up, I want to be a watermelon",
            &ephemeral,
            salt,
        )
        .unwrap();
        let expected = B64URL
            .decode("DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN")
            .unwrap();
        assert_eq!(body, expected);
    }

    #[test]
    fn vapid_signatures_verify_with_the_advertised_key() {
        use p256::ecdsa::VerifyingKey;
        use p256::ecdsa::signature::Verifier;
        let key = SecretKey::random(&mut rand::rngs::OsRng);
        let h = vapid_header(
            &key,
            "https://push.example.net",
            "mailto:ops@hospital.example",
            1_900_000_000,
        );
        let (t, k) = h
            .strip_prefix("vapid t=")
            .unwrap()
            .split_once(", k=")
            .unwrap();
        assert_eq!(k, public_key_b64(&key));
        let (input, sig) = t.rsplit_once('.').unwrap();
        let sig = Signature::from_slice(&B64URL.decode(sig).unwrap()).unwrap();
        let vk = VerifyingKey::from_sec1_bytes(&B64URL.decode(k).unwrap()).unwrap();
        vk.verify(input.as_bytes(), &sig).unwrap();
        let claims: serde_json::Value =
            serde_json::from_slice(&B64URL.decode(input.split_once('.').unwrap().1).unwrap())
                .unwrap();
        assert_eq!(claims["aud"], "https://push.example.net");
        assert_eq!(claims["sub"], "mailto:ops@hospital.example");
    }

    #[test]
    fn subscriber_keys_are_checked() {
        let key = SecretKey::random(&mut rand::rngs::OsRng);
        let p = public_key_b64(&key);
        assert!(SubscriberKeys::parse(&p, "BTBZMqHH6r4Tts7J_aSIgg").is_ok());
        assert!(SubscriberKeys::parse("AAAA", "BTBZMqHH6r4Tts7J_aSIgg").is_err());
        assert!(SubscriberKeys::parse(&p, "c2hvcnQ").is_err());
    }
}
