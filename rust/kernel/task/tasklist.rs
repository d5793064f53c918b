// SPDX-License-Identifier: GPL-2.0

//! The task list.
//!
//! [`read_lock`] takes `tasklist_lock` for reading, which keeps every task on the list alive and
//! stops tasks from being added or removed; the guard lends out the threads of every process,
//! as C's `for_each_process_thread()`. The per-CPU idle ("swapper") tasks are not on the list;
//! [`Task::idle`] reaches them, for CPUs proven possible ([`PossibleCpu`]).
//!
//! C headers: [`include/linux/sched/task.h`](srctree/include/linux/sched/task.h),
//! [`include/linux/sched/signal.h`](srctree/include/linux/sched/signal.h),
//! [`include/linux/cpu.h`](srctree/include/linux/cpu.h)

use crate::{
    bindings,
    cpu::PossibleCpu,
    task::Task,
    types::NotThreadSafe, //
};
use core::{
    marker::PhantomData,
    mem::offset_of,
    ptr::addr_of_mut, //
};

/// A read lock on `tasklist_lock`.
///
/// While it is held no task is added to or removed from the list, so the tasks it lends out
/// stay alive. It disables preemption, so the holder must not sleep.
///
/// # Invariants
///
/// `tasklist_lock` is read-locked by this guard's thread until the guard is dropped.
pub struct TasklistReadGuard {
    _not_send: NotThreadSafe,
}

/// Takes `tasklist_lock` for reading (`read_lock(&tasklist_lock)`).
///
/// # Examples
///
/// ```
/// let tasks = kernel::task::tasklist::read_lock();
/// let n = tasks.threads().count();
/// assert!(n >= 1);
/// assert!(tasks.threads().any(|t| t.pid() == 1));
/// ```
// `tasklist_lock` is not exported: modules reach it through this non-inlined function.
#[inline(never)]
pub fn read_lock() -> TasklistReadGuard {
    // SAFETY: `tasklist_lock` is a valid, initialised rwlock for the kernel's lifetime.
    unsafe { bindings::read_lock(addr_of_mut!(bindings::tasklist_lock)) };
    // INVARIANT: The lock was taken above.
    TasklistReadGuard {
        _not_send: NotThreadSafe,
    }
}

impl Drop for TasklistReadGuard {
    #[inline(never)]
    fn drop(&mut self) {
        // SAFETY: By the type invariants this thread holds the read lock.
        unsafe { bindings::read_unlock(addr_of_mut!(bindings::tasklist_lock)) };
    }
}

impl TasklistReadGuard {
    /// Every thread of every process (`for_each_process_thread()`), the idle tasks excepted.
    pub fn threads(&self) -> Threads<'_> {
        let init = addr_of_mut!(bindings::init_task);
        Threads {
            process: init,
            thread: core::ptr::null_mut(),
            _guard: PhantomData,
        }
    }
}

/// Iterator over the threads of the task list; see [`TasklistReadGuard::threads`].
///
/// # Invariants
///
/// `process` is `init_task` or a process on the list; `thread` is null or a `thread_node` link
/// of `process`'s thread group. The read lock is held for `'a`.
pub struct Threads<'a> {
    process: *mut bindings::task_struct,
    thread: *mut bindings::list_head,
    _guard: PhantomData<&'a TasklistReadGuard>,
}

impl<'a> Iterator for Threads<'a> {
    type Item = &'a Task;

    fn next(&mut self) -> Option<&'a Task> {
        let init = addr_of_mut!(bindings::init_task);
        loop {
            if self.thread.is_null() {
                // `next_task()`: the next process, ending back at `init_task`.
                // SAFETY: `process` is on the list (type invariants), which the lock keeps
                // stable.
                let next = unsafe { (*self.process).tasks.next };
                // SAFETY: Entries of the process list are the `tasks` links of tasks.
                let next = unsafe { crate::container_of!(next, bindings::task_struct, tasks) };
                if next == init {
                    return None;
                }
                self.process = next;
                // SAFETY: A listed process has a live `signal`, whose `thread_head` lists its
                // threads; the lock keeps it stable.
                self.thread = unsafe { addr_of_mut!((*(*next).signal).thread_head) };
            }
            // SAFETY: `thread` is a link of `process`'s thread list (type invariants).
            let link = unsafe { (*self.thread).next };
            // SAFETY: As above: `process` is live while the lock is held.
            let head = unsafe { addr_of_mut!((*(*self.process).signal).thread_head) };
            if link == head {
                self.thread = core::ptr::null_mut();
                continue;
            }
            self.thread = link;
            let offset = offset_of!(bindings::task_struct, thread_node);
            // SAFETY: Links of `thread_head` are `thread_node`s of live tasks.
            let task = unsafe { link.cast::<u8>().sub(offset).cast::<Task>() };
            // SAFETY: `Task` is a transparent wrapper of `task_struct`; the read lock keeps the
            // task alive for `'a`.
            return Some(unsafe { &*task });
        }
    }
}

impl Task {
    /// The idle task of `cpu` (`idle_task()`); idle tasks live as long as the kernel.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::{cpu, task::Task};
    ///
    /// for cpu in cpu::possible_cpus() {
    ///     assert_eq!(Task::idle(cpu).pid(), 0);
    /// }
    /// ```
    #[inline(never)]
    pub fn idle(cpu: PossibleCpu) -> &'static Task {
        // SAFETY: By the type invariants of `PossibleCpu` the CPU is possible, so it has a
        // runqueue with an idle task.
        let task = unsafe { bindings::idle_task(cpu.id().as_u32() as i32) };
        // SAFETY: Idle tasks are never freed; `Task` is a transparent wrapper of `task_struct`.
        unsafe { &*task.cast::<Task>() }
    }
}

#[cfg(CONFIG_RUST_KLP_KUNIT_TEST)]
#[crate::prelude::kunit_tests(rust_tasklist)]
mod tests {
    use crate::{
        cpu as cpus_mod,
        task::{
            tasklist,
            Task, //
        },
    };

    #[test]
    fn threads_list_init_and_current_but_no_idle_task() {
        let me = crate::current!().as_ptr();
        let tasks = tasklist::read_lock();
        assert!(tasks.threads().any(|t| t.pid() == 1));
        assert!(tasks.threads().any(|t| t.as_ptr() == me));
        assert!(!tasks.threads().any(|t| t.pid() == 0));
        // Every thread is listed once.
        let n = tasks.threads().count();
        let distinct = tasks
            .threads()
            .enumerate()
            .filter(|(i, t)| {
                tasks
                    .threads()
                    .skip(i + 1)
                    .all(|u| u.as_ptr() != t.as_ptr())
            })
            .count();
        assert_eq!(n, distinct);
    }

    #[test]
    fn every_possible_cpu_has_an_idle_task() {
        for cpu in cpus_mod::possible_cpus() {
            assert_eq!(Task::idle(cpu).pid(), 0);
        }
    }
}
