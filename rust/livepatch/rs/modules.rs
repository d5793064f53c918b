// SPDX-License-Identifier: GPL-2.0-or-later

//! Modules loaded and unloaded while patches are installed (`core.c`'s `klp_module_coming()`
//! and `klp_module_going()`).
//!
//! The module loader calls the core directly, first when a module comes (before its init, so a
//! patched module never runs unpatched code) and last when it goes. A patch for a module that
//! is not loaded waits for it; one that fails to apply makes the module's load fail.

use crate::{
    model::{
        self,
        KlpMutexHeld,
        Object,
        Patch, //
    },
    redirect, reloc, symbols,
};
use kernel::{
    bindings,
    module::{
        LoadedModule,
        ModuleState, //
    },
    prelude::*,
};

/// The object of `patch` for `module`, if it has one (only the first counts, as in C).
fn module_object<'a>(patch: &'a Patch, module: &LoadedModule) -> Option<&'a Object> {
    patch
        .objects()
        .iter()
        .find(|obj| obj.name() == Some(module.name()))
}

/// Removes every patch's changes to `module`, in the patches before `limit` (all if `None`)
/// (`klp_cleanup_module_patches_limited()`).
fn cleanup_module_patches(locked: &KlpMutexHeld, module: &LoadedModule, limit: Option<&Patch>) {
    let transition_patch = model::transition_patch_raw();
    for patch in model::patches(locked).iter() {
        if limit.is_some_and(|l| core::ptr::eq(l, patch)) {
            break;
        }
        let Some(obj) = module_object(patch, module) else {
            continue;
        };

        if !core::ptr::eq(patch.as_raw(), transition_patch) {
            obj.pre_unpatch_callback(locked);
        }

        pr_notice!(
            "reverting patch '{}' on unloading module '{}'\n",
            patch.mod_name(),
            module.name()
        );
        redirect::unpatch_object(locked, obj);

        obj.post_unpatch_callback(locked);
        reloc::clear_object_relocs(patch, obj);

        // The module's code goes away: forget its addresses (`klp_free_object_loaded()`).
        obj.set_module(locked, None);
        for func in obj.funcs().iter() {
            func.set_resolved(locked, 0, func.old_size(), func.new_size());
            if func.nop() {
                func.set_nop_target(locked, 0);
            }
        }
    }
}

/// Applies the installed patches to a module that is coming; an error fails its load
/// (`klp_module_coming()`).
///
/// # Safety
///
/// `module` must be the module being loaded, in the `COMING` state, called by the module
/// loader.
#[export]
pub(crate) unsafe extern "C" fn klp_module_coming(module: *mut bindings::module) -> c_int {
    // SAFETY: The loader passes its module, alive during the call (caller).
    let module = unsafe { LoadedModule::from_raw(module) };
    match module_coming(module) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

fn module_coming(module: &LoadedModule) -> Result {
    if kernel::warn_on!(module.state() != ModuleState::Coming) {
        return Err(EINVAL);
    }
    if module.name() == c"vmlinux" {
        pr_err!("vmlinux.ko: invalid module name\n");
        return Err(EINVAL);
    }

    model::with_klp_mutex(|locked| {
        // Every module must be known to the core as coming: any new patch may patch it.
        model::set_module_klp_alive(locked, module, true);

        for patch in model::patches(locked).iter() {
            let Some(obj) = module_object(patch, module) else {
                continue;
            };

            obj.set_module(locked, Some(module));

            let applied = symbols::init_object_loaded(locked, patch, obj)
                .inspect_err(|e| {
                    pr_warn!(
                        "failed to initialize patch '{}' for module '{}' ({})\n",
                        patch.mod_name(),
                        module.name(),
                        e.to_errno()
                    )
                })
                .and_then(|()| {
                    pr_notice!(
                        "applying patch '{}' to loading module '{}'\n",
                        patch.mod_name(),
                        module.name()
                    );
                    obj.pre_patch_callback(locked).inspect_err(|_| {
                        pr_warn!("pre-patch callback failed for object '{}'\n", module.name())
                    })
                })
                .and_then(|()| {
                    redirect::patch_object(locked, obj).inspect_err(|e| {
                        pr_warn!(
                            "failed to apply patch '{}' to module '{}' ({})\n",
                            patch.mod_name(),
                            module.name(),
                            e.to_errno()
                        );
                        obj.post_unpatch_callback(locked);
                    })
                });

            if let Err(e) = applied {
                // Fail the load: undo what the earlier patches did.
                pr_warn!(
                    "patch '{}' failed for module '{}', refusing to load module '{}'\n",
                    patch.mod_name(),
                    module.name(),
                    module.name()
                );
                model::set_module_klp_alive(locked, module, false);
                obj.set_module(locked, None);
                cleanup_module_patches(locked, module, Some(patch));
                return Err(e);
            }

            if !core::ptr::eq(patch.as_raw(), model::transition_patch_raw()) {
                obj.post_patch_callback(locked);
            }
        }
        Ok(())
    })
}

/// Removes the installed patches from a module that goes (`klp_module_going()`).
///
/// # Safety
///
/// `module` must be the module being unloaded (or whose load failed), in the `GOING` or
/// `COMING` state, called by the module loader.
#[export]
pub(crate) unsafe extern "C" fn klp_module_going(module: *mut bindings::module) {
    // SAFETY: The loader passes its module, alive during the call (caller).
    let module = unsafe { LoadedModule::from_raw(module) };
    if kernel::warn_on!(!matches!(
        module.state(),
        ModuleState::Going | ModuleState::Coming
    )) {
        return;
    }

    model::with_klp_mutex(|locked| {
        // From now on no new patch finds the module (`find_object_module()`).
        model::set_module_klp_alive(locked, module, false);
        cleanup_module_patches(locked, module, None);
    });
}
