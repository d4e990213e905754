//! Rules of the equipment registry: asset status steps, book value by depreciation, and the
//! equipment-management (EM) number used to decide which devices need planned maintenance.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// Where an asset is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType))]
#[cfg_attr(feature = "sea-orm", sea_orm(value_type = "String"))]
pub enum AssetStatus {
    PendingAcceptance,
    InService,
    UnderMaintenance,
    OutOfService,
    Retired,
    Disposed,
}

impl AssetStatus {
    pub const ALL: [AssetStatus; 6] = [
        AssetStatus::PendingAcceptance,
        AssetStatus::InService,
        AssetStatus::UnderMaintenance,
        AssetStatus::OutOfService,
        AssetStatus::Retired,
        AssetStatus::Disposed,
    ];

    pub fn key(self) -> &'static str {
        match self {
            AssetStatus::PendingAcceptance => "pending_acceptance",
            AssetStatus::InService => "in_service",
            AssetStatus::UnderMaintenance => "under_maintenance",
            AssetStatus::OutOfService => "out_of_service",
            AssetStatus::Retired => "retired",
            AssetStatus::Disposed => "disposed",
        }
    }

    pub fn from_key(k: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == k)
    }

    /// Whether the asset is unavailable for patient care.
    pub fn is_down(self) -> bool {
        matches!(
            self,
            AssetStatus::UnderMaintenance | AssetStatus::OutOfService
        )
    }
}

crate::stored_key!(AssetStatus);

/// The stage of life a status belongs to.
pub fn lifecycle_stage(s: AssetStatus) -> &'static str {
    match s {
        AssetStatus::PendingAcceptance => "commissioning",
        AssetStatus::InService | AssetStatus::UnderMaintenance | AssetStatus::OutOfService => {
            "operation"
        }
        AssetStatus::Retired => "decommissioning",
        AssetStatus::Disposed => "disposal",
    }
}

/// Why a status step is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusStepError {
    /// Disposal is final.
    Final,
    /// Only a new asset awaits acceptance.
    BackToAcceptance,
    /// Only a retired asset is disposed of.
    DisposeUnretired,
    /// A new asset enters service through its acceptance inspection, not by hand.
    NeedsAcceptance,
}

/// Checks a status step. Staying in the same status is not a step.
pub fn check_status_step(from: AssetStatus, to: AssetStatus) -> Result<(), StatusStepError> {
    use AssetStatus::*;
    match (from, to) {
        (Disposed, _) => Err(StatusStepError::Final),
        (_, PendingAcceptance) => Err(StatusStepError::BackToAcceptance),
        (f, Disposed) if f != Retired => Err(StatusStepError::DisposeUnretired),
        (PendingAcceptance, InService) => Err(StatusStepError::NeedsAcceptance),
        _ => Ok(()),
    }
}

/// How purchase cost turns into book value over the expected life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType))]
#[cfg_attr(feature = "sea-orm", sea_orm(value_type = "String"))]
pub enum DepreciationMethod {
    /// The same amount each year down to the salvage value.
    StraightLine,
    /// Double-declining balance: twice the straight-line rate on the remaining value each
    /// year, never below the salvage value.
    DecliningBalance,
}

impl DepreciationMethod {
    pub fn key(self) -> &'static str {
        match self {
            DepreciationMethod::StraightLine => "straight_line",
            DepreciationMethod::DecliningBalance => "declining_balance",
        }
    }

    pub fn from_key(k: &str) -> Option<Self> {
        [
            DepreciationMethod::StraightLine,
            DepreciationMethod::DecliningBalance,
        ]
        .into_iter()
        .find(|m| m.key() == k)
    }
}

crate::stored_key!(DepreciationMethod);

/// What depreciation needs to know.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Depreciable {
    /// Purchase cost, minor units.
    pub cost: i64,
    /// Value at the end of its life, minor units.
    pub salvage: i64,
    pub life_years: u32,
    /// When depreciation starts (commissioning, else purchase).
    pub from: NaiveDate,
    pub method: DepreciationMethod,
}

