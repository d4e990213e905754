//! Checklists: the items of a template version, the technician's answers, and what they mean
//! (complete or not, passed or failed).

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

/// What an item asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// Pass or fail (and "not applicable" where the item allows it).
    PassFail,
    /// A measured value with a unit; outside the acceptable range it fails.
    Number,
    /// Free text (a serial number read off, an observation).
    Text,
    /// A photo must be attached.
    Photo,
    /// A signature must be captured.
    Signature,
}

/// One item of a checklist template version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// Stable within the template across versions, e.g. `earth-resistance`.
    pub key: String,
    pub label: String,
    pub kind: ItemKind,
    #[serde(default = "yes")]
    pub required: bool,
    /// Pass/fail items: whether "not applicable" may be answered.
    #[serde(default)]
    pub allow_na: bool,
    /// Number items: the unit shown and recorded, e.g. `Ω`, `mA`, `L/min`.
    #[serde(default)]
    pub unit: Option<String>,
    /// Number items: the acceptable range (inclusive); a bound may be absent.
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    /// How to do it (shown under the label).
    #[serde(default)]
    pub guidance: Option<String>,
}

fn yes() -> bool {
    true
}

/// An answer to one item, as the technician gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    pub key: String,
    /// `pass`, `fail` or `na` for pass/fail items.
    #[serde(default)]
    pub result: Option<String>,
    /// Number items.
    #[serde(default)]
    pub value: Option<f64>,
    /// Text items (and an optional remark on any item).
    #[serde(default)]
    pub text: Option<String>,
    /// Photo and signature items: the work order's attachment.
    #[serde(default)]
    pub attachment_id: Option<uuid::Uuid>,
}

/// How an answered item came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    NotApplicable,
    /// Text, photo and signature items are recorded, not judged.
    Recorded,
}

/// A problem with a template or with answers, by item key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

fn problem(field: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        field: field.into(),
        message: message.into(),
    }
}

/// Checks a template's items: 1 to 200, unique keys and labels, sensible ranges.
pub fn check_items(items: &[Item]) -> Vec<Problem> {
    let mut out = Vec::new();
    if items.is_empty() || items.len() > 200 {
        out.push(problem("items", "a checklist has 1 to 200 items"));
    }
    let mut keys = HashSet::new();
    for (i, it) in items.iter().enumerate() {
        let f = |name: &str| format!("items[{i}].{name}");
        let key_ok = !it.key.is_empty()
            && it.key.len() <= 64
            && it
                .key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !key_ok {
            out.push(problem(
                f("key"),
                "1 to 64 letters, digits, - or _ (it ties answers to the item across versions)",
            ));
        } else if !keys.insert(it.key.as_str()) {
            out.push(problem(f("key"), format!("`{}` is used twice", it.key)));
        }
        let label = it.label.trim();
        if label.is_empty() || label.chars().count() > 300 {
            out.push(problem(
                f("label"),
                "say what to check, in at most 300 characters",
            ));
        }
        if it.kind == ItemKind::Number {
            if let (Some(lo), Some(hi)) = (it.min, it.max)
                && lo > hi
            {
                out.push(problem(
                    f("min"),
                    "the lowest acceptable value is above the highest",
                ));
            }
            if it.min.is_some_and(|v| !v.is_finite()) || it.max.is_some_and(|v| !v.is_finite()) {
                out.push(problem(f("min"), "limits must be numbers"));
            }
        } else if it.min.is_some() || it.max.is_some() || it.unit.is_some() {
            out.push(problem(
                f("unit"),
                "only number items have a unit and a range",
            ));
        }
        if it.allow_na && it.kind != ItemKind::PassFail {
            out.push(problem(
                f("allowNa"),
                "only pass/fail items can be not applicable",
            ));
        }
    }
    out
}

/// How one answer to `item` comes out, or why it is not a valid answer.
pub fn judge(item: &Item, a: &Answer) -> Result<Outcome, String> {
    match item.kind {
        ItemKind::PassFail => match a.result.as_deref() {
            Some("pass") => Ok(Outcome::Pass),
            Some("fail") => Ok(Outcome::Fail),
            Some("na") if item.allow_na => Ok(Outcome::NotApplicable),
            Some("na") => Err("this item cannot be not applicable".into()),
            _ => Err("answer pass or fail".into()),
        },
        ItemKind::Number => {
            let v = a.value.ok_or("give the measured value")?;
            if !v.is_finite() {
                return Err("give the measured value".into());
            }
            let low = item.min.is_some_and(|m| v < m);
            let high = item.max.is_some_and(|m| v > m);
            Ok(if low || high {
                Outcome::Fail
            } else {
                Outcome::Pass
            })
        }
        ItemKind::Text => match a.text.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() && t.chars().count() <= 2000 => Ok(Outcome::Recorded),
            _ => Err("write the answer (at most 2000 characters)".into()),
        },
        ItemKind::Photo | ItemKind::Signature => a
            .attachment_id
            .map(|_| Outcome::Recorded)
            .ok_or_else(|| "attach it".to_string()),
    }
}

/// The judged state of a set of answers against a template version.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evaluation {
    /// Outcome per answered item key.
    pub outcomes: HashMap<String, Outcome>,
    /// Required items not answered yet.
    pub missing: Vec<String>,
    /// Items that failed (pass/fail answered fail, numbers out of range).
    pub failed: Vec<String>,
}

impl Evaluation {
    pub fn complete(&self) -> bool {
        self.missing.is_empty()
    }
}

