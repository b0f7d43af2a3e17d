//! Type IR → Rust tokens.
//!
//! The emitter makes no decisions about names or shapes: the IR has them all. What it decides
//! is how each type is spelled so that the code compiles anywhere and costs little to compile:
//! - inputs derive `Serialize` and read through a short hand-written `Deserialize` (serde's
//!   derive would cost most of a module's compile time), outputs derive `Deserialize`; outputs
//!   serialize only on request;
//! - each tool adds a small struct, its setters, a `Tool` impl with static metadata and a
//!   one-line function: the HTTP path lives once, in the runtime;
//! - generated code names the runtime through `::composio_typed` and reserved names never
//!   shadow the prelude, so it compiles as `pub mod x;` in any crate.

mod checks;
mod docs;
mod tools;
mod triggers;
mod types;

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{ToolkitIr, Ty, TypeId, TypeKind, children, ty_ids};
use docs::DocLine;

/// Types reachable from `id`, parents before children, skipping those already `seen`.
fn preorder(ir: &ToolkitIr, id: TypeId, seen: &mut [bool], out: &mut Vec<TypeId>) {
    if seen[id] {
        return;
    }
    seen[id] = true;
    out.push(id);
    for child in children(&ir.types[id].kind) {
        preorder(ir, child, seen, out);
    }
}

/// The toolkit of Composio's meta tools. Its tools run inside a session, through the
/// session's meta route and always on `latest`, so its functions take a `Session` and its
/// version is the schema snapshot the types describe, not a version calls send.
pub const META_TOOLKIT: &str = "composio";

/// Whether `toolkit` is the meta toolkit.
pub fn is_meta_toolkit(toolkit: &str) -> bool {
    toolkit.eq_ignore_ascii_case(META_TOOLKIT)
}

/// Choices that change the generated code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmitOptions {
    /// Derive `Serialize` on outputs too; inputs always go both directions, so a model's call
    /// parses into them. Costs compile time; useful to forward typed results as JSON.
    pub serde_both_ways: bool,
}

/// One top-level item of a module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    /// The function of the tool at this index.
    Function(usize),
    /// The `Tool` impl of the tool at this index.
    ToolImpl(usize),
    /// A generated type with its impls.
    Type(TypeId),
    /// The `TriggerType` impl of the trigger type at this index.
    TriggerImpl(usize),
    /// The enum of the toolkit's events.
    Events,
    /// `TOOLS`, the module's dispatch table.
    ToolTable,
}

/// The order of a module's items. Each tool reads top to bottom: its function, its input, its
/// `Tool` impl, then the types it is the first to use; shared types appear with their first
/// user.
pub fn plan(ir: &ToolkitIr) -> Vec<Item> {
    let mut items = Vec::with_capacity(ir.tools.len() * 3 + ir.types.len());
    let mut emitted = vec![false; ir.types.len()];
    for (index, tool) in ir.tools.iter().enumerate() {
        items.push(Item::Function(index));
        items.push(Item::Type(tool.input));
        emitted[tool.input] = true;
        items.push(Item::ToolImpl(index));
        let mut reached = Vec::new();
        let mut seen = emitted.clone();
        for root in ty_ids(&tool.output).into_iter().chain([tool.input]) {
            seen[tool.input] = false;
            preorder(ir, root, &mut seen, &mut reached);
        }
        for id in reached {
            if !emitted[id] {
                emitted[id] = true;
                items.push(Item::Type(id));
            }
        }
    }
    if !ir.tools.is_empty() {
        items.push(Item::ToolTable);
    }
    // Each trigger type reads like a tool: its config (the marker type), its impl, then the
    // payload types it is the first to use; the events enum closes the list.
    for (index, trigger) in ir.triggers.iter().enumerate() {
        items.push(Item::Type(trigger.config));
        emitted[trigger.config] = true;
        items.push(Item::TriggerImpl(index));
        let mut reached = Vec::new();
        let mut seen = emitted.clone();
        for root in ty_ids(&trigger.payload).into_iter().chain([trigger.config]) {
            seen[trigger.config] = false;
            preorder(ir, root, &mut seen, &mut reached);
        }
        for id in reached {
            if !emitted[id] {
                emitted[id] = true;
                items.push(Item::Type(id));
            }
        }
    }
    if ir.events_enum.is_some() {
        items.push(Item::Events);
    }
    items.extend(emitted.iter().enumerate().filter(|(_, done)| !**done).map(|(id, _)| Item::Type(id)));
    items
}

