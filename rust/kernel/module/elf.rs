// SPDX-License-Identifier: GPL-2.0

//! Typed views of a module's ELF sections, symbol table and relocations, as the module loader
//! keeps them in memory.
//!
//! The loader validates the ELF image, lays the sections out and keeps the headers; these views
//! read them without copying and check every index against the table it indexes, so a bad
//! index is an error rather than an out-of-bounds access.
//!
//! C headers: [`include/uapi/linux/elf.h`](srctree/include/uapi/linux/elf.h),
//! [`include/linux/moduleloader.h`](srctree/include/linux/moduleloader.h)

use crate::{
    bindings,
    ffi::c_char,
    str::{
        CStr,
        CStrExt, //
    },
};
use core::marker::PhantomData;

/// A module's section headers and their names (`Elf_Shdr` array and `.shstrtab`).
///
/// # Invariants
///
/// `hdrs` points to `count` section headers and `names` to the section-name strings, valid for
/// `'a`; every `sh_name` is the offset of a NUL-terminated string in `names`; the section
/// contents (`sh_addr`, `sh_size`) are in memory. Nothing writes the headers during `'a`.
#[derive(Clone, Copy)]
pub struct Sections<'a> {
    hdrs: *const bindings::Elf64_Shdr,
    count: usize,
    names: *const c_char,
    _p: PhantomData<&'a bindings::Elf64_Shdr>,
}

impl<'a> Sections<'a> {
    /// Creates a view of the loader's section headers.
    ///
    /// # Safety
    ///
    /// As in the type invariants; `count` may exceed the real number only if no index beyond
    /// it is ever asked for (the module loader's own indices).
    pub unsafe fn from_raw(
        hdrs: *const bindings::Elf64_Shdr,
        count: usize,
        names: *const c_char,
    ) -> Self {
        // INVARIANT: Guaranteed by the caller.
        Self {
            hdrs,
            count,
            names,
            _p: PhantomData,
        }
    }

    /// The raw section headers, for C functions that take them.
    pub fn as_raw(&self) -> *mut bindings::Elf64_Shdr {
        self.hdrs.cast_mut()
    }

    /// The section names, for C functions that take them.
    pub fn names_raw(&self) -> *const c_char {
        self.names
    }

    /// The number of sections (including the null section 0).
    pub fn count(&self) -> usize {
        self.count
    }

    /// The section with index `index`.
    pub fn get(&self, index: usize) -> Option<Section<'a>> {
        if index >= self.count {
            return None;
        }
        // SAFETY: `index < count`, and the headers are valid for `'a` (type invariants).
        let hdr = unsafe { &*self.hdrs.add(index) };
        // SAFETY: `sh_name` is the offset of a string in `names` (type invariants).
        let name = unsafe { CStr::from_char_ptr(self.names.add(hdr.sh_name as usize)) };
        Some(Section { hdr, index, name })
    }

    /// Every section but the null one, in index order.
    pub fn iter(&self) -> impl Iterator<Item = Section<'a>> + '_ {
        (1..self.count).filter_map(|i| self.get(i))
    }
}

/// One section header.
#[derive(Clone, Copy)]
pub struct Section<'a> {
    hdr: &'a bindings::Elf64_Shdr,
    index: usize,
    name: &'a CStr,
}

impl<'a> Section<'a> {
    /// The section's index.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The section's name.
    pub fn name(&self) -> &'a CStr {
        self.name
    }

    /// The section's flags (`SHF_*`).
    pub fn flags(&self) -> u64 {
        self.hdr.sh_flags
    }

    /// Where the section's contents are in memory.
    pub fn addr(&self) -> usize {
        self.hdr.sh_addr as usize
    }

    /// The size of the contents, in bytes.
    pub fn size(&self) -> usize {
        self.hdr.sh_size as usize
    }

    /// The section's contents as relocations (whole entries only), as C's callers read any
    /// section flagged as one; `None` if its address is NULL or misaligned.
    pub fn relas(&self) -> Option<&'a [bindings::Elf64_Rela]> {
        let entry = core::mem::size_of::<bindings::Elf64_Rela>();
        if self.addr() == 0 || self.addr() % core::mem::align_of::<bindings::Elf64_Rela>() != 0 {
            return None;
        }
        // SAFETY: The loader placed the section's `sh_size` bytes at `sh_addr` (type
        // invariants of `Sections`), aligned for its entries; we take whole entries only.
        Some(unsafe {
            core::slice::from_raw_parts(
                self.addr() as *const bindings::Elf64_Rela,
                self.size() / entry,
            )
        })
    }
}

