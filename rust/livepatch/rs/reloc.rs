// SPDX-License-Identifier: GPL-2.0-or-later

//! `.klp.rela` relocations: how a patch module reaches symbols that are not exported
//! (`core.c`'s `klp_apply_section_relocs()` and `klp_write_object_relocs()`).
//!
//! A patch module's relocation section `.klp.rela.<object>.<section>` refers to symbols marked
//! `SHN_LIVEPATCH` and named `.klp.sym.<object>.<name>,<position>`. The core resolves each
//! through kallsyms and lets the architecture write the relocations: for vmlinux while the
//! patch module loads, for a module when that module is (or comes) in memory. The names are
//! parsed here exactly as the C core's `sscanf()` formats do, field widths included.

use crate::{
    model::{
        Object,
        Patch, //
    },
    symbols::find_object_symbol,
};
use kernel::{
    bindings,
    ffi::{
        c_char,
        c_uint,
        c_void, //
    },
    module::{
        elf::{
            rela_symbol,
            Sections,
            SymbolTable, //
        },
        LoadedModule,
    },
    prelude::*,
};

/// Widths of the C core's `sscanf()` fields: the smallest `MODULE_NAME_LEN` of any
/// architecture, less the NUL, and `KSYM_NAME_LEN`, less the NUL.
const OBJNAME_WIDTH: usize = 55;
const SYMNAME_WIDTH: usize = 511;
const _: () = assert!(bindings::MODULE_NAME_LEN > OBJNAME_WIDTH);
const _: () = assert!(bindings::KSYM_NAME_LEN as usize == SYMNAME_WIDTH + 1);

/// `%<width>[^<stop>]`: one to `width` bytes up to `stop`; `None` if there is none.
fn scan_until(s: &[u8], width: usize, stop: u8) -> Option<(&[u8], &[u8])> {
    let n = s.iter().take(width).take_while(|&&c| c != stop).count();
    (n > 0).then(|| s.split_at(n))
}

/// `%lu` of the kernel's `vsscanf()`: optional leading white space, then at least one decimal
/// digit; the value wraps around as `simple_strntoull()` does; the rest is ignored.
fn scan_ulong(s: &[u8]) -> Option<usize> {
    let s = &s[s
        .iter()
        .take_while(|&&c| c.is_ascii_whitespace() || c == 0x0b || c == 0xa0)
        .count()..];
    let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    Some(s[..digits].iter().fold(0usize, |v, &d| {
        v.wrapping_mul(10).wrapping_add(usize::from(d - b'0'))
    }))
}

/// The object name of a `.klp.rela.<object>.<section>` section name (`KLP_RELOC_SEC_PREFIX
/// "%55[^.]"`).
fn parse_section_name(name: &[u8]) -> Option<&[u8]> {
    let rest = name.strip_prefix(b".klp.rela.")?;
    scan_until(rest, OBJNAME_WIDTH, b'.').map(|(obj, _)| obj)
}

/// A parsed `.klp.sym.<object>.<name>,<position>` symbol name.
#[derive(Debug, PartialEq)]
struct KlpSymbol<'a> {
    object: &'a [u8],
    name: &'a [u8],
    position: usize,
}

/// Parses a symbol name as `KLP_SYM_PREFIX "%55[^.].%511[^,],%lu"` does.
fn parse_symbol_name(s: &[u8]) -> Option<KlpSymbol<'_>> {
    let rest = s.strip_prefix(b".klp.sym.")?;
    let (object, rest) = scan_until(rest, OBJNAME_WIDTH, b'.')?;
    let rest = rest.strip_prefix(b".")?;
    let (name, rest) = scan_until(rest, SYMNAME_WIDTH, b',')?;
    let rest = rest.strip_prefix(b",")?;
    let position = scan_ulong(rest)?;
    Some(KlpSymbol {
        object,
        name,
        position,
    })
}

/// Copies `bytes` (no NUL in them) into `buf` as a C string.
fn to_cstr<'b>(bytes: &[u8], buf: &'b mut [u8]) -> Result<&'b CStr> {
    let dst = buf.get_mut(..=bytes.len()).ok_or(EINVAL)?;
    dst[..bytes.len()].copy_from_slice(bytes);
    dst[bytes.len()] = 0;
    CStr::from_bytes_with_nul(dst).map_err(|_| EINVAL)
}

