// SPDX-License-Identifier: GPL-2.0

//! Staying on the current CPU.
//!
//! C header: [`include/linux/preempt.h`](srctree/include/linux/preempt.h)

use crate::bindings;

/// Disables preemption without tracing (`preempt_disable_notrace()`) until dropped; usable
/// where ftrace handlers may run.
///
/// # Examples
///
/// ```
/// use kernel::cpu::{CpuId, PreemptDisabledNotrace};
///
/// let pinned = PreemptDisabledNotrace::new();
/// // No migration while the guard lives.
/// assert_eq!(CpuId::current(), CpuId::current());
/// drop(pinned);
/// ```
pub struct PreemptDisabledNotrace {
    _not_send: crate::types::NotThreadSafe,
}

impl PreemptDisabledNotrace {
    /// Disables preemption.
    #[inline]
    pub fn new() -> Self {
        // SAFETY: Always safe; undone on drop by the same thread.
        unsafe { bindings::preempt_disable_notrace() };
        Self {
            _not_send: crate::types::NotThreadSafe,
        }
    }
}

impl Default for PreemptDisabledNotrace {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for PreemptDisabledNotrace {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: `new()` disabled preemption on this thread.
        unsafe { bindings::preempt_enable_notrace() };
    }
}
