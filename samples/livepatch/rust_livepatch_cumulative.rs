// SPDX-License-Identifier: GPL-2.0

//! Rust live patch sample: a cumulative patch with callbacks and a system state.
//!
//! It replaces `cmdline_proc_show()` and `meminfo_proc_show()`, atomically replacing every patch
//! enabled before it (`livepatch-sample` or `rust_livepatch_sample`, for instance), which it
//! disables when its transition completes. Its callbacks log each step for vmlinux, and it
//! keeps a system state: a later patch must carry state 1 at version 1 or higher.
//!
//!     insmod livepatch-sample.ko
//!     insmod rust_livepatch_cumulative.ko
//!     cat /proc/cmdline /proc/meminfo

use kernel::{
    livepatch::{
        targets,
        LivePatch,
        Object,
        ObjectRef,
        State, //
    },
    prelude::*,
    seq_file::SeqFile,
    seq_print,
};

kernel::module_livepatch! {
    type: RustLivepatchCumulative,
    name: "rust_livepatch_cumulative",
    authors: ["Rust livepatch core developers"],
    description: "Rust live patch sample: a cumulative patch with callbacks",
    license: "GPL",
}

/// The state this patch introduces: the two files say they were patched.
const PATCHED_PROC_FILES: State = State::new(1, 1);

fn cmdline_proc_show(m: &SeqFile) -> Result {
    seq_print!(m, "this has been live patched (cumulatively)\n");
    Ok(())
}

fn meminfo_proc_show(m: &SeqFile) -> Result {
    seq_print!(m, "this has been live patched (cumulatively)\n");
    Ok(())
}

struct RustLivepatchCumulative;

impl LivePatch for RustLivepatchCumulative {
    const OBJECTS: &'static [Object] = &[Object::vmlinux(&[
        targets::cmdline_proc_show(cmdline_proc_show),
        targets::meminfo_proc_show(meminfo_proc_show),
    ])
    .with_callbacks()];

    const STATES: &'static [State] = &[PATCHED_PROC_FILES];

    fn replace() -> bool {
        true
    }

    fn pre_patch(obj: &ObjectRef) -> Result {
        match obj.prev_state(PATCHED_PROC_FILES.id()) {
            Some(state) => pr_info!("pre_patch: taking over state version {}\n", state.version()),
            None => pr_info!("pre_patch: new state\n"),
        }
        Ok(())
    }

    fn post_patch(_obj: &ObjectRef) {
        pr_info!("post_patch: the patches before this one are replaced\n");
    }

    fn pre_unpatch(_obj: &ObjectRef) {
        pr_info!("pre_unpatch\n");
    }

    fn post_unpatch(_obj: &ObjectRef) {
        pr_info!("post_unpatch: the original functions run again\n");
    }
}
