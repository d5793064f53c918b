// SPDX-License-Identifier: GPL-2.0
//
// An item found under the writer lock borrows the guard, so it cannot be used
// after a removal (which hands it to `kfree_rcu()`; under a sleeping lock no
// RCU read-side section would keep it alive).
//
// expect-error: E0502

//! Compile-fail case: an `ItemRef` used after the item was removed.

include!("common/hashtable_item.rs");

static TABLE: RcuHashTable<Item, LOCK, 4> = RcuHashTable::new();

/// Reads an item after removing it.
pub fn use_after_remove() -> usize {
    let mut guard = LOCK.lock();
    let found = TABLE.find_locked(1, &guard, |i| i.key == 1);
    TABLE.remove_one(&mut guard, 1, |i| i.key == 1, |_| {});
    found.map_or(0, |i| i.key)
}
