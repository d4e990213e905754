//! When preventive maintenance falls due: calendar schedules as RFC 5545 recurrence rules
//! evaluated in the site's time zone, meter intervals, and the fixed or floating choice.
//!
//! A schedule's calendar part is always stored as an RRULE plus a local start (`DTSTART` in the
//! site's zone). The simple frequencies a planner picks (daily, weekly, monthly, yearly, every
//! `n`) are turned into rules by [`simple_rule`], which keeps "monthly on the 31st" and "yearly
//! on 29 February" meaning what a hospital means (the last day of shorter months, 28 February in
//! common years) — the raw RFC 5545 rule `BYMONTHDAY=31` instead skips months without a 31st.
//! Times that do not exist on a daylight-saving change move forward by the gap; times that occur
//! twice take the first.

use chrono::{DateTime, Datelike, NaiveDateTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The simple frequencies of the plan editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// Whether the next due date follows the calendar (`fixed`: every first Monday, whatever
/// happened) or counts from the last completion (`floating`: six months after it was done).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Fixed,
    Floating,
}

/// How a plan recurs: one of the editor's simple frequencies, or a recurrence rule as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Recurrence {
    /// Every `interval` days, weeks, months or years, from the start's weekday or date.
    Simple { frequency: Frequency, interval: u32 },
    /// An RFC 5545 rule, e.g. `FREQ=MONTHLY;INTERVAL=6;BYDAY=1MO`.
    Rule { rule: String },
}

impl Recurrence {
    /// The RRULE this recurrence means for a schedule starting at `start`.
    pub fn rule_for(&self, start: NaiveDateTime) -> Result<String, ScheduleError> {
        match self {
            Self::Simple {
                frequency,
                interval,
            } => simple_rule(*frequency, *interval, start),
            Self::Rule { rule } => Ok(rule.clone()),
        }
    }
}

/// A checked calendar schedule: a recurrence rule from a local start in a time zone.
#[derive(Debug, Clone)]
pub struct Calendar {
    recurrence: Recurrence,
    rule: String,
    start: NaiveDateTime,
    zone: Tz,
    set: rrule::RRuleSet,
}

/// Why a schedule was refused, in words for the planner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("`{0}` is not a time zone")]
    Zone(String),
    #[error("the recurrence rule is not valid: {0}")]
    Rule(String),
    #[error("the interval must be between 1 and 1000")]
    Interval,
}

/// The most occurrences one question to a calendar walks: daily for 270 years. Bounds the
/// work any request can cause, whatever the rule.
const MAX_STEPS: usize = 100_000;

fn parsed_bounded(rule: &str) -> bool {
    rule.split(';')
        .any(|part| part.starts_with("COUNT=") || part.starts_with("UNTIL="))
}

fn rrule_zone(zone: Tz) -> rrule::Tz {
    zone.into()
}

/// The local time as an instant in `zone`: the first of two on a fall-back day, one gap later
/// on a spring-forward day (RFC 5545 §3.3.5).
pub fn local_to_utc(local: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    use chrono::TimeZone;
    use chrono::offset::LocalResult;
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // Interpreted with the offset before the gap: midnight's offset still applies.
            let midnight = local.date().and_time(chrono::NaiveTime::MIN);
            let offset = match zone.from_local_datetime(&midnight) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.offset().fix(),
                LocalResult::None => Utc.fix(),
            };
            (local - offset).and_utc()
        }
    }
}

use chrono::Offset;

impl Calendar {
    /// Checks `rule` (the part after `RRULE:`, e.g. `FREQ=MONTHLY;BYDAY=1MO;INTERVAL=6`) from the
    /// local start `start` in `zone` (an IANA name such as `Africa/Nairobi`).
    pub fn new(rule: &str, start: NaiveDateTime, zone: &str) -> Result<Self, ScheduleError> {
        let recurrence = Recurrence::Rule {
            rule: rule.trim().trim_start_matches("RRULE:").to_uppercase(),
        };
        Self::of(&recurrence, start, zone)
    }

