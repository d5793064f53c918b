// SPDX-License-Identifier: GPL-2.0
//
// The strings of a dynamic debug descriptor go to C as `%s` and are walked by
// the dynamic debug core: they must be C strings, not byte slices that may
// lack their NUL.
//
// expect-error: E0308

//! Compile-fail case: a descriptor built from a byte slice.

use kernel::dynamic_debug::Descriptor;

/// A descriptor whose module name has no terminating NUL.
pub static SITE: Descriptor = Descriptor::new(b"no_nul", c"f", c"file.rs", c"format", 1);
