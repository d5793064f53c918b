// SPDX-License-Identifier: GPL-2.0
//
// A `kobj_type!` lists only attributes written for its own structure: the
// `show` of another structure's attribute would receive the wrong `&T`.
//
// expect-error: E0277

//! Compile-fail case: an attribute of `Other` in the type of `Item`.

use core::{fmt::Write, ptr::NonNull};
use kernel::{
    kobj_type,
    kobject::{fmt_error, AttributeOps, Kobject, KobjectType, SysfsBuffer},
    prelude::*,
};

include!("common/kobject_item.rs");

struct Other {
    value: u64,
    kobj: Kobject,
}

// SAFETY: `kobj` is at the offset given; nothing to free.
unsafe impl KobjectType for Other {
    const KOBJECT_OFFSET: usize = core::mem::offset_of!(Other, kobj);
    unsafe fn release(_this: NonNull<Self>) {}
}

struct Value;

#[vtable]
impl AttributeOps<Other> for Value {
    const NAME: &'static CStr = c"value";
    const MODE: u16 = 0o444;
    fn show(this: &Other, out: &mut SysfsBuffer<'_>) -> Result {
        writeln!(out, "{}", this.value).map_err(fmt_error)
    }
}

kobj_type!(pub static ITEM_TYPE: Item = [Value]);
