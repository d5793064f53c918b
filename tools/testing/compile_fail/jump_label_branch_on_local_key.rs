// SPDX-License-Identifier: GPL-2.0
//
// A patched branch records the address of its key in the jump table, so
// `static_key_false_unlikely!` only takes a `static` key: a key on the stack
// is refused. (rustc 1.85 also reports the key's lifetime; 1.98 stops at the
// operand.)
//
// expect-error: invalid `sym` operand
// also-error: E0597

//! Compile-fail case: branching on a key that is not `'static`.

use kernel::{jump_label::StaticKeyFalse, static_key_false_unlikely};

/// Branches on a key that dies with the function.
pub fn branch_on_local() -> bool {
    let key = StaticKeyFalse::new();
    static_key_false_unlikely!(key)
}