    /// The calendar of `recurrence` from the local start `start` in `zone`.
    pub fn of(
        recurrence: &Recurrence,
        start: NaiveDateTime,
        zone: &str,
    ) -> Result<Self, ScheduleError> {
        let zone: Tz = zone
            .parse()
            .map_err(|_| ScheduleError::Zone(zone.to_string()))?;
        let rule = recurrence
            .rule_for(start)?
            .trim()
            .trim_start_matches("RRULE:")
            .to_uppercase();
        if rule.is_empty() {
            return Err(ScheduleError::Rule("it is empty".into()));
        }
        let parsed: rrule::RRule<rrule::Unvalidated> = rule
            .parse()
            .map_err(|e: rrule::RRuleError| ScheduleError::Rule(e.to_string()))?;
        let start_utc = local_to_utc(start, zone);
        let dt_start = start_utc.with_timezone(&rrule_zone(zone));
        let set = parsed
            .build(dt_start)
            .map_err(|e| ScheduleError::Rule(e.to_string()))?;
        // Maintenance falls due at most daily, at the start's time of day. Finer rules would
        // also let one request walk millions of occurrences.
        if let Some(part) = rule.split(';').find(|part| {
            matches!(*part, "FREQ=HOURLY" | "FREQ=MINUTELY" | "FREQ=SECONDLY")
                || ["BYHOUR=", "BYMINUTE=", "BYSECOND="]
                    .iter()
                    .any(|k| part.starts_with(k))
        }) {
            return Err(ScheduleError::Rule(format!(
                "{part} is finer than daily: maintenance falls due at most once a day, at the start's time"
            )));
        }
        // Rules with COUNT or UNTIL end; maintenance plans do not (a paused plan stops instead).
        if parsed_bounded(&rule) {
            return Err(ScheduleError::Rule(
                "COUNT and UNTIL are not used here: pause or end the plan instead".into(),
            ));
        }
        Ok(Self {
            recurrence: recurrence.clone(),
            rule,
            start,
            zone,
            set,
        })
    }

    pub fn rule(&self) -> &str {
        &self.rule
    }

    pub fn start(&self) -> NaiveDateTime {
        self.start
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// Occurrences at or after `from` and before `to`, at most `limit`, in order.
    pub fn between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> Vec<DateTime<Utc>> {
        let mut out = Vec::new();
        for t in (&self.set).into_iter().take(MAX_STEPS) {
            let t = t.with_timezone(&Utc);
            if t >= to || out.len() >= limit {
                break;
            }
            if t >= from {
                out.push(t);
            }
        }
        out
    }

    /// The first occurrence strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let zone = rrule_zone(self.zone);
        let after_z = after.with_timezone(&zone);
        let set = self.set.clone().after(after_z);
        set.into_iter()
            .take(MAX_STEPS)
            .map(|t| t.with_timezone(&Utc))
            .find(|t| *t > after)
    }

    /// The first occurrence at or after `at`.
    pub fn first_from(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.next_after(at - chrono::Duration::seconds(1))
    }

    /// The same recurrence started again at `start` (a floating schedule after a completion):
    /// a simple frequency takes the new start's weekday or date.
    pub fn restarted_at(&self, start: NaiveDateTime) -> Result<Self, ScheduleError> {
        Self::of(&self.recurrence, start, self.zone.name())
    }

    /// The next occurrence a floating schedule gets after work done at `done`: the rule
    /// restarted on the local day of completion at the original start's time of day, and its
    /// first occurrence after that day.
    pub fn next_after_completion(&self, done: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local_day = done.with_timezone(&self.zone).date_naive();
        let restarted = self
            .restarted_at(local_day.and_time(self.start.time()))
            .ok()?;
        // The restarted rule's first occurrence is the completion day itself: skip it.
        restarted.next_after(local_to_utc(
            local_day.and_time(self.start.time()),
            self.zone,
        ))
    }
}

