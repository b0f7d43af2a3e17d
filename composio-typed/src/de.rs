//! Deserialization helpers that generated code names in its serde attributes, and
//! [`read_struct`], the reader behind every generated input struct's `Deserialize`.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, DeserializeSeed, Error, MapAccess, SeqAccess, Visitor};
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

/// Reads an input struct's fields as the tuple `T` of their values, in the order of `fields`
/// (their JSON names); the generated `Deserialize` of every input struct is one call of it.
///
/// Input structs do not use serde's derive: its visitor, field enum and sequence support, on
/// 900 structs, cost most of a large module's `cargo check`, and a struct literal with a `?`
/// per field costs nearly as much again. This reads the object, with the derive's language (with
/// `deny_unknown_fields`): a key not in `fields` is serde's "unknown field" error, a repeated
/// key its "duplicate field" error, an absent `required` key its "missing field" error, an
/// absent optional one `null` (so `None`). The values then deserialize as one tuple; more than
/// 16 fields are nested in tuples of 16, as the generator spells them. Unlike the derive, an
/// input is an object in every format, never a sequence.
///
/// An error inside a field carries its path, `` field `labels[1]`: invalid type… ``, because
/// reading the fields as values first hides it from `serde_path_to_error`; [`split_path`] takes
/// it out again.
pub fn read_struct<'de, D, T>(
    deserializer: D,
    name: &'static str,
    fields: &'static [&'static str],
    required: &'static [&'static str],
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let values = deserializer.deserialize_map(ObjectVisitor { name, known: Some(fields) })?;
    tuple(values, fields, required, None)
}

/// [`read_struct`] for a struct with a flattened field: every key is taken, and the keys
/// `fields` leave are one more value at the end of the tuple, an object.
pub fn read_open_struct<'de, D, T>(
    deserializer: D,
    name: &'static str,
    fields: &'static [&'static str],
    required: &'static [&'static str],
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let values = deserializer.deserialize_map(ObjectVisitor { name, known: None })?;
    tuple(values, fields, required, Some(""))
}

/// Orders `values` as `fields`, then deserializes them as the tuple `T`.
fn tuple<T: DeserializeOwned, E: Error>(
    mut values: Map<String, Value>,
    fields: &'static [&'static str],
    required: &[&str],
    // The key of the leftover keys' object: empty, as they are the struct's own.
    rest: Option<&'static str>,
) -> Result<T, E> {
    let mut leaves = Vec::with_capacity(fields.len() + 1);
    for &field in fields {
        match values.remove(field) {
            Some(value) => leaves.push(Node::Leaf(field, value)),
            None if required.contains(&field) => return Err(E::missing_field(field)),
            None => leaves.push(Node::Leaf(field, Value::Null)),
        }
    }
    if let Some(rest) = rest {
        leaves.push(Node::Leaf(rest, Value::Object(values)));
    }
    T::deserialize(Group::<E> { nodes: nest(leaves), error: PhantomData })
}

/// The widest tuple serde reads.
const WIDEST: usize = 16;

/// Groups `nodes` in tuples of at most [`WIDEST`], and those again, until one tuple holds them.
fn nest(mut nodes: Vec<Node>) -> Vec<Node> {
    while nodes.len() > WIDEST {
        let mut groups = Vec::with_capacity(nodes.len().div_ceil(WIDEST));
        let mut rest = nodes.into_iter().peekable();
        while rest.peek().is_some() {
            groups.push(Node::Group(rest.by_ref().take(WIDEST).collect()));
        }
        nodes = groups;
    }
    nodes
}

enum Node {
    Leaf(&'static str, Value),
    Group(Vec<Node>),
}

/// A tuple of field values (or of tuples of them), as a deserializer.
struct Group<E> {
    nodes: Vec<Node>,
    error: PhantomData<E>,
}

impl<'de, E: Error> Deserializer<'de> for Group<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        if self.nodes.is_empty() {
            return visitor.visit_unit();
        }
        let mut access = GroupAccess { nodes: self.nodes.into_iter(), error: PhantomData };
        visitor.visit_seq(&mut access)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

struct GroupAccess<E> {
    nodes: std::vec::IntoIter<Node>,
    error: PhantomData<E>,
}

impl<'de, E: Error> SeqAccess<'de> for GroupAccess<E> {
    type Error = E;

    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>, E> {
        match self.nodes.next() {
            None => Ok(None),
            Some(Node::Group(nodes)) => seed.deserialize(Group { nodes, error: PhantomData }).map(Some),
            Some(Node::Leaf(key, value)) => field(seed, key, value).map(Some),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.nodes.len())
    }
}

/// Reads one field's value, keeping the path of an error inside it.
fn field<'de, S: DeserializeSeed<'de>, E: Error>(seed: S, key: &str, value: Value) -> Result<S::Value, E> {
    let mut track = serde_path_to_error::Track::new();
    seed.deserialize(serde_path_to_error::Deserializer::new(value, &mut track)).map_err(|e| {
        let tracked = track.path().to_string();
        let message = e.to_string();
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

    use super::{read_open_struct, read_struct, split_path};
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
            let (title, labels, count, nested) =
                read_struct(deserializer, "Input", &["title", "labels", "count", "nested"], &["title"])?;
            Ok(Self { title, labels, count: Option::unwrap_or_default(count), nested })
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
            let (title, arguments) = read_open_struct(deserializer, "Open", &["title"], &[])?;
            Ok(Self { title, arguments })
        }
    }

    /// An input without properties.
    #[derive(Debug, PartialEq)]
    struct Empty {}

    impl<'de> serde::Deserialize<'de> for Empty {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            read_struct(deserializer, "Empty", &[], &[]).map(|()| Self {})
        }
    }

    /// Wider than one tuple: its values nest as tuples of 16.
    #[derive(Debug, PartialEq)]
    struct Wide {
        f: [u8; 18],
    }

    impl<'de> serde::Deserialize<'de> for Wide {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            const NAMES: &[&str] =
                &["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r"];
            let ((a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p), (q, r)) =
                read_struct(deserializer, "Wide", NAMES, &["r"])?;
            Ok(Self { f: [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r].map(Option::unwrap_or_default) })
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
    fn more_than_sixteen_fields_nest() {
        let wide: Wide = serde_json::from_value(json!({"a": 1, "p": 16, "q": 17, "r": 18})).unwrap();
        assert_eq!(wide.f, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 17, 18]);
        let error = serde_json::from_value::<Wide>(json!({"q": "x", "r": 1})).unwrap_err();
        assert_eq!(split_path(&error.to_string()).0, Some("q"));
        assert_eq!(serde_json::from_value::<Wide>(json!({})).unwrap_err().to_string(), "missing field `r`");
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
