// SPDX-License-Identifier: GPL-2.0-or-later

//! Typed views of the C structures patch modules hand to the core.
//!
//! The layouts are frozen by the C ABI: modules own these structures and the core reads (and
//! later writes) their fields in place. A view is only created for a structure that stays alive
//! and unmodified by others for the view's lifetime; the accessors state what they read.
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)

use kernel::{
    bindings,
    interop::list::CList,
    types::Opaque, //
};

/// A `struct klp_state`: one system state a patch modifies.
#[repr(transparent)]
pub(crate) struct State(Opaque<bindings::klp_state>);

impl State {
    /// The state's identifier; never 0 for a real entry (0 ends the array).
    pub(crate) fn id(&self) -> usize {
        // SAFETY: By the invariants of the patch view we came from, the entry is alive; modules
        // only set `id` before registering the patch.
        unsafe { (*self.0.get()).id }
    }

    /// The state's version.
    pub(crate) fn version(&self) -> u32 {
        // SAFETY: As in `id()`.
        unsafe { (*self.0.get()).version }
    }

    /// The raw pointer handed back to C callers.
    pub(crate) fn as_raw(&self) -> *mut bindings::klp_state {
        self.0.get()
    }
}

/// A `struct klp_patch`.
///
/// # Invariants
///
/// The patch is alive for the lifetime of the view: it is registered in the core's list (its
/// module cannot go away), or it is being enabled by its own module's init.
#[repr(transparent)]
pub(crate) struct Patch(Opaque<bindings::klp_patch>);

impl Patch {
    /// Creates a view of a C patch.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct klp_patch` that stays alive for `'a`, with a `states`
    /// array (if any) terminated by an entry whose `id` is 0.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::klp_patch) -> &'a Self {
        // CAST: `Patch` is a `repr(transparent)` wrapper of `bindings::klp_patch`.
        // SAFETY: The caller guarantees `ptr` is valid for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// The raw pointer of the patch.
    pub(crate) fn as_raw(&self) -> *mut bindings::klp_patch {
        self.0.get()
    }

    /// Whether the patch is cumulative (`.replace`).
    pub(crate) fn replace(&self) -> bool {
        // SAFETY: By the type invariants the patch is alive; modules set `replace` before
        // registering it.
        unsafe { (*self.0.get()).replace }
    }

    /// The system states the patch modifies, up to the terminating entry with `id == 0`.
    pub(crate) fn states(&self) -> impl Iterator<Item = &State> {
        // SAFETY: By the type invariants the patch is alive.
        let mut next = unsafe { (*self.0.get()).states };
        core::iter::from_fn(move || {
            if next.is_null() {
                return None;
            }
            // CAST: `State` is a `repr(transparent)` wrapper of `bindings::klp_state`.
            // SAFETY: `next` points into the patch's `states` array, which `from_raw()`'s caller
            // guaranteed to be terminated; we never step past the terminator.
            let state = unsafe { &*next.cast::<State>() };
            if state.id() == 0 {
                return None;
            }
            // SAFETY: `state` is not the terminator, so the next entry is still in the array.
            next = unsafe { next.add(1) };
            Some(state)
        })
    }
}

/// The list of registered patches, `klp_patches`, oldest first.
pub(crate) type PatchList = CList<Patch, { core::mem::offset_of!(bindings::klp_patch, list) }>;

/// Returns the registered patches.
///
/// # Safety
///
/// The caller must hold `klp_mutex` for as long as it uses the list and the patches in it.
pub(crate) unsafe fn patches<'a>() -> &'a PatchList {
    // SAFETY: `klp_patches` is the C core's list head, alive forever; its entries are the `list`
    // fields of registered patches, which stay alive while the caller holds `klp_mutex`.
    unsafe { PatchList::from_raw(&raw mut bindings::klp_patches) }
}

/// Returns the patch in transition, if any.
///
/// # Safety
///
/// The caller must hold `klp_mutex`, which protects `klp_transition_patch`.
pub(crate) unsafe fn transition_patch<'a>() -> Option<&'a Patch> {
    // SAFETY: The caller holds `klp_mutex`, so the pointer is stable and, if set, points to a
    // live, registered patch.
    let ptr = unsafe { bindings::klp_transition_patch };
    // SAFETY: As above, a non-NULL value is a live patch.
    (!ptr.is_null()).then(|| unsafe { Patch::from_raw(ptr) })
}
