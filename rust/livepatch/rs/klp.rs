// SPDX-License-Identifier: GPL-2.0-or-later

//! The Rust livepatch core.
//!
//! A drop-in replacement for `kernel/livepatch/*.c`, ported stage by stage: the C ABI (exported
//! `klp_*` functions, structure layouts, sysfs and log lines) stays the same. Ported so far:
//! shadow variables ([`shadow`]), system states ([`state`]), ftrace redirection ([`redirect`])
//! and the per-task transition engine ([`transition`]).
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)

use kernel::prelude::*;

mod checked;
mod model;
mod redirect;
mod shadow;
mod state;
mod transition;

/// Prefix of the log lines, the same as the C core's `KBUILD_MODNAME ": "`.
const __LOG_PREFIX: &[u8] = b"livepatch\0";

/// Initialises the core's statics; called once from a `core_initcall` in `klp_glue.c`.
///
/// # Safety
///
/// Must be called exactly once, before any other function of the core.
#[export]
pub unsafe extern "C" fn klp_rust_init() -> c_int {
    // SAFETY: Our caller runs once, before any user of the shadow API or of a patch.
    unsafe {
        shadow::init();
        redirect::init();
    }
    match transition::init() {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}
