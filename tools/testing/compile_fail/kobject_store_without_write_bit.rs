// SPDX-License-Identifier: GPL-2.0
//
// A sysfs attribute whose mode does not match what it implements (here a
// `store` on a read-only file) is refused when its `kobj_type!` is built.
//
// expect-error: E0080

//! Compile-fail case: an attribute with `store` but mode 0444.

use core::ptr::NonNull;
use kernel::{
    kobj_type,
    kobject::{AttributeOps, Kobject, KobjectType},
    prelude::*,
};

struct LocalModule;
impl kernel::ModuleMetadata for LocalModule {
    const NAME: &'static CStr = c"compile_fail";
    // SAFETY: Never loaded; NULL is the built-in `THIS_MODULE`.
    const THIS_MODULE: kernel::ThisModule =
        unsafe { kernel::ThisModule::from_ptr(core::ptr::null_mut()) };
}

struct Item {
    kobj: Kobject,
}

// SAFETY: `kobj` is at the offset given; nothing to free.
unsafe impl KobjectType for Item {
    const KOBJECT_OFFSET: usize = core::mem::offset_of!(Item, kobj);
    unsafe fn release(_this: NonNull<Self>) {}
}

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
