// SPDX-License-Identifier: GPL-2.0

//! Dynamic debug for Rust: `pr_debug` call sites that `dynamic_debug/control` can switch on and
//! off at run time, exactly like C's `pr_debug()` under `CONFIG_DYNAMIC_DEBUG`.
//!
//! Each [`dynamic_pr_debug!`](crate::dynamic_pr_debug) call site places a [`Descriptor`]
//! (a `struct _ddebug`) in the `__dyndbg` section, so the dynamic debug core lists it with its
//! module, function, file, line and format, and queries such as `file kernel/livepatch/* +p` or
//! `func some_fn -p` match it. Rust has no `__func__`: the function name is given at the call
//! site, or defaults to the module path. The file name is `file!()`, which kbuild makes relative
//! to the source tree (`--remap-path-prefix`), as `__FILE__` is for C.
//!
//! C header: [`include/linux/dynamic_debug.h`](srctree/include/linux/dynamic_debug.h)

#[cfg(CONFIG_DYNAMIC_DEBUG_CORE)]
mod site;
#[cfg(CONFIG_DYNAMIC_DEBUG_CORE)]
pub use site::Descriptor;

/// Prints a debug message that `dynamic_debug/control` switches on and off.
///
/// The equivalent of C's `pr_debug()` with `CONFIG_DYNAMIC_DEBUG`: off until a query enables
/// the site, then printed at `KERN_DEBUG` with the crate's log prefix. Start with
/// `fn "name",` to set the function name queries match (`func name`); it defaults to the
/// module path.
///
/// To print bytes as C's `%s` does (unchanged, even where they are not UTF-8, such as a task's
/// `comm`), split the message around them: `fn "name", ("head {}", a), %s raw, ("tail {}\n", b)`
/// prints `head`, then the C string `raw`, then `tail`.
///
/// # Examples
///
/// ```
/// let pid = 1;
/// // Listed in `dynamic_debug/control` as function `my_function`, off by default.
/// kernel::dynamic_pr_debug!(fn "my_function", "task {} is running\n", pid);
/// // Listed under the module path.
/// kernel::dynamic_pr_debug!("no function name given\n");
/// // Bytes printed as `%s` prints them.
/// let name = c"k\xe4fer";
/// kernel::dynamic_pr_debug!(fn "my_function", ("task "), %s name, (":{} sleeps\n", pid));
/// ```
#[macro_export]
macro_rules! dynamic_pr_debug {
    (fn $func:literal, ($hfmt:tt $($harg:tt)*), %s $raw:expr, ($tfmt:tt $($targ:tt)*) $(,)?) => {
        $crate::__dynamic_pr_debug_site!(
            [$func], [$hfmt, "%s", $tfmt],
            print_raw(
                $crate::prelude::fmt!($hfmt $($harg)*),
                $raw,
                $crate::prelude::fmt!($tfmt $($targ)*)
            )
        )
    };
    (fn $func:literal, $fmt:tt $($arg:tt)*) => {
        $crate::__dynamic_pr_debug_site!(
            [$func], [$fmt], print($crate::prelude::fmt!($fmt $($arg)*))
        )
    };
    ($fmt:tt $($arg:tt)*) => {
        $crate::__dynamic_pr_debug_site!(
            [::core::module_path!()], [$fmt], print($crate::prelude::fmt!($fmt $($arg)*))
        )
    };
}

/// One [`dynamic_pr_debug!`] site; without `CONFIG_DYNAMIC_DEBUG` only the arguments are
/// type-checked, as C's `no_printk()` does.
#[doc(hidden)]
#[macro_export]
// The log prefix is the calling crate's, as for the `pr_*!` macros.
#[expect(clippy::crate_in_macro_def)]
macro_rules! __dynamic_pr_debug_site {
    ([$($func:tt)*], [$($fmt:tt)*], $print:ident($($args:tt)*)) => {{
        #[cfg(CONFIG_DYNAMIC_DEBUG)]
        {
            const __PREFIX: &$crate::str::CStr =
                match $crate::str::CStr::from_bytes_with_nul(crate::__LOG_PREFIX) {
                    Ok(prefix) => prefix,
                    Err(_) => panic!("the log prefix must be a C string"),
                };
            #[link_section = "__dyndbg"]
            #[used]
            static __DDEBUG: $crate::dynamic_debug::Descriptor =
                $crate::dynamic_debug::Descriptor::new(
                    __PREFIX,
                    $crate::c_str!($($func)*),
                    $crate::c_str!(::core::file!()),
                    $crate::c_str!(::core::concat!($($fmt)*)),
                    ::core::line!(),
                );
            if __DDEBUG.enabled() {
                __DDEBUG.$print(__PREFIX, $($args)*);
            }
        }
        #[cfg(not(CONFIG_DYNAMIC_DEBUG))]
        if false {
            let _ = ($($args)*);
        }
    }};
}
