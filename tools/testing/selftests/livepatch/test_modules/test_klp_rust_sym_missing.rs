// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: a Rust patch of a function that does not exist, refused at `insmod` as its
//! C twin `test_klp_core_sym_missing` is.

use kernel::{
    ffi::c_void,
    livepatch::{
        Func,
        LivePatch,
        Object, //
    },
};

kernel::module_livepatch! {
    type: TestKlpRustSymMissing,
    name: "test_klp_rust_sym_missing",
    authors: ["Rust livepatch core developers"],
    description: "Livepatch test: a patch of a missing symbol (Rust)",
    license: "GPL",
}

extern "C" fn livepatch_no_such_symbol() {}

struct TestKlpRustSymMissing;

impl LivePatch for TestKlpRustSymMissing {
    const OBJECTS: &'static [Object] = &[Object::vmlinux(&[
        // SAFETY: There is no such function: enabling fails before anything could call this.
        unsafe {
            Func::new_unchecked(
                c"test_klp_core_no_such_symbol",
                0,
                livepatch_no_such_symbol as *const c_void,
            )
        },
    ])];
}
