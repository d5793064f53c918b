// SPDX-License-Identifier: GPL-2.0
//
// A sysfs attribute whose mode does not match what it implements (here a
// `store` on a read-only file) is refused when its `kobj_type!` is built.
//
// expect-error: E0080

//! Compile-fail case: an attribute with `store` but mode 0444.

use kernel::{kobj_type, kobject::AttributeOps, prelude::*};

include!("common/kobject_item.rs");

struct Writable;

#[vtable]
impl AttributeOps<Item> for Writable {
    const NAME: &'static CStr = c"writable";
    const MODE: u16 = 0o444;
    fn store(_this: &Item, _input: &[u8]) -> Result {
        Ok(())
    }
}

kobj_type!(pub static ITEM_TYPE: Item = [Writable]);
