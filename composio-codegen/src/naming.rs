//! Rust identifiers from arbitrary schema text.
//!
//! Every name in generated code comes through here: property names, enum values, titles and tool
//! slugs are free text, and some of it is hostile to Rust (`+1`, `reactions--1`, `type`, `""`,
//! `fooBar` beside `foo_bar`). The rules are deterministic and only depend on the input text, so
//! the same schemas always give the same names.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords of every Rust edition, strict and reserved. Generated code may be compiled by a crate
/// of any edition, so a word reserved only in a later edition is avoided too.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
    "true", "try", "type", "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Rust's primitive types, as rustdoc resolves links to them. A function of the same name compiles, but the docs' links to it
/// (`[`str`]`) are ambiguous to rustdoc, which denies them.
const PRIMITIVES: &[&str] = &[
    "array",
    "bool",
    "char",
    "f16",
    "f32",
    "f64",
    "f128",
    "fn",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "never",
    "pointer",
    "reference",
    "slice",
    "str",
    "tuple",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "unit",
    "usize",
];

/// Method names a field (and so its setter) must not take: the constructor, the methods of
/// traits the generated types derive, which an inherent method of the same name would shadow,
/// and the methods of operator traits, which clippy expects to come from the trait.
const RESERVED_METHODS: &[&str] = &[
    "new",
    "build",
    "builder",
    "default",
    "clone",
    "clone_from",
    "fmt",
    "eq",
    "ne",
    "hash",
    "serialize",
    "deserialize",
    "into",
    "try_into",
    "from",
    "to_owned",
    "to_string",
    "borrow",
    "borrow_mut",
    "type_id",
    "as_str",
    "add",
    "sub",
    "mul",
    "div",
    "rem",
    "neg",
    "not",
    "shl",
    "shr",
    "bitand",
    "bitor",
    "bitxor",
    "next",
    "drop",
    "deref",
    "deref_mut",
    "index",
    "index_mut",
    "as_ref",
    "as_mut",
    "cmp",
    "partial_cmp",
    "from_iter",
    "from_str",
    "into_iter",
    "visit_files",
];

/// Type names generated code must not define: the prelude and the runtime items it imports.
/// A schema titled `Option` or `Client` would otherwise shadow them.
const RESERVED_TYPES: &[&str] = &[
    "AsMut",
    "AsRef",
    "Box",
    "Call",
    "Client",
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "Deserialize",
    "Deserializer",
    "Drop",
    "Eq",
    "Err",
    "Error",
    "Extend",
    "FileDownload",
    "FileInput",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "Hash",
    "Into",
    "IntoIterator",
    "Iterator",
    "JsonObject",
    "Map",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Self",
    "Send",
    "Serialize",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "Tool",
    "ToolMeta",
    "Value",
    "Vec",
];

/// Splits free text into lower-case ASCII words.
///
/// Symbols that carry meaning in real enum values become words (`+1` → `plus 1`, `-1` →
/// `minus 1`), so `reactions-+1` and `reactions--1` stay distinct. Everything else that is not
/// ASCII alphanumeric separates words. Case boundaries inside a word are left to heck.
fn words(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = raw.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            current.push(c);
            continue;
        }
        let next_is_digit = chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if !current.is_empty() {
            out.push(std::mem::take(&mut current));
            // A hyphen right after a word is a separator, never a sign.
            continue;
        }
        match c {
            '+' => out.push("plus".to_owned()),
            '-' if next_is_digit => out.push("minus".to_owned()),
            _ => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    if out.is_empty() {
        out = raw.chars().filter_map(symbol_word).map(str::to_owned).collect();
    }
    out
}

/// Spells a symbol, for text that has no letters or digits at all (an enum value of `/`).
fn symbol_word(c: char) -> Option<&'static str> {
    Some(match c {
        '/' => "slash",
        '\\' => "backslash",
        '.' => "dot",
        '*' => "star",
        '#' => "hash",
        '@' => "at",
        '&' => "and",
        '%' => "percent",
        '=' => "eq",
        '<' => "lt",
        '>' => "gt",
        '!' => "bang",
        '?' => "question",
        ':' => "colon",
        '~' => "tilde",
        '^' => "caret",
        '|' => "pipe",
        ',' => "comma",
        ';' => "semicolon",
        ' ' => "space",
        '_' => "underscore",
        '-' => "minus",
        '+' => "plus",
        '$' => "dollar",
        _ => return None,
    })
}

