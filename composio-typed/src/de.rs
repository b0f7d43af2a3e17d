//! Deserialization helpers that generated code names in its serde attributes, and [`Fields`],
//! the reader behind every generated input struct's `Deserialize`.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, Error, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

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

/// The fields of an input struct, read as JSON values, taken out one by one by its
/// `Deserialize` impl.
///
/// Generated input structs implement `Deserialize` by hand through this type instead of serde's
/// derive: one short function per struct compiles several times faster than the derive's
/// visitor, field enum and sequence support, which an 800-tool module pays for 900 times. It
/// accepts what the derive with `deny_unknown_fields` accepted, except sequences: an input is
/// an object in every format.
///
/// An error inside a field carries its path, `` field `labels[1]`: invalid type… ``, because
/// reading the fields as values first hides it from `serde_path_to_error`;
/// [`split_path`] takes it out again.
pub struct Fields<E> {
    values: Map<String, Value>,
    error: PhantomData<E>,
}

impl<E: Error> Fields<E> {
    /// Reads an object whose keys must all be among `known` (its fields' JSON names): the first
    /// other key is serde's "unknown field" error, a repeated one its "duplicate field" error.
    pub fn read<'de, D>(deserializer: D, name: &'static str, known: &'static [&'static str]) -> Result<Self, E>
    where
        D: Deserializer<'de, Error = E>,
    {
        let values = deserializer.deserialize_map(ObjectVisitor { name, known: Some(known) })?;
        Ok(Fields { values, error: PhantomData })
    }

    /// Reads an object taking any key: the struct has a field for the keys the others leave
    /// ([`Fields::rest`]).
    pub fn read_open<'de, D>(deserializer: D, name: &'static str) -> Result<Self, E>
    where
        D: Deserializer<'de, Error = E>,
    {
        let values = deserializer.deserialize_map(ObjectVisitor { name, known: None })?;
        Ok(Fields { values, error: PhantomData })
    }

    /// A required field: absent is serde's "missing field" error.
    pub fn required<T: DeserializeOwned>(&mut self, key: &'static str) -> Result<T, E> {
        match self.values.remove(key) {
            Some(value) => field(key, value),
            None => Err(E::missing_field(key)),
        }
    }

    /// An `Option` field: absent and `null` are `None`.
    pub fn optional<T: DeserializeOwned>(&mut self, key: &'static str) -> Result<Option<T>, E> {
        match self.values.remove(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => field(key, value).map(Some),
        }
    }

    /// A field with a default: absent and `null` are `T::default()`, as with
    /// [`null_as_default`].
    pub fn defaulted<T: DeserializeOwned + Default>(&mut self, key: &'static str) -> Result<T, E> {
        self.optional(key).map(Option::unwrap_or_default)
    }

    /// The keys no other field took, as one object (a flattened field); take it last.
    pub fn rest<T: DeserializeOwned>(self) -> Result<T, E> {
        T::deserialize(Value::Object(self.values)).map_err(|e| E::custom(e))
    }
}

/// Reads one field's value, keeping the path of an error inside it.
fn field<T: DeserializeOwned, E: Error>(key: &str, value: Value) -> Result<T, E> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let tracked = e.path().to_string();
        let message = e.into_inner().to_string();
        let (inner, message) = split_path(&message);
        let path = join_path(&join_path(key, Some(&tracked)), inner);
        E::custom(format_args!("field `{path}`: {message}"))
    })
}

/// Appends a `serde_path_to_error` path (`.` for none, `[1].name`, `name[1]`) to `path`.
fn push_path(path: &mut String, segment: &str) {
    match segment {
        "" | "." => {}
        indexed if indexed.starts_with('[') => path.push_str(indexed),
        named => {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(named);
        }
    }
}

/// Splits an error message of a generated input into the path of the field that failed and
/// what is wrong there: `` field `labels[1]`: invalid type… `` gives `labels[1]` and
/// `invalid type…`. A message without a path comes back whole.
pub fn split_path(message: &str) -> (Option<&str>, &str) {
    message
        .strip_prefix("field `")
        .and_then(|rest| rest.split_once("`: "))
        .map_or((None, message), |(path, message)| (Some(path), message))
}

/// Joins the path `serde_path_to_error` tracked up to a generated input (`.` for the root) with
/// the path its error carries ([`split_path`]).
pub fn join_path(tracked: &str, inner: Option<&str>) -> String {
    let mut path = String::new();
    for segment in [tracked, inner.unwrap_or(".")] {
        push_path(&mut path, segment);
    }
    path
}

