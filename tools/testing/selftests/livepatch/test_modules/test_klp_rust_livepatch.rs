// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: the Rust twin of `test_klp_livepatch`, which replaces `cmdline_proc_show()`.

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
    type: TestKlpRustLivepatch,
    name: "test_klp_rust_livepatch",
    authors: ["Rust livepatch core developers"],
    description: "Livepatch test: livepatch module (Rust)",
    license: "GPL",
}

fn cmdline_proc_show(m: &SeqFile) -> Result {
    seq_print!(m, "test_klp_rust_livepatch: this has been live patched\n");
    Ok(())
}

struct TestKlpRustLivepatch;

impl LivePatch for TestKlpRustLivepatch {
    const OBJECTS: &'static [Object] = &[Object::vmlinux(&[targets::cmdline_proc_show(
        cmdline_proc_show,
    )])];
}
