//! Sign-in throttling: how long an account or an address must wait after repeated failures.

use chrono::{DateTime, Duration, Utc};

/// Failures allowed before an account is locked.
pub const ACCOUNT_FREE_FAILURES: u32 = 5;
/// Failures allowed from one address (across accounts) before it is locked.
pub const IP_FREE_FAILURES: u32 = 20;
/// Failures older than this no longer count.
pub const WINDOW: Duration = Duration::minutes(30);
/// The longest lock.
pub const MAX_LOCK: Duration = Duration::minutes(60);

/// When a lock that started with the latest failure ends, given the number of consecutive
/// failures inside [`WINDOW`]: one minute at the limit, doubling with every further failure,
/// never more than [`MAX_LOCK`]. `None` while under the limit.
pub fn locked_until(
    failures: u32,
    free: u32,
    last_failure: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if failures < free {
        return None;
    }
    let doublings = (failures - free).min(10);
    let lock = Duration::minutes(1i64 << doublings).min(MAX_LOCK);
    Some(last_failure + lock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_starts_at_the_fifth_failure_and_doubles() {
        let t = Utc::now();
        assert_eq!(locked_until(4, ACCOUNT_FREE_FAILURES, t), None);
        assert_eq!(
            locked_until(5, ACCOUNT_FREE_FAILURES, t),
            Some(t + Duration::minutes(1))
        );
        assert_eq!(
            locked_until(6, ACCOUNT_FREE_FAILURES, t),
            Some(t + Duration::minutes(2))
        );
        assert_eq!(
            locked_until(8, ACCOUNT_FREE_FAILURES, t),
            Some(t + Duration::minutes(8))
        );
        assert_eq!(
            locked_until(40, ACCOUNT_FREE_FAILURES, t),
            Some(t + MAX_LOCK)
        );
    }
}
