// SPDX-License-Identifier: GPL-2.0

//! Printing pointers as C's plain `%p` does.

use crate::{
    bindings,
    ffi::c_void,
    fmt,
    str::CStrExt, //
};

/// A pointer printed as C's plain `%p` prints it: hashed with the boot-time key (unless
/// `no_hash_pointers` is given), as 16 hex digits without a prefix. It is never dereferenced.
///
/// Rust's `{:p}` ([`HashedPtr`](super::HashedPtr)) hashes too, but prints `0x` first; log lines
/// that must match C's byte for byte use this with `{}`.
///
/// # Examples
///
/// ```
/// use kernel::{fmt::CHashedPtr, str::CString};
///
/// let x = 7u32;
/// let p = CHashedPtr::new(&raw const x);
/// // The same pointer hashes to the same text.
/// let a = CString::try_from_fmt(fmt!("{}", p))?;
/// let b = CString::try_from_fmt(fmt!("{}", p))?;
/// assert_eq!(a.to_bytes(), b.to_bytes());
/// assert!(!a.to_bytes().is_empty());
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct CHashedPtr(*const c_void);

impl CHashedPtr {
    /// Wraps `ptr` for printing; only its value is used.
    pub fn new<T>(ptr: *const T) -> Self {
        Self(ptr.cast())
    }
}

impl fmt::Display for CHashedPtr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Room for "0x" and 16 hex digits, "(ptrval)" or "(null)", and the NUL.
        let mut buf = [0u8; 24];
        // SAFETY: `buf` is writable for its length; the format consumes one pointer, which
        // `%p` only hashes and prints.
        let n = unsafe {
            bindings::scnprintf(
                buf.as_mut_ptr().cast(),
                buf.len(),
                c"%p".as_char_ptr(),
                self.0,
            )
        };
        let n = usize::try_from(n).unwrap_or(0).min(buf.len() - 1);
        // `%p` prints ASCII only.
        f.write_str(core::str::from_utf8(&buf[..n]).unwrap_or("(ptrval)"))
    }
}
