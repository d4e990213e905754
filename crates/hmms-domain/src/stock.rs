//! The stock ledger's rules: exact quantities, movement kinds, and how a movement changes a
//! balance and its value (moving average cost). Pure: the server stores what these return.
//!
//! Quantities are fixed-point thousandths of the part's unit (`1.5 m` is `1500`); a part's unit
//! allows 0 to 3 decimals. Values are integer minor units of the organization's currency. No
//! floating point anywhere a ledger adds up.

use crate::money;

/// Thousandths per unit: the finest quantity any unit can express.
pub const SCALE: i64 = 1000;

/// The largest quantity of one movement or balance, in units: far beyond any real store.
pub const MAX_UNITS: i64 = 1_000_000_000;

crate::keyed_enum! {
    /// What a ledger entry records.
    MovementKind {
        Receipt = "receipt",
        Issue = "issue",
        Return = "return",
        TransferOut = "transfer_out",
        TransferIn = "transfer_in",
        Adjustment = "adjustment",
        Count = "count",
        WriteOff = "write_off",
    }
}

impl MovementKind {
    /// Whether the movement takes stock out of its bin (its quantity is stored negative).
    pub fn is_outbound(self) -> bool {
        matches!(
            self,
            MovementKind::Issue | MovementKind::TransferOut | MovementKind::WriteOff
        )
    }
}

crate::keyed_enum! {
    /// Why stock was written off.
    WriteOffReason {
        Damaged = "damaged",
        Expired = "expired",
        Recalled = "recalled",
        Lost = "lost",
    }
}

crate::keyed_enum! {
    /// What kind of store: the main store, a satellite store on a ward or in a building, or the
    /// stock a technician carries (a van or a bag).
    StoreKind {
        Main = "main",
        Satellite = "satellite",
        Mobile = "mobile",
    }
}

/// Reads a quantity written as a decimal (`"2"`, `"1.5"`, `"0.250"`) for a unit with
/// `decimals` places. Only positive quantities; the movement's kind gives the sign.
pub fn parse_quantity(text: &str, decimals: u8) -> Result<i64, String> {
    match parse(text, decimals)? {
        0 => Err("must be more than zero".into()),
        q => Ok(q),
    }
}

/// Reads a counted quantity: like [`parse_quantity`], but an empty shelf (`"0"`) is a count too.
pub fn parse_count(text: &str, decimals: u8) -> Result<i64, String> {
    parse(text, decimals)
}

fn parse(text: &str, decimals: u8) -> Result<i64, String> {
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(frac.is_empty() || digits(frac)) || (t.contains('.') && frac.is_empty())
    {
        return Err("must be a number such as 2 or 1.5".into());
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > usize::from(decimals) {
        return Err(match decimals {
            0 => "must be a whole number for this part's unit".into(),
            d => format!("may have at most {d} decimal places for this part's unit"),
        });
    }
    let whole: i64 = whole
        .trim_start_matches('0')
        .parse::<i64>()
        .ok()
        .or_else(|| whole.bytes().all(|b| b == b'0').then_some(0))
        .filter(|w| *w <= MAX_UNITS)
        .ok_or_else(|| format!("must be at most {MAX_UNITS}"))?;
    let mut thousandths = 0i64;
    for (i, b) in frac.bytes().enumerate() {
        thousandths += i64::from(b - b'0') * 10i64.pow(2 - i as u32);
    }
    let q = whole * SCALE + thousandths;
    if q > MAX_UNITS * SCALE {
        return Err(format!("must be at most {MAX_UNITS}"));
    }
    Ok(q)
}

/// Writes a quantity in thousandths as a decimal with the unit's places (`1500`, 1 → `"1.5"`).
pub fn format_quantity(q: i64, decimals: u8) -> String {
    let sign = if q < 0 { "-" } else { "" };
    let a = q.unsigned_abs();
    let whole = a / SCALE as u64;
    let frac = a % SCALE as u64;
    if decimals == 0 || frac == 0 {
        return format!("{sign}{whole}");
    }
    let s = format!("{frac:03}");
    let s = s.trim_end_matches('0');
    format!("{sign}{whole}.{s}")
}

/// What is in one bin: quantity in thousandths and its value in minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Balance {
    pub on_hand: i64,
    pub value: i64,
}

/// One leg of a movement, as the ledger sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Stock comes in at this total value (receipts at their price, returns and transfers at
    /// what left the other side, gains at the average cost).
    In { quantity: i64, value: i64 },
    /// Stock goes out at the bin's average cost.
    Out { quantity: i64 },
}

/// Why a movement cannot be posted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StockError {
    #[error("only {on_hand} on hand")]
    Insufficient { on_hand: i64 },
    #[error("the value would be out of range")]
    OutOfRange,
}