/// What the emitter asks about each type, computed once per module: answering it per type by
/// scanning every tool made emitting quadratic in the size of the toolkit.
pub struct Facts {
    /// Whether each type carries a file to upload somewhere inside, which decides the
    /// `VisitFiles` impls.
    carries_files: Vec<bool>,
    /// The tool whose input each type is.
    input_of: Vec<Option<usize>>,
    /// The first tool whose result names each type, for the docs of types without any.
    result_of: Vec<Option<usize>>,
    /// The trigger type whose config each type is.
    config_of: Vec<Option<usize>>,
    /// The first trigger type whose payload names each type.
    payload_of: Vec<Option<usize>>,
    /// Whether each type has constraints to check before sending, itself or nested.
    checked: Vec<bool>,
}

/// The [`Facts`] of a module.
pub fn facts(ir: &ToolkitIr) -> Facts {
    let mut input_of = vec![None; ir.types.len()];
    let mut result_of = vec![None; ir.types.len()];
    for (index, tool) in ir.tools.iter().enumerate() {
        input_of[tool.input].get_or_insert(index);
        for id in ty_ids(&tool.output) {
            result_of[id].get_or_insert(index);
        }
    }
    let mut config_of = vec![None; ir.types.len()];
    let mut payload_of = vec![None; ir.types.len()];
    for (index, trigger) in ir.triggers.iter().enumerate() {
        config_of[trigger.config].get_or_insert(index);
        for id in ty_ids(&trigger.payload) {
            payload_of[id].get_or_insert(index);
        }
    }
    Facts {
        carries_files: file_carriers(ir),
        input_of,
        result_of,
        config_of,
        payload_of,
        checked: checks::checked_types(ir),
    }
}

/// Whether each type carries a file to upload somewhere inside.
fn file_carriers(ir: &ToolkitIr) -> Vec<bool> {
    let mut carries = vec![false; ir.types.len()];
    loop {
        let mut changed = false;
        for id in 0..ir.types.len() {
            if carries[id] {
                continue;
            }
            let found = match &ir.types[id].kind {
                TypeKind::Struct(st) => st.fields.iter().any(|f| ty_carries_files(&carries, &f.ty)),
                TypeKind::Enum(_) => false,
                TypeKind::Tagged(t) => t.variants.iter().filter_map(|v| v.payload).any(|p| carries[p]),
                TypeKind::Untagged(u) => u.variants.iter().any(|v| ty_carries_files(&carries, &v.ty)),
            };
            if found {
                carries[id] = true;
                changed = true;
            }
        }
        if !changed {
            return carries;
        }
    }
}

fn ty_carries_files(carries: &[bool], ty: &Ty) -> bool {
    match ty {
        Ty::FileUpload => true,
        Ty::Named(id) => carries[*id],
        Ty::Map(inner) | Ty::Vec(inner) | Ty::Option(inner) | Ty::Boxed(inner) => ty_carries_files(carries, inner),
        _ => false,
    }
}

/// The tokens of some of a module's items, and the runtime items they use.
pub struct Emitted {
    /// The items.
    pub tokens: TokenStream,
    /// What the `use` lines must import for them.
    pub imports: BTreeSet<Import>,
}

