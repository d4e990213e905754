//! Parsing of user input into values the rest of HMMS can trust.

/// A field-level validation failure, reported to the client as `{field, message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Collects field errors so a form gets every problem at once.
#[derive(Debug, Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }
    pub fn check<T>(&mut self, field: &str, r: Result<T, String>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(m) => {
                self.add(field, m);
                None
            }
        }
    }
    pub fn into_result(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// Lower-cased, trimmed e-mail address with one `@` and a dotted domain.
pub fn email(raw: &str) -> Result<String, String> {
    let e = raw.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split('@').count() == 2
        && e.split('@').all(|p| !p.is_empty())
        && e.rsplit('@')
            .next()
            .is_some_and(|d| d.contains('.') && !d.starts_with('.') && !d.ends_with('.'))
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(e)
    } else {
        Err("must be an e-mail address such as name@hospital.org".into())
    }
}

/// A trimmed, non-empty name of at most `max` characters without control characters.
pub fn name(raw: &str, max: usize) -> Result<String, String> {
    let n = raw.trim();
    if n.is_empty() {
        return Err("must not be empty".into());
    }
    if n.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    // Bidirectional overrides can make a name display as something else (spoofing).
    if n.chars()
        .any(|c| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    {
        return Err("must not contain control or text-direction characters".into());
    }
    Ok(n.to_string())
}

/// A short code such as a department code (`ICU`) or location code: letters, digits, `-`, `_`, `.`.
pub fn code(raw: &str) -> Result<String, String> {
    let c = raw.trim().to_uppercase();
    if c.is_empty() || c.len() > 32 {
        return Err("must be 1 to 32 characters".into());
    }
    if !c
        .chars()
        .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
    {
        return Err("may contain only letters, digits, '-', '_' and '.'".into());
    }
    Ok(c)
}

/// Passwords: at least 12 characters (NIST SP 800-63B favours length over composition rules).
pub fn password(raw: &str) -> Result<(), String> {
    let n = raw.chars().count();
    if n < 12 {
        return Err("must be at least 12 characters".into());
    }
    if n > 256 {
        return Err("must be at most 256 characters".into());
    }
    Ok(())
}

/// An IANA time zone name such as `Africa/Nairobi`.
pub fn time_zone(raw: &str) -> Result<String, String> {
    raw.trim()
        .parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_string())
        .map_err(|_| "must be an IANA time zone such as Africa/Nairobi".into())
}

/// An optional phone number: digits, spaces and `+-()`, 5 to 32 characters.
pub fn phone(raw: &str) -> Result<String, String> {
    let p = raw.trim();
    let ok =
        (5..=32).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c));
    if ok {
        Ok(p.to_string())
    } else {
        Err("must be a phone number such as +254 700 000000".into())
    }
}

/// An ISO 4217 currency code.
pub fn currency(raw: &str) -> Result<String, String> {
    let c = raw.trim().to_uppercase();
    if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase()) {
        Ok(c)
    } else {
        Err("must be a three-letter ISO 4217 code such as KES".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email(" Admin@Demo.HMMS ").unwrap(), "admin@demo.hmms");
        for bad in [
            "", "a", "a@", "@b.c", "a@b", "a b@c.d", "a@@b.c", "a@.b", "a@b.",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn time_zones() {
        assert_eq!(time_zone("Africa/Nairobi").unwrap(), "Africa/Nairobi");
        assert!(time_zone("Mars/Olympus").is_err());
    }

    #[test]
    fn codes_and_names() {
        assert_eq!(code(" icu-1 ").unwrap(), "ICU-1");
        assert!(code("IC U").is_err());
        assert!(name("  ", 10).is_err());
        assert!(name("abcdefghijk", 10).is_err());
        assert!(name("\u{202e}gpj.exe", 20).is_err());
        assert!(password("short").is_err());
        assert!(password("long enough password").is_ok());
    }
}
