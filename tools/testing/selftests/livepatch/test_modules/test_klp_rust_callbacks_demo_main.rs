// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: the Rust twin of `test_klp_callbacks_demo`. Its callbacks log every call for
//! vmlinux, `test_klp_callbacks_mod` and `test_klp_callbacks_busy`, whose `busymod_work_func()`
//! it replaces; `pre_patch_ret` (in `test_klp_rust_callbacks_demo_param.c`) makes `pre_patch`
//! fail.

use kernel::{
    bindings,
    ffi::{
        c_int,
        c_void, //
    },
    livepatch::{
        Func,
        LivePatch,
        Object,
        ObjectRef, //
    },
    module::ModuleState,
    prelude::*,
};

kernel::module_livepatch! {
    type: TestKlpRustCallbacksDemo,
    name: "test_klp_rust_callbacks_demo",
    authors: ["Rust livepatch core developers"],
    description: "Livepatch test: livepatch demo (Rust)",
    license: "GPL",
}

extern "C" {
    static test_klp_rust_pre_patch_ret: c_int;
}

fn callback_info(callback: &str, obj: &ObjectRef) {
    match obj.module() {
        Some(module) => {
            let state = match module.state() {
                ModuleState::Live => "[MODULE_STATE_LIVE] Normal state",
                ModuleState::Coming => "[MODULE_STATE_COMING] Full formed, running module_init",
                ModuleState::Going => "[MODULE_STATE_GOING] Going away",
                ModuleState::Unformed => "[MODULE_STATE_UNFORMED] Still setting it up",
            };
            pr_info!("{}: {} -> {}\n", callback, module.name(), state);
        }
        None => pr_info!("{}: vmlinux\n", callback),
    }
}

/// The new `busymod_work_func(struct work_struct *work)`.
extern "C" fn patched_work_func(_work: *mut bindings::work_struct) {
    pr_info!("patched_work_func\n");
}

struct TestKlpRustCallbacksDemo;

impl LivePatch for TestKlpRustCallbacksDemo {
    const OBJECTS: &'static [Object] = &[
        Object::vmlinux(&[]).with_callbacks(),
        Object::module(c"test_klp_callbacks_mod", &[]).with_callbacks(),
        Object::module(
            c"test_klp_callbacks_busy",
            // SAFETY: `busymod_work_func()` is a `static void (struct work_struct *)` work
            // function, the only one of that name in `test_klp_callbacks_busy`; the replacement
            // has that signature and runs in a worker as it does.
            &[unsafe {
                Func::new_unchecked(c"busymod_work_func", 0, patched_work_func as *const c_void)
            }],
        )
        .with_callbacks(),
    ];

    fn pre_patch(obj: &ObjectRef) -> Result {
        callback_info("pre_patch_callback", obj);
        // SAFETY: A plain `int` that sysfs writes (the parameter); a torn read is impossible.
        let ret = unsafe { core::ptr::read_volatile(&raw const test_klp_rust_pre_patch_ret) };
        match ret {
            0 => Ok(()),
            errno => Err(Error::from_errno(errno)),
        }
    }

    fn post_patch(obj: &ObjectRef) {
        callback_info("post_patch_callback", obj);
    }

    fn pre_unpatch(obj: &ObjectRef) {
        callback_info("pre_unpatch_callback", obj);
    }

    fn post_unpatch(obj: &ObjectRef) {
        callback_info("post_unpatch_callback", obj);
    }
}
