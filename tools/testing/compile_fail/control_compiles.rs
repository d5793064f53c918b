// SPDX-License-Identifier: GPL-2.0
//
// Control: a complete module with the correct uses of what
// unsafe_fn_without_unsafe.rs and guard_borrow_outlives_unlock.rs misuse. It
// must compile, so that a harness that fails every file (wrong flags, missing
// kernel crate) cannot pass the compile-fail cases vacuously.
//
// expect-pass

//! Compile-fail control: a module that must compile with kbuild's flags.

use kernel::{cpu::CpuId, prelude::*, sync::SpinLock};

module! {
    type: CompileFailControl,
    name: "compile_fail_control",
    authors: ["Rust livepatch core developers"],
    description: "compile-fail harness control (never loaded)",
    license: "GPL",
}

struct CompileFailControl;

impl kernel::Module for CompileFailControl {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(CompileFailControl)
    }
}

/// Builds a CPU id without checking it against `nr_cpu_ids()`.
pub fn cpu_zero() -> u32 {
    // SAFETY: CPU 0 always exists, so `0 < nr_cpu_ids()`.
    unsafe { CpuId::from_u32_unchecked(0) }.as_u32()
}

/// Writes to the protected value while the lock is held.
pub fn write_under_lock(lock: &SpinLock<u32>) {
    let mut guard = lock.lock();
    let value: &mut u32 = &mut guard;
    *value = 1;
    drop(guard);
}
