// SPDX-License-Identifier: GPL-2.0-or-later

//! No-op functions for atomic replace (`core.c`'s `klp_add_nops()`).
//!
//! A cumulative patch (`replace`) takes over from every patch installed before it. Functions
//! those patches changed and the new one does not get a no-op: an entry on their stack that
//! runs the original code. The core allocates the no-ops, and objects to hold them when the
//! new patch has none for that module. Both are Rust-owned boxes linked into the patch's lists;
//! their kobject's release, which only the box types' `KobjType` has, frees them.

use crate::{
    model::{
        self,
        Func,
        FuncKobject,
        KlpMutexHeld,
        Object,
        ObjectKobject,
        Patch, //
    },
    sysfs,
};
use core::ptr::NonNull;
use kernel::{
    kobject::KobjectType,
    prelude::*,
    str::CString, //
};

/// An object the core allocated: it has the name of a module (or vmlinux) an older patch
/// changes and the new patch does not.
///
/// # Invariants
///
/// `obj`'s name points into `name`, which lives as long as the object.
#[repr(C)]
pub(crate) struct DynamicObject {
    obj: Object,
    name: Option<CString>,
}

// SAFETY: `obj` is the first field of this `repr(C)` struct, a transparent `klp_object`, whose
// kobject is `kobj`. The release frees the box `alloc_object()` leaked: the kobject's last
// reference is the box's last user.
unsafe impl KobjectType for DynamicObject {
    const KOBJECT_OFFSET: usize =
        core::mem::offset_of!(DynamicObject, obj) + Object::KOBJECT_OFFSET;

    unsafe fn release(this: NonNull<Self>) {
        // SAFETY: `this` came from `KBox::into_raw()` in `alloc_object()`; nothing uses it now.
        drop(unsafe { KBox::from_raw(this.as_ptr()) });
    }
}

// SAFETY: `obj` is at offset 0 (`repr(C)`, first field).
unsafe impl ObjectKobject for DynamicObject {}

/// A no-op function the core allocated (`nop` set): its replacement is the old function.
///
/// # Invariants
///
/// `func`'s `old_name` points into `name`, which lives as long as the function.
#[repr(C)]
pub(crate) struct NopFunc {
    func: Func,
    name: CString,
}

impl NopFunc {
    /// The no-op function.
    pub(crate) fn func(&self) -> &Func {
        &self.func
    }
}

// SAFETY: As for `DynamicObject`, with `klp_func`.
unsafe impl KobjectType for NopFunc {
    const KOBJECT_OFFSET: usize = core::mem::offset_of!(NopFunc, func) + Func::KOBJECT_OFFSET;

    unsafe fn release(this: NonNull<Self>) {
        // SAFETY: `this` came from `KBox::into_raw()` in `alloc_nop()`; nothing uses it now.
        drop(unsafe { KBox::from_raw(this.as_ptr()) });
    }
}

// SAFETY: `func` is at offset 0 (`repr(C)`, first field).
unsafe impl FuncKobject for NopFunc {}

// Both sit at offset 0, so the C lists' `container_of()` views work on them.
const _: () = assert!(core::mem::offset_of!(DynamicObject, obj) == 0);
const _: () = assert!(core::mem::offset_of!(NopFunc, func) == 0);

/// Allocates an object for `name` and links it to `patch` (`klp_alloc_object_dynamic()`).
fn alloc_object<'a>(
    locked: &KlpMutexHeld,
    patch: &'a Patch,
    name: Option<&CStr>,
) -> Result<&'a Object> {
    let name = name
        .map(|n| CString::try_from_fmt(fmt!("{}", n)))
        .transpose()?;
    let boxed = KBox::new(
        DynamicObject {
            obj: Object::zeroed_named(name.as_deref()),
            name,
        },
        GFP_KERNEL,
    )?;
    // INVARIANT: The name's buffer is on the heap: moving the `CString` into the box kept it.
    // The box is owned by the object's kobject from here on; its release frees it.
    let dynamic: &'a DynamicObject = KBox::leak(boxed);
    dynamic
        .obj
        .init_early(locked, patch, &sysfs::DYNAMIC_OBJECT_TYPE);
    dynamic.obj.set_dynamic(locked);
    Ok(&dynamic.obj)
}

/// Allocates a no-op for `old_func` in `obj` (`klp_alloc_func_nop()`). Its replacement address
/// is the old function's, set when the object is loaded.
fn alloc_nop(locked: &KlpMutexHeld, old_func: &Func, obj: &Object) -> Result {
    let name = CString::try_from_fmt(fmt!("{}", old_func.old_name()))?;
    let boxed = KBox::new(
        NopFunc {
            func: Func::zeroed_named(&name),
            name,
        },
        GFP_KERNEL,
    )?;
    // INVARIANT: As in `alloc_object()`.
    let nop: &NopFunc = KBox::leak(boxed);
    nop.func.init_early(locked, obj, &sysfs::NOP_FUNC_TYPE);
    nop.func.set_nop(locked, old_func.old_sympos());
    Ok(())
}

/// The object of `patch` for the same module (or vmlinux) as `old_obj` (`klp_find_object()`).
fn find_object<'a>(patch: &'a Patch, old_obj: &Object) -> Option<&'a Object> {
    patch
        .objects()
        .iter()
        .find(|obj| obj.name() == old_obj.name())
}

/// The function of `obj` replacing the same symbol as `old_func` (`klp_find_func()`); symbol
/// positions 0 and 1 both mean the first symbol.
fn find_func<'a>(obj: &'a Object, old_func: &Func) -> Option<&'a Func> {
    let first = |pos| if pos == 0 { 1 } else { pos };
    obj.funcs().iter().find(|func| {
        func.old_name() == old_func.old_name()
            && first(func.old_sympos()) == first(old_func.old_sympos())
    })
}

/// Adds no-ops to `patch` for the functions of `old_obj` it does not replace
/// (`klp_add_object_nops()`).
fn add_object_nops(locked: &KlpMutexHeld, patch: &Patch, old_obj: &Object) -> Result {
    let obj = match find_object(patch, old_obj) {
        Some(obj) => obj,
        None => alloc_object(locked, patch, old_obj.name())?,
    };
    for old_func in old_obj.funcs().iter() {
        if find_func(obj, old_func).is_none() {
            alloc_nop(locked, old_func, obj)?;
        }
    }
    Ok(())
}

/// Adds no-ops to a cumulative patch for every function of the installed patches it does not
/// replace itself (`klp_add_nops()`). On failure what was added stays linked, and the caller's
/// cleanup frees it.
pub(crate) fn add_nops(locked: &KlpMutexHeld, patch: &Patch) -> Result {
    for old_patch in model::patches(locked).iter() {
        for old_obj in old_patch.objects().iter() {
            add_object_nops(locked, patch, old_obj)?;
        }
    }
    Ok(())
}
