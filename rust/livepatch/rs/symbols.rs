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
    let mut found = Found::default();
    match objname {
        Some(module) => kallsyms::for_each_module_symbol(module, &mut |sym, addr| {
            if sym == name {
                found.visit(sympos, addr)
            } else {
                ControlFlow::Continue(())
            }
        }),
        None => kallsyms::for_each_vmlinux_match(name, &mut |addr| found.visit(sympos, addr)),
    }
    found.resolve(objname, name, sympos)
}

/// The symbols of one name seen so far, in kallsyms order: the last address and how many.
#[derive(Clone, Copy, Default)]
struct Found {
    addr: usize,
    count: usize,
    /// The walk may stop for this name: the `sympos`-th was found, or a second one for 0.
    done: bool,
}

impl Found {
    fn visit(&mut self, sympos: usize, addr: usize) -> ControlFlow<()> {
        if !self.done {
            self.addr = addr;
            self.count += 1;
            self.done = (sympos != 0 && self.count == sympos) || (sympos == 0 && self.count > 1);
        }
        if self.done {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    /// The address of the `sympos`-th symbol named `name` (the only one for 0), or the C
    /// core's message and `EINVAL`.
    fn resolve(self, objname: Option<&CStr>, name: &CStr, sympos: usize) -> Result<usize> {
        let Self { addr, count, .. } = self;
        if addr == 0 {
            pr_err!("symbol '{}' not found in symbol table\n", name);
        } else if count > 1 && sympos == 0 {
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
}

/// Finds the symbols of all of `funcs` in `module` in one walk of its symbol table, instead of
/// one walk per function (the C core's way, `O(functions × symbols)` string comparisons): the
/// wanted names are sorted, and each symbol is looked up among them. `None` without memory.
fn find_module_symbols(module: &CStr, funcs: &[&Func]) -> Option<KVec<Found>> {
    let mut wanted = KVec::with_capacity(funcs.len(), GFP_KERNEL).ok()?;
    for (i, func) in funcs.iter().enumerate() {
        wanted.push((func.old_name(), i), GFP_KERNEL).ok()?;
    }
    wanted.sort_unstable();
    let mut found = KVec::with_capacity(funcs.len(), GFP_KERNEL).ok()?;
    for _ in funcs {
        found.push(Found::default(), GFP_KERNEL).ok()?;
    }
    kallsyms::for_each_module_symbol(module, &mut |sym, addr| {
        let first = wanted.partition_point(|&(name, _)| name < sym);
        for &(_, i) in wanted[first..].iter().take_while(|&&(name, _)| name == sym) {
            let _ = found[i].visit(funcs[i].old_sympos(), addr);
        }
        ControlFlow::Continue(())
    });
    Some(found)
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

    // A module's symbols for all functions at once; vmlinux has an index by name already.
    let mut funcs = KVec::new();
    for func in obj.funcs().iter() {
        if funcs.push(func, GFP_KERNEL).is_err() {
            funcs.clear();
            break;
        }
    }
    let batch = match obj.name() {
        Some(module) if !funcs.is_empty() => find_module_symbols(module, &funcs),
        _ => None,
    };

    for (n, func) in obj.funcs().iter().enumerate() {
        let sympos = func.old_sympos();
        let old_func = match batch.as_ref().and_then(|found| found.get(n)) {
            Some(found) => found.resolve(obj.name(), func.old_name(), sympos),
            None => find_object_symbol(obj.name(), func.old_name(), sympos),
        }
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
