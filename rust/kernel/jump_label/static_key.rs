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
/// Define it as a `#[no_mangle] static` so that C finds it by name. Rust code branches on it
/// with [`static_key_false_unlikely!`](crate::static_key_false_unlikely). (The upstream
/// [`static_branch_unlikely!`](crate::static_branch_unlikely) wants a `static_key_false` field
/// without interior mutability, i.e. a key defined by C: a Rust `static` of that type would be
/// immutable, while the jump-label core writes to it.)
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
pub struct StaticKeyFalse {
    /// The C key; public only for [`static_key_false_unlikely!`](crate::static_key_false_unlikely),
    /// which needs its offset.
    #[doc(hidden)]
    pub key: Opaque<bindings::static_key_false>,
}

// SAFETY: The jump-label core serialises every change of a key with its own locks.
unsafe impl Sync for StaticKeyFalse {}
// SAFETY: A key has no thread affinity.
unsafe impl Send for StaticKeyFalse {}

impl StaticKeyFalse {
    /// A disabled key (`STATIC_KEY_FALSE_INIT`: zero count, no jump entries yet).
    pub const fn new() -> Self {
        // INVARIANT: All-zero is `STATIC_KEY_FALSE_INIT`.
        Self {
            key: Opaque::zeroed(),
        }
    }

    /// The raw key.
    pub fn as_raw(&self) -> *mut bindings::static_key_false {
        self.key.get()
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

/// `static_branch_unlikely()` on a [`StaticKeyFalse`] defined in Rust: `false` until the key is
/// enabled. With `CONFIG_JUMP_LABEL` it is a no-op jump that enabling the key patches; without,
/// it reads the key's count.
///
/// `$key` must be the path of a `static` [`StaticKeyFalse`].
///
/// # Examples
///
/// ```
/// use kernel::{jump_label::StaticKeyFalse, static_key_false_unlikely};
///
/// static KEY: StaticKeyFalse = StaticKeyFalse::new();
/// assert!(!static_key_false_unlikely!(KEY));
/// KEY.enable();
/// assert!(static_key_false_unlikely!(KEY));
/// KEY.disable();
/// assert!(!static_key_false_unlikely!(KEY));
/// ```
#[macro_export]
macro_rules! static_key_false_unlikely {
    ($key:path) => {{
        let _: &'static $crate::jump_label::StaticKeyFalse = &$key;
        #[cfg(not(CONFIG_JUMP_LABEL))]
        let enabled = $key.is_enabled();
        #[cfg(CONFIG_JUMP_LABEL)]
        #[allow(clippy::macro_metavars_in_unsafe)]
        // SAFETY: `$key` is a `static` `StaticKeyFalse` (checked above), whose `key` field is a
        // valid `struct static_key_false` for the jump table entry to name.
        let enabled = unsafe {
            $crate::jump_label::arch_static_branch! {
                $key, $crate::jump_label::StaticKeyFalse, key, false
            }
        };
        enabled
    }};
}

impl Default for StaticKeyFalse {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(CONFIG_RUST_KLP_KUNIT_TEST)]
#[crate::prelude::kunit_tests(rust_static_key)]
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
