//! Deserialization helpers that generated code names in its serde attributes.

use serde::{Deserialize, Deserializer};

/// Reads `null` as the type's default, as well as a missing field (with `#[serde(default)]`).
///
/// Generated output fields whose schema default is the type's own default (`[]`, `false`, `0`,
/// `""`) are plain values, not `Option`s. Servers still send `null` for such fields now and
/// then, and a result that ran must not fail to decode over it.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Issue {
        #[serde(default, deserialize_with = "super::null_as_default")]
        labels: Vec<String>,
        #[serde(default, deserialize_with = "super::null_as_default")]
        locked: bool,
    }

    #[test]
    fn null_and_missing_read_as_the_default_and_values_as_themselves() {
        let read = |json: &str| serde_json::from_str::<Issue>(json).unwrap();
        let empty = Issue { labels: Vec::new(), locked: false };
        assert_eq!(read(r#"{"labels": null, "locked": null}"#), empty);
        assert_eq!(read("{}"), empty);
        assert_eq!(read(r#"{"labels": ["bug"], "locked": true}"#), Issue { labels: vec!["bug".into()], locked: true });
        assert!(serde_json::from_str::<Issue>(r#"{"labels": 3}"#).is_err(), "a wrong type is still an error");
    }
}