/// The RRULE for a simple frequency: every `interval` days, weeks (on the start's weekday),
/// months (on the start's day of the month, or the month's last day when it is shorter) or
/// years (on the start's date, 28 February in common years for a 29 February start).
pub fn simple_rule(
    frequency: Frequency,
    interval: u32,
    start: NaiveDateTime,
) -> Result<String, ScheduleError> {
    if !(1..=1000).contains(&interval) {
        return Err(ScheduleError::Interval);
    }
    let day = start.day();
    // The day, or the last day of a month too short for it (BYSETPOS=-1 of the candidates).
    let month_day = match day {
        1..=28 => format!("BYMONTHDAY={day}"),
        29 => "BYMONTHDAY=28,29;BYSETPOS=-1".to_string(),
        30 => "BYMONTHDAY=28,29,30;BYSETPOS=-1".to_string(),
        _ => "BYMONTHDAY=-1".to_string(),
    };
    Ok(match frequency {
        Frequency::Daily => format!("FREQ=DAILY;INTERVAL={interval}"),
        Frequency::Weekly => format!(
            "FREQ=WEEKLY;INTERVAL={interval};BYDAY={}",
            weekday_code(start.weekday())
        ),
        Frequency::Monthly => format!("FREQ=MONTHLY;INTERVAL={interval};{month_day}"),
        Frequency::Yearly => format!(
            "FREQ=YEARLY;INTERVAL={interval};BYMONTH={};{month_day}",
            start.month()
        ),
    })
}

pub fn weekday_code(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

/// A meter interval: work every `every` units of the asset's counter (e.g. 250 running hours).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeterInterval {
    pub every: f64,
}

