// SPDX-License-Identifier: GPL-2.0

//! Static keys defined in Rust: a `struct static_key_false` that C code declares with
//! `DECLARE_STATIC_KEY_FALSE()` and tests with `static_branch_unlikely()`, and that Rust turns
//! on and off.
//!
//! C header: [`include/linux/jump_label.h`](srctree/include/linux/jump_label.h)

use crate::{
    bindings,
    types::Opaque, //
};

/// A static key that starts disabled (`DEFINE_STATIC_KEY_FALSE()`).
///
/// Define it as a `#[no_mangle] static` so that C finds it by name.
///
/// # Invariants
///
/// The inner key is a valid `struct static_key_false`, changed only by the jump-label core.
///
/// # Examples
///
/// ```
/// use kernel::jump_label::StaticKeyFalse;
///
/// static KEY: StaticKeyFalse = StaticKeyFalse::new();
/// assert!(!KEY.is_enabled());
/// KEY.enable();
/// assert!(KEY.is_enabled());
/// KEY.disable();
/// assert!(!KEY.is_enabled());
/// ```
#[repr(transparent)]
pub struct StaticKeyFalse(Opaque<bindings::static_key_false>);

// SAFETY: The jump-label core serialises every change of a key with its own locks.
unsafe impl Sync for StaticKeyFalse {}
// SAFETY: A key has no thread affinity.
unsafe impl Send for StaticKeyFalse {}

impl StaticKeyFalse {
    /// A disabled key (`STATIC_KEY_FALSE_INIT`: zero count, no jump entries yet).
    pub const fn new() -> Self {
        // INVARIANT: All-zero is `STATIC_KEY_FALSE_INIT`.
        Self(Opaque::zeroed())
    }

    /// The raw key.
    pub fn as_raw(&self) -> *mut bindings::static_key_false {
        self.0.get()
    }

    /// Enables the key (`static_branch_enable()`), patching every branch on it. May sleep.
    pub fn enable(&self) {
        // SAFETY: By the type invariants the key is valid.
        unsafe { bindings::static_key_false_enable(self.as_raw()) };
    }

    /// Disables the key (`static_branch_disable()`). May sleep.
    pub fn disable(&self) {
        // SAFETY: By the type invariants the key is valid.
        unsafe { bindings::static_key_false_disable(self.as_raw()) };
    }

    /// Whether the key is enabled (`static_key_enabled()`); not a patched branch.
    pub fn is_enabled(&self) -> bool {
        // SAFETY: By the type invariants the key is valid.
        unsafe { bindings::static_key_count(&raw mut (*self.as_raw()).key) > 0 }
    }
}

impl Default for StaticKeyFalse {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(CONFIG_RUST_KLP_KUNIT_TEST)]
#[kunit_tests(rust_static_key)]
mod tests {
    use crate::jump_label::StaticKeyFalse;

    static KEY: StaticKeyFalse = StaticKeyFalse::new();

    #[test]
    fn enable_and_disable_are_idempotent() {
        assert!(!KEY.is_enabled());
        KEY.enable();
        KEY.enable();
        assert!(KEY.is_enabled());
        KEY.disable();
        assert!(!KEY.is_enabled());
        KEY.disable();
        assert!(!KEY.is_enabled());
    }
}
