//! The argument check: `Validate` impls for input types that carry constraints, and the
//! `Tool::validate` override of tool inputs that do. Each constraint is one call of a runtime
//! helper (`v.max_length(at.field("title"), &self.title, 256)`), so the generated code stays
//! small and cheap to compile; types without constraints get no code.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{Emitter, ident};
use crate::ir::{Check, Rule, ToolkitIr, Ty, TypeId, TypeKind};

/// Whether each type has something to check, itself or in a type it nests.
pub(super) fn checked_types(ir: &ToolkitIr) -> Vec<bool> {
    let mut checked = vec![false; ir.types.len()];
    loop {
        let mut changed = false;
        for id in 0..ir.types.len() {
            if checked[id] {
                continue;
            }
            let found = match &ir.types[id].kind {
                TypeKind::Struct(st) => st.fields.iter().any(|f| f.check.is_some() || ty_checked(&checked, &f.ty)),
                TypeKind::Enum(_) => false,
                TypeKind::Tagged(t) => t.variants.iter().filter_map(|v| v.payload).any(|p| checked[p]),
                TypeKind::Untagged(u) => u.variants.iter().any(|v| v.check.is_some() || ty_checked(&checked, &v.ty)),
            };
            if found {
                checked[id] = true;
                changed = true;
            }
        }
        if !changed {
            return checked;
        }
    }
}

fn ty_checked(checked: &[bool], ty: &Ty) -> bool {
    match ty {
        Ty::Named(id) => checked[*id],
        Ty::Map(inner) | Ty::Vec(inner) | Ty::Option(inner) | Ty::Boxed(inner) => ty_checked(checked, inner),
        _ => false,
    }
}

/// A value in the generated check: a place (`self.title`) or a reference bound by a pattern
/// or a closure (`value`, `item`).
#[derive(Clone)]
struct Expr {
    tokens: TokenStream,
    is_ref: bool,
}

