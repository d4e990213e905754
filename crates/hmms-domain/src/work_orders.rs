//! Work orders: the status machine of ARCHITECTURE.md §6 with its role rules, SLA deadlines and
//! states, and human codes. Pure functions over plain values.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

crate::keyed_enum! {
    /// Where a work order is in its life.
    Status {
        Pending = "pending",
        Assigned = "assigned",
        InProgress = "in_progress",
        OnHold = "on_hold",
        Completed = "completed",
        Closed = "closed",
        Cancelled = "cancelled",
    }
}

crate::keyed_enum! {
    /// How urgent the work is; sets the SLA.
    Priority {
        Low = "low",
        Medium = "medium",
        High = "high",
        Critical = "critical",
    }
}

crate::keyed_enum! {
    /// What kind of work it is.
    WorkOrderType {
        Corrective = "corrective",
        Preventive = "preventive",
        Inspection = "inspection",
        Calibration = "calibration",
        SafetyTest = "safety_test",
        Installation = "installation",
    }
}

impl Status {
    /// Finished: nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Closed | Status::Cancelled)
    }

    /// Still someone's work (counts towards backlog and SLA).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Completed | Status::Closed | Status::Cancelled)
    }
}

/// What the person asking for a change may do with this work order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rights {
    /// Holds `work_order.assign` (facility manager, admin).
    pub assign: bool,
    /// Holds `work_order.approve_close`.
    pub approve: bool,
    /// Holds `work_order.execute` and is the assignee.
    pub execute_own: bool,
    /// Raised the request.
    pub requester: bool,
}

/// The status changes the machine permits from `from`, whoever asks.
pub fn machine_next(from: Status) -> &'static [Status] {
    use Status::*;
    match from {
        Pending => &[Assigned, Cancelled],
        Assigned => &[InProgress, Cancelled],
        InProgress => &[OnHold, Completed],
        OnHold => &[InProgress],
        // Approval closes; rejection sends it back to work.
        Completed => &[Closed, InProgress],
        Closed | Cancelled => &[],
    }
}

/// Whether someone with `rights` may move a work order from `from` to `to` (assuming the
/// machine permits it).
pub fn may(from: Status, to: Status, rights: Rights) -> bool {
    use Status::*;
    match (from, to) {
        (Pending, Assigned) => rights.assign,
        (Pending, Cancelled) => rights.assign || rights.requester,
        (Assigned, Cancelled) => rights.assign,
        (Assigned, InProgress)
        | (InProgress, OnHold)
        | (OnHold, InProgress)
        | (InProgress, Completed) => rights.execute_own,
        (Completed, Closed) | (Completed, InProgress) => rights.approve,
        _ => false,
    }
}

/// Why a status change was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    /// The machine has no such step from here (409); `allowed` are the steps this person may take.
    Invalid { allowed: Vec<Status> },
    /// The step exists but this person may not take it (403).
    Forbidden,
}

/// Checks a status change. Permission is judged before state: someone who may never take a
/// step to `to`, from any status, is refused (403) before the work order's status is looked at.
pub fn check_transition(from: Status, to: Status, rights: Rights) -> Result<(), TransitionError> {
    let ever = Status::ALL
        .iter()
        .any(|&f| machine_next(f).contains(&to) && may(f, to, rights));
    if !ever {
        return Err(TransitionError::Forbidden);
    }
    if !machine_next(from).contains(&to) {
        return Err(TransitionError::Invalid {
            allowed: allowed_next(from, rights),
        });
    }
    if may(from, to, rights) {
        Ok(())
    } else {
        Err(TransitionError::Forbidden)
    }
}

/// The steps this person may take from `from`.
pub fn allowed_next(from: Status, rights: Rights) -> Vec<Status> {
    machine_next(from)
        .iter()
        .copied()
        .filter(|to| may(from, *to, rights))
        .collect()
}

/// Response and resolution times for one priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTimes {
    pub response_minutes: i64,
    pub resolution_minutes: i64,
}

/// The policy HMMS ships with (issue 3): critical 15 min / 4 h, high 1 h / 24 h, medium 4 h /
/// 72 h, low 24 h / 7 days.
pub fn default_sla(priority: Priority) -> SlaTimes {
    let (response, resolution) = match priority {
        Priority::Critical => (15, 4 * 60),
        Priority::High => (60, 24 * 60),
        Priority::Medium => (4 * 60, 72 * 60),
        Priority::Low => (24 * 60, 7 * 24 * 60),
    };
    SlaTimes {
        response_minutes: response,
        resolution_minutes: resolution,
    }
}

