// SPDX-License-Identifier: GPL-2.0

//! Looking up kernel symbols by name (kallsyms).
//!
//! Symbol names are not unique: static functions of different files may share one. The
//! lookups here visit every match, in the order kallsyms keeps them, so a caller can pick the
//! n-th one (the "symbol position" live patches use), and stop early.
//!
//! C headers: [`include/linux/kallsyms.h`](srctree/include/linux/kallsyms.h),
//! [`include/linux/module.h`](srctree/include/linux/module.h)

use crate::{
    bindings,
    ffi::{
        c_char,
        c_int,
        c_ulong,
        c_void, //
    },
    str::{
        CStr,
        CStrExt, //
    },
};
use core::ops::ControlFlow;

/// Calls `f` with the address of every vmlinux symbol named `name`, in kallsyms order, until it
/// returns [`ControlFlow::Break`]. Module symbols are not visited. May sleep.
///
/// # Examples
///
/// ```
/// use core::ops::ControlFlow;
/// use kernel::kallsyms;
///
/// let mut found = 0;
/// kallsyms::for_each_vmlinux_match(c"schedule", &mut |addr| {
///     found = addr;
///     ControlFlow::Break(())
/// });
/// assert_ne!(found, 0);
/// ```
// Not generic (a `dyn` closure): callers in modules link only to this function.
#[inline(never)]
pub fn for_each_vmlinux_match(name: &CStr, f: &mut dyn FnMut(usize) -> ControlFlow<()>) {
    /// # Safety
    ///
    /// `data` is the `&mut &mut dyn FnMut` passed below, alive during the walk.
    unsafe extern "C" fn visit(data: *mut c_void, addr: c_ulong) -> c_int {
        // SAFETY: Guaranteed by the caller (the walk we started below).
        let f = unsafe { &mut *data.cast::<&mut dyn FnMut(usize) -> ControlFlow<()>>() };
        match f(addr as usize) {
            ControlFlow::Continue(()) => 0,
            ControlFlow::Break(()) => 1,
        }
    }
    let mut f = f;
    // SAFETY: `name` is a valid string; `visit` receives `&mut f`, alive until the call returns.
    unsafe {
        bindings::kallsyms_on_each_match_symbol(
            Some(visit),
            name.as_char_ptr(),
            (&raw mut f).cast(),
        )
    };
}

/// Calls `f` with the name and address of every symbol of the loaded module `module`, in
/// kallsyms order, until it returns [`ControlFlow::Break`]. Nothing is visited if no such
/// module is loaded. Takes `module_mutex`, so it may sleep, and loading or unloading a
/// module from `f` deadlocks.
///
/// # Examples
///
/// ```
/// use core::ops::ControlFlow;
/// use kernel::kallsyms;
///
/// let mut n = 0;
/// kallsyms::for_each_module_symbol(c"no_such_module_here", &mut |_, _| {
///     n += 1;
///     ControlFlow::Continue(())
/// });
/// assert_eq!(n, 0);
/// ```
#[inline(never)]
pub fn for_each_module_symbol(module: &CStr, f: &mut dyn FnMut(&CStr, usize) -> ControlFlow<()>) {
    /// # Safety
    ///
    /// `data` is the `&mut &mut dyn FnMut` passed below; `name` is a valid string.
    unsafe extern "C" fn visit(data: *mut c_void, name: *const c_char, addr: c_ulong) -> c_int {
        // SAFETY: Guaranteed by the caller (the walk we started below).
        let f = unsafe { &mut *data.cast::<&mut dyn FnMut(&CStr, usize) -> ControlFlow<()>>() };
        // SAFETY: kallsyms passes a NUL-terminated name, valid during the call.
        let name = unsafe { CStr::from_char_ptr(name) };
        match f(name, addr as usize) {
            ControlFlow::Continue(()) => 0,
            ControlFlow::Break(()) => 1,
        }
    }
    let mut f = f;
    // SAFETY: `module` is a valid string; `visit` receives `&mut f`, alive during the call.
    unsafe {
        bindings::module_kallsyms_on_each_symbol(
            module.as_char_ptr(),
            Some(visit),
            (&raw mut f).cast(),
        )
    };
}

/// The size of the symbol containing `addr`, and `addr`'s offset into it
/// (`kallsyms_lookup_size_offset()`); `None` if no symbol contains it.
///
/// # Examples
///
/// ```
/// use kernel::kallsyms::size_offset;
///
/// let addr = kernel::bindings::kallsyms_lookup_size_offset as *const () as usize;
/// let (size, offset) = size_offset(addr).unwrap();
/// assert!(size > 0);
/// assert_eq!(offset, 0);
/// ```
pub fn size_offset(addr: usize) -> Option<(usize, usize)> {
    let mut size: c_ulong = 0;
    let mut offset: c_ulong = 0;
    // SAFETY: Both out-pointers are valid for writes.
    let found =
        unsafe { bindings::kallsyms_lookup_size_offset(addr as c_ulong, &mut size, &mut offset) };
    (found != 0).then_some((size as usize, offset as usize))
}

#[crate::prelude::kunit_tests(rust_kallsyms)]
mod tests {
    use super::*;

    #[test]
    fn vmlinux_match_is_the_function() {
        let mut addrs = [0usize; 2];
        let mut n = 0;
        for_each_vmlinux_match(c"kallsyms_lookup_size_offset", &mut |addr| {
            if let Some(slot) = addrs.get_mut(n) {
                *slot = addr;
            }
            n += 1;
            ControlFlow::Continue(())
        });
        assert_eq!(n, 1);
        assert_eq!(
            addrs[0],
            bindings::kallsyms_lookup_size_offset as *const () as usize
        );
    }

    #[test]
    fn break_stops_the_walk() {
        // `_printk` has one match; ask for a name with several in most kernels and stop at
        // the first whatever their number.
        let mut n = 0;
        for_each_vmlinux_match(c"_printk", &mut |_| {
            n += 1;
            ControlFlow::Break(())
        });
        assert_eq!(n, 1);
    }

    #[test]
    fn unknown_names_and_addresses() {
        let mut n = 0;
        for_each_vmlinux_match(c"no_such_symbol_in_this_kernel", &mut |_| {
            n += 1;
            ControlFlow::Continue(())
        });
        assert_eq!(n, 0);
        assert!(size_offset(0).is_none());
    }
}