/// Resolves the symbols the relocations of `relasec` refer to, writing their addresses into
/// the symbol table (`klp_resolve_symbols()`).
fn resolve_symbols(
    symtab: &mut SymbolTable<'_>,
    symndx: usize,
    relasec: &kernel::module::elf::Section<'_>,
    sec_object: &[u8],
) -> Result {
    let sec_vmlinux = sec_object == b"vmlinux";
    let relas = relasec.relas().ok_or(EINVAL)?;

    for (i, rela) in relas.iter().enumerate() {
        let index = rela_symbol(rela);
        let Some(sym) = symtab.get(index) else {
            // The C core would read past the symbol table here.
            pr_err!(
                "symbol index {} at rela sec {} idx {} is out of range\n",
                index,
                symndx,
                i
            );
            return Err(EINVAL);
        };
        let full_name = sym.name();
        if sym.section_index() != bindings::SHN_LIVEPATCH {
            pr_err!(
                "symbol {} at rela sec {} idx {} is not marked as a livepatch symbol\n",
                full_name,
                symndx,
                i
            );
            return Err(EINVAL);
        }

        let Some(parsed) = parse_symbol_name(full_name.to_bytes()) else {
            pr_err!("symbol {} has an incorrectly formatted name\n", full_name);
            return Err(EINVAL);
        };

        let mut name_buf = [0u8; SYMNAME_WIDTH + 1];
        let name = to_cstr(parsed.name, &mut name_buf)?;
        let sym_vmlinux = parsed.object == b"vmlinux";

        // Module-specific sections may not refer to vmlinux: its symbols may not be set up
        // yet when the module's special sections are, and exported ones need no `.klp.rela`.
        if !sec_vmlinux && sym_vmlinux {
            pr_err!(
                "invalid access to vmlinux symbol '{}' from module-specific livepatch relocation section\n",
                name
            );
            return Err(EINVAL);
        }

        let mut obj_buf = [0u8; OBJNAME_WIDTH + 1];
        let object = if sym_vmlinux {
            None
        } else {
            Some(to_cstr(parsed.object, &mut obj_buf)?)
        };
        let addr = find_object_symbol(object, name, parsed.position)?;
        symtab.set_value(index, addr);
    }
    Ok(())
}

/// Writes (or clears) the relocations of section `secndx` if it is a `.klp.rela` section for
/// `objname` (vmlinux if `None`) (`klp_write_section_relocs()`).
fn write_section_relocs(
    pmod: &LoadedModule,
    sections: Sections<'_>,
    strtab: *const c_char,
    symndx: usize,
    secndx: usize,
    objname: Option<&CStr>,
    apply: bool,
) -> Result {
    let sec = sections.get(secndx).ok_or(EINVAL)?;
    let Some(sec_object) = parse_section_name(sec.name().to_bytes()) else {
        pr_err!("section {} has an incorrectly formatted name\n", sec.name());
        return Err(EINVAL);
    };

    if objname.map_or(&b"vmlinux"[..], CStr::to_bytes) != sec_object {
        return Ok(());
    }

    // The indices come from the loader's (or `klp_info`'s) own section headers.
    let (Ok(symndx_c), Ok(secndx_c)) = (c_uint::try_from(symndx), c_uint::try_from(secndx)) else {
        return Err(EINVAL);
    };

    if apply {
        let symtab_sec = sections.get(symndx).ok_or(EINVAL)?;
        // SAFETY: The section is the module's symbol table, in memory, with `strtab` its
        // strings; the loader (or, for later objects, `klp_mutex`) gives us exclusive access.
        let mut symtab = unsafe { SymbolTable::from_section(symtab_sec, strtab) };
        resolve_symbols(&mut symtab, symndx, &sec, sec_object)?;
        // SAFETY: The headers, strings and indices are the module's; its symbols are resolved.
        return kernel::error::to_result(unsafe {
            bindings::apply_relocate_add(
                sections.as_raw(),
                strtab,
                symndx_c,
                secndx_c,
                pmod.as_raw(),
            )
        });
    }

    // SAFETY: As above, for relocations written earlier.
    unsafe {
        bindings::clear_relocate_add(sections.as_raw(), strtab, symndx_c, secndx_c, pmod.as_raw())
    };
    Ok(())
}

