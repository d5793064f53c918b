// SPDX-License-Identifier: GPL-2.0

//! Stack traces of tasks.
//!
//! C header: [`include/linux/stacktrace.h`](srctree/include/linux/stacktrace.h)

use crate::{
    bindings,
    error::{
        code::EINVAL,
        Result, //
    },
    task::Task,
};

/// Saves the return addresses of `task`'s kernel stack into `entries`, innermost first, and
/// returns the filled part; fails if the unwinder cannot vouch for every frame
/// (`stack_trace_save_tsk_reliable()`).
///
/// The trace only means something if `task` cannot run meanwhile: it is the caller, or it is
/// held still, e.g. inside [`Task::call_func`]. A task running elsewhere, a trace longer than
/// `entries`, or an unreliable frame all give an error.
///
/// # Examples
///
/// ```
/// use kernel::stacktrace;
///
/// let mut entries = [0usize; 64];
/// let trace = stacktrace::save_tsk_reliable(kernel::current!(), &mut entries)?;
/// assert!(!trace.is_empty());
/// # Ok::<(), Error>(())
/// ```
// `stack_trace_save_tsk_reliable()` is not exported: modules reach it through this non-inlined
// function.
#[cfg(CONFIG_HAVE_RELIABLE_STACKTRACE)]
#[inline(never)]
pub fn save_tsk_reliable<'a>(task: &Task, entries: &'a mut [usize]) -> Result<&'a [usize]> {
    let size = u32::try_from(entries.len()).unwrap_or(u32::MAX);
    // SAFETY: `task` is valid; `entries` is writable for `size` entries (`unsigned long` is
    // `usize`).
    let ret = unsafe {
        bindings::stack_trace_save_tsk_reliable(task.as_ptr(), entries.as_mut_ptr(), size)
    };
    let n = usize::try_from(ret).map_err(|_| EINVAL)?;
    entries.get(..n).ok_or(EINVAL)
}

/// Whether this kernel can produce reliable stack traces (`CONFIG_STACKTRACE` and
/// `CONFIG_HAVE_RELIABLE_STACKTRACE`).
pub const fn have_reliable_stacktrace() -> bool {
    cfg!(all(CONFIG_STACKTRACE, CONFIG_HAVE_RELIABLE_STACKTRACE))
}

#[cfg(CONFIG_RUST_KLP_KUNIT_TEST)]
#[crate::prelude::kunit_tests(rust_stacktrace)]
mod tests {
    use crate::{
        prelude::*,
        stacktrace, //
    };

    #[test]
    fn current_stack_is_reliable_and_bounded() -> Result {
        assert!(stacktrace::have_reliable_stacktrace());
        let me = crate::current!();
        let mut entries = [0usize; 100];
        let trace = stacktrace::save_tsk_reliable(me, &mut entries)?;
        assert!(trace.len() >= 2);
        assert!(trace.iter().all(|&a| a != 0));
        // A buffer too small for the whole stack cannot vouch for it.
        let mut one = [0usize; 1];
        assert!(stacktrace::save_tsk_reliable(me, &mut one).is_err());
        Ok(())
    }
}
