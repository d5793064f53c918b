// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: a Rust module whose own Rust functions the tests trace and replace
//! (`test-rust-fentry.sh`).
//!
//! Reading the `value` parameter calls [`answer()`], which returns 1 in this version. A kthread
//! calls [`hold_here()`] in a loop; while the `hold` parameter is set, it sleeps inside it, so a
//! patch replacing it cannot switch the kthread. The parameters and the kthread are in the C
//! half of the module (`test_klp_rust_fentry_mod_glue.c`): parameters of Rust modules cannot be
//! read or written at run time.
//!
//! Both functions keep their mangled names, as Rust functions do; the patches name them by those
//! (`test_klp_rust_fentry_names.sh`). They use the C calling convention so that a C patch can
//! replace them too.

use kernel::{error::to_result, ffi::c_int, prelude::*};

module! {
    type: TestKlpRustFentryMod,
    name: "test_klp_rust_fentry_mod",
    authors: ["Rust livepatch core developers"],
    description: "Livepatch test: Rust functions to trace and patch",
    license: "GPL",
}

extern "C" {
    fn test_klp_rust_fentry_sleep();
    fn test_klp_rust_fentry_start() -> c_int;
    fn test_klp_rust_fentry_stop();
}

/// What the `value` parameter shows: 1 in the unpatched version.
#[inline(never)]
pub extern "C" fn answer() -> c_int {
    // Opaque, so that no caller can assume the result.
    core::hint::black_box(1)
}

/// Sleeps while the `hold` parameter is set (the sleep itself is in C).
#[inline(never)]
pub extern "C" fn hold_here() {
    // SAFETY: A plain function of the C half, callable from process context.
    unsafe { test_klp_rust_fentry_sleep() };
    // Work after the call keeps it from being a tail call: this function stays on the stack
    // while the task sleeps.
    core::hint::black_box(());
}

/// [`answer()`] for the C half.
#[no_mangle]
pub extern "C" fn test_klp_rust_fentry_answer() -> c_int {
    answer()
}

/// [`hold_here()`] for the C half's kthread.
#[no_mangle]
pub extern "C" fn test_klp_rust_fentry_hold() {
    hold_here()
}

struct TestKlpRustFentryMod;

impl kernel::Module for TestKlpRustFentryMod {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // SAFETY: Called once, at load; `drop` stops what it starts.
        to_result(unsafe { test_klp_rust_fentry_start() })?;
        Ok(Self)
    }
}

impl Drop for TestKlpRustFentryMod {
    fn drop(&mut self) {
        // SAFETY: `init` started the kthread.
        unsafe { test_klp_rust_fentry_stop() };
    }
}
