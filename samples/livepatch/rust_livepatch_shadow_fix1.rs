// SPDX-License-Identifier: GPL-2.0

//! Rust live patch sample: the twin of `livepatch-shadow-fix1.c`.
//!
//! `livepatch-shadow-mod` allocates a `struct dummy` every second, with a small "leak" it
//! forgets, and frees expired dummies. This patch keeps each new leak in a shadow variable of
//! its dummy, whose value frees the leak when dropped: when the dummy is freed, or when this
//! module is removed (for the dummies still alive).
//!
//!     insmod livepatch-shadow-mod.ko
//!     insmod rust_livepatch_shadow_fix1.ko
//!     dmesg | grep prevented

use core::ptr::NonNull;
use kernel::{
    bindings,
    ffi::{
        c_ulong,
        c_void, //
    },
    livepatch::{
        shadow::Shadow,
        Func,
        LivePatch,
        Object, //
    },
    prelude::*,
    time::msecs_to_jiffies,
};

kernel::module_livepatch! {
    type: RustLivepatchShadowFix1,
    name: "rust_livepatch_shadow_fix1",
    authors: ["Rust livepatch core developers"],
    description: "Rust live patching demo for shadow variables",
    license: "GPL",
}

/// `struct dummy` of `livepatch-shadow-mod.c`.
#[repr(C)]
struct Dummy {
    list: bindings::list_head,
    jiffies_expire: c_ulong,
}

/// The leak of a dummy, freed when the shadow variable holding it is.
struct Leak {
    /// Only held, to be freed with the shadow variable.
    _memory: KBox<i32>,
}

impl Drop for Leak {
    fn drop(&mut self) {
        pr_info!("livepatch_fix1_dummy_leak_dtor: prevented leak\n");
    }
}

// SAFETY: Id 1 (`SV_LEAK`) is this patch's only, with these types; `livepatch-shadow-fix2`, its C
// successor, gives the same id to an `int *`, and must not be loaded with it.
const SV_LEAK: Shadow<Dummy, Leak> = unsafe { Shadow::new(1) };

/// Dummies expire 12 s after their allocation (`EXPIRE_PERIOD`).
const EXPIRE_MS: u32 = 12_000;

/// The new `struct dummy *dummy_alloc(void)`.
extern "C" fn dummy_alloc() -> *mut Dummy {
    let alloc = || -> Result<NonNull<Dummy>> {
        // SAFETY: A volatile read of the tick counter, which the timer interrupt updates (one
        // aligned 64-bit word: a read is never torn on 64-bit machines, the only ones with Rust
        // live patching).
        let now = unsafe { core::ptr::read_volatile(&raw const bindings::jiffies_64) } as c_ulong;
        let dummy = KBox::new(
            Dummy {
                list: bindings::list_head {
                    next: core::ptr::null_mut(),
                    prev: core::ptr::null_mut(),
                },
                jiffies_expire: now.wrapping_add(msecs_to_jiffies(EXPIRE_MS)),
            },
            GFP_KERNEL,
        )?;
        let leak = KBox::new(0, GFP_KERNEL)?;
        SV_LEAK.alloc(&dummy, GFP_KERNEL, || Ok(Leak { _memory: leak }))?;
        pr_info!(
            "livepatch_fix1_dummy_alloc: dummy expires @ {:x}\n",
            dummy.jiffies_expire
        );
        Ok(NonNull::from(KBox::leak(dummy)))
    };
    alloc().map_or(core::ptr::null_mut(), NonNull::as_ptr)
}

/// The new `void dummy_free(struct dummy *d)`.
extern "C" fn dummy_free(dummy: *mut Dummy) {
    // SAFETY: `livepatch-shadow-mod` frees each dummy once, when nothing else uses it; dummies
    // come from `kzalloc()` (before this patch) or from `dummy_alloc()` above, both `kmalloc`
    // memory that `KBox` frees.
    let mut dummy = unsafe { KBox::<Dummy>::from_raw(dummy) };
    if SV_LEAK.get(&dummy).is_some() {
        SV_LEAK.free(&mut dummy);
    } else {
        pr_info!("livepatch_fix1_dummy_free: dummy leaked!\n");
    }
}

struct RustLivepatchShadowFix1;

impl LivePatch for RustLivepatchShadowFix1 {
    const OBJECTS: &'static [Object] = &[Object::module(
        c"livepatch_shadow_mod",
        &[
            // SAFETY: `livepatch-shadow-mod` has one function of each name,
            // `static struct dummy *dummy_alloc(void)` and `static void dummy_free(struct dummy *)`,
            // called by its work functions; the replacements have those signatures.
            unsafe { Func::new_unchecked(c"dummy_alloc", 0, dummy_alloc as *const c_void) },
            // SAFETY: See above.
            unsafe { Func::new_unchecked(c"dummy_free", 0, dummy_free as *const c_void) },
        ],
    )];

    fn exit() {
        // SAFETY: The patch is disabled and released: its functions, the only users of
        // `SV_LEAK`, cannot run anymore.
        unsafe { SV_LEAK.free_all() };
    }
}