/// `snake_case` form of free text; empty when the text has nothing usable.
fn snake(raw: &str) -> String {
    words(raw).join("_").to_snake_case()
}

/// `UpperCamelCase` form of free text; empty when the text has nothing usable.
pub fn pascal(raw: &str) -> String {
    words(raw).join("_").to_upper_camel_case()
}

/// Whether `ident` is a keyword in some Rust edition.
pub fn is_keyword(ident: &str) -> bool {
    KEYWORDS.contains(&ident)
}

/// The field (and setter) identifier for a property name.
///
/// Keywords and reserved method names get a trailing underscore (`type` → `type_`, `new` →
/// `new_`); a leading digit gets a leading underscore (`2fa` → `_2fa`). Collisions between
/// properties are resolved by the caller with [`Claims`].
pub fn field_ident(raw: &str) -> String {
    let mut ident = snake(raw);
    if ident.is_empty() {
        ident = "field".to_owned();
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, '_');
    }
    if is_keyword(&ident) || RESERVED_METHODS.contains(&ident.as_str()) {
        ident.push('_');
    }
    ident
}

/// The function identifier for a tool slug, with the toolkit prefix stripped
/// (`GITHUB_CREATE_AN_ISSUE` → `create_an_issue`).
pub fn function_ident(slug: &str, toolkit: &str) -> String {
    let prefix = format!("{}_", toolkit.to_ascii_uppercase());
    let rest = slug.strip_prefix(&prefix).filter(|r| !r.is_empty()).unwrap_or(slug);
    let mut ident = snake(rest);
    if ident.is_empty() {
        ident = "tool".to_owned();
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, '_');
    }
    if is_keyword(&ident) || PRIMITIVES.contains(&ident.as_str()) {
        ident.push('_');
    }
    ident
}

/// A type identifier from free text (a title or a path of property names).
pub fn type_ident(raw: &str) -> String {
    let mut ident = pascal(raw);
    if ident.is_empty() {
        ident = "Value".to_owned();
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, 'T');
    }
    if RESERVED_TYPES.contains(&ident.as_str()) {
        ident.push_str("Value");
    }
    ident
}

/// An enum variant identifier for an enum value (`""` → `Empty`, `+1` → `Plus1`).
pub fn variant_ident(raw: &str) -> String {
    if raw.is_empty() {
        return "Empty".to_owned();
    }
    let mut ident = pascal(raw);
    if ident.is_empty() {
        ident = "Value".to_owned();
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, 'V');
    }
    // `Self` is the only keyword that survives PascalCase, and `Unknown` is the lenient enums'
    // catch-all variant. `None`, `Some`, `Ok` and `Err` would shadow the prelude for anyone who
    // imports the variants (`use AuthorAssociation::*`), silently changing what they match.
    if matches!(ident.as_str(), "Self" | "Unknown" | "None" | "Some" | "Ok" | "Err") {
        ident.push_str("Value");
    }
    ident
}

/// Whether `name` can name a generated type as it stands: an identifier starting with an
/// upper-case letter that shadows nothing generated code uses. For names read back from a
/// file, which must never put anything else into generated code.
pub fn is_type_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "Self"
        && !RESERVED_TYPES.contains(&name)
}

/// A set of names already taken in one scope; later claims of a taken name get a numeric suffix.
#[derive(Debug, Default)]
pub struct Claims {
    taken: BTreeSet<String>,
}

