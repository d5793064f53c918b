// SPDX-License-Identifier: GPL-2.0-or-later

//! The sysfs interface (`core.c`'s attributes and kobject types):
//!
//! ```text
//! /sys/kernel/livepatch/<patch>/{enabled,transition,force,replace,stack_order,blocking}
//! /sys/kernel/livepatch/<patch>/<object>/patched
//! /sys/kernel/livepatch/<patch>/<object>/<function,sympos>/active
//! ```
//!
//! Modes, parsing (`kstrtobool()`) and error codes are the C core's; see
//! `Documentation/ABI/testing/sysfs-kernel-livepatch`. `blocking` and `active` are the Rust
//! core's own (`Documentation/ABI/testing/sysfs-kernel-livepatch-rust`), and `transition` can be
//! polled.

use crate::{
    blocking,
    model::{
        self,
        Func,
        ObjectKobject,
        Patch, //
    },
    nops::{
        DynamicObject,
        NopFunc, //
    },
    redirect, registry, transition,
};
use core::fmt::Write;
use kernel::{
    kobj_type,
    kobject::{
        fmt_error,
        AttributeOps,
        KobjectType,
        SysfsBuffer, //
    },
    prelude::*,
    str::kstrtobool_bytes,
};

/// `enabled`: whether the patch is enabled (read without `klp_mutex`, as in C); writing the
/// other value disables it or reverses its transition.
struct Enabled;

#[vtable]
impl AttributeOps<Patch> for Enabled {
    const NAME: &'static CStr = c"enabled";
    const MODE: u16 = 0o644;

    fn show(patch: &Patch, out: &mut SysfsBuffer<'_>) -> Result {
        writeln!(out, "{}", u8::from(patch.enabled_once())).map_err(fmt_error)
    }

    fn store(patch: &Patch, input: &[u8]) -> Result {
        let enabled = kstrtobool_bytes(input)?;
        model::with_klp_mutex(|locked| {
            if patch.enabled() == enabled {
                // Already in the requested state.
                return Err(EINVAL);
            }
            // A transition may be reversed either way, so that it can complete without
            // `force`; a disabled patch cannot be enabled again.
            if model::transition_patch(locked).is_some_and(|t| core::ptr::eq(t, patch)) {
                transition::reverse_transition(locked)
            } else if !enabled {
                registry::disable(locked, patch)
            } else {
                Err(EINVAL)
            }
        })
    }
}

/// `transition`: whether the patch is in transition; `poll()` wakes when it changes.
struct Transition;

#[vtable]
impl AttributeOps<Patch> for Transition {
    const NAME: &'static CStr = c"transition";
    const MODE: u16 = 0o444;

    fn show(patch: &Patch, out: &mut SysfsBuffer<'_>) -> Result {
        let in_transition = core::ptr::eq(model::transition_patch_raw(), patch.as_raw());
        writeln!(out, "{}", u8::from(in_transition)).map_err(fmt_error)
    }
}

/// `force`: writing a true value switches every task of the patch's transition now.
struct Force;

#[vtable]
impl AttributeOps<Patch> for Force {
    const NAME: &'static CStr = c"force";
    const MODE: u16 = 0o200;

    fn store(patch: &Patch, input: &[u8]) -> Result {
        if !kstrtobool_bytes(input)? {
            return Ok(());
        }
        model::with_klp_mutex(|locked| {
            if !model::transition_patch(locked).is_some_and(|t| core::ptr::eq(t, patch)) {
                return Err(EINVAL);
            }
            transition::force_transition(locked);
            Ok(())
        })
    }
}

/// `replace`: whether the patch is cumulative.
struct Replace;

#[vtable]
impl AttributeOps<Patch> for Replace {
    const NAME: &'static CStr = c"replace";
    const MODE: u16 = 0o444;

    fn show(patch: &Patch, out: &mut SysfsBuffer<'_>) -> Result {
        writeln!(out, "{}", u8::from(patch.replace())).map_err(fmt_error)
    }
}

/// `stack_order`: the patch's 1-based position among the installed patches.
struct StackOrder;

#[vtable]
impl AttributeOps<Patch> for StackOrder {
    const NAME: &'static CStr = c"stack_order";
    const MODE: u16 = 0o444;

    fn show(patch: &Patch, out: &mut SysfsBuffer<'_>) -> Result {
        let order = model::with_klp_mutex(|locked| {
            let mut order = 0;
            for p in model::patches(locked).iter() {
                order += 1;
                if core::ptr::eq(p, patch) {
                    break;
                }
            }
            order
        });
        writeln!(out, "{}", order).map_err(fmt_error)
    }
}

/// `blocking` (Rust core only): while the patch is in transition, one line per task that kept
/// the last attempt from completing it, and why; empty otherwise. Root only: it names kernel
/// functions.
struct Blocking;

#[vtable]
impl AttributeOps<Patch> for Blocking {
    const NAME: &'static CStr = c"blocking";
    const MODE: u16 = 0o400;

    fn show(patch: &Patch, out: &mut SysfsBuffer<'_>) -> Result {
        if !core::ptr::eq(model::transition_patch_raw(), patch.as_raw()) {
            return Ok(());
        }
        blocking::show(out).map_err(fmt_error)
    }
}

/// The function a func kobject is for.
trait FuncKobject: KobjectType {
    fn func(&self) -> &Func;
}

impl FuncKobject for Func {
    fn func(&self) -> &Func {
        self
    }
}

impl FuncKobject for NopFunc {
    fn func(&self) -> &Func {
        NopFunc::func(self)
    }
}

/// `<object>/<function,sympos>/active` (Rust core only): whether this patch's version of the
/// function is the one calls go to, on top of the function's stack of patches (during a
/// transition, tasks that have not switched yet still run the one below).
struct Active;

#[vtable]
impl<T: FuncKobject> AttributeOps<T> for Active {
    const NAME: &'static CStr = c"active";
    const MODE: u16 = 0o444;

    fn show(func: &T, out: &mut SysfsBuffer<'_>) -> Result {
        let active = model::with_klp_mutex(|locked| redirect::is_on_top(locked, func.func()));
        writeln!(out, "{}", u8::from(active)).map_err(fmt_error)
    }
}

/// `<object>/patched`: whether the object's functions are redirected.
struct Patched;

#[vtable]
impl<T: ObjectKobject> AttributeOps<T> for Patched {
    const NAME: &'static CStr = c"patched";
    const MODE: u16 = 0o444;

    fn show(obj: &T, out: &mut SysfsBuffer<'_>) -> Result {
        writeln!(out, "{}", u8::from(obj.object().patched_once())).map_err(fmt_error)
    }
}

kobj_type!(pub(crate) static PATCH_TYPE: Patch = [Enabled, Transition, Force, Replace, StackOrder, Blocking]);
kobj_type!(pub(crate) static OBJECT_TYPE: model::Object = [Patched]);
kobj_type!(pub(crate) static DYNAMIC_OBJECT_TYPE: DynamicObject = [Patched]);
kobj_type!(pub(crate) static FUNC_TYPE: Func = [Active]);
kobj_type!(pub(crate) static NOP_FUNC_TYPE: NopFunc = [Active]);
