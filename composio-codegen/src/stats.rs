//! How typed a generated module is: what `--stats` prints and [`Module::stats`] holds.
//!
//! Counted on the type IR, so a shape shared by many tools counts once. A *position* is one
//! place a value sits in a generated type: each field of each distinct struct, each variant of
//! each untagged union, and the result (`data`) of each tool and payload of each trigger type.
//! A list or map counts once, by its items or values (`Vec<Value>` is JSON). Each position is
//! either typed, JSON because its schema is free-form (no properties, `{}`,
//! `additionalProperties` alone, no output schema at all), or JSON because the generator gave
//! up on a schema it could not type, with the reason.
//!
//! [`Module::stats`]: crate::Module::stats

use std::collections::BTreeMap;
use std::fmt;

use crate::ir::{ToolkitIr, Ty, TypeKind};

/// Counts of typed and JSON positions in a module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Positions with a Rust type of their own (a scalar, an enum, a struct, a file).
    pub typed: usize,
    /// Positions that are JSON because the schema says nothing more.
    pub free_form: usize,
    /// Positions that are JSON because the generator could not type their schema.
    pub gave_up: usize,
    /// Why the generator gave up, each reason with the number of positions it accounts for.
    pub reasons: BTreeMap<String, usize>,
}

impl Stats {
    /// The counts of one toolkit's IR.
    pub(crate) fn of(ir: &ToolkitIr) -> Stats {
        let mut stats = Stats::default();
        for def in &ir.types {
            match &def.kind {
                TypeKind::Struct(st) => st.fields.iter().for_each(|f| stats.count(&f.ty, f.gave_up.as_deref())),
                TypeKind::Untagged(u) => u.variants.iter().for_each(|v| stats.count(&v.ty, None)),
                TypeKind::Enum(_) | TypeKind::Tagged(_) => {}
            }
        }
        for tool in &ir.tools {
            stats.count(&tool.output, tool.output_gave_up.as_deref());
        }
        for trigger in &ir.triggers {
            stats.count(&trigger.payload, trigger.payload_gave_up.as_deref());
        }
        stats
    }

    fn count(&mut self, ty: &Ty, gave_up: Option<&str>) {
        if let Some(reason) = gave_up {
            self.gave_up += 1;
            *self.reasons.entry(reason.to_owned()).or_default() += 1;
        } else if matches!(leaf(ty), Ty::Any | Ty::Object) {
            self.free_form += 1;
        } else {
            self.typed += 1;
        }
    }

    /// Adds another module's counts, for totals over several toolkits.
    pub fn add(&mut self, other: &Stats) {
        self.typed += other.typed;
        self.free_form += other.free_form;
        self.gave_up += other.gave_up;
        for (reason, n) in &other.reasons {
            *self.reasons.entry(reason.clone()).or_default() += n;
        }
    }
}

/// The type a position holds once lists, maps, options and boxes are looked through.
fn leaf(ty: &Ty) -> &Ty {
    match ty {
        Ty::Option(inner) | Ty::Boxed(inner) | Ty::Vec(inner) | Ty::Map(inner) => leaf(inner),
        other => other,
    }
}

impl fmt::Display for Stats {
    /// One line of counts, then one indented line per reason the generator gave up.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} positions: {} typed, {} JSON (free-form schema), {} JSON (gave up)",
            self.typed + self.free_form + self.gave_up,
            self.typed,
            self.free_form,
            self.gave_up
        )?;
        for (reason, n) in &self.reasons {
            // Reasons quote schema text: one line each, whatever it holds.
            let reason: String = reason.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            write!(f, "\n  {n:>5}  {reason}")?;
        }
        Ok(())
    }
}
