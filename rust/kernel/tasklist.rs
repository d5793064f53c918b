// SPDX-License-Identifier: GPL-2.0

//! The task list and the idle tasks.
//!
//! [`read_lock`] takes `tasklist_lock` for reading, which keeps every task on the list alive and
//! stops tasks from being added or removed; the guard lends out the threads of every process,
//! as C's `for_each_process_thread()`. The per-CPU idle ("swapper") tasks are not on the list;
//! [`idle_task`] and [`CpusReadGuard`] reach them, for CPUs proven possible ([`PossibleCpu`]) or
//! online ([`OnlineCpu`]).
//!
//! C headers: [`include/linux/sched/task.h`](srctree/include/linux/sched/task.h),
//! [`include/linux/sched/signal.h`](srctree/include/linux/sched/signal.h),
//! [`include/linux/cpu.h`](srctree/include/linux/cpu.h)

use crate::{
    bindings,
    cpu::CpuId,
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
/// let tasks = kernel::tasklist::read_lock();
/// let n = tasks.threads().count();
/// assert!(n >= 1);
/// assert!(tasks.threads().any(|t| t.pid() == 1));
/// ```
pub fn read_lock() -> TasklistReadGuard {
    // SAFETY: `tasklist_lock` is a valid, initialised rwlock for the kernel's lifetime.
    unsafe { bindings::read_lock(addr_of_mut!(bindings::tasklist_lock)) };
    // INVARIANT: The lock was taken above.
    TasklistReadGuard {
        _not_send: NotThreadSafe,
    }
}

impl Drop for TasklistReadGuard {
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

/// A CPU that is set in `cpu_possible_mask`, which never changes after boot.
///
/// Per-CPU data (runqueues, idle tasks) exists exactly for these CPUs; a [`CpuId`] only
/// promises an id below `nr_cpu_ids`, which may name a hole in the mask.
///
/// # Invariants
///
/// The CPU is set in `cpu_possible_mask`.
///
/// # Examples
///
/// ```
/// use kernel::{cpu::CpuId, tasklist::PossibleCpu};
///
/// let this = PossibleCpu::new(CpuId::current());
/// assert!(this.is_some());
/// assert!(kernel::tasklist::possible_cpus().count() >= 1);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PossibleCpu(CpuId);

impl PossibleCpu {
    /// Returns `cpu` if it is possible.
    pub fn new(cpu: CpuId) -> Option<Self> {
        // SAFETY: The mask is a valid global, and `CpuId` is below `nr_cpu_ids`, the mask's
        // size.
        let possible = unsafe {
            bindings::cpumask_test_cpu(
                cpu.as_u32() as i32,
                addr_of_mut!(bindings::__cpu_possible_mask),
            )
        };
        // INVARIANT: Checked just above; the possible mask is fixed after boot.
        possible.then_some(Self(cpu))
    }

    /// The CPU's id.
    pub fn id(self) -> CpuId {
        self.0
    }
}

/// The idle task of `cpu` (`idle_task()`); idle tasks live as long as the kernel.
pub fn idle_task(cpu: PossibleCpu) -> &'static Task {
    // SAFETY: By the type invariants of `PossibleCpu` the CPU is possible, so it has a
    // runqueue with an idle task.
    let task = unsafe { bindings::idle_task(cpu.id().as_u32() as i32) };
    // SAFETY: Idle tasks are never freed; `Task` is a transparent wrapper of `task_struct`.
    unsafe { &*task.cast::<Task>() }
}

/// Every possible CPU (`for_each_possible_cpu()`).
pub fn possible_cpus() -> impl Iterator<Item = PossibleCpu> {
    (0..crate::cpu::nr_cpu_ids())
        .filter_map(CpuId::from_u32)
        .filter_map(PossibleCpu::new)
}

/// A CPU that is online while the [`CpusReadGuard`] of lifetime `'a` is held.
///
/// # Invariants
///
/// The CPU is set in `cpu_online_mask`, and CPU hotplug is read-locked for `'a`.
#[derive(Clone, Copy, Debug)]
pub struct OnlineCpu<'a> {
    cpu: PossibleCpu,
    _guard: PhantomData<&'a CpusReadGuard>,
}

impl OnlineCpu<'_> {
    /// The CPU's id.
    pub fn id(self) -> CpuId {
        self.cpu.id()
    }
}

/// A read lock on CPU hotplug (`cpus_read_lock()`): no CPU goes on- or offline while it is
/// held. It may sleep to take it.
///
/// # Invariants
///
/// The hotplug lock is read-held by this guard until it is dropped.
pub struct CpusReadGuard {
    _not_send: NotThreadSafe,
}

impl CpusReadGuard {
    /// Takes the hotplug read lock.
    pub fn new() -> Self {
        // SAFETY: Always safe to call from process context.
        unsafe { bindings::cpus_read_lock() };
        // INVARIANT: Taken above.
        Self {
            _not_send: NotThreadSafe,
        }
    }

    /// Returns `cpu` if it is online; it stays so while the guard is held.
    pub fn online(&self, cpu: PossibleCpu) -> Option<OnlineCpu<'_>> {
        // SAFETY: The mask is a valid global; a possible CPU is below its size.
        let online = unsafe {
            bindings::cpumask_test_cpu(
                cpu.id().as_u32() as i32,
                addr_of_mut!(bindings::__cpu_online_mask),
            )
        };
        // INVARIANT: Checked above; the hotplug lock of `self` keeps it online for `'_`.
        online.then_some(OnlineCpu {
            cpu,
            _guard: PhantomData,
        })
    }

    /// Kicks `cpu` out of its idle loop if it is idle (`wake_up_if_idle()`).
    pub fn wake_up_if_idle(&self, cpu: OnlineCpu<'_>) {
        // SAFETY: By the type invariants of `OnlineCpu` the CPU is online (its runqueue is
        // live and it can take an IPI).
        unsafe { bindings::wake_up_if_idle(cpu.id().as_u32() as i32) };
    }
}

impl Default for CpusReadGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for CpusReadGuard {
    fn drop(&mut self) {
        // SAFETY: By the type invariants the lock is held by this guard.
        unsafe { bindings::cpus_read_unlock() };
    }
}
