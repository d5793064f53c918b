// SPDX-License-Identifier: GPL-2.0-or-later

//! Setting up a patch's objects and functions: their sysfs directories, finding the patched
//! module, and resolving each function's old address through kallsyms (`core.c`'s
//! `klp_init_object()` and what it calls).

use crate::{
    model::{
        self,
        Func,
        KlpMutexHeld,
        Object,
        Patch, //
    },
    registry::object_name,
    reloc,
};
use core::ops::ControlFlow;
use kernel::{
    bindings,
    kallsyms,
    kobject::{
        self,
        KobjectType, //
    },
    module::LoadedModule,
    prelude::*,
    str::CString,
    sync::rcu, //
};

/// Finds the address of `name` in `objname` (vmlinux if `None`): the `sympos`-th symbol of that
/// name, or the only one if `sympos` is 0 (`klp_find_object_symbol()`).
pub(crate) fn find_object_symbol(
    objname: Option<&CStr>,
    name: &CStr,
    sympos: usize,
) -> Result<usize> {
    let mut addr = 0;
    let mut count = 0usize;
    // Stop at the wanted position, or at a second match when the name must be unique.
    let mut visit = |found: usize| {
        addr = found;
        count += 1;
        if (sympos != 0 && count == sympos) || (sympos == 0 && count > 1) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    match objname {
        Some(module) => kallsyms::for_each_module_symbol(module, &mut |sym, found| {
            if sym == name {
                visit(found)
            } else {
                ControlFlow::Continue(())
            }
        }),
        None => kallsyms::for_each_vmlinux_match(name, &mut visit),
    }

    if addr == 0 {
        pr_err!("symbol '{}' not found in symbol table\n", name);
    } else if count > 1 && sympos == 0 {
        // The C core prints a NULL object name (vmlinux) as printk does.
        pr_err!(
            "unresolvable ambiguity for symbol '{}' in object '{}'\n",
            name,
            objname.unwrap_or(c"(null)")
        );
    } else if sympos != count && sympos > 0 {
        pr_err!(
            "symbol position {} for symbol '{}' in object '{}' not found\n",
            sympos,
            name,
            objname.unwrap_or(c"vmlinux")
        );
    } else {
        return Ok(addr);
    }
    Err(EINVAL)
}

/// Points the object at its module if that is loaded and known to the core
/// (`klp_find_object_module()`). No reference is taken: `klp_module_going()` removes the
/// patch from a module that goes.
fn find_object_module(locked: &KlpMutexHeld, obj: &Object) {
    let Some(name) = obj.name() else {
        return;
    };
    let rcu = rcu::read_lock();
    // A module that is still coming (before `klp_module_coming()`) or already going (after
    // `klp_module_going()`) is handled by those two, not here.
    if let Some(module) = LoadedModule::find(name, &rcu) {
        if model::module_klp_alive(locked, module) {
            obj.set_module(locked, Some(module));
        }
    }
}

/// Resolves the addresses and sizes of the functions of an object whose code is in memory,
/// after writing its module-specific relocations (`klp_init_object_loaded()`).
pub(crate) fn init_object_loaded(locked: &KlpMutexHeld, patch: &Patch, obj: &Object) -> Result {
    if obj.name().is_some() {
        // Only `.klp.rela.<module>.*` here: the vmlinux ones were written when the patch
        // module itself was loaded.
        reloc::apply_object_relocs(patch, obj)?;
    }

    for func in obj.funcs().iter() {
        let old_func = find_object_symbol(obj.name(), func.old_name(), func.old_sympos())
            .inspect_err(|_| func.set_resolved(locked, 0, func.old_size(), func.new_size()))?;

        let Some((old_size, _)) = kallsyms::size_offset(old_func) else {
            func.set_resolved(locked, old_func, func.old_size(), func.new_size());
            pr_err!("kallsyms size lookup failed for '{}'\n", func.old_name());
            return Err(ENOENT);
        };

        if func.nop() {
            func.set_nop_target(locked, old_func);
        }

        let Some((new_size, _)) = kallsyms::size_offset(func.new_func()) else {
            func.set_resolved(locked, old_func, old_size, func.new_size());
            pr_err!(
                "kallsyms size lookup failed for '{}' replacement\n",
                func.old_name()
            );
            return Err(ENOENT);
        };
        func.set_resolved(locked, old_func, old_size, new_size);
    }
    Ok(())
}

/// Sets up a function: its sysfs directory `<name>,<sympos>` (`klp_init_func()`).
fn init_func(locked: &KlpMutexHeld, obj: &Object, func: &Func) -> Result {
    // No-ops get their address when the object is loaded.
    if !func.has_new_func() && !func.nop() {
        return Err(EINVAL);
    }
    if func.old_name().to_bytes().len() >= bindings::KSYM_NAME_LEN as usize {
        return Err(EINVAL);
    }

    func.init(locked);

    // A unique symbol (position 0) is the first one.
    let sympos = match func.old_sympos() {
        0 => 1,
        n => n,
    };
    let name = CString::try_from_fmt(fmt!("{},{}", func.old_name(), sympos))?;
    kobject::add(func, obj.kobject(), &name)
}

/// Sets up an object: its sysfs directory, its functions, and their addresses if its code is
/// in memory (`klp_init_object()`).
pub(crate) fn init_object(locked: &KlpMutexHeld, patch: &Patch, obj: &Object) -> Result {
    if let Some(name) = obj.name() {
        if name.to_bytes().len() >= bindings::MODULE_NAME_LEN {
            return Err(EINVAL);
        }
    }

    obj.set_patched(locked, false);
    obj.set_module(locked, None);

    find_object_module(locked, obj);

    kobject::add(obj, patch.kobject(), object_name(obj))?;

    for func in obj.funcs().iter() {
        init_func(locked, obj, func)?;
    }

    if obj.is_loaded() {
        init_object_loaded(locked, patch, obj)?;
    }
    Ok(())
}