impl Expr {
    fn by_ref(&self) -> TokenStream {
        let tokens = &self.tokens;
        if self.is_ref { quote!(#tokens) } else { quote!(&#tokens) }
    }

    /// The value itself, for `Copy` numbers.
    fn by_value(&self) -> TokenStream {
        let tokens = &self.tokens;
        if self.is_ref { quote!(*#tokens) } else { quote!(#tokens) }
    }

    fn binding(name: &str) -> Expr {
        let name = ident(name);
        Expr { tokens: quote!(#name), is_ref: true }
    }
}

impl Emitter<'_> {
    fn is_checked(&self, id: TypeId) -> bool {
        self.facts.checked[id]
    }

    fn ty_checked(&self, ty: &Ty) -> bool {
        ty_checked(&self.facts.checked, ty)
    }

    /// `Validate` for a nested input type with constraints. Tool inputs check themselves in
    /// their `Tool` impl instead.
    pub(super) fn validate_impl(&self, id: TypeId) -> Option<TokenStream> {
        if !self.is_checked(id) || self.facts.input_of[id].is_some() {
            return None;
        }
        let name = self.type_name(id);
        let body = self.check_body(id);
        Some(quote! {
            impl ::composio_typed::validate::Validate for #name {
                fn validate(
                    &self,
                    at: ::composio_typed::validate::Path<'_>,
                    v: &mut ::composio_typed::validate::Violations,
                ) {
                    #body
                }
            }
        })
    }

    /// The `Tool::validate` override of a tool input with constraints.
    pub(super) fn tool_validate(&self, input: TypeId) -> Option<TokenStream> {
        if !self.is_checked(input) {
            return None;
        }
        let body = self.check_body(input);
        Some(quote! {
            fn validate(&self, v: &mut ::composio_typed::validate::Violations) {
                let at = ::composio_typed::validate::Path::ROOT;
                #body
            }
        })
    }

    /// Statements that check a value of type `id` (`self`) at `at` into `v`.
    fn check_body(&self, id: TypeId) -> TokenStream {
        match &self.ir.types[id].kind {
            TypeKind::Struct(st) => {
                let checks = st.fields.iter().filter_map(|f| {
                    let field = ident(&f.ident);
                    let name = &f.json_name;
                    let value = Expr { tokens: quote!(self.#field), is_ref: false };
                    self.value_checks(&f.ty, f.check.as_ref(), &value, &quote!(at.field(#name)))
                });
                quote! { #(#checks)* }
            }
            TypeKind::Untagged(u) => {
                let arms: Vec<(TokenStream, TokenStream)> = u
                    .variants
                    .iter()
                    .filter_map(|variant| {
                        let body = self.value_checks(
                            &variant.ty,
                            variant.check.as_ref(),
                            &Expr::binding("value"),
                            &quote!(at),
                        )?;
                        let name = ident(&variant.ident);
                        Some((quote!(Self::#name(value)), body))
                    })
                    .collect();
                arms_or_if(arms, u.variants.len())
            }
            TypeKind::Tagged(t) => {
                let arms: Vec<(TokenStream, TokenStream)> = t
                    .variants
                    .iter()
                    .filter(|variant| variant.payload.is_some_and(|p| self.is_checked(p)))
                    .map(|variant| {
                        let name = ident(&variant.ident);
                        (quote!(Self::#name(value)), quote!(v.nested(at, value);))
                    })
                    .collect();
                arms_or_if(arms, t.variants.len())
            }
            TypeKind::Enum(_) => quote! {},
        }
    }

    /// The statements that check `value` of type `ty` at `at`; `None` when nothing is checked.
    fn value_checks(&self, ty: &Ty, check: Option<&Check>, value: &Expr, at: &TokenStream) -> Option<TokenStream> {
        let Some(check) = check else {
            // Only nested generated types, which check themselves through any wrapper.
            let value = value.by_ref();
            return self.ty_checked(ty).then(|| quote! { v.nested(#at, #value); });
        };
        match ty {
            Ty::Option(inner) => {
                let body = self.value_checks(inner, Some(check), &Expr::binding("value"), at)?;
                let value = value.by_ref();
                Some(quote! { if let Some(value) = #value { #body } })
            }
            Ty::Boxed(inner) => {
                let tokens = value.by_ref();
                self.value_checks(inner, Some(check), &Expr { tokens: quote!(&**#tokens), is_ref: true }, at)
            }
            Ty::Vec(inner) | Ty::Map(inner) => {
                let mut out: Vec<TokenStream> = check.rules.iter().map(|rule| rule_call(rule, value, at)).collect();
                let items = match check.items.as_deref() {
                    Some(items) => {
                        self.value_checks(inner, Some(items), &Expr::binding("item"), &quote!(at)).map(|body| {
                            let each = if matches!(ty, Ty::Vec(_)) { quote!(each) } else { quote!(each_value) };
                            let value = value.by_ref();
                            quote! { v.#each(#at, #value, |v, at, item| { #body }); }
                        })
                    }
                    None if self.ty_checked(inner) => {
                        let value = value.by_ref();
                        Some(quote! { v.nested(#at, #value); })
                    }
                    None => None,
                };
                out.extend(items);
                (!out.is_empty()).then(|| quote! { #(#out)* })
            }
            _ => {
                let out: Vec<TokenStream> = check.rules.iter().map(|rule| rule_call(rule, value, at)).collect();
                (!out.is_empty()).then(|| quote! { #(#out)* })
            }
        }
    }
}

/// A `match` over the arms that check something, or an `if let` when there is one arm among
/// several variants, or a `let` when it is the only variant.
fn arms_or_if(arms: Vec<(TokenStream, TokenStream)>, variants: usize) -> TokenStream {
    match (arms.as_slice(), variants) {
        ([], _) => quote! {},
        ([(pattern, body)], 1) => quote! { let #pattern = self; #body },
        ([(pattern, body)], _) => quote! { if let #pattern = self { #body } },
        (many, _) => {
            let rest = (many.len() < variants).then(|| quote! { _ => {} });
            let arms = many.iter().map(|(pattern, body)| quote! { #pattern => { #body } });
            quote! { match self { #(#arms)* #rest } }
        }
    }
}

/// The runtime call that checks one rule.
fn rule_call(rule: &Rule, value: &Expr, at: &TokenStream) -> TokenStream {
    let number = |n: &serde_json::Number| {
        if let Some(i) = n.as_i64() {
            Literal::i64_suffixed(i)
        } else if let Some(u) = n.as_u64() {
            Literal::u64_suffixed(u)
        } else {
            Literal::f64_suffixed(n.as_f64().unwrap_or(0.0))
        }
    };
    let by_value = value.by_value();
    let by_ref = value.by_ref();
    match rule {
        Rule::Minimum(n) => {
            let n = number(n);
            quote! { v.minimum(#at, #by_value, #n); }
        }
        Rule::Maximum(n) => {
            let n = number(n);
            quote! { v.maximum(#at, #by_value, #n); }
        }
        Rule::ExclusiveMinimum(n) => {
            let n = number(n);
            quote! { v.exclusive_minimum(#at, #by_value, #n); }
        }
        Rule::ExclusiveMaximum(n) => {
            let n = number(n);
            quote! { v.exclusive_maximum(#at, #by_value, #n); }
        }
        Rule::MultipleOf(n) => {
            let n = number(n);
            quote! { v.multiple_of(#at, #by_value, #n); }
        }
        Rule::MinLength(n) => quote! { v.min_length(#at, #by_ref, #n); },
        Rule::MaxLength(n) => quote! { v.max_length(#at, #by_ref, #n); },
        Rule::Pattern(pattern) => quote! {
            v.pattern(#at, #by_ref, {
                static PATTERN: ::composio_typed::validate::Pattern =
                    ::composio_typed::validate::Pattern::new(#pattern);
                &PATTERN
            });
        },
        Rule::Format(format) => {
            let method = ident(&format.replace('-', "_"));
            quote! { v.#method(#at, #by_ref); }
        }
        Rule::MinItems(n) => {
            let tokens = &value.tokens;
            quote! { v.min_items(#at, #tokens.len(), #n); }
        }
        Rule::MaxItems(n) => {
            let tokens = &value.tokens;
            quote! { v.max_items(#at, #tokens.len(), #n); }
        }
        Rule::UniqueItems => quote! { v.unique_items(#at, #by_ref); },
    }
}
