// SPDX-License-Identifier: GPL-2.0

// The item type and lock the hashtable cases share (`include!`d, not a case itself).

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
