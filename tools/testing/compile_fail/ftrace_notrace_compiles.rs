// SPDX-License-Identifier: GPL-2.0
//
// `#[notrace]` on a free function and on a method compiles with and without
// rustc's fentry support (the attribute then does nothing).
//
// expect-pass

//! Compile-pass case: `#[notrace]` where it is meant to be used.

use kernel::ftrace::notrace;

/// A function ftrace must not trace.
#[notrace]
pub fn helper() -> u32 {
    1
}

/// A type with a method ftrace must not trace.
pub struct Handler;

impl Handler {
    /// Called from an ftrace handler.
    #[notrace]
    #[inline]
    pub fn call(&self) -> u32 {
        helper()
    }
}
