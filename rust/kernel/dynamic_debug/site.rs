// SPDX-License-Identifier: GPL-2.0

//! The call-site descriptor, `struct _ddebug`.

use crate::{
    bindings,
    ffi::{
        c_char,
        c_void, //
    },
    fmt,
    str::{
        as_char_ptr_in_const_context,
        CStr,
        CStrExt, //
    },
    types::Opaque,
};

/// `_DPRINTK_FLAGS_PRINT`: the site prints.
const FLAG_PRINT: u32 = 1 << 0;
/// Width of `lineno`, then of `class_id`, in the bitfield word of `struct _ddebug`.
const LINENO_BITS: u32 = 18;
const CLASS_BITS: u32 = 6;
/// `_DPRINTK_CLASS_DFLT`: the site belongs to no class.
const CLASS_DEFAULT: u32 = (1 << CLASS_BITS) - 1;
/// Position of `flags` in the bitfield word.
const FLAGS_SHIFT: u32 = LINENO_BITS + CLASS_BITS;

/// One dynamic debug call site, laid out as `struct _ddebug`.
///
/// Only [`dynamic_pr_debug!`](crate::dynamic_pr_debug) creates descriptors, as statics in the
/// `__dyndbg` section.
///
/// # Invariants
///
/// The four strings are `'static` C strings. After boot (or module load) the dynamic
/// debug core owns `bits` and `key`: it rewrites the flags under its own lock, so Rust only
/// reads them, with single volatile loads.
#[repr(C, align(8))]
pub struct Descriptor {
    modname: *const c_char,
    function: *const c_char,
    filename: *const c_char,
    format: *const c_char,
    /// `lineno:18`, `class_id:6`, `flags:8`, allocated like C bitfields of one `unsigned int`.
    bits: Opaque<u32>,
    /// The static key the C core flips with the flags; never used as a branch from Rust.
    #[cfg(CONFIG_JUMP_LABEL)]
    key: Opaque<bindings::static_key>,
}

// The layout must be the C one: the dynamic debug core walks the section as an array.
const _: () = {
    use core::mem::{
        align_of,
        offset_of,
        size_of, //
    };
    assert!(size_of::<Descriptor>() == size_of::<bindings::_ddebug>());
    assert!(align_of::<Descriptor>() == align_of::<bindings::_ddebug>());
    assert!(offset_of!(Descriptor, modname) == offset_of!(bindings::_ddebug, modname));
    assert!(offset_of!(Descriptor, function) == offset_of!(bindings::_ddebug, function));
    assert!(offset_of!(Descriptor, filename) == offset_of!(bindings::_ddebug, filename));
    assert!(offset_of!(Descriptor, format) == offset_of!(bindings::_ddebug, format));
    assert!(offset_of!(Descriptor, bits) == offset_of!(bindings::_ddebug, format) + 8);
    #[cfg(CONFIG_JUMP_LABEL)]
    assert!(offset_of!(Descriptor, key) == offset_of!(bindings::_ddebug, key));
};

// SAFETY: The strings are immutable and `'static`; the mutable parts are only written by the
// dynamic debug core under its lock and read here with single loads.
unsafe impl Sync for Descriptor {}

impl Descriptor {
    /// A descriptor for one call site, printing off (as C without `DEBUG`).
    ///
    /// [`dynamic_pr_debug!`] builds the strings.
    #[doc(hidden)]
    pub const fn new(
        modname: &'static CStr,
        function: &'static CStr,
        filename: &'static CStr,
        format: &'static CStr,
        line: u32,
    ) -> Self {
        let lineno = line & ((1 << LINENO_BITS) - 1);
        // INVARIANT: The strings are `'static` C strings.
        Self {
            modname: as_char_ptr_in_const_context(modname),
            function: as_char_ptr_in_const_context(function),
            filename: as_char_ptr_in_const_context(filename),
            format: as_char_ptr_in_const_context(format),
            bits: Opaque::new(bit_word(lineno, CLASS_DEFAULT, 0)),
            #[cfg(CONFIG_JUMP_LABEL)]
            // `STATIC_KEY_FALSE_INIT` is all zeroes: disabled, no jump entries.
            key: Opaque::zeroed(),
        }
    }

    /// Whether the site is switched on (`+p`).
    #[inline]
    pub fn enabled(&self) -> bool {
        // SAFETY: `bits` is valid; the dynamic debug core writes it with a plain store, and a
        // racing read only delays the effect of a query, as for C without jump labels.
        let bits = unsafe { core::ptr::read_volatile(self.bits.get()) };
        (bits >> FLAGS_SHIFT) & FLAG_PRINT != 0
    }

    /// Prints `args` through the dynamic debug core, which adds the prefixes the site's flags
    /// ask for (`+m`, `+f`, `+l`, `+t`) and prints at `KERN_DEBUG`.
    #[cold]
    #[inline(never)]
    pub fn print(&'static self, prefix: &'static CStr, args: fmt::Arguments<'_>) {
        // SAFETY: `self` is a live descriptor with the C layout; the format consumes a C string
        // and a `fmt::Arguments` for `%pA`, both valid for the call.
        unsafe {
            bindings::__dynamic_pr_debug(
                self.as_raw(),
                c"%s: %pA".as_char_ptr(),
                prefix.as_char_ptr(),
                core::ptr::from_ref(&args).cast::<c_void>(),
            )
        };
    }

    /// Prints `head`, the bytes of `raw` as C's `%s` prints them (unchanged, even where they
    /// are not UTF-8, e.g. a task's `comm`), then `tail`.
    #[cold]
    #[inline(never)]
    pub fn print_raw(
        &'static self,
        prefix: &'static CStr,
        head: fmt::Arguments<'_>,
        raw: &CStr,
        tail: fmt::Arguments<'_>,
    ) {
        // SAFETY: As in `print()`: C strings for the two `%s`, `fmt::Arguments` for the two
        // `%pA`, all valid for the call.
        unsafe {
            bindings::__dynamic_pr_debug(
                self.as_raw(),
                c"%s: %pA%s%pA".as_char_ptr(),
                prefix.as_char_ptr(),
                core::ptr::from_ref(&head).cast::<c_void>(),
                raw.as_char_ptr(),
                core::ptr::from_ref(&tail).cast::<c_void>(),
            )
        };
    }

    fn as_raw(&'static self) -> *mut bindings::_ddebug {
        // CAST: `Descriptor` has the layout of `struct _ddebug` (asserted above); the dynamic
        // debug core only reads it here, and the mutable parts are `Opaque`.
        core::ptr::from_ref(self)
            .cast_mut()
            .cast::<bindings::_ddebug>()
    }
}

/// Packs the bitfield word of `struct _ddebug` for this target's bitfield allocation order.
const fn bit_word(lineno: u32, class_id: u32, flags: u32) -> u32 {
    let word = lineno | (class_id << LINENO_BITS) | (flags << FLAGS_SHIFT);
    if cfg!(target_endian = "little") {
        word
    } else {
        // Big-endian ABIs allocate bitfields from the most significant bit.
        (lineno << (32 - LINENO_BITS)) | (class_id << (32 - FLAGS_SHIFT)) | flags
    }
}
