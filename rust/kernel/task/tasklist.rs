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
    interop::list::CList,
    task::Task,
    types::NotThreadSafe, //
};
use core::{
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

/// The process list (`init_task.tasks`, linked by `task_struct.tasks`).
type ProcessList = CList<Task, { offset_of!(bindings::task_struct, tasks) }>;
/// A thread group (`signal->thread_head`, linked by `task_struct.thread_node`).
type ThreadList = CList<Task, { offset_of!(bindings::task_struct, thread_node) }>;

impl TasklistReadGuard {
    /// Every process (`for_each_process()`); `init_task`, the boot CPU's idle task, heads the
    /// list and is not one of them.
    pub fn processes(&self) -> impl Iterator<Item = &Task> + '_ {
        // SAFETY: `init_task.tasks` heads the process list, whose entries are the `tasks` links
        // of live tasks; `Task` is a transparent wrapper of `task_struct`. The read lock, held
        // while `self` is borrowed, keeps the list and its tasks stable.
        let list = unsafe { ProcessList::from_raw(addr_of_mut!(bindings::init_task.tasks)) };
        list.iter()
    }

    /// Every thread of every process (`for_each_process_thread()`), the idle tasks excepted.
    pub fn threads(&self) -> impl Iterator<Item = &Task> + '_ {
        self.processes().flat_map(|process| {
            // SAFETY: A listed process has a live `signal`, whose `thread_head` lists its threads
            // by their `thread_node` links; the read lock keeps them stable.
            let list = unsafe {
                ThreadList::from_raw(addr_of_mut!((*(*process.as_ptr()).signal).thread_head))
            };
            list.iter()
        })
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
