//! Amounts of money, in minor units of the organization's currency (cents, or shillings for
//! currencies without them).
//!
//! Every amount a person enters is bounded by [`MAX_MINOR`] — a trillion minor units, more
//! than any hospital's equipment costs in any currency, and far enough below `i64::MAX` that
//! no realistic sum can reach it. Sums go through [`total`], which stops at `i64::MAX` instead
//! of wrapping negative, so a figure is never silently wrong in sign.

/// The largest amount accepted from a person, in minor units.
pub const MAX_MINOR: i64 = 1_000_000_000_000;

/// Checks an entered amount: from 0 to [`MAX_MINOR`].
pub fn amount(v: i64) -> Result<i64, String> {
    if (0..=MAX_MINOR).contains(&v) {
        Ok(v)
    } else {
        Err(format!("must be from 0 to {MAX_MINOR} (minor units)"))
    }
}

/// The sum of amounts, never wrapping: it stops at `i64::MAX` (or `i64::MIN`).
pub fn total(amounts: impl IntoIterator<Item = i64>) -> i64 {
    amounts.into_iter().fold(0i64, i64::saturating_add)
}

/// `quantity × unit`, never wrapping.
pub fn times(quantity: i64, unit: i64) -> i64 {
    quantity.saturating_mul(unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entered_amounts_are_bounded_and_sums_never_wrap() {
        assert!(amount(MAX_MINOR).is_ok());
        assert!(amount(MAX_MINOR + 1).is_err());
        assert!(amount(-1).is_err());
        assert!(amount(i64::MAX).is_err());
        assert_eq!(total([i64::MAX, 1, 1]), i64::MAX);
        assert_eq!(total([3, 4]), 7);
        assert_eq!(times(i64::MAX, 2), i64::MAX);
    }
}
