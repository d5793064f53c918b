// SPDX-License-Identifier: GPL-2.0
//
// A shadow variable's value is lent for as long as its parent object is
// borrowed, and freeing it needs the parent borrowed mutably: a value kept
// across the free of its variable must not compile.
//
// expect-error: E0502

//! Compile-fail case: a shadow variable's value used after its free.

use kernel::{livepatch::shadow::Shadow, prelude::*};

struct Parent {
    _id: u64,
}

// SAFETY: The id is used by this case only, with these types.
const COUNT: Shadow<Parent, u32> = unsafe { Shadow::new(0x5eed_0002) };

/// Keeps the value across the free.
pub fn use_after_free() -> Result<u32> {
    let mut parent = Parent { _id: 0 };
    let count = COUNT.alloc(&parent, GFP_KERNEL, || Ok(7))?;
    COUNT.free(&mut parent);
    Ok(*count)
}
