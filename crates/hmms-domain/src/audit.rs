//! The audit trail's hash chain. Each entry's hash covers its own content and the previous
//! entry's hash, so altering or deleting any row breaks every hash after it. The hash is keyed
//! (HMAC-SHA-256 with a key kept outside the database, in the secrets file): someone who can
//! write the database but not read the key cannot recompute the hashes after a change.

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash that precedes the first entry of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an audit entry that the chain protects.
#[derive(Debug, Clone, Serialize)]
pub struct AuditContent<'a> {
    pub seq: i64,
    pub organization_id: Option<&'a str>,
    pub actor_id: Option<&'a str>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<&'a str>,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub request_id: Option<&'a str>,
    /// RFC 3339 with microseconds, UTC.
    pub created_at: &'a str,
}

/// HMAC-SHA-256 under `key` over the previous hash and the canonical JSON of the content, hex
/// encoded.
pub fn chain_hash(key: &[u8], prev_hash: &str, content: &AuditContent<'_>) -> String {
    // HMAC takes a key of any length; there is no error to meet.
    let Ok(mut h) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    // Strings and a number always serialize; there is no error to meet.
    h.update(&serde_json::to_vec(content).unwrap_or_default());
    hex::encode(h.finalize().into_bytes())
}

/// The unkeyed SHA-256 chain of releases before the key, read once to carry an existing trail
/// over to the keyed chain.
pub fn legacy_chain_hash(prev_hash: &str, content: &AuditContent<'_>) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(serde_json::to_vec(content).unwrap_or_default());
    hex::encode(h.finalize())
}

/// Why a chain failed verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("entry {seq}: its content does not match its hash (altered)")]
    Altered { seq: i64 },
    #[error(
        "entry {seq}: previous hash does not match entry before it (an entry was removed or inserted)"
    )]
    Unlinked { seq: i64 },
    #[error(
        "the chain ends at entry {found:?} but its head records entry {expected} (entries removed from the end)"
    )]
    Truncated { expected: i64, found: Option<i64> },
    #[error(
        "entry numbered {found} stands where entry {expected} belongs: entries run 1, 2, 3 … with no gap (an entry was inserted or removed)"
    )]
    OutOfSequence { expected: i64, found: i64 },
    #[error(
        "the trail is empty but the database holds {accounts} accounts, each created with an entry (entries deleted)"
    )]
    Emptied { accounts: u64 },
}

/// One stored entry as verification reads it.
#[derive(Debug, Clone)]
pub struct StoredEntry<'a> {
    pub content: AuditContent<'a>,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

/// Checks one entry against the hash of the entry before it.
pub fn verify_link(
    key: &[u8],
    expected_prev: &str,
    entry: &StoredEntry<'_>,
) -> Result<(), ChainBreak> {
    if entry.prev_hash != expected_prev {
        return Err(ChainBreak::Unlinked {
            seq: entry.content.seq,
        });
    }
    if chain_hash(key, entry.prev_hash, &entry.content) != entry.hash {
        return Err(ChainBreak::Altered {
            seq: entry.content.seq,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn without_the_key_the_hash_cannot_be_made() {
        let c = content(1, "user.create");
        let hash = chain_hash(KEY, GENESIS, &c);
        assert_ne!(
            hash,
            chain_hash(b"another key of the same length!!", GENESIS, &c)
        );
        assert_ne!(hash, legacy_chain_hash(GENESIS, &c));
        assert_eq!(hash.len(), 64);
    }

    fn content(seq: i64, action: &str) -> AuditContent<'_> {
        AuditContent {
            seq,
            organization_id: None,
            actor_id: Some("u1"),
            action,
            entity_type: "user",
            entity_id: Some("u2"),
            before: None,
            after: Some("{\"role\":\"staff\"}"),
            ip: Some("127.0.0.1"),
            user_agent: None,
            request_id: Some("r1"),
            created_at: "2026-11-24T10:00:00.000000Z",
        }
    }

    #[test]
    fn a_changed_field_breaks_the_link() {
        let c = content(1, "user.create");
        let hash = chain_hash(KEY, GENESIS, &c);
        let ok = StoredEntry {
            content: c.clone(),
            prev_hash: GENESIS,
            hash: &hash,
        };
        assert_eq!(verify_link(KEY, GENESIS, &ok), Ok(()));
        let altered = StoredEntry {
            content: content(1, "user.delete"),
            prev_hash: GENESIS,
            hash: &hash,
        };
        assert_eq!(
            verify_link(KEY, GENESIS, &altered),
            Err(ChainBreak::Altered { seq: 1 })
        );
        assert_eq!(
            verify_link(KEY, "ff", &ok),
            Err(ChainBreak::Unlinked { seq: 1 })
        );
    }
}
