// SPDX-License-Identifier: GPL-2.0

//! CPUs proven possible or online, and the CPU-hotplug read lock.
//!
//! C header: [`include/linux/cpu.h`](srctree/include/linux/cpu.h),
//! [`include/linux/cpumask.h`](srctree/include/linux/cpumask.h)

use crate::{
    bindings,
    cpu::CpuId,
    types::NotThreadSafe, //
};
use core::{
    marker::PhantomData,
    ptr::addr_of_mut, //
};

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
/// use kernel::cpu::{self, CpuId, PossibleCpu};
///
/// let this = PossibleCpu::new(CpuId::current());
/// assert!(this.is_some());
/// assert!(cpu::possible_cpus().count() >= 1);
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

/// Every possible CPU (`for_each_possible_cpu()`).
pub fn possible_cpus() -> impl Iterator<Item = PossibleCpu> {
    (0..super::nr_cpu_ids())
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
    // `wake_up_if_idle()` is not exported: modules reach it through this non-inlined function.
    #[inline(never)]
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

#[cfg(CONFIG_RUST_KLP_KUNIT_TEST)]
#[crate::prelude::kunit_tests(rust_cpu_hotplug)]
mod tests {
    use crate::{
        bindings,
        cpu::{
            self as cpus_mod,
            CpuId,
            CpusReadGuard,
            PossibleCpu, //
        },
    };

    #[test]
    fn possible_and_online_cpus_match_the_masks() {
        let possible = cpus_mod::possible_cpus().count();
        let mask = &raw mut bindings::__cpu_possible_mask;
        // SAFETY: The possible mask is a valid global.
        let weight = unsafe { bindings::cpumask_weight(mask) } as usize;
        assert_eq!(possible, weight);
        // Every id below `nr_cpu_ids` is accepted exactly when it is in the mask.
        for id in (0..cpus_mod::nr_cpu_ids()).filter_map(CpuId::from_u32) {
            // SAFETY: The possible mask is a valid global; `id` is below its size.
            let in_mask = unsafe { bindings::cpumask_test_cpu(id.as_u32() as i32, mask) };
            assert_eq!(PossibleCpu::new(id).is_some(), in_mask);
        }
        let cpus = CpusReadGuard::new();
        let online = cpus_mod::possible_cpus()
            .filter_map(|c| cpus.online(c))
            .count();
        assert!(online >= 1);
        let this = PossibleCpu::new(CpuId::current());
        assert!(this.and_then(|c| cpus.online(c)).is_some());
    }
}
