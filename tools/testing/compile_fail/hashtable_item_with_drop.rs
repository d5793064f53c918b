// SPDX-License-Identifier: GPL-2.0
//
// Removed items are freed by `kfree_rcu()`, which runs no destructor: an item
// type that needs dropping (here, one owning a `KBox`) is refused when a table
// of it is used.
//
// expect-error: E0080

//! Compile-fail case: a table of items that need dropping.

use kernel::{
    alloc::flags::GFP_KERNEL,
    hashtable::{Links, RcuHashItem, RcuHashTable, TailBox},
    prelude::*,
};

kernel::global_lock! {
    // SAFETY: Never used; the case only has to compile (or not).
    unsafe(uninit) static LOCK: Mutex<()> = ();
}

#[repr(C)]
struct Owning {
    links: Links,
    data: KBox<u64>,
}

// SAFETY: `Owning` is `repr(C)` and starts with its `Links`.
unsafe impl RcuHashItem for Owning {
    fn hash_key(&self) -> usize {
        0
    }
}

static TABLE: RcuHashTable<Owning, LOCK, 4> = RcuHashTable::new();

/// Inserts an item whose `KBox` would leak on removal.
pub fn insert_owning() -> Result {
    let value = Owning {
        links: Links::new(),
        data: KBox::new(7, GFP_KERNEL)?,
    };
    let mut guard = LOCK.lock();
    TABLE.insert(&mut guard, TailBox::new(value, 0, GFP_KERNEL)?);
    Ok(())
}