struct ObjectVisitor {
    name: &'static str,
    known: Option<&'static [&'static str]>,
}

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", self.name)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut values = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if let Some(known) = self.known {
                let Some(name) = known.iter().find(|name| **name == key) else {
                    return Err(A::Error::unknown_field(&key, known));
                };
                if values.contains_key(&key) {
                    return Err(A::Error::duplicate_field(name));
                }
            }
            let value = map.next_value::<Value>()?;
            values.insert(key, value);
        }
        Ok(values)
    }
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

    use serde::de::value::{Error as ValueError, MapDeserializer};
    use serde_json::{Value, json};

    use super::{Fields, split_path};
    use crate::JsonObject;

    /// What the generator emits for an input struct, by hand.
    #[derive(Debug, PartialEq)]
    struct Input {
        title: String,
        labels: Option<Vec<String>>,
        count: u32,
        nested: Option<Box<Input>>,
    }

    impl<'de> serde::Deserialize<'de> for Input {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let mut fields = Fields::read(deserializer, "Input", &["title", "labels", "count", "nested"])?;
            Ok(Self {
                title: fields.required("title")?,
                labels: fields.optional("labels")?,
                count: fields.defaulted("count")?,
                nested: fields.optional("nested")?,
            })
        }
    }

    /// A free-form input: one flattened field takes every key.
    #[derive(Debug, PartialEq)]
    struct Open {
        title: Option<String>,
        arguments: JsonObject,
    }

    impl<'de> serde::Deserialize<'de> for Open {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let mut fields = Fields::read_open(deserializer, "Open")?;
            Ok(Self { title: fields.optional("title")?, arguments: fields.rest()? })
        }
    }

    /// An input without properties.
    #[derive(Debug, PartialEq)]
    struct Empty {}

    impl<'de> serde::Deserialize<'de> for Empty {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            Fields::read(deserializer, "Empty", &[]).map(|_| Self {})
        }
    }

    fn input(json: Value) -> Result<Input, String> {
        serde_json::from_value(json).map_err(|e| e.to_string())
    }

    #[test]
    fn fields_read_like_the_derive_did() {
        let want = Input { title: "t".into(), labels: None, count: 0, nested: None };
        assert_eq!(input(json!({"title": "t"})).unwrap(), want);
        assert_eq!(input(json!({"title": "t", "labels": null, "count": null, "nested": null})).unwrap(), want);
        let full = input(json!({"title": "t", "labels": ["a"], "count": 2, "nested": {"title": "u"}})).unwrap();
        assert_eq!(full.labels, Some(vec!["a".to_owned()]));
        assert_eq!(full.count, 2);
        assert_eq!(full.nested.unwrap().title, "u");
    }

    #[test]
    fn unknown_missing_and_repeated_fields_are_serde_errors() {
        assert_eq!(
            input(json!({"title": "t", "titel": "x"})).unwrap_err(),
            "unknown field `titel`, expected one of `title`, `labels`, `count`, `nested`"
        );
        assert_eq!(input(json!({"labels": []})).unwrap_err(), "missing field `title`");
        let repeated = serde_json::from_str::<Input>(r#"{"title":"t","title":"u"}"#).unwrap_err();
        assert!(repeated.to_string().starts_with("duplicate field `title`"), "{repeated}");
        let empty = serde_json::from_str::<Empty>(r#"{"a":1}"#).unwrap_err();
        assert!(empty.to_string().starts_with("unknown field `a`, there are no fields"), "{empty}");
        assert_eq!(serde_json::from_str::<Empty>("{}").unwrap(), Empty {});
    }

    #[test]
    fn an_error_inside_a_field_carries_its_path() {
        let error = input(json!({"title": "t", "nested": {"title": "u", "labels": ["a", 3]}})).unwrap_err();
        assert_eq!(error, "field `nested.labels[1]`: invalid type: integer `3`, expected a string");
        assert_eq!(split_path(&error), (Some("nested.labels[1]"), "invalid type: integer `3`, expected a string"));
        let error = input(json!({"title": "t", "nested": {"title": "u", "nested": {"titel": 1}}})).unwrap_err();
        assert_eq!(split_path(&error).0, Some("nested.nested"));
        assert_eq!(split_path("missing field `title`"), (None, "missing field `title`"));
    }

    #[test]
    fn a_flattened_field_takes_every_other_key() {
        let open: Open = serde_json::from_value(json!({"title": "t", "any": [1], "thing": null})).unwrap();
        assert_eq!(open.title.as_deref(), Some("t"));
        assert_eq!(Value::Object(open.arguments), json!({"any": [1], "thing": null}));
    }

    #[test]
    fn inputs_are_objects_in_any_format_but_never_sequences() {
        let pairs = MapDeserializer::<_, ValueError>::new([("title", "t")].into_iter());
        let read = <Input as serde::Deserialize>::deserialize(pairs).unwrap();
        assert_eq!(read.title, "t");
        assert_eq!(input(json!(["t", null, 0, null])).unwrap_err(), "invalid type: sequence, expected struct Input");
        assert!(serde_json::from_str::<Open>("[]").is_err());
    }
}