impl Claims {
    /// Takes `name` if free, else the first free numbered form of it: `foo_bar_2` for
    /// snake-case names, `User2` for type names.
    ///
    /// A suffix is joined with `_` when `name` ends in a digit, so the second `V1` is `V1_2`
    /// and never meets the first `V12`.
    pub fn claim(&mut self, name: &str) -> String {
        if self.taken.insert(name.to_owned()) {
            return name.to_owned();
        }
        let snake = !name.contains(|c: char| c.is_ascii_uppercase());
        let sep = if name.ends_with('_') {
            ""
        } else if snake || name.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        (2..)
            .map(|n| format!("{name}{sep}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .expect("an unbounded range always yields a free name")
    }

    /// Whether `name` is taken.
    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

/// Serde's `snake_case` rename rule applied to a variant identifier, to decide whether a
/// `rename_all` attribute can replace per-variant renames.
pub fn serde_snake_case(variant: &str) -> String {
    let mut out = String::new();
    for (i, c) in variant.char_indices() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Assigns distinct identifiers to a list of raw names, in a way that does not depend on their
/// order: a name whose identifier is exactly itself keeps it, then lower-case names (`self`
/// before `Self`), then the rest in sorted order; later ones take numeric suffixes.
pub fn assign_unique<F: Fn(&str) -> String>(raws: &[&str], ident_of: F, claims: &mut Claims) -> Vec<String> {
    let idents: Vec<String> = raws.iter().map(|r| ident_of(r)).collect();
    let mut order: Vec<usize> = (0..raws.len()).collect();
    let rank = |i: usize| (idents[i] != raws[i], raws[i].chars().any(|c| c.is_uppercase()));
    order.sort_by(|&a, &b| rank(a).cmp(&rank(b)).then_with(|| raws[a].cmp(raws[b])));
    let mut out = vec![String::new(); raws.len()];
    for i in order {
        out[i] = claims.claim(&idents[i]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_hazards_get_distinct_names() {
        let got: Vec<String> = ["", "+1", "-1", "reactions-+1", "reactions--1", "/", "/docs", "Self"]
            .iter()
            .map(|v| variant_ident(v))
            .collect();
        assert_eq!(
            got,
            ["Empty", "Plus1", "Minus1", "ReactionsPlus1", "ReactionsMinus1", "Slash", "Docs", "SelfValue"]
        );
    }

    #[test]
    fn variants_never_shadow_the_prelude() {
        let got: Vec<String> =
            ["none", "NONE", "some", "ok", "err", "Unknown"].iter().map(|v| variant_ident(v)).collect();
        assert_eq!(got, ["NoneValue", "NoneValue", "SomeValue", "OkValue", "ErrValue", "UnknownValue"]);
    }

    #[test]
    fn fields_avoid_keywords_and_methods() {
        assert_eq!(field_ident("type"), "type_");
        assert_eq!(field_ident("new"), "new_");
        assert_eq!(field_ident("self"), "self_");
        assert_eq!(field_ident("2fa"), "_2fa");
        assert_eq!(field_ident("@odata.type"), "odata_type");
        assert_eq!(field_ident("fooBar"), "foo_bar");
        assert_eq!(field_ident("x-github-api-version"), "x_github_api_version");
        assert_eq!(field_ident(""), "field");
    }

    #[test]
    fn collisions_prefer_the_exact_name() {
        let mut claims = Claims::default();
        let got = assign_unique(&["fooBar", "foo_bar", "FOO_BAR"], field_ident, &mut claims);
        assert_eq!(got, ["foo_bar_3", "foo_bar", "foo_bar_2"]);
        let got = assign_unique(&["Self", "self"], field_ident, &mut Claims::default());
        assert_eq!(got, ["self_2", "self_"]);
    }

    #[test]
    fn suffixes_never_meet_digit_names() {
        let mut claims = Claims::default();
        assert_eq!(claims.claim("V1"), "V1");
        assert_eq!(claims.claim("V1"), "V1_2");
        assert_eq!(claims.claim("V12"), "V12");
        assert_eq!(claims.claim("A"), "A");
        assert_eq!(claims.claim("A"), "A2");
    }

    #[test]
    fn types_avoid_the_prelude() {
        assert_eq!(type_ident("Option"), "OptionValue");
        assert_eq!(type_ident("file uploadable"), "FileUploadable");
        assert_eq!(type_ident("123"), "T123");
    }

    #[test]
    fn functions_drop_the_toolkit_prefix() {
        assert_eq!(function_ident("GITHUB_CREATE_AN_ISSUE", "github"), "create_an_issue");
        assert_eq!(function_ident("GOOGLE_CLASSROOM_LIST", "google_classroom"), "list");
        assert_eq!(function_ident("OTHER_TYPE", "github"), "other_type");
        assert_eq!(function_ident("GITHUB_TYPE", "github"), "type_");
    }

    #[test]
    fn functions_never_share_a_primitive_type_name() {
        // Docs link to the function (`[`str`]`), which rustdoc finds ambiguous with `str`.
        assert_eq!(function_ident("GITHUB_STR", "github"), "str_");
        assert_eq!(function_ident("X_U64", "x"), "u64_");
        assert_eq!(function_ident("X_BOOL", "x"), "bool_");
        assert_eq!(function_ident("X_STRING", "x"), "string");
    }
}
