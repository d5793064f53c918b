// SPDX-License-Identifier: GPL-2.0

//! The message of a C `WARN()`.

use crate::{
    bindings,
    ffi::c_void,
    fmt,
    str::CStrExt, //
};

/// Prints `args` as C's `WARN(cond, fmt, ...)` prints its message (`__warn_printk()`): at
/// `KERN_WARNING`, without the module's log prefix. Follow it with
/// [`warn_on!`](crate::warn_on) for the report itself.
///
/// # Examples
///
/// ```
/// use kernel::{fmt::CHashedPtr, print::warn_printk};
///
/// let x = 1u8;
/// warn_printk(fmt!("example <{}, {:x}>\n", CHashedPtr::new(&raw const x), 0x2au32));
/// ```
pub fn warn_printk(args: fmt::Arguments<'_>) {
    // SAFETY: The format is a C string whose one conversion, `%pA`, takes a `fmt::Arguments`,
    // which lives for the call.
    unsafe {
        bindings::_printk(
            c"\x014%pA".as_char_ptr(),
            core::ptr::from_ref(&args).cast::<c_void>(),
        )
    };
}
