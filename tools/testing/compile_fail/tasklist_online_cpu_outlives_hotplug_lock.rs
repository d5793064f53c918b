// SPDX-License-Identifier: GPL-2.0
//
// A CPU is only known to be online while the hotplug lock is held: an
// `OnlineCpu` borrows the `CpusReadGuard` and cannot be used after it is
// dropped (the CPU may have gone offline meanwhile).
//
// expect-error: E0505

//! Compile-fail case: waking a CPU checked online under a released lock.

use kernel::cpu::{self, CpusReadGuard};

/// Wakes the first online CPU after dropping the lock.
pub fn wake_first() {
    let cpus = CpusReadGuard::new();
    let first = cpu::possible_cpus().find_map(|c| cpus.online(c));
    drop(cpus);
    if let Some(cpu) = first {
        CpusReadGuard::new().wake_up_if_idle(cpu);
    }
}
