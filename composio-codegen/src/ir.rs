//! The type IR: Rust-shaped types with stable ids, before any Rust syntax exists.
//!
//! [`crate::typespace`] builds it from the schema model; [`crate::emit`] turns it into tokens.
//! Names are resolved once, globally, by [`crate::typespace`] after the whole toolkit is
//! converted, so the emitter never invents a name.

use serde_json::Value;

/// Index of a [`TypeDef`] in [`ToolkitIr::types`].
pub type TypeId = usize;

/// A Rust type expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ty {
    /// `bool`.
    Bool,
    /// `i64`.
    I64,
    /// `u64`: a whole number whose bounds allow values above `i64::MAX` and none below 0.
    U64,
    /// `i128`: a whole number whose bounds span both negative values and values above
    /// `i64::MAX` (JSON carries these exactly up to `u64::MAX`).
    I128,
    /// `f64`.
    F64,
    /// `String`.
    String,
    /// Any JSON value: `Value`.
    Any,
    /// A free-form JSON object: `JsonObject`.
    Object,
    /// A map with typed values: `BTreeMap<String, T>`.
    Map(Box<Ty>),
    /// `Vec<T>`.
    Vec(Box<Ty>),
    /// `Option<T>`: the value may be `null`.
    Option(Box<Ty>),
    /// `Box<T>`: indirection that breaks a cycle of directly nested types.
    Boxed(Box<Ty>),
    /// A generated type.
    Named(TypeId),
    /// A file to upload: `FileInput`.
    FileUpload,
    /// A file to download: `FileDownload`.
    FileDownload,
}

impl Ty {
    /// Wraps in `Option` unless already optional or able to hold `null` itself.
    pub fn nullable(self) -> Ty {
        match self {
            Ty::Option(_) | Ty::Any => self,
            other => Ty::Option(Box::new(other)),
        }
    }

    /// The type of a property that may be absent: always an `Option`, so "absent" stays
    /// distinct from `null` even for `Value`.
    pub fn optional(self) -> Ty {
        match self {
            Ty::Option(_) => self,
            other => Ty::Option(Box::new(other)),
        }
    }

    /// The type without an outer `Option`.
    pub fn strip_option(&self) -> &Ty {
        match self {
            Ty::Option(inner) => inner,
            other => other,
        }
    }
}

/// Which way a type travels, which decides its derives and its strictness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Sent to the tool: strict, so a wrong value is a compile error.
    Input,
    /// Returned by the tool: lenient, so new fields and enum values do not break decoding.
    Output,
}

/// A generated type.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDef {
    /// The resolved Rust name.
    pub name: String,
    /// Which way it travels.
    pub role: Role,
    /// The schema's `description`.
    pub description: Option<String>,
    /// What the naming pass knows about where the type came from.
    pub origin: Origin,
    /// The shape.
    pub kind: TypeKind,
}

/// Where a type was first met, for naming.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Origin {
    /// The schema's `title`.
    pub title: Option<String>,
    /// A name the schema itself gives (a `$defs` key, a discriminator mapping target).
    pub given: Option<String>,
    /// The type it was nested in, if any.
    pub parent: Option<TypeId>,
    /// The property, variant or role it stands for in that parent (`labels`, `item`).
    pub role_in_parent: Option<String>,
    /// A fixed name: the input and output types of a tool.
    pub fixed: Option<String>,
}

/// The shape of a generated type.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    /// A struct with named fields.
    Struct(Struct),
    /// An enum of strings.
    Enum(Enum),
    /// An internally tagged enum of structs (a `oneOf` with a discriminator).
    Tagged(Tagged),
    /// An untagged enum: the first variant that fits wins.
    Untagged(Untagged),
}

/// A struct.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Struct {
    /// Fields in schema order.
    pub fields: Vec<Field>,
    /// Required property names in the schema's order: constructor argument order.
    pub required_order: Vec<String>,
}

