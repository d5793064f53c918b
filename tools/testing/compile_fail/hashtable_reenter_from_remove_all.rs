// SPDX-License-Identifier: GPL-2.0
//
// A closure given to a table's writer cannot reach the table's writers: they
// take the lock's guard mutably, and the running writer holds that borrow. (A
// nested removal would unlink and free the items the outer walk is on.)
//
// expect-error: E0499

//! Compile-fail case: re-entering the table from a `remove_all` closure.

include!("common/hashtable_item.rs");

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
