// SPDX-License-Identifier: GPL-2.0-or-later

//! Enabling, disabling and freeing patches: `klp_enable_patch()` and the patch list
//! (`core.c`'s registry part).
//!
//! A patch goes through: checks, `init_early()` (lists, kobjects, work, completion), `init()`
//! (sysfs, no-ops for atomic replace, symbol lookups and relocations), then a patching
//! transition. It is freed in two steps: [`free_patch_start`] under `klp_mutex`, and
//! [`free_patch_finish`] outside it, since sysfs callbacks of the patch take the mutex and the
//! last kobject put waits for them.

use crate::{
    checked,
    model::{
        self,
        KlpMutexHeld,
        Object,
        Patch, //
    },
    nops, redirect, state, symbols, sysfs,
    transition::{
        self,
        PatchState, //
    },
};
use kernel::{
    bindings,
    kobject::{
        self,
        Kobject, //
    },
    module::{
        ModuleRef,
        ModuleState, //
    },
    prelude::*,
    sync::{
        atomic::{
            Acquire,
            Atomic,
            Release, //
        },
        barrier::{
            smp_mb,
            Write, //
        },
    },
    workqueue,
};

/// `/sys/kernel/livepatch`, set once at boot (`klp_root_kobj`).
static ROOT: Atomic<*mut bindings::kobject> = Atomic::new(core::ptr::null_mut());

/// Creates `/sys/kernel/livepatch`; without it, enabling a patch fails with `-ENODEV`.
pub(crate) fn init() -> Result {
    let root = kobject::DirKobject::create_and_add(c"livepatch", Kobject::kernel())?;
    // ORDERING: Publishes the initialised kobject; pairs with the acquire load in `root()`.
    ROOT.store(root.leak().as_raw(), Release);
    Ok(())
}

/// The sysfs root, if [`init`] succeeded (`klp_initialized()`).
pub(crate) fn root() -> Option<&'static Kobject> {
    // ORDERING: Pairs with the release store in `init()`.
    let root = ROOT.load(Acquire);
    // SAFETY: A non-NULL value is the leaked, never-freed root kobject.
    (!root.is_null()).then(|| unsafe { Kobject::from_raw(root) })
}

/// Checks the module-provided parts of a patch before anything uses them (`klp_check_patch()`).
fn check_patch(patch: &Patch) -> Result {
    if !patch.has_module() || !patch.has_static_objects() {
        return Err(EINVAL);
    }
    for obj in patch.static_objects() {
        if !obj.has_static_funcs() {
            return Err(EINVAL);
        }
        if obj.static_funcs().any(|func| !func.has_old_name()) {
            return Err(EINVAL);
        }
    }
    Ok(())
}