/// Whole months from `from` to `to` (0 if `to` is earlier).
pub fn months_between(from: NaiveDate, to: NaiveDate) -> u32 {
    if to <= from {
        return 0;
    }
    let mut m = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    if to.day() < from.day() {
        m -= 1;
    }
    m.max(0) as u32
}

/// Book value on `on`, in minor units, rounded to the nearest unit. Within a year the year's
/// depreciation accrues month by month.
pub fn book_value(d: &Depreciable, on: NaiveDate) -> i64 {
    let salvage = d.salvage.clamp(0, d.cost.max(0));
    let cost = d.cost.max(0);
    if d.life_years == 0 {
        return salvage;
    }
    let months = months_between(d.from, on);
    let life_months = d.life_years * 12;
    if months >= life_months {
        return salvage;
    }
    match d.method {
        DepreciationMethod::StraightLine => {
            let spent = (cost - salvage) as i128 * months as i128;
            let dep = (spent + life_months as i128 / 2) / life_months as i128;
            cost - dep as i64
        }
        DepreciationMethod::DecliningBalance => {
            let rate = 2.0 / d.life_years as f64;
            let mut value = cost as f64;
            for _ in 0..months / 12 {
                value = (value - value * rate).max(salvage as f64);
            }
            let this_year = (value * rate).min(value - salvage as f64);
            (value - this_year * (months % 12) as f64 / 12.0).round() as i64
        }
    }
}

/// Fennigkoh–Smith scores of a device (function 2–10, physical risk 1–5, maintenance
/// requirements 1–5, incident history 1–5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmScores {
    pub function: u8,
    pub physical_risk: u8,
    pub maintenance: u8,
    pub incident_history: u8,
}

/// The lowest EM number that puts a device in the planned-maintenance programme.
pub const EM_PM_THRESHOLD: u8 = 12;

impl EmScores {
    /// Field errors for scores out of range, as (field, message).
    pub fn check(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![];
        for (field, v, lo, hi) in [
            ("emFunction", self.function, 2, 10),
            ("emPhysicalRisk", self.physical_risk, 1, 5),
            ("emMaintenance", self.maintenance, 1, 5),
            ("emIncidentHistory", self.incident_history, 1, 5),
        ] {
            if !(lo..=hi).contains(&v) {
                out.push((field, format!("must be from {lo} to {hi}")));
            }
        }
        out
    }

    /// EM = function + physical risk + maintenance requirements + incident history.
    pub fn number(&self) -> u8 {
        self.function + self.physical_risk + self.maintenance + self.incident_history
    }

    pub fn needs_planned_maintenance(&self) -> bool {
        self.number() >= EM_PM_THRESHOLD
    }
}

/// Minutes the asset spent down (under maintenance or out of service) up to `now`, from the
/// statuses it entered and when, oldest first.
pub fn downtime_minutes(entered: &[(DateTime<Utc>, AssetStatus)], now: DateTime<Utc>) -> i64 {
    let mut total = 0;
    for (i, (at, status)) in entered.iter().enumerate() {
        if !status.is_down() {
            continue;
        }
        let until = entered.get(i + 1).map(|(t, _)| *t).unwrap_or(now).min(now);
        total += (until - *at).num_minutes().max(0);
    }
    total
}

/// Mean time to repair, minutes: from the report to the completion of each repair.
pub fn mttr_minutes(repairs: &[(DateTime<Utc>, DateTime<Utc>)]) -> Option<i64> {
    if repairs.is_empty() {
        return None;
    }
    let sum: i64 = repairs
        .iter()
        .map(|(reported, done)| (*done - *reported).num_minutes().max(0))
        .sum();
    Some(sum / repairs.len() as i64)
}

/// Mean time between failures, hours: time in operation (the period less downtime) per failure.
pub fn mtbf_hours(period_minutes: i64, downtime_minutes: i64, failures: usize) -> Option<f64> {
    if failures == 0 {
        return None;
    }
    let up = (period_minutes - downtime_minutes).max(0) as f64 / 60.0;
    Some((up / failures as f64 * 10.0).round() / 10.0)
}

/// Whether `serial` falls in a recall's range (either end optional, both inclusive). Serials
/// compare by length first, then case-insensitively, so SN99 < SN100 as on the label.
pub fn serial_in_range(serial: &str, from: Option<&str>, to: Option<&str>) -> bool {
    let key = |s: &str| (s.trim().len(), s.trim().to_uppercase());
    let s = key(serial);
    from.is_none_or(|f| s >= key(f)) && to.is_none_or(|t| s <= key(t))
}

