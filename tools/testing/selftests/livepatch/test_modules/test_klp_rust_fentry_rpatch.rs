// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: a Rust patch of two Rust functions of `test_klp_rust_fentry_mod`, named by
//! their mangled symbols. `answer()` returns 3 instead of 1, and `hold_here()` no longer sleeps.
//! `replace=1` makes it an atomic replace.

use kernel::{
    ffi::{
        c_int,
        c_void, //
    },
    livepatch::{
        Func,
        LivePatch,
        Object, //
    },
    prelude::*,
};

// `ANSWER` and `HOLD_HERE`: the symbols, read off the target's object at build time.
include!("test_klp_rust_fentry_names.rs");

kernel::module_livepatch! {
    type: TestKlpRustFentryRpatch,
    name: "test_klp_rust_fentry_rpatch",
    authors: ["Rust livepatch core developers"],
    description: "Livepatch test: a Rust patch of Rust functions",
    license: "GPL",
    params: {
        replace: i32 {
            default: 0,
            description: "replace (default=0)",
        },
    },
}

extern "C" fn livepatch_answer() -> c_int {
    3
}

extern "C" fn livepatch_hold_here() {}

struct TestKlpRustFentryRpatch;

impl LivePatch for TestKlpRustFentryRpatch {
    const OBJECTS: &'static [Object] = &[Object::module(
        c"test_klp_rust_fentry_mod",
        &[
            // SAFETY: `answer` is `extern "C" fn() -> c_int`, as the replacement; both may run
            // wherever (a parameter read).
            unsafe { Func::new_unchecked(ANSWER, 0, livepatch_answer as *const c_void) },
            // SAFETY: `hold_here` is `extern "C" fn()`, as the replacement, which does nothing.
            unsafe { Func::new_unchecked(HOLD_HERE, 0, livepatch_hold_here as *const c_void) },
        ],
    )];

    fn replace() -> bool {
        module_parameters::replace.value() != 0
    }
}
