//! Generated types: structs, string enums, tagged and untagged enums, and the constructor and
//! setters of tool inputs.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use super::{DocLine, Emitter, Import, doc_lines, docs, ident};
use crate::ir::{Enum, Field, Fill, Role, Struct, Tagged, Ty, TypeId, TypeKind, Untagged};
use crate::naming::serde_snake_case;

impl Emitter<'_> {
    /// One generated type with its impls.
    pub(super) fn type_def(&mut self, id: TypeId) -> TokenStream {
        let def = &self.ir.types[id];
        let name = ident(&def.name);
        let input = def.role == Role::Input;
        let mut doc = match &def.description {
            Some(text) => docs::lines(text),
            None => Vec::new(),
        };
        if let Some(tool) = self.facts.input_of[id].map(|index| &self.ir.tools[index]) {
            let intro = DocLine::of("Arguments of ").link(&tool.function).text(". Slug ").code(&tool.slug).text(".");
            if doc.is_empty() {
                doc.push(intro);
            } else {
                doc.splice(0..0, [intro, DocLine::blank()]);
            }
        }
        if let Some(trigger) = self.facts.config_of[id].map(|index| &self.ir.triggers[index]) {
            let intro = DocLine::of("Config of the trigger type ")
                .code(&trigger.slug)
                .text(", and its marker: it implements ")
                .code("TriggerType")
                .text(".");
            if doc.is_empty() {
                doc.push(intro);
            } else {
                doc.splice(0..0, [intro, DocLine::blank()]);
            }
        }
        if doc.is_empty() {
            doc.push(self.fallback_doc(id));
        }
        let doc = doc_lines(&doc);
        let body = match &def.kind {
            TypeKind::Struct(st) => self.structure(&name, st, input),
            TypeKind::Enum(e) => self.string_enum(&name, e, input),
            TypeKind::Tagged(t) => self.tagged(&name, t, input),
            TypeKind::Untagged(u) => self.untagged(&name, u, input),
        };
        let files = self.visit_files_impl(id);
        let checks = self.validate_impl(id);
        quote! { #doc #body #files #checks }
    }

    /// Documentation for a type whose schema has none: say where it is used.
    fn fallback_doc(&self, id: TypeId) -> DocLine {
        if let Some(tool) = self.facts.result_of[id].map(|index| &self.ir.tools[index]) {
            return DocLine::of("Result of ").link(&tool.function).text(".");
        }
        if let Some(trigger) = self.facts.payload_of[id].map(|index| &self.ir.triggers[index]) {
            return DocLine::of("Payload of the trigger type ").code(&trigger.slug).text(".");
        }
        let origin = &self.ir.types[id].origin;
        match (origin.parent, &origin.role_in_parent) {
            (Some(parent), Some(role)) => DocLine::of("The ")
                .code(role.trim_end_matches("_item"))
                .text(" value of ")
                .link(&self.ir.types[parent].name)
                .text("."),
            _ => DocLine::of("A ").code(&self.ir.types[id].name).text(" value."),
        }
    }

    fn structure(&mut self, name: &proc_macro2::Ident, st: &Struct, input: bool) -> TokenStream {
        // Inputs read through a hand-written `Deserialize` (`deserialize_input`).
        let derives = if input {
            self.use_(Import::Serialize);
            quote! { #[derive(Clone, Debug, PartialEq, Serialize)] }
        } else {
            self.derives(input, quote!(Clone, Debug, PartialEq,))
        };
        let rule = field_rename_rule(&st.fields);
        let rename_all = rule.map(|r| quote!(, rename_all = #r));
        let both = self.options.serde_both_ways;
        let fields: Vec<TokenStream> = st
            .fields
            .iter()
            .map(|f| {
                let ident = ident(&f.ident);
                let ty = self.ty(&f.ty);
                let doc = field_doc(f);
                let rename = (apply_field_rule(rule, &f.ident) != f.json_name).then(|| {
                    let json = &f.json_name;
                    quote! { #[serde(rename = #json)] }
                });
                // Absent optional arguments are left out so the server applies its default.
                let skip = (!f.required && !f.defaulted && (input || both))
                    .then(|| quote! { #[serde(skip_serializing_if = "Option::is_none")] });
                // A defaulted field is an output's; `null` reads as the default too, so a value
                // the server sends as `null` does not fail a result after the tool ran.
                let default = (f.defaulted && !input).then(|| {
                    quote! { #[serde(default, deserialize_with = "::composio_typed::de::null_as_default")] }
                });
                if f.flatten {
                    return quote! { #doc #[serde(flatten)] pub #ident: #ty, };
                }
                quote! { #doc #rename #skip #default pub #ident: #ty, }
            })
            .collect();
        // Every input struct gets a constructor and setters, nested ones too: struct literals
        // would make callers spell out every absent optional field.
        let constructor = input.then(|| self.constructor(name, st));
        let deserialize = input.then(|| self.deserialize_input(name, st));
        quote! {
            #derives
            #[serde(crate = "::composio_typed::serde" #rename_all)]
            pub struct #name { #(#fields)* }
            #deserialize
            #constructor
        }
    }

    /// `Deserialize` of an input struct: one call of the runtime's `de::read_struct`, which
    /// reads the fields as a tuple. serde's derive costs several times its compile time, and so
    /// would a struct literal with a `?` per field, on every one of a toolkit's input structs.
    fn deserialize_input(&mut self, name: &proc_macro2::Ident, st: &Struct) -> TokenStream {
        self.use_(Import::Deserialize);
        self.use_(Import::Deserializer);
        let type_name = name.to_string();
        // The flattened field takes the keys the others leave: the tuple's last value.
        let (open, named): (Vec<&Field>, Vec<&Field>) = st.fields.iter().partition(|f| f.flatten);
        let json: Vec<&String> = named.iter().map(|f| &f.json_name).collect();
        // An `Option` field reads absence as `None`, required or not, as the derive did.
        let required = named.iter().filter(|f| f.required && !matches!(f.ty, Ty::Option(_))).map(|f| &f.json_name);
        let read = if open.is_empty() { quote!(read_struct) } else { quote!(read_open_struct) };
        let call = quote! {
            ::composio_typed::de::#read(deserializer, #type_name, &[#(#json),*], &[#(#required),*])
        };
        if st.fields.is_empty() {
            return quote! {
                impl<'de> Deserialize<'de> for #name {
                    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                        #call.map(|()| Self {})
                    }
                }
            };
        }
        let binding = |f: &Field| ident(&binding_name(f, st));
        let order: Vec<proc_macro2::Ident> = named.iter().chain(&open).map(|f| binding(f)).collect();
        let pattern = tuple_pattern(order.iter().map(|i| quote!(#i)).collect());
        let inits = st.fields.iter().map(|f| {
            let field = ident(&f.ident);
            let value = binding(f);
            // A defaulted field reads as an `Option` (absent or `null` is `None`).
            match (f.defaulted, value == field) {
                (true, _) => quote!(#field: Option::unwrap_or_default(#value)),
                (false, true) => quote!(#field),
                (false, false) => quote!(#field: #value),
            }
        });
        quote! {
            impl<'de> Deserialize<'de> for #name {
                fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let #pattern = #call?;
                    Ok(Self { #(#inits),* })
                }
            }
        }
    }

    /// `new` with one argument per required property, and one setter per optional property.
    fn constructor(&mut self, name: &proc_macro2::Ident, st: &Struct) -> TokenStream {
        let by_json = |json: &str| st.fields.iter().find(|f| f.json_name == json);
        let args: Vec<&Field> =
            st.required_order.iter().filter_map(|r| by_json(r)).filter(|f| f.fill.is_none()).collect();
        let params: Vec<TokenStream> = args
            .iter()
            .map(|f| {
                let param = ident(&binding_name(f, st));
                let ty = self.param_ty(&f.ty);
                quote!(#param: #ty)
            })
            .collect();
        let inits: Vec<TokenStream> = st
            .fields
            .iter()
            .map(|f| {
                let field = ident(&f.ident);
                match (&f.fill, f.required) {
                    (Some(fill), _) => {
                        let value = self.fill_value(fill);
                        quote!(#field: #value)
                    }
                    (None, true) => {
                        let param = ident(&binding_name(f, st));
                        match convert(&f.ty, quote!(#param)) {
                            Some(value) => quote!(#field: #value),
                            None if param == field => quote!(#field),
                            None => quote!(#field: #param),
                        }
                    }
                    (None, false) => quote!(#field: None),
                }
            })
            .collect();
        let many = (params.len() > 7).then(|| {
            quote! { #[allow(clippy::too_many_arguments, reason = "one argument per required tool parameter")] }
        });
        let new_doc = if args.is_empty() {
            "Creates the arguments; every parameter is optional and set with the methods below."
        } else {
            "Creates the arguments from the required parameters; optional ones are set with the methods below."
        };
        let setters: Vec<TokenStream> = st
            .fields
            .iter()
            .filter(|f| !f.required)
            .map(|f| {
                let field = ident(&f.ident);
                let inner = f.ty.strip_option();
                let ty = self.param_ty(inner);
                let value = convert(inner, quote!(value)).unwrap_or_else(|| quote!(value));
                let doc = doc_lines(&[DocLine::of("Sets the optional ")
                    .link_as(&f.json_name, &format!("Self::{}", f.ident))
                    .text(" parameter.")]);
                // Setters are named after the tool's parameters, and clippy reads `is_*`,
                // `to_*` and friends as conversions; only those setters need the exception.
                let allow = convention_clash(&f.ident).then(|| {
                    quote! { #[allow(clippy::wrong_self_convention, reason = "setters are named after the tool's parameters")] }
                });
                quote! {
                    #doc
                    #allow
                    pub fn #field(mut self, value: #ty) -> Self {
                        self.#field = Some(#value);
                        self
                    }
                }
            })
            .collect();
        let default = args.is_empty().then(|| {
            quote! {
                impl Default for #name {
                    fn default() -> Self {
                        Self::new()
                    }
                }
            }
        });
        let new_doc = doc_lines(&[DocLine::of(new_doc)]);
        quote! {
            impl #name {
                #new_doc
                #many
                pub fn new(#(#params),*) -> Self {
                    Self { #(#inits),* }
                }
                #(#setters)*
            }
            #default
        }
    }

    /// The parameter type of a constructor argument or setter: as accepting as conversion
    /// allows, so `"octocat"`, `["bug", "p1"]` and paths work without ceremony.
    fn param_ty(&mut self, ty: &Ty) -> TokenStream {
        match ty {
            Ty::String => quote!(impl Into<String>),
            Ty::Vec(inner) if **inner == Ty::String => quote!(impl IntoIterator<Item = impl Into<String>>),
            Ty::Vec(inner) => {
                let inner = self.ty(inner);
                quote!(impl IntoIterator<Item = #inner>)
            }
            Ty::FileUpload => {
                self.use_(Import::FileInput);
                quote!(impl Into<FileInput>)
            }
            Ty::Boxed(inner) => self.ty(inner),
            other => self.ty(other),
        }
    }

    fn fill_value(&mut self, fill: &Fill) -> TokenStream {
        match fill {
            Fill::Variant(id, variant) => {
                let ty = self.type_name(*id);
                let variant = ident(variant);
                quote!(#ty::#variant)
            }
            Fill::Literal(Value::Bool(b)) => quote!(#b),
            Fill::Literal(Value::Number(n)) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => quote!(#i),
                (None, Some(u), _) => quote!(#u),
                (None, None, Some(f)) => quote!(#f),
                (None, None, None) => quote!(0),
            },
            Fill::Literal(_) => quote!(Default::default()),
        }
    }

    fn string_enum(&mut self, name: &proc_macro2::Ident, e: &Enum, input: bool) -> TokenStream {
        let variant_doc = |value: &str| doc_lines(&[DocLine::blank().code(value)]);
        if input {
            let derives = self.derives(true, quote!(Clone, Copy, Debug, PartialEq, Eq, Hash,));
            let rule = variant_rename_rule(e);
            let rename_all = rule.map(|r| quote!(, rename_all = #r));
            let variants = e.variants.iter().map(|v| {
                let ident = ident(&v.ident);
                let doc = variant_doc(&v.value);
                let rename = (apply_variant_rule(rule, &v.ident) != v.value).then(|| {
                    let value = &v.value;
                    quote! { #[serde(rename = #value)] }
                });
                quote! { #doc #rename #ident, }
            });
            let str_arms = e.variants.iter().map(|v| {
                let ident = ident(&v.ident);
                let value = &v.value;
                quote! { Self::#ident => #value, }
            });
            // An enum without values has no value to spell (and `match` on a reference to it
            // would not compile).
            let text = (!e.variants.is_empty()).then(|| {
                quote! {
                    impl #name {
                        /// The value as it appears on the wire.
                        pub fn as_str(&self) -> &'static str {
                            match self {
                                #(#str_arms)*
                            }
                        }
                    }
                    impl ::std::fmt::Display for #name {
                        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                            f.write_str(self.as_str())
                        }
                    }
                }
            });
            return quote! {
                #derives
                #[serde(crate = "::composio_typed::serde" #rename_all)]
                pub enum #name { #(#variants)* }
                #text
            };
        }
        // Outputs accept values added after generation: they land in `Unknown`.
        let derives = self.derives(false, quote!(Clone, Debug, PartialEq, Eq, Hash,));
        let variants = e.variants.iter().map(|v| {
            let ident = ident(&v.ident);
            let doc = variant_doc(&v.value);
            quote! { #doc #ident, }
        });
        let from_arms = e.variants.iter().map(|v| {
            let ident = ident(&v.ident);
            let value = &v.value;
            quote! { #value => Self::#ident, }
        });
        let str_arms = e.variants.iter().map(|v| {
            let ident = ident(&v.ident);
            let value = &v.value;
            quote! { Self::#ident => #value, }
        });
        let serialize = self.options.serde_both_ways.then(|| {
            quote! {
                impl Serialize for #name {
                    fn serialize<S: ::composio_typed::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        serializer.serialize_str(self.as_str())
                    }
                }
            }
        });
        let derives = if self.options.serde_both_ways {
            // Serialization goes through `as_str`, so only `Deserialize` is derived.
            self.use_(Import::Deserialize);
            quote! { #[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)] }
        } else {
            derives
        };
        quote! {
            #derives
            #[serde(crate = "::composio_typed::serde", from = "String")]
            pub enum #name {
                #(#variants)*
                /// A value these bindings do not know, kept as sent.
                Unknown(String),
            }
            impl From<String> for #name {
                fn from(value: String) -> Self {
                    match value.as_str() {
                        #(#from_arms)*
                        _ => Self::Unknown(value),
                    }
                }
            }
            impl #name {
                /// The value as it appears on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(#str_arms)*
                        Self::Unknown(value) => value,
                    }
                }
            }
            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }
            #serialize
        }
    }

    fn tagged(&mut self, name: &proc_macro2::Ident, t: &Tagged, input: bool) -> TokenStream {
        let derives = self.derives(input, quote!(Clone, Debug, PartialEq,));
        let tag = &t.tag;
        let variants: Vec<TokenStream> = t
            .variants
            .iter()
            .map(|v| {
                let ident = ident(&v.ident);
                let value = &v.value;
                let doc = doc_lines(&[DocLine::blank().code(&format!("{tag}: {value}"))]);
                // Payloads are boxed so one large variant does not size every value.
                let payload = v.payload.map(|p| {
                    let ty = self.type_name(p);
                    quote!((Box<#ty>))
                });
                quote! { #doc #[serde(rename = #value)] #ident #payload, }
            })
            .collect();
        let unknown = (!input).then(|| {
            quote! {
                /// A variant these bindings do not know.
                #[serde(other)]
                Unknown,
            }
        });
        quote! {
            #derives
            #[serde(crate = "::composio_typed::serde", tag = #tag)]
            pub enum #name { #(#variants)* #unknown }
        }
    }

    fn untagged(&mut self, name: &proc_macro2::Ident, u: &Untagged, input: bool) -> TokenStream {
        let derives = self.derives(input, quote!(Clone, Debug, PartialEq,));
        let variants: Vec<TokenStream> = u
            .variants
            .iter()
            .map(|v| {
                let ident = ident(&v.ident);
                let boxed = match &v.ty {
                    Ty::Named(id) if !matches!(self.ir.types[*id].kind, TypeKind::Enum(_)) => {
                        Ty::Boxed(Box::new(v.ty.clone()))
                    }
                    other => other.clone(),
                };
                let ty = self.ty(&boxed);
                let doc = doc_lines(&[describe(&v.ty, self, DocLine::of("The value as "), true).text(".")]);
                quote! { #doc #ident(#ty), }
            })
            .collect();
        quote! {
            #derives
            #[serde(crate = "::composio_typed::serde", untagged)]
            pub enum #name { #(#variants)* }
        }
    }

    /// `VisitFiles` for nested types that carry files, so the runtime can upload them.
    fn visit_files_impl(&mut self, id: TypeId) -> Option<TokenStream> {
        let is_input_root = self.facts.input_of[id].is_some();
        if !self.carries_files(id) || is_input_root {
            return None;
        }
        self.use_(Import::FileInput);
        let name = self.type_name(id);
        let body = self.visit_files_body(id);
        Some(quote! {
            impl ::composio_typed::VisitFiles for #name {
                fn visit_files(&mut self, visit: &mut dyn FnMut(&mut FileInput)) {
                    #body
                }
            }
        })
    }

    /// Statements that pass every file inside a value of type `id` to `visit`.
    pub(super) fn visit_files_body(&self, id: TypeId) -> TokenStream {
        match &self.ir.types[id].kind {
            TypeKind::Struct(st) => {
                let visits = st.fields.iter().filter(|f| self.ty_carries_files(&f.ty)).map(|f| {
                    let field = ident(&f.ident);
                    quote! { ::composio_typed::VisitFiles::visit_files(&mut self.#field, visit); }
                });
                quote! { #(#visits)* }
            }
            TypeKind::Untagged(u) => {
                let arms = u.variants.iter().filter(|v| self.ty_carries_files(&v.ty)).map(|v| {
                    let variant = ident(&v.ident);
                    quote! { Self::#variant(value) => ::composio_typed::VisitFiles::visit_files(value, visit), }
                });
                let rest = (u.variants.iter().any(|v| !self.ty_carries_files(&v.ty))).then(|| quote! { _ => {} });
                quote! { match self { #(#arms)* #rest } }
            }
            TypeKind::Tagged(t) => {
                let arms = t.variants.iter().filter(|v| v.payload.is_some_and(|p| self.carries_files(p))).map(|v| {
                    let variant = ident(&v.ident);
                    quote! { Self::#variant(value) => ::composio_typed::VisitFiles::visit_files(value, visit), }
                });
                quote! { match self { #(#arms)* _ => {} } }
            }
            TypeKind::Enum(_) => quote! {},
        }
    }
}

/// How an argument of type `ty` named `value` becomes the field's value; `None` when it
/// already is.
fn convert(ty: &Ty, value: TokenStream) -> Option<TokenStream> {
    match ty {
        Ty::String | Ty::FileUpload => Some(quote!(#value.into())),
        Ty::Vec(inner) if **inner == Ty::String => Some(quote!(#value.into_iter().map(Into::into).collect())),
        Ty::Vec(_) => Some(quote!(#value.into_iter().collect())),
        Ty::Boxed(_) => Some(quote!(Box::new(#value))),
        _ => None,
    }
}

/// Appends what a value of `ty` is to `line` ("a list of \[`Label`\]"), with its article when
/// `article` is set.
fn describe(ty: &Ty, emitter: &Emitter<'_>, line: DocLine, article: bool) -> DocLine {
    let a = |line: DocLine, an: bool| match (article, an) {
        (false, _) => line,
        (true, false) => line.text("a "),
        (true, true) => line.text("an "),
    };
    match ty {
        Ty::Bool => a(line, false).text("boolean"),
        Ty::I64 | Ty::U64 | Ty::I128 => a(line, true).text("integer"),
        Ty::F64 => a(line, false).text("number"),
        Ty::String => a(line, false).text("string"),
        Ty::Any => line.text("any JSON value"),
        Ty::Object | Ty::Map(_) => a(line, true).text("object"),
        Ty::Vec(inner) => describe(inner, emitter, a(line, false).text("list of "), false),
        Ty::Option(inner) | Ty::Boxed(inner) => describe(inner, emitter, line, article),
        Ty::Named(id) => a(line, false).link(&emitter.ir.types[*id].name),
        Ty::FileUpload => a(line, false).text("file to upload"),
        Ty::FileDownload => a(line, false).text("file to download"),
    }
}

/// Doc lines of a field: its description, then one line of facts.
fn field_doc(f: &Field) -> TokenStream {
    let mut lines = match &f.docs.description {
        Some(text) => docs::lines(text),
        None => vec![DocLine::of("The ").code(&f.json_name).text(" property.")],
    };
    let mut facts = Vec::new();
    if let Some(default) = f.docs.default.as_ref().and_then(docs::inline_value) {
        facts.push(DocLine::of("Default: ").line(&default).text("."));
    }
    if let Some(format) = &f.docs.format {
        facts.push(DocLine::of("Format: ").code(format).text("."));
    }
    if !f.docs.constraints.is_empty() {
        let text = f.docs.constraints.join(", ");
        let mut must = DocLine::of("Must be ");
        for (i, part) in docs::lines(&text).iter().enumerate() {
            must = if i == 0 { must } else { must.text(" ") }.line(part);
        }
        facts.push(must.text("."));
    }
    let examples: Vec<DocLine> = f.docs.examples.iter().filter_map(docs::inline_value).collect();
    if !examples.is_empty() {
        let mut line = DocLine::of(if examples.len() == 1 { "Example: " } else { "Examples: " });
        for (i, example) in examples.iter().enumerate() {
            line = if i == 0 { line } else { line.text(", ") }.line(example);
        }
        facts.push(line.text("."));
    }
    if f.docs.file_upload {
        facts.push(DocLine::of("A local path or bytes; the client uploads it before the call."));
    }
    if let Some(reason) = &f.gave_up {
        facts.push(DocLine::of("Typed as JSON: the generator could not type its schema (").plain(reason).text(")."));
    }
    if !facts.is_empty() {
        lines.push(DocLine::blank());
        let mut joined = DocLine::blank();
        for (i, fact) in facts.iter().enumerate() {
            joined = if i == 0 { joined } else { joined.text(" ") }.line(fact);
        }
        lines.push(joined);
    }
    doc_lines(&lines)
}

/// The `rename_all` rules serde applies to fields, in the order they are tried.
const FIELD_RULES: [&str; 3] = ["camelCase", "kebab-case", "SCREAMING_SNAKE_CASE"];

fn apply_field_rule(rule: Option<&str>, ident: &str) -> String {
    match rule {
        Some("camelCase") => {
            let mut out = String::new();
            let mut upper = false;
            for c in ident.chars() {
                if c == '_' {
                    upper = true;
                } else if upper {
                    out.push(c.to_ascii_uppercase());
                    upper = false;
                } else {
                    out.push(c);
                }
            }
            out
        }
        Some("kebab-case") => ident.replace('_', "-"),
        Some("SCREAMING_SNAKE_CASE") => ident.to_ascii_uppercase(),
        _ => ident.to_owned(),
    }
}

/// A `rename_all` rule that spares per-field renames for most fields, if one does.
/// The `rename_all` rule that spells most fields, when it says something true about the JSON:
/// it must turn at least two multi-word names into their JSON spelling. A rule that only strips
/// a keyword's underscore (`ref_` → `ref`) or leaves one-word names alone would tell a reader a
/// snake_case payload is camelCase; those fields get a plain `rename` instead.
fn field_rename_rule(fields: &[Field]) -> Option<&'static str> {
    let plain = fields.iter().filter(|f| f.ident == f.json_name).count();
    let multi_word = |f: &&Field| f.ident.trim_end_matches('_').contains('_');
    FIELD_RULES
        .iter()
        .map(|rule| {
            let fits = |f: &&Field| apply_field_rule(Some(rule), &f.ident) == f.json_name;
            (*rule, fields.iter().filter(fits).count(), fields.iter().filter(multi_word).filter(fits).count())
        })
        .filter(|(_, hits, changed)| *hits > plain && *changed >= 2)
        .max_by_key(|(_, hits, _)| *hits)
        .map(|(rule, _, _)| rule)
}

const VARIANT_RULES: [&str; 5] = ["snake_case", "lowercase", "kebab-case", "SCREAMING_SNAKE_CASE", "UPPERCASE"];

fn apply_variant_rule(rule: Option<&str>, ident: &str) -> String {
    match rule {
        Some("snake_case") => serde_snake_case(ident),
        Some("lowercase") => ident.to_ascii_lowercase(),
        Some("kebab-case") => serde_snake_case(ident).replace('_', "-"),
        Some("SCREAMING_SNAKE_CASE") => serde_snake_case(ident).to_ascii_uppercase(),
        Some("UPPERCASE") => ident.to_ascii_uppercase(),
        _ => ident.to_owned(),
    }
}

fn variant_rename_rule(e: &Enum) -> Option<&'static str> {
    let plain = e.variants.iter().filter(|v| v.ident == v.value).count();
    // Ties go to the earlier rule: `snake_case` reads best.
    let mut best: Option<(&'static str, usize)> = None;
    for rule in VARIANT_RULES {
        let hits = e.variants.iter().filter(|v| apply_variant_rule(Some(rule), &v.ident) == v.value).count();
        if hits > plain && best.is_none_or(|(_, b)| hits > b) {
            best = Some((rule, hits));
        }
    }
    best.map(|(rule, _)| rule)
}

/// Whether clippy's `wrong_self_convention` reads a by-value setter of this name as a
/// misnamed conversion.
fn convention_clash(name: &str) -> bool {
    ["as_", "from_", "is_", "to_"].iter().any(|p| name.starts_with(p)) || name.ends_with("_mut")
}

/// The local (or constructor parameter) a field's value is bound to: the field's own name,
/// unless clippy would reject it as a binding (`_9`, all underscores and digits); then
/// `value_9`, with underscores added until no field of the struct has that name.
fn binding_name(field: &Field, st: &Struct) -> String {
    if !field.ident.chars().all(|c| c == '_' || c.is_ascii_digit()) {
        return field.ident.clone();
    }
    let mut name = format!("value{}", field.ident);
    while st.fields.iter().any(|f| f.ident == name) {
        name.push('_');
    }
    name
}

/// The tuple pattern `de::read_struct` fills: flat up to 16 values (the widest tuple serde
/// reads), else nested in tuples of 16, as the runtime nests them.
fn tuple_pattern(mut items: Vec<TokenStream>) -> TokenStream {
    const WIDEST: usize = 16;
    while items.len() > WIDEST {
        items = items.chunks(WIDEST).map(|chunk| quote!((#(#chunk,)*))).collect();
    }
    quote!((#(#items,)*))
}