/// A struct field.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The JSON property name.
    pub json_name: String,
    /// The Rust identifier.
    pub ident: String,
    /// The field's type, `Option` included when the value may be absent or null.
    pub ty: Ty,
    /// Whether the property must be present.
    pub required: bool,
    /// An optional output property whose schema default is its type's `Default`: the field is
    /// not an `Option`, and an absent value decodes as that default.
    pub defaulted: bool,
    /// A value the constructor fills in by itself (a required `const`).
    pub fill: Option<Fill>,
    /// What the generated check verifies of the value before a call is sent; inputs only.
    pub check: Option<Check>,
    /// Documentation.
    pub docs: FieldDocs,
    /// Why (part of) the field's schema could not be typed, when it could not: that part is
    /// then JSON, and the docs say so.
    pub gave_up: Option<String>,
    /// The field holds the whole object's properties (`#[serde(flatten)]`): the free-form
    /// arguments of a tool whose input schema could not be typed.
    pub flatten: bool,
}

/// The constraints checked on one value before a call is sent, shaped like its type: the
/// value's own rules, and the check of each item of an array or value of a map. Constraints
/// of nested generated types are theirs, not repeated here.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Check {
    /// Rules on the value itself (under any `Option`).
    pub rules: Vec<Rule>,
    /// The check of each item (`Vec`) or value (`BTreeMap`).
    pub items: Option<Box<Check>>,
}

/// One checked JSON Schema keyword.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// `minimum`.
    Minimum(serde_json::Number),
    /// `maximum`.
    Maximum(serde_json::Number),
    /// `exclusiveMinimum`.
    ExclusiveMinimum(serde_json::Number),
    /// `exclusiveMaximum`.
    ExclusiveMaximum(serde_json::Number),
    /// `multipleOf`.
    MultipleOf(serde_json::Number),
    /// `minLength`.
    MinLength(u64),
    /// `maxLength`.
    MaxLength(u64),
    /// `pattern`, translated to the `regex` crate's syntax and known to compile.
    Pattern(String),
    /// `format`, one of [`CHECKED_FORMATS`].
    Format(String),
    /// `minItems`.
    MinItems(u64),
    /// `maxItems`.
    MaxItems(u64),
    /// `uniqueItems: true`.
    UniqueItems,
}

/// The formats the runtime checks exactly as JSON Schema defines them.
pub const CHECKED_FORMATS: &[&str] = &["date", "date-time", "time", "ipv4", "ipv6", "uuid"];

/// A value that needs no argument because the schema allows only one.
#[derive(Clone, Debug, PartialEq)]
pub enum Fill {
    /// The only variant of a one-value string enum.
    Variant(TypeId, String),
    /// A boolean or number literal.
    Literal(Value),
}

/// What a field's documentation says beyond its description.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct FieldDocs {
    /// `description`.
    pub description: Option<String>,
    /// The server's default, when it fits.
    pub default: Option<Value>,
    /// `format`.
    pub format: Option<String>,
    /// Constraints in words (`at least 1`, `at most 100 items`).
    pub constraints: Vec<String>,
    /// Examples that fit the type.
    pub examples: Vec<Value>,
    /// Whether this field carries a file to upload.
    pub file_upload: bool,
}

/// An enum of strings.
#[derive(Clone, Debug, PartialEq)]
pub struct Enum {
    /// Variants in schema order.
    pub variants: Vec<Variant>,
}

/// A variant of a string enum.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// The Rust identifier.
    pub ident: String,
    /// The string on the wire.
    pub value: String,
}

/// An internally tagged enum.
#[derive(Clone, Debug, PartialEq)]
pub struct Tagged {
    /// The tag property.
    pub tag: String,
    /// Variants in schema order.
    pub variants: Vec<TaggedVariant>,
}

/// A variant of a tagged enum.
#[derive(Clone, Debug, PartialEq)]
pub struct TaggedVariant {
    /// The Rust identifier.
    pub ident: String,
    /// The tag's value.
    pub value: String,
    /// The struct carrying the other properties; `None` when the tag is the only one.
    pub payload: Option<TypeId>,
}

/// An untagged enum.
#[derive(Clone, Debug, PartialEq)]
pub struct Untagged {
    /// Variants in the schema's order, which is the order decoding tries them.
    pub variants: Vec<UntaggedVariant>,
}

/// A variant of an untagged enum.
#[derive(Clone, Debug, PartialEq)]
pub struct UntaggedVariant {
    /// The Rust identifier.
    pub ident: String,
    /// The variant's payload type.
    pub ty: Ty,
    /// What the generated check verifies of the payload; inputs only.
    pub check: Option<Check>,
}

