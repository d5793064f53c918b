// SPDX-License-Identifier: GPL-2.0
//
// Linked items point back into the table's buckets, so a table that could
// move (a local, a field of a movable value) must not accept items: insertion
// needs a `&'static` table.
//
// expect-error: E0597

//! Compile-fail case: inserting into a table that is not `'static`.

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
struct Item {
    links: Links,
    key: usize,
}

// SAFETY: `Item` is `repr(C)` and starts with its `Links`.
unsafe impl RcuHashItem for Item {
    fn hash_key(&self) -> usize {
        self.key
    }
}

fn item(key: usize) -> Result<TailBox<Item>> {
    Ok(TailBox::new(
        Item {
            links: Links::new(),
            key,
        },
        0,
        GFP_KERNEL,
    )?)
}

/// Inserts into a table on the stack, which moves when returned.
pub fn insert_into_local() -> Result {
    let table = RcuHashTable::<Item, LOCK, 4>::new();
    let mut guard = LOCK.lock();
    table.insert(&mut guard, item(1)?);
    Ok(())
}