/// The symbol index of a relocation (`ELF64_R_SYM()`).
///
/// ```
/// use kernel::{bindings::Elf64_Rela, module::elf::rela_symbol};
///
/// let rela = Elf64_Rela { r_offset: 0, r_info: (7 << 32) | 2, r_addend: -4 };
/// assert_eq!(rela_symbol(&rela), 7);
/// ```
pub fn rela_symbol(rela: &bindings::Elf64_Rela) -> usize {
    (rela.r_info >> 32) as usize
}

/// A module's symbol table and its strings, writable: the loader and live patching resolve
/// symbols by writing their values.
///
/// # Invariants
///
/// `syms` points to `count` symbols and `strings` to the string table, valid for `'a`, and
/// nothing else accesses the symbols during `'a`; every `st_name` is the offset of a
/// NUL-terminated string in `strings`.
pub struct SymbolTable<'a> {
    syms: *mut bindings::Elf64_Sym,
    count: usize,
    strings: *const c_char,
    _p: PhantomData<&'a mut bindings::Elf64_Sym>,
}

impl<'a> SymbolTable<'a> {
    /// The symbol table in section `symtab` of `sections`, with strings `strings`.
    ///
    /// # Safety
    ///
    /// The section must be the module's validated symbol table, in memory, and `strings` its
    /// string table; nothing else may access the symbols during `'a`.
    pub unsafe fn from_section(symtab: Section<'a>, strings: *const c_char) -> Self {
        let entry = core::mem::size_of::<bindings::Elf64_Sym>();
        // INVARIANT: Guaranteed by the caller; whole entries only.
        Self {
            syms: symtab.addr() as *mut bindings::Elf64_Sym,
            count: symtab.size() / entry,
            strings,
            _p: PhantomData,
        }
    }

    /// The string table, for C functions that take it.
    pub fn strings_raw(&self) -> *const c_char {
        self.strings
    }

    /// The number of symbols.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether the table has no symbols.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The symbol with index `index`.
    pub fn get(&self, index: usize) -> Option<Symbol<'_>> {
        if index >= self.count {
            return None;
        }
        // SAFETY: `index < count`; the symbols are valid and ours for `'a` (type invariants).
        let sym = unsafe { &*self.syms.add(index) };
        // SAFETY: `st_name` is the offset of a string in `strings` (type invariants).
        let name = unsafe { CStr::from_char_ptr(self.strings.add(sym.st_name as usize)) };
        Some(Symbol { sym, name })
    }

    /// Sets the value (address) of symbol `index`; false if there is no such symbol.
    pub fn set_value(&mut self, index: usize, value: usize) -> bool {
        if index >= self.count {
            return false;
        }
        // SAFETY: `index < count`; `&mut self` gives exclusive access to the symbols.
        unsafe { (*self.syms.add(index)).st_value = value as u64 };
        true
    }
}

/// One symbol of a [`SymbolTable`].
pub struct Symbol<'s> {
    sym: &'s bindings::Elf64_Sym,
    name: &'s CStr,
}

impl<'s> Symbol<'s> {
    /// The symbol's name.
    pub fn name(&self) -> &'s CStr {
        self.name
    }

    /// The index of the section the symbol is defined in, or a special index (`SHN_*`).
    pub fn section_index(&self) -> u32 {
        u32::from(self.sym.st_shndx)
    }

    /// The symbol's value.
    pub fn value(&self) -> usize {
        self.sym.st_value as usize
    }
}

/// The ELF information a live-patch module keeps after loading (`struct klp_modinfo`), for
/// relocations against modules loaded later.
///
/// # Invariants
///
/// `info` is the `klp_info` of a live module, valid for `'a`, and `strings` the module's
/// symbol strings.
#[cfg(CONFIG_LIVEPATCH)]
pub struct KlpModInfo<'a> {
    info: &'a bindings::klp_modinfo,
    strings: *const c_char,
}