impl MeterInterval {
    /// Whether a counter at `reading` has reached the next service since `baseline` (the
    /// reading when the last one was done, or the first reading).
    pub fn due(&self, baseline: f64, reading: f64) -> bool {
        self.every > 0.0 && reading - baseline >= self.every
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Timelike};

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn days(cal: &Calendar, n: usize) -> Vec<String> {
        cal.between(utc(2000, 1, 1, 0, 0), utc(2100, 1, 1, 0, 0), n)
            .into_iter()
            .map(|t| {
                t.with_timezone(&cal.zone())
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn monthly_on_the_31st_falls_on_the_last_day_of_shorter_months() {
        let start = local(2027, 1, 31, 9, 0);
        let rule = simple_rule(Frequency::Monthly, 1, start).unwrap();
        let cal = Calendar::new(&rule, start, "Africa/Nairobi").unwrap();
        assert_eq!(
            days(&cal, 5),
            [
                "2027-01-31 09:00",
                "2027-02-28 09:00",
                "2027-03-31 09:00",
                "2027-04-30 09:00",
                "2027-05-31 09:00"
            ]
        );
        // The raw RFC 5545 rule skips months that have no 31st.
        let raw = Calendar::new("FREQ=MONTHLY;BYMONTHDAY=31", start, "Africa/Nairobi").unwrap();
        assert_eq!(
            days(&raw, 3),
            ["2027-01-31 09:00", "2027-03-31 09:00", "2027-05-31 09:00"]
        );
    }

    #[test]
    fn monthly_on_the_30th_is_the_28th_or_29th_in_february() {
        let start = local(2027, 11, 30, 8, 0);
        let cal = Calendar::new(
            &simple_rule(Frequency::Monthly, 1, start).unwrap(),
            start,
            "Africa/Nairobi",
        )
        .unwrap();
        assert_eq!(
            days(&cal, 4),
            [
                "2027-11-30 08:00",
                "2027-12-30 08:00",
                "2028-01-30 08:00",
                "2028-02-29 08:00"
            ]
        );
    }

    #[test]
    fn yearly_on_a_leap_day_is_28_february_in_common_years() {
        let start = local(2028, 2, 29, 10, 0);
        let cal = Calendar::new(
            &simple_rule(Frequency::Yearly, 1, start).unwrap(),
            start,
            "Africa/Kampala",
        )
        .unwrap();
        assert_eq!(
            days(&cal, 5),
            [
                "2028-02-29 10:00",
                "2029-02-28 10:00",
                "2030-02-28 10:00",
                "2031-02-28 10:00",
                "2032-02-29 10:00"
            ]
        );
        let raw = Calendar::new("FREQ=YEARLY", start, "Africa/Kampala").unwrap();
        assert_eq!(days(&raw, 2), ["2028-02-29 10:00", "2032-02-29 10:00"]);
    }

    #[test]
    fn local_time_holds_across_daylight_saving_changes() {
        // Weekly on Mondays at 09:00 in London, across the March change: 09:00 GMT, then
        // 09:00 BST (08:00 UTC).
        let start = local(2027, 3, 22, 9, 0);
        let cal = Calendar::new(
            &simple_rule(Frequency::Weekly, 1, start).unwrap(),
            start,
            "Europe/London",
        )
        .unwrap();
        let got = cal.between(utc(2027, 3, 1, 0, 0), utc(2027, 4, 10, 0, 0), 10);
        assert_eq!(
            got,
            [
                utc(2027, 3, 22, 9, 0),
                utc(2027, 3, 29, 8, 0),
                utc(2027, 4, 5, 8, 0)
            ]
        );
    }

    #[test]
    fn a_time_in_the_spring_gap_moves_forward_and_a_repeated_time_takes_the_first() {
        // 01:30 does not exist in London on 28 March 2027 (01:00 → 02:00).
        let t = local_to_utc(local(2027, 3, 28, 1, 30), "Europe/London".parse().unwrap());
        assert_eq!(t, utc(2027, 3, 28, 1, 30), "01:30 GMT = 02:30 BST");
        // 01:30 happens twice on 31 October 2027: the first is BST (00:30 UTC).
        let t = local_to_utc(local(2027, 10, 31, 1, 30), "Europe/London".parse().unwrap());
        assert_eq!(t, utc(2027, 10, 31, 0, 30));
        // A daily 01:30 schedule has one occurrence on each of those days.
        let start = local(2027, 3, 27, 1, 30);
        let cal = Calendar::new("FREQ=DAILY", start, "Europe/London").unwrap();
        let got = cal.between(utc(2027, 3, 27, 0, 0), utc(2027, 3, 30, 0, 0), 10);
        assert_eq!(
            got,
            [
                utc(2027, 3, 27, 1, 30),
                utc(2027, 3, 28, 1, 30),
                utc(2027, 3, 29, 0, 30)
            ]
        );
    }

    #[test]
    fn every_six_months_on_the_first_monday() {
        let start = local(2027, 1, 4, 9, 0);
        let cal =
            Calendar::new("FREQ=MONTHLY;INTERVAL=6;BYDAY=1MO", start, "Africa/Nairobi").unwrap();
        assert_eq!(
            days(&cal, 4),
            [
                "2027-01-04 09:00",
                "2027-07-05 09:00",
                "2028-01-03 09:00",
                "2028-07-03 09:00"
            ]
        );
    }

    #[test]
    fn next_after_and_a_floating_restart() {
        let start = local(2027, 1, 4, 9, 0);
        let quarterly = Recurrence::Simple {
            frequency: Frequency::Monthly,
            interval: 3,
        };
        let cal = Calendar::of(&quarterly, start, "Africa/Nairobi").unwrap();
        // Nairobi is UTC+3: 09:00 local is 06:00 UTC.
        assert_eq!(
            cal.next_after(utc(2027, 1, 4, 6, 0)),
            Some(utc(2027, 4, 4, 6, 0))
        );
        assert_eq!(
            cal.first_from(utc(2027, 1, 4, 6, 0)),
            Some(utc(2027, 1, 4, 6, 0))
        );
        // Done late on 20 May: a floating schedule is next due three months after that day.
        assert_eq!(
            cal.next_after_completion(utc(2027, 5, 20, 12, 0)),
            Some(utc(2027, 8, 20, 6, 0))
        );
    }

    #[test]
    fn rules_finer_than_daily_are_refused() {
        let start =
            NaiveDateTime::parse_from_str("2020-01-01T00:00:00", "%Y-%m-%dT%H:%M:%S").unwrap();
        for rule in [
            "FREQ=SECONDLY",
            "FREQ=MINUTELY;INTERVAL=5",
            "FREQ=HOURLY",
            "FREQ=DAILY;BYHOUR=8,20",
            "FREQ=WEEKLY;BYMINUTE=0,30",
            "FREQ=DAILY;BYSECOND=1",
        ] {
            let e = Calendar::new(rule, start, "Africa/Nairobi").unwrap_err();
            assert!(e.to_string().contains("finer than daily"), "{rule}: {e}");
        }
        // Daily from years ago still answers at once, and within bounds.
        let cal = Calendar::new("FREQ=DAILY", start, "Africa/Nairobi").unwrap();
        let now = "2026-12-06T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            cal.between(now, now + chrono::Duration::days(19), 1000)
                .len(),
            19
        );
    }

    #[test]
    fn bad_rules_zones_and_intervals_are_refused_in_words() {
        let start = local(2027, 1, 4, 9, 0);
        assert!(matches!(
            Calendar::new("FREQ=SOMETIMES", start, "Africa/Nairobi"),
            Err(ScheduleError::Rule(_))
        ));
        assert!(matches!(
            Calendar::new("FREQ=DAILY", start, "Mars/Olympus"),
            Err(ScheduleError::Zone(_))
        ));
        assert!(matches!(
            Calendar::new("", start, "Africa/Nairobi"),
            Err(ScheduleError::Rule(_))
        ));
        assert_eq!(
            simple_rule(Frequency::Daily, 0, start),
            Err(ScheduleError::Interval)
        );
        assert!(matches!(
            Calendar::new("FREQ=WEEKLY;COUNT=3", start, "Africa/Nairobi"),
            Err(ScheduleError::Rule(_))
        ));
    }

    #[test]
    fn a_meter_is_due_once_the_interval_has_run() {
        let m = MeterInterval { every: 250.0 };
        assert!(!m.due(1000.0, 1249.9));
        assert!(m.due(1000.0, 1250.0));
        assert!(!MeterInterval { every: 0.0 }.due(0.0, 1e9));
    }

    fn days_in_month(y: i32, m: u32) -> u32 {
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        NaiveDate::from_ymd_opt(ny, nm, 1)
            .unwrap()
            .pred_opt()
            .unwrap()
            .day()
    }

    proptest::proptest! {
        /// Simple monthly schedules land on the start's day, or the last day of a shorter
        /// month, at the start's local time, in strictly increasing order; and `next_after`
        /// agrees with the list.
        #[test]
        fn simple_monthly_keeps_its_day(
            year in 2026i32..2031, month in 1u32..13, day in 1u32..32, hour in 0u32..24,
            interval in 1u32..13, zone in proptest::sample::select(vec![
                "Africa/Nairobi", "Europe/London", "America/New_York", "Asia/Kolkata"]),
        ) {
            let day = day.min(days_in_month(year, month));
            let start = local(year, month, day, hour, 15);
            let cal = Calendar::of(
                &Recurrence::Simple { frequency: Frequency::Monthly, interval },
                start,
                zone,
            ).unwrap();
            let got = cal.between(utc(2000, 1, 1, 0, 0), utc(2100, 1, 1, 0, 0), 24);
            proptest::prop_assert_eq!(got.len(), 24);
            for w in got.windows(2) {
                proptest::prop_assert!(w[0] < w[1]);
                proptest::prop_assert_eq!(cal.next_after(w[0]), Some(w[1]));
            }
            for t in &got {
                let l = t.with_timezone(&cal.zone()).naive_local();
                proptest::prop_assert_eq!(l.day(), day.min(days_in_month(l.year(), l.month())));
                // The start's time of day, except on a day where it does not exist (it moves
                // forward by the daylight-saving gap).
                let exists = cal.zone().from_local_datetime(&l.date().and_time(start.time())).single().is_some();
                if exists {
                    proptest::prop_assert_eq!((l.hour(), l.minute()), (hour, 15));
                }
            }
        }
    }
}