/// Writes the `.klp.rela` relocations of section `secndx` of a loading patch module for
/// `objname` (NULL: vmlinux); called by the module loader (`klp_apply_section_relocs()`).
///
/// # Safety
///
/// The arguments must be the loader's view of module `pmod` being loaded: its section headers
/// (with `secndx` and `symndx` valid indices), section names, symbol strings, and `objname`
/// NULL or a valid string.
#[export]
pub(crate) unsafe extern "C" fn klp_apply_section_relocs(
    pmod: *mut bindings::module,
    sechdrs: *mut bindings::Elf64_Shdr,
    shstrtab: *const c_char,
    strtab: *const c_char,
    symndx: c_uint,
    secndx: c_uint,
    objname: *const c_char,
) -> c_int {
    let (symndx, secndx) = (symndx as usize, secndx as usize);
    // SAFETY: The loader's section headers are valid for both indices (caller).
    let sections = unsafe { Sections::from_raw(sechdrs, symndx.max(secndx) + 1, shstrtab) };
    // SAFETY: `pmod` is the module being loaded (caller).
    let pmod = unsafe { LoadedModule::from_raw(pmod) };
    // SAFETY: A non-NULL `objname` is a valid string (caller).
    let objname = (!objname.is_null()).then(|| unsafe { CStr::from_char_ptr(objname) });
    match write_section_relocs(pmod, sections, strtab, symndx, secndx, objname, true) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// Writes or clears the `.klp.rela.<module>` relocations of `patch` for `obj`
/// (`klp_write_object_relocs()`).
fn write_object_relocs(patch: &Patch, obj: &Object, apply: bool) -> Result {
    let pmod = patch.module();
    // Patch modules always keep their ELF information (`is_livepatch_module()` was checked).
    let info = pmod.klp_info().ok_or(EINVAL)?;
    let sections = info.sections();
    for sec in sections.iter() {
        if sec.flags() & u64::from(bindings::SHF_RELA_LIVEPATCH) == 0 {
            continue;
        }
        write_section_relocs(
            pmod,
            sections,
            info.strings(),
            info.symtab_index(),
            sec.index(),
            obj.name(),
            apply,
        )?;
    }
    Ok(())
}

/// Writes the relocations of `patch` against `obj`'s module (`klp_apply_object_relocs()`).
pub(crate) fn apply_object_relocs(patch: &Patch, obj: &Object) -> Result {
    write_object_relocs(patch, obj, true)
}

/// Clears them when the module goes (`klp_clear_object_relocs()`).
pub(crate) fn clear_object_relocs(patch: &Patch, obj: &Object) {
    let _ = write_object_relocs(patch, obj, false);
}

/// Finds the section called `name` of live-patch module `module`, for klp-build's generated
/// init code (`klp_find_section_by_name()`): its address, and its size in `*sec_size` (0 and
/// NULL if there is none).
///
/// # Safety
///
/// `module` must be a loaded module, `name` a valid string and `sec_size` valid for writes.
#[export]
pub(crate) unsafe extern "C" fn klp_find_section_by_name(
    module: *const bindings::module,
    name: *const c_char,
    sec_size: *mut usize,
) -> *mut c_void {
    // SAFETY: The caller guarantees a loaded module and a valid string.
    let (module, name) = unsafe {
        (
            LoadedModule::from_raw(module.cast_mut()),
            CStr::from_char_ptr(name),
        )
    };
    let found = module.klp_info().and_then(|info| {
        info.sections()
            .iter()
            .find(|sec| sec.name() == name)
            .map(|sec| (sec.addr(), sec.size()))
    });
    let (addr, size) = found.unwrap_or((0, 0));
    // SAFETY: `sec_size` is valid for writes (caller).
    unsafe { sec_size.write(size) };
    addr as *mut c_void
}

#[kunit_tests(livepatch_reloc_names)]
mod tests {
    use super::*;

    #[test]
    fn symbol_names_parse_as_sscanf_does() {
        let s = parse_symbol_name(b".klp.sym.vmlinux.saved_command_line_len,0").unwrap();
        assert_eq!(
            s,
            KlpSymbol {
                object: b"vmlinux",
                name: b"saved_command_line_len",
                position: 0
            }
        );
        // `%lu` skips white space, stops at the first non-digit, and wraps around.
        assert_eq!(
            parse_symbol_name(b".klp.sym.m.f, 12x").unwrap().position,
            12
        );
        assert_eq!(
            parse_symbol_name(b".klp.sym.m.f,18446744073709551617")
                .unwrap()
                .position,
            1
        );
        // Names may hold dots; object names may not.
        assert_eq!(parse_symbol_name(b".klp.sym.m.a.b,1").unwrap().name, b"a.b");
        for bad in [
            &b".klp.sym.vmlinux.f"[..],
            b".klp.sym.vmlinux.f,",
            b".klp.sym.vmlinux.f,-1",
            b".klp.sym.vmlinux.,1",
            b".klp.sym..f,1",
            b".klp.sym.vmlinux",
            b".klp.syms.vmlinux.f,1",
            b"vmlinux.f,1",
        ] {
            assert!(parse_symbol_name(bad).is_none());
        }
        // Field widths: a 56-byte object name cannot be followed by the '.'.
        let mut long = KVec::new();
        long.extend_from_slice(b".klp.sym.", GFP_KERNEL).unwrap();
        for _ in 0..56 {
            long.push(b'o', GFP_KERNEL).unwrap();
        }
        long.extend_from_slice(b".f,1", GFP_KERNEL).unwrap();
        assert!(parse_symbol_name(&long).is_none());
    }

    #[test]
    fn section_names_parse_as_sscanf_does() {
        assert_eq!(
            parse_section_name(b".klp.rela.vmlinux..text"),
            Some(&b"vmlinux"[..])
        );
        assert_eq!(parse_section_name(b".klp.rela.mod"), Some(&b"mod"[..]));
        assert_eq!(parse_section_name(b".klp.rela..text"), None);
        assert_eq!(parse_section_name(b".rela.text"), None);
        // Longer object names are cut at 55 bytes, as `%55[^.]` does.
        let mut long = KVec::new();
        long.extend_from_slice(b".klp.rela.", GFP_KERNEL).unwrap();
        for _ in 0..60 {
            long.push(b'o', GFP_KERNEL).unwrap();
        }
        assert_eq!(parse_section_name(&long).map(<[u8]>::len), Some(55));
    }
}
