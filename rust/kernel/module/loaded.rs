// SPDX-License-Identifier: GPL-2.0

//! Modules other than the caller's: finding a loaded module by name, and holding a reference
//! that keeps it from being unloaded.
//!
//! C header: [`include/linux/module.h`](srctree/include/linux/module.h)

use crate::{
    bindings,
    str::{
        CStr,
        CStrExt, //
    },
    sync::rcu,
    types::Opaque, //
};
use core::ptr::NonNull;

/// A `struct module` of a loaded (or loading) module.
///
/// # Invariants
///
/// The module is alive for the lifetime of the reference: its memory is not freed. What keeps
/// it so is the creator's business (an RCU read-side section, a [`ModuleRef`], the module
/// loader calling us about it, or being the module's own code).
#[repr(transparent)]
pub struct LoadedModule(Opaque<bindings::module>);

// SAFETY: The fields read here are set before the module becomes visible and never change.
unsafe impl Sync for LoadedModule {}

/// A module's place in its life cycle (`enum module_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleState {
    /// Initialised and running.
    Live,
    /// Running its init function.
    Coming,
    /// Being unloaded.
    Going,
    /// Still being set up by the loader.
    Unformed,
}

impl LoadedModule {
    /// Creates a reference from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a module that stays alive for `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::module) -> &'a Self {
        // CAST: `LoadedModule` is a transparent wrapper of `bindings::module`.
        // SAFETY: Guaranteed by the caller.
        unsafe { &*ptr.cast() }
    }

    /// The raw pointer.
    pub fn as_raw(&self) -> *mut bindings::module {
        self.0.get()
    }

    /// Finds the module called `name` (`find_module()`), visible to the loader in any state.
    /// The result lives as long as the RCU read-side section: a module is freed only after a
    /// grace period.
    /// (Keeping the result past the section is refused:
    /// `tools/testing/compile_fail/module_found_outlives_rcu.rs`.)
    pub fn find<'a>(name: &CStr, _rcu: &'a rcu::Guard) -> Option<&'a LoadedModule> {
        // SAFETY: `name` is a valid string; `find_module()` needs an RCU read-side section (or
        // `module_mutex`), which `_rcu` proves.
        let ptr = unsafe { bindings::find_module(name.as_char_ptr()) };
        // SAFETY: A module found under RCU is not freed before the section ends, which outlives
        // `'a`.
        NonNull::new(ptr).map(|p| unsafe { LoadedModule::from_raw(p.as_ptr()) })
    }

    /// The module's name.
    pub fn name(&self) -> &CStr {
        // SAFETY: By the type invariants the module is alive; `name` is a NUL-terminated array
        // set before the module becomes visible.
        unsafe { CStr::from_char_ptr((*self.as_raw()).name.as_ptr()) }
    }

    /// The module's state, read once.
    pub fn state(&self) -> ModuleState {
        // SAFETY: By the type invariants the module is alive; the loader changes `state` with
        // single stores.
        let state = unsafe {
            crate::sync::atomic::atomic_load(
                (&raw mut (*self.as_raw()).state).cast::<i32>(),
                crate::sync::atomic::Relaxed,
            )
        } as bindings::module_state;
        match state {
            bindings::module_state_MODULE_STATE_LIVE => ModuleState::Live,
            bindings::module_state_MODULE_STATE_COMING => ModuleState::Coming,
            bindings::module_state_MODULE_STATE_GOING => ModuleState::Going,
            _ => ModuleState::Unformed,
        }
    }

    /// Whether the module declares itself a live patch (`MODULE_INFO(livepatch, "Y")`,
    /// `is_livepatch_module()`).
    #[cfg(CONFIG_LIVEPATCH)]
    pub fn is_livepatch(&self) -> bool {
        // SAFETY: By the type invariants the module is alive; `klp` is set by the loader before
        // the module runs and never changes.
        unsafe { (*self.as_raw()).klp }
    }

    /// The ELF information a live-patch module keeps for relocations applied after loading
    /// (`mod->klp_info`), if it has any.
    #[cfg(CONFIG_LIVEPATCH)]
    pub fn klp_info(&self) -> Option<super::elf::KlpModInfo<'_>> {
        // SAFETY: By the type invariants the module is alive; `klp_info` is set by the loader
        // before the module runs and freed only when the module is.
        let info = unsafe { (*self.as_raw()).klp_info };
        // SAFETY: `klp_info` keeps the module's section headers, section names and symbol
        // table index as the loader validated them (`copy_module_elf()`); the symbol table's
        // strings are the module's core kallsyms strtab, kept for live-patch modules.
        NonNull::new(info).map(|info| unsafe {
            super::elf::KlpModInfo::from_raw(info, (*self.as_raw()).core_kallsyms.strtab)
        })
    }
}