/// Emits `items` of a module. Independent slices can be emitted on different threads.
pub fn items(ir: &ToolkitIr, options: &EmitOptions, facts: &Facts, items: &[Item]) -> Emitted {
    let mut emitter = Emitter { ir, options, used: BTreeSet::new(), facts };
    let mut tokens = TokenStream::new();
    for item in items {
        tokens.extend(match *item {
            Item::Function(index) => emitter.tool_function(&ir.tools[index]),
            Item::ToolImpl(index) => emitter.tool_impl(&ir.tools[index]),
            Item::Type(id) => emitter.type_def(id),
            Item::TriggerImpl(index) => emitter.trigger_impl(&ir.triggers[index]),
            Item::Events => emitter.events_enum(ir.events_enum.as_deref().unwrap_or("Event")),
            Item::ToolTable => emitter.tool_table(),
        });
    }
    Emitted { tokens, imports: emitter.used }
}

/// The `use` lines and constants that open a module, for the imports its items need.
pub fn prelude(ir: &ToolkitIr, imports: &BTreeSet<Import>) -> TokenStream {
    let uses = use_lines(imports);
    let toolkit = &ir.toolkit;
    let version = &ir.version;
    let toolkit_doc = doc_lines(&[DocLine::of("The Composio toolkit these bindings call: ").code(toolkit).text(".")]);
    let version_doc = if is_meta_toolkit(toolkit) {
        doc_lines(&[DocLine::of(
            "The schema snapshot these bindings were generated from. Meta tools always run on \
             `latest`: the session routes take no version, so no call sends this one.",
        )])
    } else {
        doc_lines(&[DocLine::of(
            "The toolkit version these bindings were generated from. Every call sends it, so the \
             server runs the tools with the schemas the types were made from.",
        )])
    };
    let authorize_doc = doc_lines(&[
        DocLine::of("Starts connecting the client's user to ").code(toolkit).text(
            ": picks the toolkit's auth config (or creates the Composio-managed one) and creates \
             a Connect Link. Send the user to its ",
        ),
        DocLine::of(
            "`redirect_url`, then `wait` for the account. A user who already has an active account \
             of the toolkit is refused; `client.authorize(TOOLKIT).allow_multiple(true)` adds another.",
        ),
    ]);
    // Spelled with full paths: a module with no tools imports no `Client`. The meta tools
    // are Composio's own and need no connection, so their module has nothing to authorize.
    let authorize = (!is_meta_toolkit(toolkit)).then(|| {
        quote! {
            #authorize_doc
            pub async fn authorize(
                client: &::composio_typed::Client,
            ) -> ::composio_typed::Result<::composio_typed::ConnectionRequest> {
                client.authorize(TOOLKIT).await
            }
        }
    });
    quote! {
        #uses
        #toolkit_doc
        pub const TOOLKIT: &str = #toolkit;
        #version_doc
        pub const VERSION: &str = #version;
        #authorize
    }
}

/// Runtime items generated code may import; each is imported only when used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Import {
    /// `std::collections::BTreeMap`, for typed maps.
    BTreeMap,
    /// `composio_typed::Call`, what tool functions return.
    Call,
    /// `composio_typed::Client`.
    Client,
    /// serde's `Deserialize` derive.
    Deserialize,
    /// serde's `Deserializer` trait, which the `Deserialize` impls of input structs name.
    Deserializer,
    /// `composio_typed::FileDownload`, a file a tool returns.
    FileDownload,
    /// `composio_typed::FileInput`, a file argument.
    FileInput,
    /// `composio_typed::JsonObject`, a free-form object.
    JsonObject,
    /// `composio_typed::Session`, what meta tool functions take.
    Session,
    /// `composio_typed::SessionCall`, what meta tool functions return.
    SessionCall,
    /// serde's `Serialize` derive.
    Serialize,
    /// the `composio_typed::Tool` trait.
    Tool,
    /// `composio_typed::ToolMeta`.
    ToolMeta,
    /// `composio_typed::TypedTool`, an entry of the dispatch table.
    TypedTool,
    /// `composio_typed::Value`, any JSON value.
    Value,
}

struct Emitter<'a> {
    ir: &'a ToolkitIr,
    options: &'a EmitOptions,
    used: BTreeSet<Import>,
    facts: &'a Facts,
}