/// Checks an SLA policy edit: both times positive, response within resolution, at most a year.
pub fn validate_sla(t: SlaTimes) -> Result<(), String> {
    const YEAR: i64 = 365 * 24 * 60;
    if t.response_minutes < 1 || t.resolution_minutes < 1 {
        return Err("times must be at least one minute".into());
    }
    if t.response_minutes > t.resolution_minutes {
        return Err("the response time cannot be longer than the resolution time".into());
    }
    if t.resolution_minutes > YEAR {
        return Err("times must be at most one year".into());
    }
    Ok(())
}

/// Response and resolution deadlines for work raised at `raised`.
pub fn deadlines(raised: DateTime<Utc>, t: SlaTimes) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        raised + Duration::minutes(t.response_minutes),
        raised + Duration::minutes(t.resolution_minutes),
    )
}

/// Where a clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    OnTrack,
    /// 75% or more of the time is used.
    AtRisk,
    Breached,
}

/// The state of an SLA clock that started at `start` and is due at `due`, at `now`.
pub fn sla_state(start: DateTime<Utc>, due: DateTime<Utc>, now: DateTime<Utc>) -> SlaState {
    if now >= due {
        return SlaState::Breached;
    }
    let total = (due - start).num_seconds().max(1);
    let used = (now - start).num_seconds();
    if used * 4 >= total * 3 {
        SlaState::AtRisk
    } else {
        SlaState::OnTrack
    }
}

/// One step of a site's escalation chain: who is told, and how long after the breach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationStep {
    /// 1, 2, 3… in order.
    pub level: i32,
    /// `assignee`, `department_head`, or a role key such as `facility_manager` or `admin`.
    pub notify: String,
    /// Minutes after the breach at which this level is reached.
    pub delay_minutes: i64,
}

/// Escalation target: whoever does the work (the technician, or the vendor company's people).
pub const ASSIGNEE: &str = "assignee";
/// Escalation target: the head of the work order's department, if it has one.
pub const DEPARTMENT_HEAD: &str = "department_head";

/// The chain HMMS ships with: the assignee, the department head and the facility managers at
/// once, the administrators an hour later.
pub fn default_chain() -> Vec<EscalationStep> {
    [
        (ASSIGNEE, 0),
        (DEPARTMENT_HEAD, 0),
        ("facility_manager", 0),
        ("admin", 60),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (notify, delay_minutes))| EscalationStep {
        level: i as i32 + 1,
        notify: notify.into(),
        delay_minutes,
    })
    .collect()
}

