// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: a Rust patch listing `cmdline_proc_show()` twice, refused at `insmod` as the
//! C patch `test_klp_core_bad_patch defect=dup_func` is.

use kernel::{
    livepatch::{
        targets,
        LivePatch,
        Object, //
    },
    prelude::*,
    seq_file::SeqFile,
};

kernel::module_livepatch! {
    type: TestKlpRustDupFunc,
    name: "test_klp_rust_dup_func",
    authors: ["Rust livepatch core developers"],
    description: "Livepatch test: a function listed twice (Rust)",
    license: "GPL",
}

fn cmdline_proc_show(_m: &SeqFile) -> Result {
    Ok(())
}

struct TestKlpRustDupFunc;

impl LivePatch for TestKlpRustDupFunc {
    const OBJECTS: &'static [Object] = &[Object::vmlinux(&[
        targets::cmdline_proc_show(cmdline_proc_show),
        targets::cmdline_proc_show(cmdline_proc_show),
    ])];
}
