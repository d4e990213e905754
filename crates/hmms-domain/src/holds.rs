//! Why work waits. Each organization keeps a list of hold reasons; a work order put on hold must
//! name an active one, and the time it spends on hold is added up when it leaves hold, so the
//! monthly report can say what delayed each repair and for how long.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::validate::{self, Errors};

/// One reason work may wait for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldReason {
    /// Stable key, lower snake case (`awaiting_parts`): what work orders and reports store.
    pub code: String,
    /// What people read (`Awaiting parts`).
    pub name: String,
    /// Inactive reasons stay readable on the work they delayed but cannot be chosen again.
    pub active: bool,
}

/// At most this many reasons: a list to pick from on a phone, not a taxonomy.
pub const MAX_REASONS: usize = 30;

/// The list an organization starts with (also written by migration m0018).
pub fn defaults() -> Vec<HoldReason> {
    [
        ("awaiting_parts", "Awaiting parts"),
        ("awaiting_vendor", "Awaiting vendor"),
        ("awaiting_access", "Awaiting access"),
        ("awaiting_funds", "Awaiting funds"),
    ]
    .into_iter()
    .map(|(code, name)| HoldReason {
        code: code.into(),
        name: name.into(),
        active: true,
    })
    .collect()
}

/// The stored list (JSON on the organization).
pub fn parse(stored: &str) -> Result<Vec<HoldReason>, serde_json::Error> {
    serde_json::from_str(stored)
}

pub fn to_stored(reasons: &[HoldReason]) -> String {
    serde_json::to_string(reasons).unwrap_or_else(|_| "[]".into())
}

/// A list as an administrator sent it: codes are lower snake case and unique, names are
/// ordinary names, at least one reason is active. Errors name the field `holdReasons[i].code`.
pub fn validate_list(items: &[HoldReason]) -> Result<Vec<HoldReason>, Errors> {
    let mut errors = Errors::default();
    if items.is_empty() || items.len() > MAX_REASONS {
        errors.add(
            "holdReasons",
            format!("must hold 1 to {MAX_REASONS} reasons"),
        );
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, r) in items.iter().enumerate() {
        let code = r.code.trim().to_string();
        let valid_code = (2..=40).contains(&code.len())
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid_code {
            errors.add(
                &format!("holdReasons[{i}].code"),
                "must be 2 to 40 lower-case letters, digits or '_', starting with a letter",
            );
        } else if out.iter().any(|o: &HoldReason| o.code == code) {
            errors.add(&format!("holdReasons[{i}].code"), "is listed twice");
        }
        let name = errors.check(
            &format!("holdReasons[{i}].name"),
            validate::name(&r.name, 80),
        );
        if let Some(name) = name {
            out.push(HoldReason {
                code,
                name,
                active: r.active,
            });
        }
    }
    if !items.is_empty() && !items.iter().any(|r| r.active) {
        errors.add("holdReasons", "at least one reason must be active");
    }
    errors.into_result().map_err(Errors)?;
    Ok(out)
}

/// The active reason named `code`, if any.
pub fn choosable<'a>(reasons: &'a [HoldReason], code: &str) -> Option<&'a HoldReason> {
    reasons.iter().find(|r| r.active && r.code == code)
}

/// Whole minutes from `since` to `until` (none when the clock went backwards).
pub fn held_minutes(since: DateTime<Utc>, until: DateTime<Utc>) -> i64 {
    (until - since).num_minutes().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(code: &str, name: &str, active: bool) -> HoldReason {
        HoldReason {
            code: code.into(),
            name: name.into(),
            active,
        }
    }

    #[test]
    fn the_defaults_are_a_valid_list_and_match_the_migration() {
        assert_eq!(validate_list(&defaults()).unwrap(), defaults());
        let stored = to_stored(&defaults());
        assert_eq!(parse(&stored).unwrap(), defaults());
        assert!(
            stored.contains(r#"{"code":"awaiting_funds","name":"Awaiting funds","active":true}"#)
        );
    }

    #[test]
    fn refuses_bad_codes_duplicates_and_an_all_inactive_list() {
        let fields = |items: &[HoldReason]| -> Vec<String> {
            validate_list(items)
                .unwrap_err()
                .0
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(
            fields(&[r("Awaiting Parts", "x", true), r("ok_code", "", true)]),
            ["holdReasons[0].code", "holdReasons[1].name"]
        );
        assert_eq!(
            fields(&[
                r("awaiting_parts", "A", true),
                r("awaiting_parts", "B", true)
            ]),
            ["holdReasons[1].code"]
        );
        assert_eq!(fields(&[r("awaiting_parts", "A", false)]), ["holdReasons"]);
        assert_eq!(fields(&[]), ["holdReasons"]);
    }

    #[test]
    fn only_active_reasons_are_choosable() {
        let list = [
            r("awaiting_parts", "A", true),
            r("awaiting_funds", "B", false),
        ];
        assert!(choosable(&list, "awaiting_parts").is_some());
        assert!(choosable(&list, "awaiting_funds").is_none());
        assert!(choosable(&list, "nope").is_none());
    }

    #[test]
    fn holds_count_whole_minutes() {
        let t = DateTime::parse_from_rfc3339("2026-12-01T08:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(held_minutes(t, t + chrono::Duration::seconds(7_259)), 120);
        assert_eq!(held_minutes(t, t - chrono::Duration::minutes(5)), 0);
    }
}
