// SPDX-License-Identifier: GPL-2.0
//
// `klp_func!` checks a replacement against the signature bindgen gives the
// original: `msleep()` takes an `unsigned int` and returns nothing, so a
// replacement taking an `int` and returning one must not compile.
//
// expect-error: E0308

//! Compile-fail case: a live patch replacement with the wrong signature.

use kernel::{ffi::c_int, klp_func, livepatch::Func};

extern "C" fn my_msleep(_msecs: c_int) -> c_int {
    0
}

/// The replacement.
pub const F: Func = klp_func!(msleep => my_msleep as fn(c_int) -> c_int);