#[cfg(CONFIG_LIVEPATCH)]
impl<'a> KlpModInfo<'a> {
    /// # Safety
    ///
    /// As in the type invariants.
    pub(crate) unsafe fn from_raw(
        info: core::ptr::NonNull<bindings::klp_modinfo>,
        strings: *const c_char,
    ) -> Self {
        // SAFETY: Guaranteed by the caller.
        Self {
            info: unsafe { info.as_ref() },
            strings,
        }
    }

    /// The module's sections.
    pub fn sections(&self) -> Sections<'a> {
        // SAFETY: `klp_info` holds a copy of all `e_shnum` headers and of the section names,
        // and its sections' addresses point into the module (type invariants).
        unsafe {
            Sections::from_raw(
                self.info.sechdrs,
                usize::from(self.info.hdr.e_shnum),
                self.info.secstrings,
            )
        }
    }

    /// The index of the symbol table section.
    pub fn symtab_index(&self) -> usize {
        self.info.symndx as usize
    }

    /// The symbol strings (the module's core kallsyms string table).
    pub fn strings(&self) -> *const c_char {
        self.strings
    }
}

#[crate::prelude::kunit_tests(rust_module_elf)]
mod tests {
    use super::*;

    fn shdr(name: u32, addr: usize, size: usize, flags: u64) -> bindings::Elf64_Shdr {
        bindings::Elf64_Shdr {
            sh_name: name,
            sh_type: 0,
            sh_flags: flags,
            sh_addr: addr as u64,
            sh_offset: 0,
            sh_size: size as u64,
            sh_link: 0,
            sh_info: 0,
            sh_addralign: 0,
            sh_entsize: 0,
        }
    }

    fn sym(name: u32, shndx: u16) -> bindings::Elf64_Sym {
        bindings::Elf64_Sym {
            st_name: name,
            st_info: 0,
            st_other: 0,
            st_shndx: shndx,
            st_value: 0,
            st_size: 0,
        }
    }

    #[test]
    fn sections_symbols_and_relocations_are_bounds_checked() {
        let names = b"\0.symtab\0.klp.rela.vmlinux..text\0";
        let strings = b"\0first\0second\0";
        let mut syms = [sym(0, 0), sym(1, 0xff20), sym(7, 1)];
        let relas = [
            bindings::Elf64_Rela {
                r_offset: 0,
                r_info: 2 << 32,
                r_addend: 0,
            },
            bindings::Elf64_Rela {
                r_offset: 8,
                r_info: 9 << 32,
                r_addend: 0,
            },
        ];
        let hdrs = [
            shdr(0, 0, 0, 0),
            shdr(
                1,
                syms.as_mut_ptr() as usize,
                core::mem::size_of_val(&syms),
                0,
            ),
            shdr(
                9,
                relas.as_ptr() as usize,
                core::mem::size_of_val(&relas),
                1 << 20,
            ),
        ];
        // SAFETY: Three headers and their names, contents alive for the test.
        let sections = unsafe { Sections::from_raw(hdrs.as_ptr(), 3, names.as_ptr().cast()) };
        assert_eq!(sections.iter().count(), 2);
        assert!(sections.get(3).is_none());
        let rela = sections.get(2).unwrap();
        assert_eq!(rela.name(), c".klp.rela.vmlinux..text");
        assert_eq!(rela.flags(), 1 << 20);
        let entries = rela.relas().unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(rela_symbol(&entries[0]), 2);

        // SAFETY: The symbol table of the headers above, with its strings; ours alone.
        let mut symtab =
            unsafe { SymbolTable::from_section(sections.get(1).unwrap(), strings.as_ptr().cast()) };
        assert_eq!(symtab.len(), 3);
        assert_eq!(symtab.get(1).unwrap().name(), c"first");
        assert_eq!(symtab.get(1).unwrap().section_index(), 0xff20);
        assert_eq!(symtab.get(2).unwrap().name(), c"second");
        // An out-of-range index from a relocation is refused, not read.
        assert!(symtab.get(rela_symbol(&entries[1])).is_none());
        assert!(symtab.set_value(2, 0x1234));
        assert!(!symtab.set_value(3, 1));
        assert_eq!(symtab.get(2).unwrap().value(), 0x1234);
    }
}
