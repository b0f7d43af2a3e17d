//! Per-tool items: the `Tool` impl with its static metadata, and the function named after the
//! slug.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{DocLine, Emitter, Import, doc_lines, docs, ident, is_meta_toolkit};
use crate::ir::ToolIr;

impl Emitter<'_> {
    /// The function named after a tool.
    pub(super) fn tool_function(&mut self, tool: &ToolIr) -> TokenStream {
        let meta = is_meta_toolkit(&self.ir.toolkit);
        if meta {
            self.use_(Import::Session);
            self.use_(Import::SessionCall);
        } else {
            self.use_(Import::Call);
            self.use_(Import::Client);
        }
        let input = self.type_name(tool.input);
        let function = ident(&tool.function);
        let slug = &tool.slug;
        let mut doc = vec![DocLine::blank().plain(tool.name.trim_end_matches('.')).text(".")];
        let description = docs::lines(&tool.description);
        if !description.is_empty() {
            doc.push(DocLine::blank());
            doc.extend(description);
        }
        doc.push(DocLine::blank());
        doc.push(if meta {
            DocLine::of("Runs ").code(slug).text(" through the session's meta route, on ").code("latest").text(".")
        } else {
            DocLine::of("Runs ").code(slug).text(", pinned to [`VERSION`].")
        });
        // What a caller must know of the tags is whether a failed call may be repeated; the
        // rest (UI categories, `mcpIgnore`) stay in the `Tool` metadata.
        let tagged = |hint: &str| tool.tags.iter().any(|t| t == hint);
        let effect = if tagged("destructiveHint") { "Marked destructive. " } else { "" };
        doc.push(DocLine::of(effect).text(if tagged("readOnlyHint") {
            "Read-only: by default, repeated after an ambiguous failure (a 5xx or a lost answer)."
        } else if tagged("idempotentHint") {
            "Idempotent: by default, repeated after an ambiguous failure (a 5xx or a lost answer)."
        } else {
            "Not marked idempotent: by default, never repeated after an ambiguous failure (a 5xx \
             or a lost answer), so look before running it again."
        }));
        let doc = doc_lines(&doc);
        let deprecated =
            tool.deprecated.then(|| quote! { #[deprecated(note = "Composio marks this tool deprecated")] });
        if meta {
            return quote! {
                #doc
                #deprecated
                pub fn #function(session: &Session, input: #input) -> SessionCall<'_, #input> {
                    session.call(input)
                }
            };
        }
        quote! {
            #doc
            #deprecated
            pub fn #function(client: &Client, input: #input) -> Call<'_, #input> {
                client.call(input)
            }
        }
    }

    /// The `Tool` impl of one tool: its output type and static metadata.
    pub(super) fn tool_impl(&mut self, tool: &ToolIr) -> TokenStream {
        self.use_(Import::Tool);
        self.use_(Import::ToolMeta);
        let input = self.type_name(tool.input);
        let output = self.ty(&tool.output);
        let slug = &tool.slug;
        let name = &tool.name;
        let description = tool.description.trim();
        let tags = &tool.tags;
        let input_schema = raw_string(&tool.input_schema);
        let output_schema = raw_string(&tool.output_schema);
        let files = self.carries_files(tool.input).then(|| {
            self.use_(Import::FileInput);
            let body = self.visit_files_body(tool.input);
            quote! {
                fn visit_files(&mut self, visit: &mut dyn FnMut(&mut FileInput)) {
                    #body
                }
            }
        });

        let checks = self.tool_validate(tool.input);
        quote! {
            impl Tool for #input {
                type Output = #output;
                const META: &'static ToolMeta = &ToolMeta {
                    slug: #slug,
                    name: #name,
                    description: #description,
                    toolkit: TOOLKIT,
                    version: VERSION,
                    tags: &[#(#tags),*],
                    input_schema: #input_schema,
                    output_schema: #output_schema,
                };
                #files
                #checks
            }
        }
    }
}

impl Emitter<'_> {
    /// `TOOLS`: every tool of the module as a dispatch entry, for a tool set that hands them
    /// to a model.
    pub(super) fn tool_table(&mut self) -> TokenStream {
        self.use_(Import::TypedTool);
        let entries = self.ir.tools.iter().map(|tool| {
            let input = self.type_name(tool.input);
            quote! { TypedTool::of::<#input>(), }
        });
        let doc = doc_lines(&[
            DocLine::of("Every tool of this module, for dispatching a model's calls. Select the ones an"),
            DocLine::of("agent may use with a [`ToolSet`](composio_typed::agents::ToolSet): it gives their"),
            DocLine::of("definitions for a model API and parses each call into the typed input."),
        ]);
        quote! {
            #doc
            pub const TOOLS: &[TypedTool] = &[#(#entries)*];
        }
    }
}

/// A raw string literal of compact JSON, so embedded schemas stay readable in the generated
/// file. Characters that would break or disguise the source (controls, bidi controls, invisible
/// characters, line separators) only ever sit inside JSON strings, where they are re-spelled as
/// `\uXXXX` escapes: the text is still the same JSON, and the literal holds none of them.
pub(super) fn raw_string(json: &str) -> Literal {
    let mut text = String::with_capacity(json.len());
    for c in json.chars() {
        if crate::model::is_hazard(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                text.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            text.push(c);
        }
    }
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let fence = "#".repeat(hashes);
    format!("r{fence}\"{text}\"{fence}").parse().unwrap_or_else(|_| Literal::string(&text))
}

#[cfg(test)]
mod tests {
    use super::raw_string;

    #[test]
    fn raw_strings_escape_hazards_and_take_enough_hashes() {
        let json = serde_json::json!({"d": "a\u{202e}b\u{200b}c\u{7f}d\"#e\"##f"}).to_string();
        let literal = raw_string(&json).to_string();
        assert_eq!(literal, r####"r###"{"d":"a\u202eb\u200bc\u007fd\"#e\"##f"}"###"####);
        let parsed: syn::LitStr = syn::parse_str(&literal).unwrap();
        assert_eq!(serde_json::from_str::<serde_json::Value>(&parsed.value()).unwrap().to_string(), json);
    }
}
