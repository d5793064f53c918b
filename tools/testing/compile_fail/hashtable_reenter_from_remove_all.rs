// SPDX-License-Identifier: GPL-2.0
//
// A closure given to a table's writer cannot reach the table's writers: they
// take the lock's guard mutably, and the running writer holds that borrow. (A
// nested removal would unlink and free the items the outer walk is on.)
//
// expect-error: E0499

//! Compile-fail case: re-entering the table from a `remove_all` closure.

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

static TABLE: RcuHashTable<Item, LOCK, 4> = RcuHashTable::new();

/// Removes everything twice over.
pub fn remove_nested() {
    let mut guard = LOCK.lock();
    TABLE.remove_all(
        &mut guard,
        |_| true,
        |_| {
            TABLE.remove_all(&mut guard, |_| true, |_| {});
        },
    );
}