/// Enables a live patch: called by its module's init (`klp_enable_patch()`).
///
/// # Safety
///
/// `patch` must be NULL or point to a `struct klp_patch` of the calling module, whose `objs`,
/// `funcs` and `states` arrays (where set) are terminated as `<linux/livepatch.h>` requires.
#[export]
pub(crate) unsafe extern "C" fn klp_enable_patch(patch: *mut bindings::klp_patch) -> c_int {
    if patch.is_null() {
        return EINVAL.to_errno();
    }
    // SAFETY: The caller guarantees a valid patch of a module that is running its init, so it
    // stays alive during this call and, once registered, until its module is put.
    let patch = unsafe { Patch::from_raw(patch) };
    match enable_patch(patch) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

fn enable_patch(patch: &Patch) -> Result {
    check_patch(patch)?;

    if !patch.module().is_livepatch() {
        pr_err!(
            "module {} is not marked as a livepatch module\n",
            patch.mod_name()
        );
        return Err(EINVAL);
    }

    // Beyond the C core: a patch must name the module whose init enables it
    // (Documentation/livepatch/livepatch.rst). A patch naming another, already loaded live-patch
    // module would take that module's reference instead of its own, and its own module could be
    // removed under it; the C core accepts such a patch.
    if patch.module().state() != ModuleState::Coming {
        pr_err!(
            "module {} is not being loaded: its patch must be enabled from its module_init()\n",
            patch.mod_name()
        );
        return Err(EINVAL);
    }

    let root = root().ok_or(ENODEV)?;

    if !crate::klp_have_reliable_stack() {
        pr_warn!("This architecture doesn't have support for the livepatch consistency model.\n");
        pr_warn!("The livepatch transition may never complete.\n");
    }

    let result = model::with_klp_mutex(|locked| {
        if !state::is_patch_compatible(locked, patch) {
            pr_err!(
                "Livepatch patch ({}) is not compatible with the already installed livepatches.\n",
                patch.mod_name()
            );
            return Err((EINVAL, false));
        }

        // Beyond the C core: one patch per module, and a patch is registered once. A second
        // klp_enable_patch() of the same patch would re-initialise the kobjects and list entry
        // of a registered patch (the C core corrupts klp_patches).
        if model::patches(locked)
            .iter()
            .any(|p| p.module().as_raw() == patch.module().as_raw())
        {
            pr_err!(
                "module {} already has a registered patch\n",
                patch.mod_name()
            );
            return Err((EEXIST, false));
        }

        // The reference is given up here and taken back when the patch is freed, unless a
        // forced transition keeps the module forever.
        let module = ModuleRef::try_get(patch.module()).ok_or((ENODEV, false))?;
        let _ = module.into_raw();

        patch.init_early(
            locked,
            &sysfs::PATCH_TYPE,
            &sysfs::OBJECT_TYPE,
            &sysfs::FUNC_TYPE,
        );

        let enabled = init_patch(locked, patch, root).and_then(|()| enable(locked, patch));
        if let Err(e) = enabled {
            free_patch_start(locked, patch);
            return Err((e, true));
        }
        Ok(())
    });

    match result {
        Ok(()) => Ok(()),
        Err((e, started)) => {
            if started {
                free_patch_finish(patch);
            }
            Err(e)
        }
    }
}

/// Adds the patch's sysfs tree, its no-ops and its objects, and registers it
/// (`klp_init_patch()`).
fn init_patch(locked: &KlpMutexHeld, patch: &Patch, root: &Kobject) -> Result {
    kobject::add(patch, root, patch.mod_name())?;

    if patch.replace() {
        nops::add_nops(locked, patch)?;
    }

    for obj in patch.objects().iter() {
        symbols::init_object(locked, patch, obj)?;
    }

    patch.register(locked);
    Ok(())
}

/// Starts the patching transition of a registered patch (`__klp_enable_patch()`).
fn enable(locked: &KlpMutexHeld, patch: &Patch) -> Result {
    if model::transition_patch(locked).is_some() {
        return Err(EBUSY);
    }
    if kernel::warn_on!(patch.enabled()) {
        return Err(EINVAL);
    }

    pr_notice!("enabling patch '{}'\n", patch.mod_name());

    transition::init_transition(locked, patch, PatchState::Patched);

    // ORDERING: Orders the `func->transition` stores of `init_transition()` before the
    // `func_stack` insertions of `patch_object()`, so that the ftrace handler sees a new
    // function in transition; pairs with the handler's first `smp_mb(Read)` in `redirect.rs`.
    smp_mb(Write);

    for obj in patch.objects().iter() {
        if !obj.is_loaded() {
            continue;
        }
        let name = object_name(obj);
        let patched = obj
            .pre_patch_callback(locked)
            .inspect_err(|_| pr_warn!("pre-patch callback failed for object '{}'\n", name))
            .and_then(|()| {
                redirect::patch_object(locked, obj)
                    .inspect_err(|_| pr_warn!("failed to patch object '{}'\n", name))
            });
        if let Err(e) = patched {
            pr_warn!("failed to enable patch '{}'\n", patch.mod_name());
            transition::cancel_transition(locked);
            return Err(e);
        }
    }

    // The stack check's snapshot needs memory: take it while enabling can still back out.
    let snapshot = match checked::prepare(locked, patch, PatchState::Patched) {
        Ok(snapshot) => snapshot,
        Err(e) => {
            pr_warn!("failed to enable patch '{}'\n", patch.mod_name());
            transition::cancel_transition(locked);
            return Err(e);
        }
    };
    transition::start_transition(locked, snapshot);
    patch.set_enabled(locked, true);
    transition::try_complete_transition(locked);
    Ok(())
}

/// Starts the unpatching transition of an enabled patch (`__klp_disable_patch()`).
pub(crate) fn disable(locked: &KlpMutexHeld, patch: &Patch) -> Result {
    if kernel::warn_on!(!patch.enabled()) {
        return Err(EINVAL);
    }
    if model::transition_patch(locked).is_some() {
        return Err(EBUSY);
    }

    // Before anything changes, so that running out of memory leaves the patch enabled.
    let snapshot = checked::prepare(locked, patch, PatchState::Unpatched)?;

    transition::init_transition(locked, patch, PatchState::Unpatched);

    for obj in patch.objects().iter() {
        if obj.patched() {
            obj.pre_unpatch_callback(locked);
        }
    }

    // ORDERING: Orders the `func->transition` stores of `init_transition()` before the
    // `TIF_PATCH_PENDING` stores of `start_transition()`, so that a task switched right away
    // by `klp_update_patch_state()` makes the handler see the function in transition; pairs
    // with the test-and-clear there and the handler's `smp_mb(Read)` in `redirect.rs`.
    smp_mb(Write);

    transition::start_transition(locked, snapshot);
    patch.set_enabled(locked, false);
    transition::try_complete_transition(locked);
    Ok(())
}

/// "vmlinux" or the module's name, as log lines name objects.
pub(crate) fn object_name(obj: &Object) -> &CStr {
    obj.name().unwrap_or(c"vmlinux")
}

/// The part of freeing a patch allowed under `klp_mutex`: unregister it and put its objects
/// and functions (`klp_free_patch_start()`).
pub(crate) fn free_patch_start(locked: &KlpMutexHeld, patch: &Patch) {
    patch.unregister(locked);
    patch.release_objects(locked, |_| true, |_| true);
}

/// The rest, outside `klp_mutex`: put the patch's kobject, wait until sysfs lets go of it, and
/// put the module unless a forced transition pinned it (`klp_free_patch_finish()`). The last
/// access to the patch.
pub(crate) fn free_patch_finish(patch: &Patch) {
    // SAFETY: The core's reference, taken by `init_early()`; the patch is off every list, so
    // nothing else puts it.
    unsafe { kobject::put(patch) };
    patch.finish().wait_for_completion();

    if !patch.forced() {
        // SAFETY: `enable_patch()` gave up this reference with `into_raw()`; a patch is freed
        // once, and forced ones never give it back.
        drop(unsafe { ModuleRef::from_raw(patch.module().as_raw()) });
    }
}

/// Frees a disabled patch from a work item, since the caller may be its own sysfs callback
/// (`klp_free_patch_async()`).
pub(crate) fn free_patch_async(locked: &KlpMutexHeld, patch: &Patch) {
    free_patch_start(locked, patch);
    // SAFETY: `init_early()` set up the work item; the patch stays in memory until the work
    // item's `free_patch_finish()` puts the module.
    unsafe { workqueue::schedule_embedded(patch) };
}

/// Frees the patches that `new_patch`, a completed atomic replace, replaced: every older one
/// (`klp_free_replaced_patches_async()`).
pub(crate) fn free_replaced_patches_async(locked: &KlpMutexHeld, new_patch: &Patch) {
    loop {
        let Some(old) = model::patches(locked).iter().next() else {
            return;
        };
        if core::ptr::eq(old, new_patch) {
            return;
        }
        free_patch_async(locked, old);
    }
}

/// Takes the functions of the patches `new_patch` replaces off their stacks
/// (`klp_unpatch_replaced_patches()`).
///
/// After an atomic replace every function runs `new_patch`'s version (or the original code,
/// through its no-ops), so the older entries are unused. After a forced transition a handler
/// may still see one, which RCU keeps valid, and the older patches' modules stay loaded.
pub(crate) fn unpatch_replaced_patches(locked: &KlpMutexHeld, new_patch: &Patch) {
    for old in model::patches(locked).iter() {
        if core::ptr::eq(old, new_patch) {
            return;
        }
        old.set_enabled(locked, false);
        redirect::unpatch_objects(locked, old, false);
    }
}

/// Removes and frees the no-ops and dynamic objects of the patch in transition, right after its
/// replaced patches were unpatched (`klp_discard_nops()`). Unregistering a no-op's handler
/// waits until no CPU runs it, so the memory can go.
pub(crate) fn discard_nops(locked: &KlpMutexHeld, patch: &Patch) {
    redirect::unpatch_objects(locked, patch, true);
    patch.release_objects(locked, |obj| obj.dynamic(), |func| func.nop());
}
