// SPDX-License-Identifier: GPL-2.0

//! Acting on another task: thread flags, whether it runs, calling a function while it is held
//! still (`task_call_func()`), waking it and sending it a notify signal.
//!
//! C headers: [`include/linux/sched.h`](srctree/include/linux/sched.h),
//! [`include/linux/thread_info.h`](srctree/include/linux/thread_info.h),
//! [`include/linux/sched/signal.h`](srctree/include/linux/sched/signal.h)

use crate::{
    bindings,
    ffi::{
        c_int,
        c_void, //
    },
    str::CStr,
    sync::atomic::{
        atomic_load,
        Relaxed, //
    },
    task::Task,
};

/// A `TIF_*` thread flag number.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ThreadFlag(u32);

impl ThreadFlag {
    /// `TIF_PATCH_PENDING`: the task has a pending livepatch state switch.
    #[cfg(CONFIG_LIVEPATCH)]
    pub const PATCH_PENDING: Self = Self(bindings::TIF_PATCH_PENDING);
    /// `TIF_NOTIFY_SIGNAL`: the task has a pending notify signal.
    pub const NOTIFY_SIGNAL: Self = Self(bindings::TIF_NOTIFY_SIGNAL);
}

/// A task's command name (`comm`), copied out so that a concurrent rename cannot tear it.
///
/// Print it as C's `%s` does, bytes unchanged (see `dynamic_pr_debug!`'s `%s` form); it has no
/// `Display`, which would have to re-encode bytes that are not UTF-8.
///
/// # Invariants
///
/// The last byte is NUL.
#[derive(Clone, Copy)]
pub struct Comm([u8; bindings::TASK_COMM_LEN as usize]);

impl Comm {
    /// The name's bytes, without the terminating NUL.
    pub fn as_bytes(&self) -> &[u8] {
        self.as_c_str().to_bytes()
    }

    /// The name as a C string.
    pub fn as_c_str(&self) -> &CStr {
        // By the type invariants the array ends with a NUL, so the fallback is never taken.
        CStr::from_bytes_until_nul(&self.0).unwrap_or(c"")
    }
}

impl Task {
    /// Whether `flag` is set (`test_tsk_thread_flag()`).
    #[inline]
    pub fn test_thread_flag(&self, flag: ThreadFlag) -> bool {
        // SAFETY: `self` is a valid task; flag operations are atomic bit operations.
        unsafe { bindings::test_tsk_thread_flag(self.as_ptr(), flag.0 as c_int) != 0 }
    }

    /// Sets `flag` (`set_tsk_thread_flag()`).
    #[inline]
    pub fn set_thread_flag(&self, flag: ThreadFlag) {
        // SAFETY: As in `test_thread_flag()`.
        unsafe { bindings::set_tsk_thread_flag(self.as_ptr(), flag.0 as c_int) };
    }

    /// Clears `flag` (`clear_tsk_thread_flag()`).
    #[inline]
    pub fn clear_thread_flag(&self, flag: ThreadFlag) {
        // SAFETY: As in `test_thread_flag()`.
        unsafe { bindings::clear_tsk_thread_flag(self.as_ptr(), flag.0 as c_int) };
    }

    /// Clears `flag` and returns whether it was set (`test_and_clear_tsk_thread_flag()`).
    ///
    /// A fully ordered atomic operation: it orders earlier accesses before, and later accesses
    /// after, the flag update.
    #[inline]
    pub fn test_and_clear_thread_flag(&self, flag: ThreadFlag) -> bool {
        // SAFETY: As in `test_thread_flag()`.
        unsafe { bindings::test_and_clear_tsk_thread_flag(self.as_ptr(), flag.0 as c_int) != 0 }
    }

    /// The task's command name.
    ///
    /// A rename may run concurrently (`__set_task_comm()` copies without a lock): each byte is
    /// read once with `READ_ONCE()` semantics, so the copy may mix two names, as `%s` of
    /// `task->comm` does in C, but is never a data race.
    pub fn comm(&self) -> Comm {
        let mut comm = [0u8; bindings::TASK_COMM_LEN as usize];
        // SAFETY: `self` is a valid task; this only computes the address of its `comm` array.
        let src = unsafe { &raw mut (*self.as_ptr()).comm }.cast::<i8>();
        // The last byte stays NUL.
        for (i, byte) in comm
            .iter_mut()
            .take(bindings::TASK_COMM_LEN as usize - 1)
            .enumerate()
        {
            // SAFETY: `i` is inside the `comm` array of the valid task; concurrent writers store
            // bytes, so single byte loads do not race with them.
            *byte = unsafe { atomic_load(src.add(i), Relaxed) } as u8;
        }
        // INVARIANT: The last byte was left NUL.
        Comm(comm)
    }

    /// Whether the task is a kernel thread (`PF_KTHREAD`).
    pub fn is_kthread(&self) -> bool {
        // SAFETY: `flags` of a valid task; `PF_KTHREAD` never changes after creation.
        unsafe { (*self.as_ptr()).flags & bindings::PF_KTHREAD != 0 }
    }

    /// Whether the task is currently running on a CPU (`task_curr()`).
    #[inline(never)]
    pub fn is_on_cpu(&self) -> bool {
        // SAFETY: `self` is a valid task.
        unsafe { bindings::task_curr(self.as_ptr()) != 0 }
    }

    /// Whether this is the calling task.
    pub fn is_current(&self) -> bool {
        self.as_ptr() == Task::current_raw()
    }