/// Judges `answers` against `items`: invalid answers and answers to unknown items are problems;
/// otherwise the outcome of each, what is still missing and what failed (in item order).
pub fn evaluate(items: &[Item], answers: &[Answer]) -> Result<Evaluation, Vec<Problem>> {
    let by_key: HashMap<&str, &Item> = items.iter().map(|i| (i.key.as_str(), i)).collect();
    let mut problems = Vec::new();
    let mut outcomes = HashMap::new();
    let mut seen = HashSet::new();
    for (i, a) in answers.iter().enumerate() {
        let Some(item) = by_key.get(a.key.as_str()) else {
            problems.push(problem(
                format!("answers[{i}].key"),
                format!("no item `{}`", a.key),
            ));
            continue;
        };
        if !seen.insert(a.key.as_str()) {
            problems.push(problem(
                format!("answers[{i}].key"),
                format!("`{}` is answered twice", a.key),
            ));
            continue;
        }
        match judge(item, a) {
            Ok(o) => {
                outcomes.insert(a.key.clone(), o);
            }
            Err(m) => problems.push(problem(
                format!("answers[{i}]"),
                format!("{}: {m}", item.label),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let missing = items
        .iter()
        .filter(|i| i.required && !outcomes.contains_key(&i.key))
        .map(|i| i.key.clone())
        .collect();
    let failed = items
        .iter()
        .filter(|i| outcomes.get(&i.key) == Some(&Outcome::Fail))
        .map(|i| i.key.clone())
        .collect();
    Ok(Evaluation {
        outcomes,
        missing,
        failed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(key: &str, kind: ItemKind) -> Item {
        Item {
            key: key.into(),
            label: key.replace('-', " "),
            kind,
            required: true,
            allow_na: false,
            unit: None,
            min: None,
            max: None,
            guidance: None,
        }
    }

    fn answer(key: &str) -> Answer {
        Answer {
            key: key.into(),
            result: None,
            value: None,
            text: None,
            attachment_id: None,
        }
    }

    fn electrical_safety() -> Vec<Item> {
        let mut earth = item("earth-resistance", ItemKind::Number);
        earth.unit = Some("Ω".into());
        earth.max = Some(0.3);
        let mut leakage = item("enclosure-leakage", ItemKind::Number);
        leakage.unit = Some("µA".into());
        leakage.min = Some(0.0);
        leakage.max = Some(100.0);
        let mut alarms = item("alarms", ItemKind::PassFail);
        alarms.allow_na = true;
        let mut note = item("remarks", ItemKind::Text);
        note.required = false;
        vec![
            item("visual-inspection", ItemKind::PassFail),
            earth,
            leakage,
            alarms,
            note,
            item("label-photo", ItemKind::Photo),
        ]
    }

    #[test]
    fn a_number_outside_its_range_fails_and_on_the_bound_passes() {
        let items = electrical_safety();
        let mut a = answer("earth-resistance");
        a.value = Some(0.3);
        assert_eq!(judge(&items[1], &a), Ok(Outcome::Pass));
        a.value = Some(0.31);
        assert_eq!(judge(&items[1], &a), Ok(Outcome::Fail));
        a.value = None;
        assert!(judge(&items[1], &a).is_err());
        let mut l = answer("enclosure-leakage");
        l.value = Some(-1.0);
        assert_eq!(judge(&items[2], &l), Ok(Outcome::Fail));
    }

    #[test]
    fn not_applicable_only_where_allowed() {
        let items = electrical_safety();
        let mut a = answer("alarms");
        a.result = Some("na".into());
        assert_eq!(judge(&items[3], &a), Ok(Outcome::NotApplicable));
        let mut v = answer("visual-inspection");
        v.result = Some("na".into());
        assert!(judge(&items[0], &v).is_err());
        v.result = Some("maybe".into());
        assert!(judge(&items[0], &v).is_err());
    }

    #[test]
    fn evaluation_lists_what_is_missing_and_what_failed_in_item_order() {
        let items = electrical_safety();
        let mut v = answer("visual-inspection");
        v.result = Some("fail".into());
        let mut e = answer("earth-resistance");
        e.value = Some(0.9);
        let mut l = answer("enclosure-leakage");
        l.value = Some(20.0);
        let got = evaluate(&items, &[l, e, v]).unwrap();
        assert_eq!(got.failed, ["visual-inspection", "earth-resistance"]);
        assert_eq!(
            got.missing,
            ["alarms", "label-photo"],
            "remarks is optional"
        );
        assert!(!got.complete());
        let mut a = answer("alarms");
        a.result = Some("pass".into());
        let mut p = answer("label-photo");
        p.attachment_id = Some(uuid::Uuid::nil());
        let mut more = vec![a, p];
        let mut v = answer("visual-inspection");
        v.result = Some("pass".into());
        more.push(v);
        let got = evaluate(&items, &more).unwrap();
        assert_eq!(got.missing, ["earth-resistance", "enclosure-leakage"]);
        assert!(got.failed.is_empty());
    }

    #[test]
    fn unknown_duplicate_and_invalid_answers_are_problems() {
        let items = electrical_safety();
        let mut v = answer("visual-inspection");
        v.result = Some("pass".into());
        let problems =
            evaluate(&items, &[answer("nope"), v.clone(), v, answer("alarms")]).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["answers[0].key", "answers[2].key", "answers[3]"]);
    }

    #[test]
    fn templates_are_checked() {
        assert!(check_items(&electrical_safety()).is_empty());
        assert_eq!(check_items(&[])[0].field, "items");
        let mut bad = electrical_safety();
        bad[1].min = Some(5.0);
        bad[1].max = Some(1.0);
        bad[2].key = "earth-resistance".into();
        bad[0].unit = Some("V".into());
        bad[4].allow_na = true;
        bad[5].label = "  ".into();
        let fields: Vec<String> = check_items(&bad).into_iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                "items[0].unit",
                "items[1].min",
                "items[2].key",
                "items[4].allowNa",
                "items[5].label"
            ]
        );
    }
}