impl Emitter<'_> {
    fn ty_carries_files(&self, ty: &Ty) -> bool {
        ty_carries_files(&self.facts.carries_files, ty)
    }

    fn carries_files(&self, id: TypeId) -> bool {
        self.facts.carries_files[id]
    }

    fn use_(&mut self, import: Import) {
        self.used.insert(import);
    }

    /// The Rust spelling of a type expression.
    fn ty(&mut self, ty: &Ty) -> TokenStream {
        match ty {
            Ty::Bool => quote!(bool),
            Ty::I64 => quote!(i64),
            Ty::U64 => quote!(u64),
            Ty::I128 => quote!(i128),
            Ty::F64 => quote!(f64),
            Ty::String => quote!(String),
            Ty::Any => {
                self.use_(Import::Value);
                quote!(Value)
            }
            Ty::Object => {
                self.use_(Import::JsonObject);
                quote!(JsonObject)
            }
            Ty::Map(inner) => {
                self.use_(Import::BTreeMap);
                let inner = self.ty(inner);
                quote!(BTreeMap<String, #inner>)
            }
            Ty::Vec(inner) => {
                let inner = self.ty(inner);
                quote!(Vec<#inner>)
            }
            Ty::Option(inner) => {
                let inner = self.ty(inner);
                quote!(Option<#inner>)
            }
            Ty::Boxed(inner) => {
                let inner = self.ty(inner);
                quote!(Box<#inner>)
            }
            Ty::Named(id) => {
                let name = self.type_name(*id);
                quote!(#name)
            }
            Ty::FileUpload => {
                self.use_(Import::FileInput);
                quote!(FileInput)
            }
            Ty::FileDownload => {
                self.use_(Import::FileDownload);
                quote!(FileDownload)
            }
        }
    }

    fn type_name(&self, id: TypeId) -> Ident {
        ident(&self.ir.types[id].name)
    }

    /// `#[derive(…)]` and `#[serde(crate = …)]` for a type, by direction.
    fn derives(&mut self, input: bool, extra: TokenStream) -> TokenStream {
        // Inputs read too, so a model's call can be parsed into them.
        let (ser, de) = (input || self.options.serde_both_ways, true);
        let mut serde_derives = Vec::new();
        if ser {
            self.use_(Import::Serialize);
            serde_derives.push(quote!(Serialize));
        }
        if de {
            self.use_(Import::Deserialize);
            serde_derives.push(quote!(Deserialize));
        }
        quote! { #[derive(#extra #(#serde_derives),*)] }
    }
}

fn use_lines(used: &BTreeSet<Import>) -> TokenStream {
    let mut runtime = Vec::new();
    let mut serde = Vec::new();
    let mut std_items = Vec::new();
    for import in used {
        let name = ident(&format!("{import:?}"));
        match import {
            Import::Serialize | Import::Deserialize | Import::Deserializer => serde.push(name),
            Import::BTreeMap => std_items.push(name),
            _ => runtime.push(name),
        }
    }
    let mut out = TokenStream::new();
    if !std_items.is_empty() {
        out.extend(quote! { use ::std::collections::BTreeMap; });
    }
    match serde.as_slice() {
        [] => {}
        [one] => out.extend(quote! { use ::composio_typed::serde::#one; }),
        many => out.extend(quote! { use ::composio_typed::serde::{#(#many),*}; }),
    }
    match runtime.as_slice() {
        [] => {}
        [one] => out.extend(quote! { use ::composio_typed::#one; }),
        many => out.extend(quote! { use ::composio_typed::{#(#many),*}; }),
    }
    out
}

/// An identifier the naming stage produced. Every such name is ASCII, starts with a letter or
/// `_` and is not a keyword.
fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `#[doc = "…"]` attributes, one per line. Docs only ever come through here, and only as
/// [`DocLine`]s, which the `docs` module alone can make.
fn doc_lines(lines: &[DocLine]) -> TokenStream {
    let attrs = lines.iter().map(|line| {
        let line = if line.is_empty() { String::new() } else { format!(" {}", line.as_str()) };
        quote! { #[doc = #line] }
    });
    quote! { #(#attrs)* }
}