    /// Calls `f` on the task while it cannot run (`task_call_func()`): it is blocked and its
    /// runqueue (or its `pi_lock`) is locked, or it runs on another CPU and `f` must cope.
    ///
    /// `f` runs with interrupts disabled and scheduler locks held. Sleeping there (a
    /// `GFP_KERNEL` allocation, a sleeping lock) is a bug that `might_sleep()` reports, as under
    /// any spinlock; it is not memory-unsafe. Returns what `f` returned.
    ///
    /// `task_call_func()` is not exported; loadable modules can use this all the same, since
    /// only the non-generic part, built into the kernel crate, calls it.
    ///
    /// # Examples
    ///
    /// ```
    /// let me = kernel::current!();
    /// assert_eq!(me.call_func(|t| t.pid()), me.pid());
    /// ```
    pub fn call_func<R>(&self, f: impl FnOnce(&Task) -> R) -> R {
        let mut f = Some(f);
        let mut result = None;
        self.call_func_dyn(&mut |task| {
            if let Some(f) = f.take() {
                result = Some(f(task));
            }
        });
        // PANIC: `task_call_func()` calls its function exactly once, so `result` is set.
        result.unwrap_or_else(|| unreachable!("task_call_func() did not call the function"))
    }

    /// The non-generic part of [`Task::call_func`].
    #[inline(never)]
    fn call_func_dyn(&self, f: &mut dyn FnMut(&Task)) {
        /// # Safety
        ///
        /// `arg` must point to a `&mut dyn FnMut(&Task)` that nothing else uses during the
        /// call, and `task` to a valid task.
        unsafe extern "C" fn trampoline(
            task: *mut bindings::task_struct,
            arg: *mut c_void,
        ) -> c_int {
            // SAFETY: `arg` is the `&mut dyn FnMut` below, alive and exclusively ours during
            // the call.
            let f = unsafe { &mut *arg.cast::<&mut dyn FnMut(&Task)>() };
            // SAFETY: `task` is the valid task `task_call_func()` was given; `Task` is a
            // transparent wrapper of `task_struct`.
            f(unsafe { &*task.cast::<Task>() });
            0
        }

        let mut f = f;
        // SAFETY: `self` is valid; the trampoline matches `task_call_f` and interprets `arg` as
        // the `&mut dyn FnMut`, which outlives the synchronous call.
        unsafe {
            bindings::task_call_func(
                self.as_ptr(),
                Some(trampoline),
                (&raw mut f).cast::<c_void>(),
            )
        };
    }

    /// Wakes the task if it sleeps interruptibly (`wake_up_state(task, TASK_INTERRUPTIBLE)`).
    #[inline(never)]
    pub fn wake_up_interruptible(&self) -> bool {
        // SAFETY: `self` is a valid task.
        unsafe { bindings::wake_up_state(self.as_ptr(), bindings::TASK_INTERRUPTIBLE) != 0 }
    }

    /// Sends the task a notify signal (`set_notify_signal()`): it leaves an interruptible
    /// sleep and runs its signal-delivery path without a real signal being queued.
    #[inline(never)]
    pub fn set_notify_signal(&self) {
        // SAFETY: `self` is a valid task; the helper sets a thread flag and kicks the task.
        unsafe { bindings::set_notify_signal(self.as_ptr()) };
    }
}

#[cfg(CONFIG_RUST_KLP_KUNIT_TEST)]
#[crate::prelude::kunit_tests(rust_task_control)]
mod tests {
    use crate::{
        cpu as cpus_mod,
        prelude::*,
        task::{
            tasklist,
            Task,
            ThreadFlag, //
        },
    };

    #[test]
    fn thread_flags() {
        let me = crate::current!();
        let flag = ThreadFlag::PATCH_PENDING;
        let was = me.test_thread_flag(flag);
        me.set_thread_flag(flag);
        assert!(me.test_thread_flag(flag));
        assert!(me.test_and_clear_thread_flag(flag));
        assert!(!me.test_thread_flag(flag));
        assert!(!me.test_and_clear_thread_flag(flag));
        me.clear_thread_flag(flag);
        assert!(!me.test_thread_flag(flag));
        if was {
            me.set_thread_flag(flag);
        }
    }

    #[test]
    fn identity_of_the_running_kthread() {
        let me = crate::current!();
        assert_eq!(me.comm().as_bytes(), b"kunit_try_catch");
        assert!(me.is_kthread());
        assert!(me.is_current());
        assert!(me.is_on_cpu());
        // Already running: nothing to wake.
        assert!(!me.wake_up_interruptible());
        let init = tasklist::read_lock()
            .threads()
            .find(|t| t.pid() == 1)
            .map(|t| (t.is_kthread(), t.is_current()));
        assert_eq!(init, Some((false, false)));
    }

    #[test]
    fn call_func_passes_the_task_and_returns_the_result() {
        let me = crate::current!();
        assert_eq!(me.call_func(|t| t.pid()), me.pid());
        for cpu in cpus_mod::possible_cpus() {
            let idle = Task::idle(cpu);
            let mut seen = None;
            // Any result type: here a `Result` of the kernel's own.
            let ret = idle.call_func(|t| {
                seen = Some(t.as_ptr());
                Err::<(), _>(EINVAL)
            });
            assert_eq!(ret, Err(EINVAL));
            assert_eq!(seen, Some(idle.as_ptr()));
        }
    }
}
