// SPDX-License-Identifier: GPL-2.0
//
// A `CpuId` is only below `nr_cpu_ids`; it may name a hole in the possible
// mask, which has no runqueue and no idle task. `Task::idle()` takes a
// `PossibleCpu`, which only `PossibleCpu::new()` and `possible_cpus()` make.
//
// expect-error: E0308

//! Compile-fail case: the idle task of an unchecked CPU id.

use kernel::{cpu::CpuId, task::Task};

/// The pid of the idle task of CPU 1, if that id is valid.
pub fn idle_pid() -> Option<i32> {
    CpuId::from_u32(1).map(|cpu| Task::idle(cpu).pid())
}
