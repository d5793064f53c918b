// SPDX-License-Identifier: GPL-2.0

//! Rust live patch sample: the twin of `livepatch-sample.c`.
//!
//! It replaces `cmdline_proc_show()`, so that after
//!
//!     insmod rust_livepatch_sample.ko
//!
//! `cat /proc/cmdline` prints "this has been live patched". Disable it with
//!
//!     echo 0 > /sys/kernel/livepatch/rust_livepatch_sample/enabled
//!
//! and remove it with `rmmod`.

use kernel::{
    livepatch::{
        targets,
        LivePatch,
        Object, //
    },
    prelude::*,
    seq_file::SeqFile,
    seq_print,
};

kernel::module_livepatch! {
    type: RustLivepatchSample,
    name: "rust_livepatch_sample",
    authors: ["Rust livepatch core developers"],
    description: "Rust live patch sample: replaces /proc/cmdline",
    license: "GPL",
}

/// The new `/proc/cmdline`.
fn cmdline_proc_show(m: &SeqFile) -> Result {
    seq_print!(m, "this has been live patched\n");
    Ok(())
}

struct RustLivepatchSample;

impl LivePatch for RustLivepatchSample {
    const OBJECTS: &'static [Object] = &[Object::vmlinux(&[targets::cmdline_proc_show(
        cmdline_proc_show,
    )])];
}
