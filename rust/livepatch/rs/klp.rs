// SPDX-License-Identifier: GPL-2.0-or-later

//! The Rust livepatch core.
//!
//! A drop-in replacement for `kernel/livepatch/*.c`: the C ABI (exported `klp_*` functions,
//! structure layouts, sysfs and log lines) stays the same. Enabling, disabling and freeing
//! patches ([`registry`]), their sysfs tree ([`sysfs`]), symbol lookup ([`symbols`]), `.klp.rela`
//! relocations ([`reloc`]), atomic-replace no-ops ([`nops`]), modules coming and going
//! ([`modules`]), ftrace redirection ([`redirect`]), the per-task transition engine
//! ([`transition`]), shadow variables ([`shadow`]) and system states ([`state`]).
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)

use kernel::prelude::*;

mod batch;
mod blocking;
mod checked;
mod model;
mod modules;
mod nops;
mod redirect;
mod registry;
mod reloc;
mod shadow;
mod state;
mod symbols;
mod sysfs;
mod transition;

/// Prefix of the log lines, the same as the C core's `KBUILD_MODNAME ": "`.
const __LOG_PREFIX: &[u8] = b"livepatch\0";

/// The owner `#[vtable]` implementations name: the core is built in, so there is no module.
struct LocalModule;

impl kernel::ModuleMetadata for LocalModule {
    const NAME: &'static CStr = c"livepatch";
    const THIS_MODULE: kernel::ThisModule = {
        // SAFETY: Built-in code has no `THIS_MODULE`; NULL is what C uses for it.
        unsafe { kernel::ThisModule::from_ptr(core::ptr::null_mut()) }
    };
}

/// Whether the architecture has reliable stack traces, which the consistency model needs
/// (`klp_have_reliable_stack()`).
fn klp_have_reliable_stack() -> bool {
    cfg!(CONFIG_STACKTRACE) && cfg!(CONFIG_HAVE_RELIABLE_STACKTRACE)
}

/// Initialises the core: its locks and statics, then `/sys/kernel/livepatch`. Called once
/// from the `module_init()` of `klp_glue.c`, like the C core's `klp_init()`.
///
/// # Safety
///
/// Must be called exactly once, before any other function of the core.
#[export]
pub unsafe extern "C" fn klp_rust_init() -> c_int {
    // SAFETY: Our caller runs once, before any user of the shadow API or of a patch.
    unsafe {
        model::init();
        shadow::init();
        redirect::init();
        blocking::init();
    }
    let initialised = transition::init().and_then(|()| registry::init());
    match initialised {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}