/// The escalation steps that fall due at `now` for work breached at `breached`, beyond the
/// level already reached. Empty when nothing new is due.
pub fn due_steps(
    chain: &[EscalationStep],
    current_level: i32,
    breached: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<EscalationStep> {
    let mut due: Vec<EscalationStep> = chain
        .iter()
        .filter(|s| s.level > current_level && breached + Duration::minutes(s.delay_minutes) <= now)
        .cloned()
        .collect();
    due.sort_by_key(|s| s.level);
    due
}

/// Checks an escalation chain: levels 1..n in order, delays not decreasing, known targets.
pub fn validate_chain(
    chain: &[EscalationStep],
    known_role: impl Fn(&str) -> bool,
) -> Result<(), String> {
    if chain.is_empty() || chain.len() > 10 {
        return Err("a chain has 1 to 10 steps".into());
    }
    for (i, s) in chain.iter().enumerate() {
        if s.level != i as i32 + 1 {
            return Err(format!("step {} must have level {}", i + 1, i + 1));
        }
        if s.delay_minutes < 0 || s.delay_minutes > 30 * 24 * 60 {
            return Err(format!(
                "step {}: the delay must be between 0 and 30 days",
                i + 1
            ));
        }
        if i > 0 && s.delay_minutes < chain[i - 1].delay_minutes {
            return Err(format!(
                "step {}: delays cannot go down along the chain",
                i + 1
            ));
        }
        if s.notify != ASSIGNEE && s.notify != DEPARTMENT_HEAD && !known_role(&s.notify) {
            return Err(format!(
                "step {}: `{}` is neither `assignee`, `department_head` nor a role",
                i + 1,
                s.notify
            ));
        }
    }
    Ok(())
}

/// `WO-2026-000123`.
pub fn code(prefix: &str, year: i32, number: i64) -> String {
    format!("{prefix}-{year}-{number:06}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rights() -> impl Strategy<Value = Rights> {
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
            |(assign, approve, execute_own, requester)| Rights {
                assign,
                approve,
                execute_own,
                requester,
            },
        )
    }

    fn status() -> impl Strategy<Value = Status> {
        prop::sample::select(Status::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn nothing_leaves_a_final_state(to in status(), r in rights()) {
            for from in [Status::Closed, Status::Cancelled] {
                prop_assert!(check_transition(from, to, r).is_err());
            }
        }

        #[test]
        fn allowed_steps_are_exactly_the_ones_that_pass(from in status(), to in status(), r in rights()) {
            let ok = check_transition(from, to, r).is_ok();
            prop_assert_eq!(ok, allowed_next(from, r).contains(&to));
        }

        #[test]
        fn only_approvers_close(from in status(), r in rights()) {
            if check_transition(from, Status::Closed, r).is_ok() {
                prop_assert!(r.approve);
                prop_assert_eq!(from, Status::Completed);
            }
        }

        #[test]
        fn only_the_assignee_works(from in status(), r in rights()) {
            for to in [Status::InProgress, Status::OnHold, Status::Completed] {
                if check_transition(from, to, r).is_ok() && from != Status::Completed {
                    prop_assert!(r.execute_own);
                }
            }
        }

        #[test]
        fn sla_state_moves_forward_with_time(a in 0i64..100_000, b in 0i64..100_000, len in 1i64..100_000) {
            let start = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
            let due = start + Duration::seconds(len);
            let (early, late) = (a.min(b), a.max(b));
            let s1 = sla_state(start, due, start + Duration::seconds(early));
            let s2 = sla_state(start, due, start + Duration::seconds(late));
            let rank = |s| match s { SlaState::OnTrack => 0, SlaState::AtRisk => 1, SlaState::Breached => 2 };
            prop_assert!(rank(s1) <= rank(s2));
        }
    }

    #[test]
    fn escalation_reaches_each_level_once_in_order() {
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let chain = default_chain();
        let due = due_steps(&chain, 0, t0, t0);
        assert_eq!(
            due.iter().map(|s| s.level).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert!(due_steps(&chain, 3, t0, t0 + Duration::minutes(59)).is_empty());
        assert_eq!(
            due_steps(&chain, 3, t0, t0 + Duration::minutes(60))[0].notify,
            "admin"
        );
        assert!(due_steps(&chain, 4, t0, t0 + Duration::days(9)).is_empty());
        assert!(validate_chain(&chain, |r| r == "facility_manager" || r == "admin").is_ok());
        let mut bad = chain.clone();
        bad[2].delay_minutes = -1;
        assert!(validate_chain(&bad, |_| true).is_err());
    }

    #[test]
    fn invalid_and_forbidden_are_told_apart() {
        let tech = Rights {
            execute_own: true,
            ..Rights::default()
        };
        // Permission before state: a technician may never close, whatever the status.
        assert_eq!(
            check_transition(Status::Assigned, Status::Closed, tech),
            Err(TransitionError::Forbidden)
        );
        assert_eq!(
            check_transition(Status::InProgress, Status::Closed, tech),
            Err(TransitionError::Forbidden)
        );
        // One who may close, but not from here, is told what is open.
        let approver = Rights {
            approve: true,
            ..Rights::default()
        };
        assert_eq!(
            check_transition(Status::InProgress, Status::Closed, approver),
            Err(TransitionError::Invalid { allowed: vec![] })
        );
        assert_eq!(
            check_transition(Status::Assigned, Status::Completed, tech),
            Err(TransitionError::Invalid {
                allowed: vec![Status::InProgress]
            })
        );
        assert_eq!(
            check_transition(Status::Completed, Status::Closed, tech),
            Err(TransitionError::Forbidden)
        );
        let manager = Rights {
            assign: true,
            approve: true,
            ..Rights::default()
        };
        assert_eq!(
            check_transition(Status::Completed, Status::Closed, manager),
            Ok(())
        );
        assert_eq!(
            check_transition(Status::Completed, Status::InProgress, manager),
            Ok(())
        );
    }

    #[test]
    fn sla_defaults_and_states() {
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let crit = default_sla(Priority::Critical);
        let (resp, res) = deadlines(t0, crit);
        assert_eq!(resp - t0, Duration::minutes(15));
        assert_eq!(res - t0, Duration::hours(4));
        assert_eq!(
            sla_state(t0, res, t0 + Duration::minutes(179)),
            SlaState::OnTrack
        );
        assert_eq!(
            sla_state(t0, res, t0 + Duration::minutes(180)),
            SlaState::AtRisk
        );
        assert_eq!(
            sla_state(t0, res, t0 + Duration::hours(4)),
            SlaState::Breached
        );
        assert_eq!(default_sla(Priority::Low).resolution_minutes, 7 * 24 * 60);
        assert!(
            validate_sla(SlaTimes {
                response_minutes: 60,
                resolution_minutes: 30
            })
            .is_err()
        );
        assert_eq!(code("WO", 2026, 123), "WO-2026-000123");
    }
}
