//! Custom fields per equipment class: a class names the extra facts its assets carry (e.g.
//! "gas type" for anaesthesia machines, "tube serial" for X-ray units), and every asset of the
//! class is checked against them.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// The type of a custom field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldType {
    Text,
    Number,
    /// `YYYY-MM-DD`.
    Date,
    Boolean,
}

/// One extra field of an equipment class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomFieldDef {
    /// camelCase or snake_case letters and digits, e.g. `gasType`.
    #[schema(example = "gasType")]
    pub key: String,
    #[schema(example = "Anaesthetic gases")]
    pub label: String,
    #[serde(rename = "type")]
    pub kind: CustomFieldType,
    #[serde(default)]
    pub required: bool,
}

/// Problems with a class's field definitions, as (field, message).
pub fn check_defs(defs: &[CustomFieldDef]) -> Vec<(String, String)> {
    let mut out = vec![];
    let mut seen = HashSet::new();
    if defs.len() > 30 {
        out.push(("customFields".into(), "at most 30 fields per class".into()));
    }
    for (i, d) in defs.iter().enumerate() {
        let ok_key = !d.key.is_empty()
            && d.key.len() <= 40
            && d.key
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
            && d.key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok_key {
            out.push((
                format!("customFields[{i}].key"),
                "must start with a letter and use letters, digits and _ (40 at most)".into(),
            ));
        } else if !seen.insert(d.key.clone()) {
            out.push((
                format!("customFields[{i}].key"),
                format!("`{}` appears twice", d.key),
            ));
        }
        let label = d.label.trim();
        if label.is_empty() || label.chars().count() > 80 {
            out.push((
                format!("customFields[{i}].label"),
                "must be 1 to 80 characters".into(),
            ));
        }
    }
    out
}

/// Problems with an asset's values against its class's fields, as (field, message).
pub fn check_values(defs: &[CustomFieldDef], values: &Map<String, Value>) -> Vec<(String, String)> {
    let mut out = vec![];
    for (k, v) in values {
        let field = format!("customFields.{k}");
        let Some(d) = defs.iter().find(|d| &d.key == k) else {
            out.push((field, "is not a field of this equipment class".into()));
            continue;
        };
        let fits = match (d.kind, v) {
            (_, Value::Null) => true,
            (CustomFieldType::Text, Value::String(s)) => s.chars().count() <= 500,
            (CustomFieldType::Number, Value::Number(_)) => true,
            (CustomFieldType::Boolean, Value::Bool(_)) => true,
            (CustomFieldType::Date, Value::String(s)) => {
                NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
            }
            _ => false,
        };
        if !fits {
            let want = match d.kind {
                CustomFieldType::Text => "text (500 characters at most)",
                CustomFieldType::Number => "a number",
                CustomFieldType::Boolean => "true or false",
                CustomFieldType::Date => "a date like 2026-01-31",
            };
            out.push((field, format!("must be {want}")));
        }
    }
    for d in defs.iter().filter(|d| d.required) {
        if values.get(&d.key).is_none_or(Value::is_null) {
            out.push((
                format!("customFields.{}", d.key),
                format!("{} is required", d.label),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn defs() -> Vec<CustomFieldDef> {
        serde_json::from_value(json!([
            { "key": "gasType", "label": "Gases", "type": "text", "required": true },
            { "key": "vaporizers", "label": "Vaporizers", "type": "number" },
            { "key": "lastOverhaul", "label": "Last overhaul", "type": "date" }
        ]))
        .unwrap()
    }

    #[test]
    fn values_are_checked_against_the_class() {
        let ok =
            json!({ "gasType": "O2, N2O, air", "vaporizers": 2, "lastOverhaul": "2025-03-01" });
        assert!(check_values(&defs(), ok.as_object().unwrap()).is_empty());
        let bad = json!({ "vaporizers": "two", "lastOverhaul": "01/03/2025", "colour": "blue" });
        let mut fields: Vec<String> = check_values(&defs(), bad.as_object().unwrap())
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                "customFields.colour",
                "customFields.gasType",
                "customFields.lastOverhaul",
                "customFields.vaporizers"
            ]
        );
    }

    #[test]
    fn definitions_are_checked() {
        let mut d = defs();
        d.push(d[0].clone());
        d.push(CustomFieldDef {
            key: "9lives".into(),
            label: "".into(),
            kind: CustomFieldType::Text,
            required: false,
        });
        assert_eq!(check_defs(&d).len(), 3);
    }
}
