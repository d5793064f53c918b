// SPDX-License-Identifier: GPL-2.0

//! The Rust half of `klp_bench_fentry` (`make bench-fentry`): one function with an ftrace site
//! (with `CONFIG_RUSTC_HAS_FENTRY`, a 5-byte NOP until traced) and its `#[notrace]` twin.

use kernel::{ffi::c_int, ftrace::notrace};

/// Returns `x + 1`; has an ftrace site where rustc emits them.
#[no_mangle]
#[inline(never)]
pub extern "C" fn klp_bench_fentry_rust_site(x: c_int) -> c_int {
    x.wrapping_add(1)
}

/// Returns `x + 1`; never has an ftrace site.
#[no_mangle]
#[inline(never)]
#[notrace]
pub extern "C" fn klp_bench_fentry_rust_nosite(x: c_int) -> c_int {
    x.wrapping_add(1)
}