/// One tool, ready to emit.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolIr {
    /// `GITHUB_CREATE_AN_ISSUE`.
    pub slug: String,
    /// `Create an issue`.
    pub name: String,
    /// The tool description.
    pub description: String,
    /// Hints and categories.
    pub tags: Vec<String>,
    /// Whether the tool is deprecated.
    pub deprecated: bool,
    /// The function name (`create_an_issue`).
    pub function: String,
    /// The input struct.
    pub input: TypeId,
    /// The type of the `data` payload.
    pub output: Ty,
    /// `input_parameters` as compact JSON.
    pub input_schema: String,
    /// `output_parameters` as compact JSON.
    pub output_schema: String,
    /// Why the `data` payload could not be typed, when it could not (an input that cannot be
    /// typed says so in its one field).
    pub output_gave_up: Option<String>,
}

/// One trigger type, ready to emit: its config struct is its marker type, as a tool's input is.
#[derive(Clone, Debug, PartialEq)]
pub struct TriggerIr {
    /// `GITHUB_COMMIT_EVENT`.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// What it reports.
    pub description: String,
    /// `webhook` or `poll`, when known.
    pub kind: Option<String>,
    /// The variant of the toolkit's event enum (`CommitEvent`).
    pub variant: String,
    /// The config struct, which implements `TriggerType`.
    pub config: TypeId,
    /// The type of a firing's `data`.
    pub payload: Ty,
    /// `config` as compact JSON.
    pub config_schema: String,
    /// `payload` as compact JSON.
    pub payload_schema: String,
    /// Why the payload could not be typed, when it could not.
    pub payload_gave_up: Option<String>,
}

/// A whole toolkit, ready to emit.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolkitIr {
    /// `github`.
    pub toolkit: String,
    /// `GitHub`.
    pub display_name: String,
    /// The pinned version (`20251027_00`).
    pub version: String,
    /// Hash of the source definitions (`sha256:…`).
    pub schema_hash: String,
    /// Tools sorted by slug.
    pub tools: Vec<ToolIr>,
    /// Trigger types sorted by slug.
    pub triggers: Vec<TriggerIr>,
    /// The name of the enum of the toolkit's events, claimed before any type's; `None` when the
    /// toolkit has no trigger types.
    pub events_enum: Option<String>,
    /// Every generated type, in the order names were resolved.
    pub types: Vec<TypeDef>,
}

// Walks over the type graph, shared by the builder (naming, cycles) and the emitter (order).

/// Types directly nested in a type, in field order.
pub fn children(kind: &TypeKind) -> Vec<TypeId> {
    let mut out = Vec::new();
    match kind {
        TypeKind::Struct(st) => st.fields.iter().for_each(|f| out.extend(ty_ids(&f.ty))),
        TypeKind::Enum(_) => {}
        TypeKind::Tagged(t) => out.extend(t.variants.iter().filter_map(|v| v.payload)),
        TypeKind::Untagged(u) => u.variants.iter().for_each(|v| out.extend(ty_ids(&v.ty))),
    }
    out
}

/// Types nested without indirection: the ones that make a type infinitely large in a cycle.
pub(crate) fn direct_children(kind: &TypeKind) -> Vec<TypeId> {
    let direct = |ty: &Ty| match ty.strip_option() {
        Ty::Named(id) => Some(*id),
        _ => None,
    };
    match kind {
        TypeKind::Struct(st) => st.fields.iter().filter_map(|f| direct(&f.ty)).collect(),
        TypeKind::Enum(_) => Vec::new(),
        TypeKind::Tagged(t) => t.variants.iter().filter_map(|v| v.payload).collect(),
        TypeKind::Untagged(u) => u.variants.iter().filter_map(|v| direct(&v.ty)).collect(),
    }
}

/// Every generated type a type expression mentions.
pub fn ty_ids(ty: &Ty) -> Vec<TypeId> {
    match ty {
        Ty::Named(id) => vec![*id],
        Ty::Map(inner) | Ty::Vec(inner) | Ty::Option(inner) | Ty::Boxed(inner) => ty_ids(inner),
        _ => Vec::new(),
    }
}