/// A reference to a module that keeps it from being unloaded (`try_module_get()`); dropping it
/// puts the reference (`module_put()`).
///
/// # Examples
///
/// ```
/// use kernel::{module::{LoadedModule, ModuleRef}, sync::rcu};
///
/// // Pin a module (if it is loaded) beyond the RCU section that found it.
/// fn pin(name: &kernel::str::CStr) -> Option<ModuleRef> {
///     let rcu = rcu::read_lock();
///     ModuleRef::try_get(LoadedModule::find(name, &rcu)?)
/// }
/// assert!(pin(c"no_such_module_here").is_none());
/// ```
///
/// # Invariants
///
/// `self.0` is a module on which this value holds one reference.
pub struct ModuleRef(NonNull<bindings::module>);

// SAFETY: Module references may be put from any thread.
unsafe impl Send for ModuleRef {}
// SAFETY: `&ModuleRef` only gives out `&LoadedModule`, which is `Sync`.
unsafe impl Sync for ModuleRef {}

impl ModuleRef {
    /// Takes a reference, unless the module is being unloaded.
    pub fn try_get(module: &LoadedModule) -> Option<Self> {
        // SAFETY: The module is alive (`LoadedModule` invariants).
        let ok = unsafe { bindings::try_module_get(module.as_raw()) };
        // INVARIANT: `try_module_get()` took a reference when it returned true.
        ok.then(|| Self(NonNull::from(module).cast()))
    }

    /// The module.
    pub fn module(&self) -> &LoadedModule {
        // SAFETY: The reference we hold keeps the module alive.
        unsafe { LoadedModule::from_raw(self.0.as_ptr()) }
    }

    /// Gives up ownership of the reference without putting it; [`ModuleRef::from_raw`] takes it
    /// back. A reference never taken back pins the module forever.
    pub fn into_raw(self) -> *mut bindings::module {
        let ptr = self.0.as_ptr();
        core::mem::forget(self);
        ptr
    }

    /// Takes back a reference given up with [`ModuleRef::into_raw`].
    ///
    /// # Safety
    ///
    /// `ptr` must come from [`ModuleRef::into_raw`], and each such reference be taken back at
    /// most once.
    pub unsafe fn from_raw(ptr: *mut bindings::module) -> Self {
        // SAFETY: `into_raw()` never returns NULL.
        // INVARIANT: The caller hands over the reference `into_raw()` kept.
        Self(unsafe { NonNull::new_unchecked(ptr) })
    }
}

impl Drop for ModuleRef {
    fn drop(&mut self) {
        // SAFETY: By the type invariants we hold a reference.
        unsafe { bindings::module_put(self.0.as_ptr()) };
    }
}

#[crate::prelude::kunit_tests(rust_module_loaded)]
mod tests {
    use super::*;

    #[test]
    fn find_unknown_module() {
        let rcu = rcu::read_lock();
        assert!(LoadedModule::find(c"no_such_module_here", &rcu).is_none());
    }
}
