// SPDX-License-Identifier: GPL-2.0
//
// A reference into data protected by a lock borrows the lock's `Guard`: the
// guard cannot be moved out (dropped, i.e. the lock released) while the
// reference is still in use.
//
// expect-error: E0505

//! Compile-fail case: a reference to locked data outliving the `Guard`.

use kernel::sync::SpinLock;

/// Writes to the protected value after the lock has been released.
pub fn write_after_unlock(lock: &SpinLock<u32>) {
    let mut guard = lock.lock();
    let value: &mut u32 = &mut guard;
    drop(guard);
    *value = 1;
}
