// SPDX-License-Identifier: GPL-2.0
//
// Linked items point back into the table's buckets, so a table that could
// move (a local, a field of a movable value) must not accept items: insertion
// needs a `&'static` table.
//
// expect-error: E0597

//! Compile-fail case: inserting into a table that is not `'static`.

include!("common/hashtable_item.rs");

/// Inserts into a table on the stack, which moves when returned.
pub fn insert_into_local() -> Result {
    let table = RcuHashTable::<Item, LOCK, 4>::new();
    let mut guard = LOCK.lock();
    table.insert(&mut guard, item(1)?);
    Ok(())
}
