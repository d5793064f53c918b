// SPDX-License-Identifier: GPL-2.0-or-later

//! System states: which patches modify which state of the system, and whether a new patch can
//! take over the states the installed ones left behind.
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)

use crate::model::{
    self,
    KlpMutexHeld,
    Patch,
    State, //
};
use kernel::{
    bindings,
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
};

/// Finds the state `id` among the states `patch` modifies.
fn find_state(patch: &Patch, id: usize) -> Option<&State> {
    patch.states().find(|state| state.id() == id)
}

/// Checks whether `patch` modifies the system state `id`.
///
/// Returns the patch's `struct klp_state`, or NULL. Callable from the patch's callbacks and from
/// the code it adds.
///
/// # Safety
///
/// `patch` must point to a valid, live `struct klp_patch` with a terminated `states` array.
#[export]
pub(crate) unsafe extern "C" fn klp_get_state(
    patch: *mut bindings::klp_patch,
    id: c_ulong,
) -> *mut bindings::klp_state {
    // SAFETY: The caller guarantees `patch` is a valid, live patch.
    let patch = unsafe { Patch::from_raw(patch) };
    find_state(patch, id).map_or(core::ptr::null_mut(), State::as_raw)
}

/// Returns the latest `struct klp_state` `id` of the patches installed before the one in
/// transition, or NULL.
///
/// Only meaningful during a transition, typically from the callbacks; warns once otherwise.
///
/// # Safety
///
/// The caller must hold `klp_mutex`, as the callbacks run with it held.
#[export]
pub(crate) unsafe extern "C" fn klp_get_prev_state(id: c_ulong) -> *mut bindings::klp_state {
    static WARNED: Atomic<bool> = Atomic::new(false);

    // SAFETY: The caller holds `klp_mutex`.
    let locked = unsafe { KlpMutexHeld::assume() };
    let Some(transition) = model::transition_patch(&locked) else {
        // Like `WARN_ON_ONCE()`: the flag only limits the warning to one.
        if !WARNED.xchg(true, Relaxed) {
            kernel::warn_on!(true);
        }
        return core::ptr::null_mut();
    };

    // The newest patch before the one in transition has the most up-to-date state.
    model::patches(&locked)
        .iter()
        .take_while(|patch| patch.as_raw() != transition.as_raw())
        .filter_map(|patch| find_state(patch, id))
        .last()
        .map_or(core::ptr::null_mut(), State::as_raw)
}

/// Checks whether `patch` can deal with `old_state`, left by an installed patch.
fn is_state_compatible(patch: &Patch, old_state: &State) -> bool {
    match find_state(patch, old_state.id()) {
        // A cumulative patch must handle every already modified state.
        None => !patch.replace(),
        Some(state) => state.version() >= old_state.version(),
    }
}

/// Checks that enabling `patch` does not break the system states of the installed patches
/// (`klp_is_patch_compatible()`); `klp_mutex` is held.
pub(crate) fn is_patch_compatible(locked: &KlpMutexHeld, patch: &Patch) -> bool {
    model::patches(locked).iter().all(|old| {
        old.states()
            .all(|old_state| is_state_compatible(patch, old_state))
    })
}
