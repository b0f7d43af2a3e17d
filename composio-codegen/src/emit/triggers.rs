//! Per-trigger items: the `TriggerType` impl on each config struct, and the enum of the
//! toolkit's events. Spelled with full paths, so a module without triggers imports nothing new.

use proc_macro2::TokenStream;
use quote::quote;

use super::tools::raw_string;
use super::{DocLine, Emitter, doc_lines, docs, ident};
use crate::ir::TriggerIr;

impl Emitter<'_> {
    /// `impl TriggerType for <Config>`: the trigger's slug, version, schemas and payload type.
    pub(super) fn trigger_impl(&mut self, trigger: &TriggerIr) -> TokenStream {
        let config = self.type_name(trigger.config);
        let payload = self.ty(&trigger.payload);
        let slug = &trigger.slug;
        let config_schema = raw_string(&trigger.config_schema);
        let payload_schema = raw_string(&trigger.payload_schema);
        quote! {
            impl ::composio_typed::triggers::TriggerType for #config {
                const SLUG: &'static str = #slug;
                const TOOLKIT: &'static str = TOOLKIT;
                const VERSION: &'static str = VERSION;
                const CONFIG_SCHEMA: &'static str = #config_schema;
                const PAYLOAD_SCHEMA: &'static str = #payload_schema;
                type Config = Self;
                type Payload = #payload;
            }
        }
    }

    /// The enum of the toolkit's events, one variant per trigger type and `Unknown` for the
    /// rest, with its decoder from a normalised event.
    pub(super) fn events_enum(&mut self, name: &str) -> TokenStream {
        let name = ident(name);
        let mut variants = Vec::new();
        let mut arms = Vec::new();
        let mut slugs = Vec::new();
        for trigger in &self.ir.triggers {
            let variant = ident(&trigger.variant);
            let payload = self.ty(&trigger.payload);
            let slug = &trigger.slug;
            let mut doc =
                vec![DocLine::of("").code(slug).text(": ").plain(trigger.name.trim_end_matches('.')).text(".")];
            let description = docs::lines(&trigger.description);
            if !description.is_empty() {
                doc.push(DocLine::blank());
                doc.extend(description);
            }
            let doc = doc_lines(&doc);
            // Boxed, so that the enum is as small as a pointer whatever the payloads' sizes.
            variants.push(quote! { #doc #variant(Box<#payload>), });
            arms.push(quote! { #slug => event.payload().map(|payload| #name::#variant(Box::new(payload))), });
            slugs.push(slug.clone());
        }
        let enum_doc = doc_lines(&[
            DocLine::of("An event of one of the toolkit's trigger types, with its typed payload: decode it from a"),
            DocLine::of("webhook's normalised event with ").link(&format!("{name}::decode")).text("."),
        ]);
        let decode_doc = doc_lines(&[
            DocLine::of("Decodes a trigger event by its slug. A slug these bindings do not know is ")
                .code("Unknown")
                .text(";"),
            DocLine::of("a known one whose data does not fit its payload type is ")
                .code("Error::Decode")
                .text(", with the raw JSON."),
        ]);
        let slugs_doc = doc_lines(&[DocLine::of("The slugs of the toolkit's trigger types, sorted.")]);
        quote! {
            #enum_doc
            #[derive(Clone, Debug, PartialEq)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants)*
                /// A trigger type these bindings do not know (newer, or another toolkit's), kept whole.
                Unknown(Box<::composio_typed::triggers::TriggerEvent>),
            }
            impl #name {
                #slugs_doc
                pub const SLUGS: &'static [&'static str] = &[#(#slugs),*];
                #decode_doc
                pub fn decode(event: &::composio_typed::triggers::TriggerEvent) -> ::composio_typed::Result<Self> {
                    match event.trigger_slug.as_str() {
                        #(#arms)*
                        _ => Ok(#name::Unknown(Box::new(event.clone()))),
                    }
                }
            }
        }
    }
}
