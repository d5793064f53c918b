// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: the Rust twin of `test_klp_atomic_replace`, which replaces
//! `meminfo_proc_show()`, atomically replacing the patches before it if `replace=1`.

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
    type: TestKlpRustAtomicReplace,
    name: "test_klp_rust_atomic_replace",
    authors: ["Rust livepatch core developers"],
    description: "Livepatch test: atomic replace (Rust)",
    license: "GPL",
    params: {
        replace: i32 {
            default: 0,
            description: "replace (default=0)",
        },
    },
}

fn meminfo_proc_show(m: &SeqFile) -> Result {
    seq_print!(
        m,
        "test_klp_rust_atomic_replace: this has been live patched\n"
    );
    Ok(())
}

struct TestKlpRustAtomicReplace;

impl LivePatch for TestKlpRustAtomicReplace {
    const OBJECTS: &'static [Object] = &[Object::vmlinux(&[targets::meminfo_proc_show(
        meminfo_proc_show,
    )])];

    fn replace() -> bool {
        module_parameters::replace.value() != 0
    }
}
