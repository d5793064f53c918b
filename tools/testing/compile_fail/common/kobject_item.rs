// SPDX-License-Identifier: GPL-2.0
//
// Shared by the kobject compile-fail cases: the `LocalModule` that `#[vtable]`
// implementations name, and a structure with an embedded kobject.

struct LocalModule;
impl kernel::ModuleMetadata for LocalModule {
    const NAME: &'static CStr = c"compile_fail";
    const THIS_MODULE: kernel::ThisModule = {
        // SAFETY: Never loaded; NULL is the built-in `THIS_MODULE`.
        unsafe { kernel::ThisModule::from_ptr(core::ptr::null_mut()) }
    };
}

struct Item {
    kobj: kernel::kobject::Kobject,
}

// SAFETY: `kobj` is at the offset given; nothing to free.
unsafe impl kernel::kobject::KobjectType for Item {
    const KOBJECT_OFFSET: usize = core::mem::offset_of!(Item, kobj);
    unsafe fn release(_this: core::ptr::NonNull<Self>) {}
}
