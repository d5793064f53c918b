// SPDX-License-Identifier: GPL-2.0
//
// An `unsafe fn` of the kernel crate cannot be called outside an `unsafe`
// block: the caller has to take on its safety requirements explicitly.
//
// expect-error: E0133

//! Compile-fail case: calling an `unsafe fn` of the `kernel` crate without `unsafe`.

use kernel::cpu::CpuId;

/// Builds a CPU id without checking it against `nr_cpu_ids()`.
pub fn cpu_zero() -> u32 {
    CpuId::from_u32_unchecked(0).as_u32()
}
