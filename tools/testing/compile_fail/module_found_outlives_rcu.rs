// SPDX-License-Identifier: GPL-2.0
//
// A module found by name is only known to stay in memory during the RCU
// read-side section of the lookup: keeping it past the guard is refused.
//
// expect-error: E0597

//! Compile-fail case: a `LoadedModule` used after its RCU guard.

use kernel::{module::LoadedModule, prelude::*, sync::rcu};

/// Returns the name of a module after the section that found it ended.
pub fn name_after_unlock() -> usize {
    let found = {
        let rcu = rcu::read_lock();
        LoadedModule::find(c"some_module", &rcu)
    };
    found.map_or(0, |m| m.name().to_bytes().len())
}
