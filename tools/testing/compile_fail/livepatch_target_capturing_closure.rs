// SPDX-License-Identifier: GPL-2.0
//
// The adapters of `kernel::livepatch::targets` call the replacement without
// having it at hand: it must be a function or a closure that captures
// nothing (a zero-sized type). A closure that captures a value is refused at
// compile time.
//
// expect-error: E0080

//! Compile-fail case: a live patch replacement that captures state.

use kernel::{
    livepatch::{targets, Func},
    prelude::*,
    seq_file::SeqFile,
    seq_print,
};

/// The replacement.
pub const F: Func = {
    let n = 5u32;
    targets::cmdline_proc_show(move |m: &SeqFile| -> Result {
        seq_print!(m, "{n}\n");
        Ok(())
    })
};
