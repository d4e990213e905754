//! The few SQL expressions reports need that differ between SQLite and PostgreSQL: durations
//! between two stored times. The figures are summed by the database, so a year of a large
//! hospital's work never travels to the server row by row.

use sea_orm::DbBackend;

/// Whole minutes from `a` to `b` (two timestamp columns or expressions), never below zero —
/// exactly what `(b - a).num_minutes().max(0)` gives for each row (to the millisecond).
pub(super) fn minutes_between(backend: DbBackend, a: &str, b: &str) -> String {
    match backend {
        DbBackend::Postgres => {
            format!("GREATEST(0, FLOOR(EXTRACT(EPOCH FROM ({b} - {a})) / 60))")
        }
        // SQLite keeps times as ISO text; julianday reads them to the millisecond. Rounding to
        // whole milliseconds before dividing keeps float error from losing a minute.
        _ => format!("MAX(0, {} / 60000)", millis(a, b)),
    }
}

/// True when `b` is at most `days` days after `a`.
pub(super) fn within_days(backend: DbBackend, a: &str, b: &str, days: i64) -> String {
    match backend {
        DbBackend::Postgres => format!("({b} - {a}) <= INTERVAL '{days} days'"),
        _ => format!("{} <= {}", millis(a, b), days * 86_400_000),
    }
}

/// Milliseconds from `a` to `b` on SQLite.
fn millis(a: &str, b: &str) -> String {
    format!("CAST(ROUND((julianday({b}) - julianday({a})) * 86400000) AS INTEGER)")
}

/// A sum as a 64-bit integer (zero over no rows) on every backend.
pub(super) fn sum(expr: &str) -> String {
    format!("CAST(COALESCE(SUM({expr}), 0) AS BIGINT)")
}
