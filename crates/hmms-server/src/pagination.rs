//! Keyset pagination: `?limit=&cursor=`, answered with `items` and `nextCursor`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 200;

/// Checks `limit` (1 to 200, default 50).
pub fn limit(raw: Option<u64>) -> ApiResult<u64> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::validation(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// A position in a sorted list: the sort key of the last item seen and its id.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub key: String,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}\n{}", self.id, self.key))
    }

    pub fn decode(raw: Option<&str>) -> ApiResult<Option<Cursor>> {
        let Some(raw) = raw else { return Ok(None) };
        let bad = || {
            ApiError::validation(
                "cursor",
                "is not a cursor this server issued; start from the first page",
            )
        };
        let text = URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(bad)?;
        let (id, key) = text.split_once('\n').ok_or_else(bad)?;
        Ok(Some(Cursor {
            key: key.to_string(),
            id: id.parse().map_err(|_| bad())?,
        }))
    }
}

/// Splits one extra fetched row off a page: if it is there, the last kept item starts the next page.
pub fn finish<T>(
    mut rows: Vec<T>,
    limit: u64,
    cursor_of: impl Fn(&T) -> Cursor,
) -> (Vec<T>, Option<String>) {
    if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        let next = rows.last().map(|r| cursor_of(r).encode());
        (rows, next)
    } else {
        (rows, None)
    }
}

/// Parses an `If-Match` header or `version` field and compares it with the stored version.
pub fn check_version(expected: Option<i32>, current: i32) -> ApiResult<()> {
    match expected {
        Some(v) if v != current => Err(ApiError::PreconditionFailed(format!(
            "You edited version {v} but the record is now at version {current}. Reload it and apply your change again."
        ))),
        _ => Ok(()),
    }
}

/// The version named by an `If-Match: "3"` header, if any.
pub fn if_match(headers: &axum::http::HeaderMap) -> ApiResult<Option<i32>> {
    match headers.get(axum::http::header::IF_MATCH) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .map(|s| s.trim().trim_start_matches("W/").trim_matches('"'))
            .and_then(|s| s.parse().ok())
            .map(Some)
            .ok_or_else(|| {
                ApiError::BadRequest("If-Match must hold the record's version, e.g. \"3\".".into())
            }),
    }
}

/// `lower(col) LIKE '%text%'` with the wildcards in `text` escaped: a case-insensitive
/// "contains" that behaves the same on SQLite and PostgreSQL.
pub fn contains(
    col: impl sea_orm::sea_query::IntoColumnRef,
    text: &str,
) -> sea_orm::sea_query::Expr {
    use sea_orm::ExprTrait;
    use sea_orm::sea_query::{Expr, Func, LikeExpr};
    let pattern = format!(
        "%{}%",
        text.to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(pattern).escape('\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor {
            key: "Ward 3\nB".into(),
            id: Uuid::now_v7(),
        };
        assert_eq!(Cursor::decode(Some(&c.encode())).unwrap(), Some(c));
        assert!(Cursor::decode(Some("!!")).is_err());
        assert!(Cursor::decode(Some("Zm9v")).is_err());
    }
}
