// SPDX-License-Identifier: GPL-2.0
//
// Setting the instruction pointer of a traced call redirects control flow
// anywhere: it is an `unsafe fn`, and a handler must vouch for the target.
//
// expect-error: E0133

//! Compile-fail case: redirecting a traced call without `unsafe`.

use core::pin::Pin;
use kernel::ftrace::{FtraceRegs, Handler};

struct Redirect;

impl Handler for Redirect {
    fn call(_this: Pin<&Self>, _ip: usize, _parent: usize, regs: &mut FtraceRegs) {
        regs.set_instruction_pointer(0xdead_beef);
    }
}
