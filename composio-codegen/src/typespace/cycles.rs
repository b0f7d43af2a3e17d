//! Cycles: the fields that close a cycle of directly nested types are boxed.

use std::collections::BTreeSet;

use super::TypeSpace;
use super::convert::box_named;
use crate::ir::{Ty, TypeId, TypeKind, direct_children};

impl TypeSpace {
    /// Wraps in `Box` every field or variant that closes a cycle of directly nested types.
    pub(super) fn break_cycles(&mut self) {
        for id in 0..self.types.len() {
            let slots = match &self.types[id].kind {
                TypeKind::Struct(st) => st.fields.len(),
                TypeKind::Untagged(u) => u.variants.len(),
                _ => 0,
            };
            for slot in 0..slots {
                let ty = match &self.types[id].kind {
                    TypeKind::Struct(st) => &st.fields[slot].ty,
                    TypeKind::Untagged(u) => &u.variants[slot].ty,
                    _ => unreachable!(),
                };
                let Ty::Named(target) = ty.strip_option() else { continue };
                if !self.reaches_directly(*target, id) {
                    continue;
                }
                let boxed = box_named(ty.clone());
                match &mut self.types[id].kind {
                    TypeKind::Struct(st) => st.fields[slot].ty = boxed,
                    TypeKind::Untagged(u) => u.variants[slot].ty = boxed,
                    _ => unreachable!(),
                }
            }
        }
    }

    /// Whether `from` contains `to` without indirection (no `Vec`, map or `Box` between).
    pub(super) fn reaches_directly(&self, from: TypeId, to: TypeId) -> bool {
        let mut stack = vec![from];
        let mut seen = BTreeSet::new();
        while let Some(id) = stack.pop() {
            if id == to {
                return true;
            }
            if seen.insert(id) {
                stack.extend(direct_children(&self.types[id].kind));
            }
        }
        false
    }
}
