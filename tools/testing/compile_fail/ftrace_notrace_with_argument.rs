// SPDX-License-Identifier: GPL-2.0
//
// `#[notrace]` takes no argument: there is nothing to choose (a function either
// has an ftrace site or not), and a misspelt attribute must not silently leave
// a handler traceable.
//
// expect-error: unexpected token

//! Compile-fail case: `#[notrace]` with an argument.

use kernel::ftrace::notrace;

/// A function that should not be traced.
#[notrace(always)]
pub fn handler_helper() {}
