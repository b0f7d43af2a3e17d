//! Type IR → Rust tokens.
//!
//! The emitter makes no decisions about names or shapes: the IR has them all. What it decides
//! is how each type is spelled so that the code compiles anywhere and costs little to compile:
//! - inputs derive `Serialize`, outputs derive `Deserialize`; both directions only on request;
//! - each tool adds a small struct, its setters, a `Tool` impl with static metadata and a
//!   one-line function: the HTTP path lives once, in the runtime;
//! - generated code names the runtime through `::composio_typed` and reserved names never
//!   shadow the prelude, so it compiles as `pub mod x;` in any crate.

mod docs;
mod tools;
mod types;

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{ToolkitIr, Ty, TypeId, TypeKind};
use crate::typespace;

/// Types reachable from `id`, parents before children, skipping those already `seen`.
fn preorder(ir: &ToolkitIr, id: TypeId, seen: &mut [bool], out: &mut Vec<TypeId>) {
    if seen[id] {
        return;
    }
    seen[id] = true;
    out.push(id);
    for child in typespace::children(&ir.types[id].kind) {
        preorder(ir, child, seen, out);
    }
}

/// Choices that change the generated code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmitOptions {
    /// Derive both `Serialize` and `Deserialize` on every type, instead of only the direction
    /// each type travels. Costs compile time; useful to decode tool arguments an LLM produced
    /// into the typed input, or to forward typed results as JSON.
    pub serde_both_ways: bool,
}

/// Emits the items of one toolkit module (without the file header).
pub fn toolkit(ir: &ToolkitIr, options: &EmitOptions) -> TokenStream {
    let mut emitter = Emitter::new(ir, options);
    let mut items = TokenStream::new();
    items.extend(emitter.constants());
    // Each tool reads top to bottom: its function, its input, its `Tool` impl, then the types
    // it is the first to use. Shared types appear with their first user.
    let mut emitted = vec![false; ir.types.len()];
    for tool in &ir.tools {
        items.extend(emitter.tool_function(tool));
        items.extend(emitter.type_def(tool.input));
        emitted[tool.input] = true;
        items.extend(emitter.tool_impl(tool));
        let mut reached = Vec::new();
        for root in typespace::ty_ids(&tool.output).into_iter().chain([tool.input]) {
            preorder(ir, root, &mut emitted.clone(), &mut reached);
        }
        for id in reached {
            if !emitted[id] {
                emitted[id] = true;
                items.extend(emitter.type_def(id));
            }
        }
    }
    for (id, done) in emitted.iter().enumerate() {
        if !done {
            items.extend(emitter.type_def(id));
        }
    }
    let imports = emitter.imports();
    quote! { #imports #items }
}

/// Runtime items generated code may import; each is imported only when used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Import {
    BTreeMap,
    Call,
    Client,
    Deserialize,
    FileDownload,
    FileInput,
    JsonObject,
    Serialize,
    Tool,
    ToolMeta,
    Value,
}

struct Emitter<'a> {
    ir: &'a ToolkitIr,
    options: &'a EmitOptions,
    used: BTreeSet<Import>,
    /// Whether each type carries a file to upload somewhere inside.
    carries_files: Vec<bool>,
}

impl<'a> Emitter<'a> {
    fn new(ir: &'a ToolkitIr, options: &'a EmitOptions) -> Self {
        let mut emitter = Emitter { ir, options, used: BTreeSet::new(), carries_files: vec![false; ir.types.len()] };
        emitter.find_file_carriers();
        emitter
    }

    fn find_file_carriers(&mut self) {
        loop {
            let mut changed = false;
            for id in 0..self.ir.types.len() {
                if self.carries_files[id] {
                    continue;
                }
                let carries = match &self.ir.types[id].kind {
                    TypeKind::Struct(st) => st.fields.iter().any(|f| self.ty_carries_files(&f.ty)),
                    TypeKind::Enum(_) => false,
                    TypeKind::Tagged(t) => t.variants.iter().filter_map(|v| v.payload).any(|p| self.carries_files[p]),
                    TypeKind::Untagged(u) => u.variants.iter().any(|v| self.ty_carries_files(&v.ty)),
                };
                if carries {
                    self.carries_files[id] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    fn ty_carries_files(&self, ty: &Ty) -> bool {
        match ty {
            Ty::FileUpload => true,
            Ty::Named(id) => self.carries_files[*id],
            Ty::Map(inner) | Ty::Vec(inner) | Ty::Option(inner) | Ty::Boxed(inner) => self.ty_carries_files(inner),
            _ => false,
        }
    }

    fn use_(&mut self, import: Import) {
        self.used.insert(import);
    }

    fn imports(&self) -> TokenStream {
        let mut runtime = Vec::new();
        let mut serde = Vec::new();
        let mut std_items = Vec::new();
        for import in &self.used {
            let name = ident(&format!("{import:?}"));
            match import {
                Import::Serialize | Import::Deserialize => serde.push(name),
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

    fn constants(&self) -> TokenStream {
        let toolkit = &self.ir.toolkit;
        let version = &self.ir.version;
        let toolkit_doc = doc_attrs(&format!("The Composio toolkit these bindings call: `{toolkit}`."));
        let version_doc = doc_attrs(
            "The toolkit version these bindings were generated from. Every call sends it, so the \
             server runs the tools with the schemas the types were made from.",
        );
        quote! {
            #toolkit_doc
            pub const TOOLKIT: &str = #toolkit;
            #version_doc
            pub const VERSION: &str = #version;
        }
    }

    /// The Rust spelling of a type expression.
    fn ty(&mut self, ty: &Ty) -> TokenStream {
        match ty {
            Ty::Bool => quote!(bool),
            Ty::I64 => quote!(i64),
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
        let (ser, de) = if self.options.serde_both_ways { (true, true) } else { (input, !input) };
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

/// An identifier the naming stage produced. Every such name is ASCII, starts with a letter or
/// `_` and is not a keyword.
fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `#[doc = "…"]` attributes for free text, one per line.
fn doc_attrs(text: &str) -> TokenStream {
    doc_lines(&docs::lines(text))
}

fn doc_lines(lines: &[String]) -> TokenStream {
    let attrs = lines.iter().map(|line| {
        let line = if line.is_empty() { String::new() } else { format!(" {line}") };
        quote! { #[doc = #line] }
    });
    quote! { #(#attrs)* }
}