/// The balance after `flow`, and the signed quantity and value the ledger entry records. Stock
/// never goes negative; taking everything takes all the value, so no rounding stays behind.
pub fn apply(b: Balance, flow: Flow) -> Result<(Balance, i64, i64), StockError> {
    match flow {
        Flow::In { quantity, value } => {
            let on_hand = b
                .on_hand
                .checked_add(quantity)
                .filter(|q| *q <= MAX_UNITS * SCALE)
                .ok_or(StockError::OutOfRange)?;
            let total = b
                .value
                .checked_add(value)
                .filter(|v| (0..=money::MAX_MINOR).contains(v))
                .ok_or(StockError::OutOfRange)?;
            Ok((
                Balance {
                    on_hand,
                    value: total,
                },
                quantity,
                value,
            ))
        }
        Flow::Out { quantity } => {
            if quantity > b.on_hand {
                return Err(StockError::Insufficient { on_hand: b.on_hand });
            }
            let value = if quantity == b.on_hand {
                b.value
            } else {
                share(b.value, quantity, b.on_hand)
            };
            Ok((
                Balance {
                    on_hand: b.on_hand - quantity,
                    value: b.value - value,
                },
                -quantity,
                -value,
            ))
        }
    }
}

/// `value × part ÷ whole`, rounded half up, without overflow.
fn share(value: i64, part: i64, whole: i64) -> i64 {
    if whole == 0 {
        return 0;
    }
    let n = i128::from(value) * i128::from(part);
    let w = i128::from(whole);
    ((n * 2 + w) / (w * 2)) as i64
}

/// The value of `quantity` thousandths at `unit_cost` minor units per unit, rounded half up.
pub fn value_at(quantity: i64, unit_cost: i64) -> i64 {
    share(unit_cost, quantity, SCALE)
}

/// The average cost of one unit in a balance, minor units (0 when empty).
pub fn average_cost(b: Balance) -> i64 {
    share(b.value, SCALE, b.on_hand)
}

/// What to order to bring available stock back up to `maximum`, given what is already on order;
/// nothing while available stock is above the reorder point.
pub fn reorder_suggestion(available: i64, reorder_point: i64, maximum: i64, on_order: i64) -> i64 {
    if available > reorder_point {
        return 0;
    }
    (maximum - available - on_order).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quantities_read_and_write_exactly() {
        assert_eq!(parse_quantity("2", 0), Ok(2000));
        assert_eq!(parse_quantity("1.5", 1), Ok(1500));
        assert_eq!(parse_quantity(" 0.250 ", 3), Ok(250));
        assert_eq!(parse_quantity("3.0", 0), Ok(3000));
        assert!(parse_quantity("1.5", 0).is_err());
        assert!(parse_quantity("0.125", 2).is_err());
        for bad in ["", "-1", "1e3", "abc", "1.", ".5", "0", "0.000", "1,5"] {
            assert!(parse_quantity(bad, 3).is_err(), "{bad:?} accepted");
        }
        assert!(parse_quantity("1000000001", 0).is_err());
        assert_eq!(parse_count("0", 0), Ok(0));
        assert_eq!(parse_count("0.0", 1), Ok(0));
        assert!(parse_count("-1", 0).is_err());
        assert_eq!(format_quantity(1500, 1), "1.5");
        assert_eq!(format_quantity(2000, 0), "2");
        assert_eq!(format_quantity(-250, 3), "-0.25");
    }

    #[test]
    fn stock_never_goes_negative() {
        let b = Balance {
            on_hand: 2000,
            value: 900,
        };
        assert_eq!(
            apply(b, Flow::Out { quantity: 3000 }),
            Err(StockError::Insufficient { on_hand: 2000 })
        );
    }

    #[test]
    fn issuing_everything_takes_all_the_value() {
        let b = Balance {
            on_hand: 3000,
            value: 1000,
        };
        let (b, q1, v1) = apply(b, Flow::Out { quantity: 1000 }).unwrap();
        assert_eq!((q1, v1), (-1000, -333));
        let (b, _, v2) = apply(b, Flow::Out { quantity: 2000 }).unwrap();
        assert_eq!(v2, -667);
        assert_eq!(b, Balance::default());
    }

    #[test]
    fn reorder_fills_up_to_the_maximum_less_what_is_on_order() {
        assert_eq!(reorder_suggestion(5000, 4000, 20000, 0), 0);
        assert_eq!(reorder_suggestion(4000, 4000, 20000, 0), 16000);
        assert_eq!(reorder_suggestion(1000, 4000, 20000, 10000), 9000);
        assert_eq!(reorder_suggestion(1000, 4000, 5000, 10000), 0);
    }

    proptest! {
        #[test]
        fn a_balance_is_the_sum_of_its_entries(
            steps in proptest::collection::vec((any::<bool>(), 1i64..50_000, 0i64..100_000), 1..80)
        ) {
            let mut b = Balance::default();
            let (mut q, mut v) = (0i64, 0i64);
            for (inbound, quantity, value) in steps {
                let flow = if inbound { Flow::In { quantity, value } } else { Flow::Out { quantity } };
                match apply(b, flow) {
                    Ok((next, dq, dv)) => { b = next; q += dq; v += dv; }
                    Err(StockError::Insufficient { on_hand }) => prop_assert!(quantity > on_hand),
                    Err(e) => prop_assert!(false, "{e}"),
                }
                prop_assert!(b.on_hand >= 0 && b.value >= 0);
                prop_assert_eq!((b.on_hand, b.value), (q, v));
                if b.on_hand == 0 { prop_assert_eq!(b.value, 0); }
            }
        }
    }
}
