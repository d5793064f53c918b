// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: a cumulative Rust patch with system state 1 at version 2, for
//! `test-rust-samples.sh` (`rust_livepatch_cumulative` has it at version 1).

use kernel::{
    livepatch::{
        LivePatch,
        Object,
        ObjectRef,
        State, //
    },
    prelude::*,
};

kernel::module_livepatch! {
    type: TestKlpRustStateV2,
    name: "test_klp_rust_state_v2",
    authors: ["Rust livepatch core developers"],
    description: "Livepatch test: system state 1 at version 2 (Rust)",
    license: "GPL",
}

struct TestKlpRustStateV2;

impl LivePatch for TestKlpRustStateV2 {
    const OBJECTS: &'static [Object] = &[Object::vmlinux(&[]).with_callbacks()];

    const STATES: &'static [State] = &[State::new(1, 2)];

    fn replace() -> bool {
        true
    }

    fn pre_patch(obj: &ObjectRef) -> Result {
        match obj.prev_state(1) {
            Some(state) => pr_info!("pre_patch: state 1 was at version {}\n", state.version()),
            None => pr_info!("pre_patch: no state 1 before\n"),
        }
        Ok(())
    }
}
