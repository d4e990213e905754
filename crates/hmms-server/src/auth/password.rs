//! argon2id password hashing, bounded: at most one hash per core runs at a time, each in a
//! reused working buffer. argon2 is slow and memory-hard on purpose (19 MiB per hash by
//! default); unbounded, a burst of sign-ins would take every core and leave hundreds of MB in
//! the allocator's per-thread arenas. Bounded, memory stays at cores × 19 MiB and a sign-in
//! flood queues instead of starving everything else.

use std::sync::Arc;

use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use parking_lot::Mutex;
use rand::rngs::OsRng;
use rand::{Rng, distributions::Alphanumeric};
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct Passwords {
    params: Params,
    permits: Arc<Semaphore>,
    buffers: Arc<Mutex<Vec<Vec<Block>>>>,
    /// A hash of a random password, verified against when the e-mail is unknown so that an
    /// unknown address and a wrong password take the same time.
    dummy: String,
}

impl Passwords {
    pub fn new(memory_kib: u32, iterations: u32) -> Self {
        let params = Params::new(memory_kib, iterations, 1, None).unwrap_or_default();
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let mut p = Passwords {
            params,
            permits: Arc::new(Semaphore::new(cores)),
            buffers: Arc::new(Mutex::new(Vec::new())),
            dummy: String::new(),
        };
        // A hash to verify against when the account does not exist, so both take as long.
        p.dummy = p.hash_blocking(&generate_password()).unwrap_or_else(|e| {
            tracing::error!(error = %e, "argon2 cannot hash; unknown accounts answer faster");
            String::new()
        });
        p
    }

    /// Runs argon2id with `params` in a pooled buffer.
    fn compute(
        &self,
        params: &Params,
        password: &[u8],
        salt: &[u8],
        out: &mut [u8],
    ) -> anyhow::Result<()> {
        let mut buf = self.buffers.lock().pop().unwrap_or_default();
        if buf.len() < params.block_count() {
            buf.resize(params.block_count(), Block::default());
        }
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let result = argon.hash_password_into_with_memory(
            password,
            salt,
            out,
            &mut buf[..params.block_count()],
        );
        self.buffers.lock().push(buf);
        result.map_err(|e| anyhow::anyhow!("argon2: {e}"))
    }

    /// A PHC string (`$argon2id$v=19$m=…,t=…,p=1$salt$hash`) for `password`.
    pub fn hash_blocking(&self, password: &str) -> anyhow::Result<String> {
        let salt = SaltString::generate(&mut OsRng);
        let mut salt_bytes = [0u8; 64];
        let raw_salt = salt
            .decode_b64(&mut salt_bytes)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut out = [0u8; 32];
        self.compute(&self.params, password.as_bytes(), raw_salt, &mut out)?;
        let hash = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: (&self.params)
                .try_into()
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("{e}"))?),
        };
        Ok(hash.to_string())
    }

    /// Whether `password` matches the PHC string `stored` (constant-time comparison).
    fn verify_blocking(&self, password: &str, stored: &str) -> bool {
        let Ok(hash) = PasswordHash::new(stored) else {
            return false;
        };
        let (Some(expected), Some(salt)) = (hash.hash, hash.salt) else {
            return false;
        };
        let Ok(params) = Params::try_from(&hash) else {
            return false;
        };
        let mut salt_bytes = [0u8; 64];
        let Ok(raw_salt) = salt.decode_b64(&mut salt_bytes) else {
            return false;
        };
        let mut out = vec![0u8; expected.len()];
        self.compute(&params, password.as_bytes(), raw_salt, &mut out)
            .is_ok()
            && Output::new(&out).is_ok_and(|o| o == expected)
    }

    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await?;
        let me = self.clone();
        tokio::task::spawn_blocking(move || me.hash_blocking(&password)).await?
    }

    /// Verifies `password` against `hash`, or against a dummy hash when there is no account.
    pub async fn verify(&self, password: String, hash: Option<String>) -> bool {
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        let me = self.clone();
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy.clone());
        let ok = tokio::task::spawn_blocking(move || me.verify_blocking(&password, &hash))
            .await
            .unwrap_or(false);
        ok && known
    }
}

/// A random password for new accounts, shown once: 20 letters and digits (~119 bits).
pub fn generate_password() -> String {
    OsRng
        .sample_iter(&Alphanumeric)
        .take(20)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use argon2::PasswordVerifier;

    use super::*;

    #[test]
    fn hashes_are_standard_phc_strings_that_verify() {
        let p = Passwords::new(1024, 1);
        let h = p.hash_blocking("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{h}");
        assert!(p.verify_blocking("correct horse battery", &h));
        assert!(!p.verify_blocking("correct horse battery!", &h));
        assert!(!p.verify_blocking("correct horse battery", "not a hash"));
        // Interoperable with the reference verifier, and it reads hashes made with other costs.
        let parsed = PasswordHash::new(&h).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        let other = Passwords::new(2048, 2).hash_blocking("x").unwrap();
        assert!(p.verify_blocking("x", &other));
    }
}
