// SPDX-License-Identifier: GPL-2.0
//
// A shadow variable's value is lent for as long as its parent object is
// borrowed, and freeing it needs the parent borrowed mutably: a value kept
// across the free of its variable must not compile.
//
// expect-error: E0502

//! Compile-fail case: a shadow variable's value used after its free.

use kernel::{livepatch::shadow::Shadow, prelude::*};

struct Parent(u64);

// SAFETY: The id is used by this case only, with these types.
const COUNT: Shadow<Parent, u32> = unsafe { Shadow::new(0x5eed_0002) };

/// Keeps the value across the free.
pub fn use_after_free() -> Result {
    let mut parent = Parent(0);
    let count = COUNT.alloc(&parent, GFP_KERNEL, || Ok(7))?;
    COUNT.free(&mut parent);
    pr_info!("{}\n", *count);
    Ok(())
}