/// The incident-history part of the EM number (1–5): 1 with no incident in the last five
/// years, one more per incident and one more again for each that harmed someone.
pub fn incident_history_score(incidents: &[(DateTime<Utc>, bool)], now: DateTime<Utc>) -> u8 {
    let since = now - chrono::Duration::days(5 * 365);
    let points: usize = incidents
        .iter()
        .filter(|(at, _)| *at >= since && *at <= now)
        .map(|(_, harm)| if *harm { 2 } else { 1 })
        .sum();
    (1 + points).min(5) as u8
}

/// Whether repairs have cost more than `percent` % of replacing the asset.
pub fn replacement_advised(repair_cost: i64, replacement_cost: i64, percent: i32) -> bool {
    replacement_cost > 0 && repair_cost as i128 * 100 > replacement_cost as i128 * percent as i128
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn pump(method: DepreciationMethod) -> Depreciable {
        // A KES 1,000,000.00 anaesthesia machine, 5-year life, KES 100,000.00 salvage.
        Depreciable {
            cost: 100_000_000,
            salvage: 10_000_000,
            life_years: 5,
            from: date(2024, 1, 15),
            method,
        }
    }

    #[test]
    fn straight_line_worked_example() {
        let d = pump(DepreciationMethod::StraightLine);
        // 900,000 over 5 years: 180,000 a year, 15,000 a month.
        assert_eq!(book_value(&d, date(2024, 1, 15)), 100_000_000);
        assert_eq!(book_value(&d, date(2025, 1, 15)), 82_000_000);
        assert_eq!(
            book_value(&d, date(2026, 1, 14)),
            65_500_000,
            "23 whole months"
        );
        assert_eq!(book_value(&d, date(2026, 7, 15)), 55_000_000, "30 months");
        assert_eq!(book_value(&d, date(2029, 1, 15)), 10_000_000, "end of life");
        assert_eq!(
            book_value(&d, date(2035, 1, 1)),
            10_000_000,
            "never below salvage"
        );
        assert_eq!(
            book_value(&d, date(2020, 1, 1)),
            100_000_000,
            "before it started"
        );
    }

    #[test]
    fn double_declining_balance_worked_example() {
        let d = pump(DepreciationMethod::DecliningBalance);
        // 40% a year of what is left: 1,000,000 → 600,000 → 360,000 → 216,000 → 129,600 →
        // 100,000 (the fifth year stops at salvage).
        assert_eq!(book_value(&d, date(2025, 1, 15)), 60_000_000);
        assert_eq!(book_value(&d, date(2026, 1, 15)), 36_000_000);
        assert_eq!(book_value(&d, date(2027, 1, 15)), 21_600_000);
        assert_eq!(book_value(&d, date(2028, 1, 15)), 12_960_000);
        assert_eq!(
            book_value(&d, date(2028, 7, 15)),
            11_480_000,
            "half of the capped last year"
        );
        assert_eq!(book_value(&d, date(2029, 1, 15)), 10_000_000);
        // Within the second year: 600,000 − 240,000 × 6/12.
        assert_eq!(book_value(&d, date(2025, 7, 15)), 48_000_000);
    }

    #[test]
    fn odd_inputs_do_not_panic_or_go_negative() {
        let mut d = pump(DepreciationMethod::StraightLine);
        d.salvage = 200_000_000;
        assert_eq!(
            book_value(&d, date(2026, 1, 1)),
            100_000_000,
            "salvage above cost"
        );
        d.life_years = 0;
        assert_eq!(book_value(&d, date(2026, 1, 1)), 100_000_000);
        assert_eq!(months_between(date(2024, 1, 31), date(2024, 2, 29)), 0);
        assert_eq!(months_between(date(2024, 1, 31), date(2024, 3, 31)), 2);
    }

    #[test]
    fn status_steps() {
        use AssetStatus::*;
        assert!(check_status_step(InService, OutOfService).is_ok());
        assert_eq!(
            check_status_step(PendingAcceptance, InService),
            Err(StatusStepError::NeedsAcceptance)
        );
        assert!(check_status_step(PendingAcceptance, Retired).is_ok());
        assert!(check_status_step(Retired, Disposed).is_ok());
        assert_eq!(
            check_status_step(InService, Disposed),
            Err(StatusStepError::DisposeUnretired)
        );
        assert_eq!(
            check_status_step(InService, PendingAcceptance),
            Err(StatusStepError::BackToAcceptance)
        );
        for s in AssetStatus::ALL {
            assert_eq!(check_status_step(Disposed, s), Err(StatusStepError::Final));
        }
    }

    #[test]
    fn em_number_of_a_ventilator() {
        // Life support (10) + patient death possible (5) + extensive maintenance (5) + a
        // significant incident history (2) = 22: in the PM programme.
        let s = EmScores {
            function: 10,
            physical_risk: 5,
            maintenance: 5,
            incident_history: 2,
        };
        assert!(s.check().is_empty());
        assert_eq!(s.number(), 22);
        assert!(s.needs_planned_maintenance());
        let lamp = EmScores {
            function: 2,
            physical_risk: 2,
            maintenance: 2,
            incident_history: 1,
        };
        assert!(!lamp.needs_planned_maintenance());
        let bad = EmScores {
            function: 1,
            physical_risk: 6,
            maintenance: 3,
            incident_history: 3,
        };
        assert_eq!(bad.check().len(), 2);
    }

    #[test]
    fn reliability_figures() {
        use AssetStatus::*;
        let t = |h: i64| DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::hours(h);
        // In service, down for 10 h, back, then down again for the last 5 h.
        let entered = [
            (t(0), InService),
            (t(100), OutOfService),
            (t(106), UnderMaintenance),
            (t(110), InService),
            (t(195), OutOfService),
        ];
        assert_eq!(downtime_minutes(&entered, t(200)), 15 * 60);
        assert_eq!(downtime_minutes(&entered, t(108)), 8 * 60, "up to now only");
        assert_eq!(
            mttr_minutes(&[(t(100), t(110)), (t(195), t(197))]),
            Some(6 * 60)
        );
        assert_eq!(mttr_minutes(&[]), None);
        // 200 h less 15 h down, over 2 failures.
        assert_eq!(mtbf_hours(200 * 60, 15 * 60, 2), Some(92.5));
        assert_eq!(mtbf_hours(200 * 60, 0, 0), None);
        assert!(replacement_advised(50_001, 100_000, 50));
        assert!(!replacement_advised(50_000, 100_000, 50));
        assert!(!replacement_advised(10, 0, 50), "no replacement cost known");
    }

    #[test]
    fn incident_history_scores() {
        let now = DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::days(4000);
        let ago = |d: i64| now - chrono::Duration::days(d);
        assert_eq!(incident_history_score(&[], now), 1);
        assert_eq!(incident_history_score(&[(ago(10), false)], now), 2);
        assert_eq!(incident_history_score(&[(ago(10), true)], now), 3);
        assert_eq!(
            incident_history_score(&[(ago(6 * 365), true)], now),
            1,
            "older than five years"
        );
        let many = [(ago(1), true), (ago(2), true), (ago(3), true)];
        assert_eq!(incident_history_score(&many, now), 5, "capped");
    }

    #[test]
    fn serial_ranges() {
        assert!(serial_in_range("SN100", Some("SN99"), Some("SN200")));
        assert!(serial_in_range("sn150", Some("SN100"), Some("SN200")));
        assert!(!serial_in_range("SN201", Some("SN100"), Some("SN200")));
        assert!(!serial_in_range("SN1000", None, Some("SN200")));
        assert!(serial_in_range("ANY", None, None));
    }
}

crate::keyed_enum! {
    /// How dangerous a failure of the equipment would be.
    RiskClass {
        High = "high",
        Medium = "medium",
        Low = "low",
    }
}

crate::keyed_enum! {
    /// How the equipment is maintained.
    MaintenanceStrategy {
        Manufacturer = "manufacturer",
        AlternativeEquipmentMaintenance = "alternative_equipment_maintenance",
        RunToFail = "run_to_fail",
    }
}
