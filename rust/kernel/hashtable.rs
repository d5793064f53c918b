// SPDX-License-Identifier: GPL-2.0

//! RCU-protected intrusive hash tables whose writers hold a global lock.
//!
//! This is the Rust counterpart of a `DEFINE_HASHTABLE()` used with `hash_add_rcu()`,
//! `hash_del_rcu()`, `hash_for_each_possible_rcu()` and `kfree_rcu()`: readers walk a bucket
//! under [`rcu::Guard`] without taking a lock, writers serialise on a global lock
//! ([`GlobalLock`](crate::sync::lock::GlobalLock)) whose guard they pass as proof, and removed
//! items are freed after a grace period.
//!
//! Items may carry a trailing, untyped data area (like a C flexible array member) that is handed
//! to C code as a raw pointer; see [`TailBox`].
//!
//! C header: [`include/linux/hashtable.h`](srctree/include/linux/hashtable.h)

use crate::{
    alloc::{
        allocator::Kmalloc,
        AllocError,
        Allocator,
        Flags,
        NumaNode, //
    },
    bindings,
    sync::{
        atomic::{
            atomic_load,
            Relaxed, //
        },
        lock::{
            GlobalGuard,
            GlobalLockBackend, //
        },
        rcu,
    },
    types::Opaque,
};
use core::{
    alloc::Layout,
    marker::PhantomData,
    ops::Deref,
    ptr::NonNull, //
};

/// The hash-table linkage and the RCU callback head every item embeds first.
///
/// # Invariants
///
/// While the item is in a table, `node` is linked into one bucket; after removal, `rcu` is
/// owned by the pending `kfree_rcu()`.
#[repr(C)]
pub struct Links {
    node: Opaque<bindings::hlist_node>,
    rcu: Opaque<bindings::callback_head>,
}

// SAFETY: The linkage is only changed by the writers of a table, who hold its lock; readers only
// load the links, so `Links` may be shared and sent between threads.
unsafe impl Send for Links {}
// SAFETY: See the `Send` implementation above.
unsafe impl Sync for Links {}

impl Links {
    /// Creates unlinked linkage; the table initialises it on insertion.
    pub const fn new() -> Self {
        Self {
            node: Opaque::uninit(),
            rcu: Opaque::uninit(),
        }
    }
}

impl Default for Links {
    fn default() -> Self {
        Self::new()
    }
}

/// An item that can be stored in an [`RcuHashTable`].
///
/// # Safety
///
/// Implementers must be `#[repr(C)]` and have a [`Links`] as their first field, so that a pointer
/// to the item and a pointer to its `hlist_node` are the same address.
pub unsafe trait RcuHashItem: Send + Sync + Sized {
    /// The value the item is hashed by; lookups pass the same value.
    fn hash_key(&self) -> usize;
}

/// An owned, `kmalloc`-allocated item followed by `tail` bytes of zeroed data.
///
/// The layout matches a C structure that ends in a flexible array member of bytes: the tail
/// starts at `size_of::<T>()`.
///
/// # Invariants
///
/// `ptr` points to a live allocation from [`Kmalloc`] of `Self::layout(tail)` whose first bytes
/// hold an initialised `T`, and which nothing else references.
pub struct TailBox<T: RcuHashItem> {
    ptr: NonNull<T>,
    tail: usize,
}

// SAFETY: `TailBox` owns its item uniquely, so it can move between threads when `T` can.
unsafe impl<T: RcuHashItem> Send for TailBox<T> {}

impl<T: RcuHashItem> TailBox<T> {
    fn layout(tail: usize) -> Result<Layout, AllocError> {
        let size = core::mem::size_of::<T>()
            .checked_add(tail)
            .ok_or(AllocError)?;
        Layout::from_size_align(size, core::mem::align_of::<T>()).map_err(|_| AllocError)
    }

    /// Allocates zeroed memory for `value` followed by `tail` bytes and moves `value` in.
    ///
    /// `flags` come from the caller, as with `kzalloc()`; `__GFP_ZERO` is always added.
    pub fn new(value: T, tail: usize, flags: Flags) -> Result<Self, AllocError> {
        let layout = Self::layout(tail)?;
        let mem = Kmalloc::alloc(
            layout,
            flags | crate::alloc::flags::__GFP_ZERO,
            NumaNode::NO_NODE,
        )?;
        let ptr = mem.cast::<T>();
        // SAFETY: `ptr` is valid for writes of `layout.size() >= size_of::<T>()` bytes and
        // suitably aligned, as `layout` was built from `T`'s alignment.
        unsafe { ptr.as_ptr().write(value) };
        // INVARIANT: The allocation was just made with `Self::layout(tail)` and holds a `T`.
        Ok(Self { ptr, tail })
    }

    /// Returns the trailing data area; it is `tail` bytes long.
    pub fn tail_ptr(&mut self) -> *mut u8 {
        // SAFETY: By the type invariants the allocation is `size_of::<T>() + tail` bytes long, so
        // the result is in bounds (or one past the end when `tail == 0`).
        unsafe {
            self.ptr
                .as_ptr()
                .cast::<u8>()
                .add(core::mem::size_of::<T>())
        }
    }

    /// Returns the length of the trailing data area.
    pub fn tail_len(&self) -> usize {
        self.tail
    }

    fn into_raw(self) -> NonNull<T> {
        let ptr = self.ptr;
        core::mem::forget(self);
        ptr
    }
}

impl<T: RcuHashItem> Deref for TailBox<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: By the type invariants `ptr` is a live, initialised `T`.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T: RcuHashItem> core::ops::DerefMut for TailBox<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: By the type invariants `ptr` is a live, initialised `T` that only `self`
        // references.
        unsafe { self.ptr.as_mut() }
    }
}

impl<T: RcuHashItem> Drop for TailBox<T> {
    fn drop(&mut self) {
        // PANIC: The layout was valid when the box was created, so it still is.
        let layout = Self::layout(self.tail).unwrap_or(Layout::new::<T>());
        // SAFETY: By the type invariants `ptr` is initialised and owned by `self`; it came from
        // `Kmalloc` with this layout.
        unsafe {
            core::ptr::drop_in_place(self.ptr.as_ptr());
            Kmalloc::free(self.ptr.cast(), layout);
        }
    }
}

/// A shared reference to an item found in a table, valid while the reader's guard lives.
///
/// Unlike `&T`, it can also produce the pointer to the item's trailing data area.
///
/// # Invariants
///
/// `ptr` points to an item that was inserted from a [`TailBox`] and stays allocated for `'a`.
pub struct ItemRef<'a, T> {
    ptr: NonNull<T>,
    _p: PhantomData<&'a T>,
}

impl<'a, T> ItemRef<'a, T> {
    /// Returns the start of the item's trailing data area (see [`TailBox::tail_ptr`]).
    ///
    /// The pointer stays valid as long as the item is not freed; the table does not track how it
    /// is used.
    pub fn tail_ptr(&self) -> *mut u8 {
        // SAFETY: By the type invariants the item came from a `TailBox`, whose allocation extends
        // at least to the end of `T`.
        unsafe {
            self.ptr
                .as_ptr()
                .cast::<u8>()
                .add(core::mem::size_of::<T>())
        }
    }
}

impl<T> Deref for ItemRef<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: By the type invariants the item is allocated for `'a` and it was initialised
        // before it was published.
        unsafe { self.ptr.as_ref() }
    }
}

/// A hash table of `N` buckets (a power of two) of RCU-protected, intrusively linked items.
///
/// Writers prove they hold the global lock `L` by passing its guard mutably, so nothing a
/// writer is given (an [`ItemRef`] of [`Self::find_locked`], or the closures of the removal
/// methods) can reach the table's writers while it runs; readers pass an [`rcu::Guard`].
/// Lookups run concurrently with insertion and removal.
///
/// Items link back into the buckets, so only a table that never moves (`&'static`, e.g. a
/// `static`) accepts them. Removed items are freed by `kfree_rcu()`, which does not run
/// destructors: an item type that needs dropping is refused at compile time.
///
/// # Invariants
///
/// Every node linked into a bucket is the first field of a `T` allocated by a [`TailBox`], which
/// the table owns until it is removed and handed to `kfree_rcu()`. Buckets are only modified
/// while the lock `L` is held.
///
/// # Examples
///
/// ```
/// use kernel::{
///     alloc::flags::GFP_KERNEL,
///     global_lock,
///     hashtable::{
///         Links,
///         RcuHashItem,
///         RcuHashTable,
///         TailBox, //
///     },
///     sync::rcu,
/// };
///
/// #[repr(C)]
/// struct Item {
///     links: Links,
///     key: usize,
/// }
///
/// // SAFETY: `Item` is `repr(C)` and starts with its `Links`.
/// unsafe impl RcuHashItem for Item {
///     fn hash_key(&self) -> usize {
///         self.key
///     }
/// }
///
/// global_lock! {
///     // SAFETY: Initialised below, before any use.
///     unsafe(uninit) static DOC_TABLE_LOCK: SpinLockIrq<()> = ();
/// }
/// static TABLE: RcuHashTable<Item, DOC_TABLE_LOCK, 16> = RcuHashTable::new();
///
/// // SAFETY: Called once, before the lock is used.
/// unsafe { DOC_TABLE_LOCK.init() };
///
/// let item = TailBox::new(Item { links: Links::new(), key: 7 }, 4, GFP_KERNEL)?;
/// {
///     let mut w = DOC_TABLE_LOCK.lock();
///     TABLE.insert(&mut w, item);
/// }
/// {
///     let g = rcu::read_lock();
///     assert!(TABLE.find(7, &g, |i| i.key == 7).is_some());
///     assert!(TABLE.find(8, &g, |i| i.key == 8).is_none());
/// }
/// // A single bucket works too (every key hashes to it). Allocate before taking the
/// // (IRQ-disabling) lock.
/// static ONE: RcuHashTable<Item, DOC_TABLE_LOCK, 1> = RcuHashTable::new();
/// let mut items = KVec::new();
/// for key in [0, 1, usize::MAX] {
///     items.push(TailBox::new(Item { links: Links::new(), key }, 0, GFP_KERNEL)?, GFP_KERNEL)?;
/// }
///
/// let mut w = DOC_TABLE_LOCK.lock();
/// assert_eq!(TABLE.remove_all(&mut w, |i| i.key == 7, |_| {}), 1);
/// assert_eq!(TABLE.remove_all(&mut w, |_| true, |_| {}), 0);
/// for item in items.drain_all() {
///     ONE.insert(&mut w, item);
/// }
/// assert!(ONE.find_locked(usize::MAX, &w, |i| i.key == usize::MAX).is_some());
/// assert_eq!(ONE.remove_all(&mut w, |_| true, |_| {}), 3);
/// # Ok::<(), Error>(())
/// ```
pub struct RcuHashTable<T: RcuHashItem, L: GlobalLockBackend, const N: usize> {
    buckets: [Opaque<bindings::hlist_head>; N],
    _p: Owns<T, L>,
}

/// The table owns its items and is tied to the lock type `L`.
type Owns<T, L> = PhantomData<(TailBox<T>, fn() -> L)>;

// SAFETY: The table owns `T`s (which are `Send`) and its buckets are only changed under `L`.
unsafe impl<T: RcuHashItem, L: GlobalLockBackend, const N: usize> Send for RcuHashTable<T, L, N> {}
// SAFETY: Shared access only reads buckets under RCU or changes them under the lock `L`, and
// hands out `&T`, which is fine since `T: Sync`.
unsafe impl<T: RcuHashItem, L: GlobalLockBackend, const N: usize> Sync for RcuHashTable<T, L, N> {}

impl<T: RcuHashItem, L: GlobalLockBackend, const N: usize> Default for RcuHashTable<T, L, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: RcuHashItem, L: GlobalLockBackend, const N: usize> RcuHashTable<T, L, N> {
    const BITS: u32 = {
        assert!(
            N.is_power_of_two(),
            "the bucket count must be a power of two"
        );
        N.trailing_zeros()
    };

    /// `kfree_rcu()` frees removed items without dropping them.
    const NO_DROP: () = assert!(
        !core::mem::needs_drop::<T>(),
        "items of an RcuHashTable are freed by kfree_rcu(), which does not drop them"
    );

    /// Creates an empty table.
    pub const fn new() -> Self {
        // Force the evaluation of the bucket-count check.
        let _ = Self::BITS;
        // `hlist_head` is a single pointer and all-zero means empty (`HLIST_HEAD_INIT`).
        Self {
            buckets: [const { Opaque::zeroed() }; N],
            _p: PhantomData,
        }
    }

    /// The bucket of `key`, hashed as `hash_min()` hashes an `unsigned long` (`hash_64()`).
    fn bucket(&self, key: usize) -> *mut bindings::hlist_head {
        const GOLDEN_RATIO_64: u64 = 0x61C8_8646_80B5_83EB;
        // One bucket needs no hash (and `hash_64()` would shift by 64).
        let hash = match Self::BITS {
            0 => 0,
            bits => (key as u64).wrapping_mul(GOLDEN_RATIO_64) >> (64 - bits),
        };
        // PANIC: `N` is a power of two, so the mask keeps the index in bounds.
        self.buckets[(hash as usize) & (N - 1)].get()
    }

    /// Walks the bucket of `key`, returning the first item for which `pred` holds.
    fn find_in_bucket(&self, key: usize, mut pred: impl FnMut(&T) -> bool) -> Option<NonNull<T>> {
        let head = self.bucket(key);
        // ORDERING: These `READ_ONCE()` loads with address dependencies are the
        // `rcu_dereference()` of `hash_for_each_possible_rcu()`; they pair with the
        // `rcu_assign_pointer()` in `hlist_add_head_rcu()` in `insert()`.
        // SAFETY: `head` points to a bucket of `self`.
        let mut node = unsafe { atomic_load(&raw mut (*head).first, Relaxed) };
        while let Some(n) = NonNull::new(node) {
            // By the safety requirements of `RcuHashItem`, the node is at offset zero of `T`.
            let item = n.cast::<T>();
            // SAFETY: By the type invariants a linked node belongs to a live `T`; the caller
            // keeps it alive (RCU read side or the writer lock).
            if pred(unsafe { item.as_ref() }) {
                return Some(item);
            }
            // SAFETY: `n` is a live node, see above.
            node = unsafe { atomic_load(&raw mut (*n.as_ptr()).next, Relaxed) };
        }
        None
    }

    /// Looks up an item by its hash key under RCU.
    ///
    /// `pred` selects among the items of the same bucket.
    pub fn find<'a>(
        &'a self,
        key: usize,
        _guard: &'a rcu::Guard,
        pred: impl FnMut(&T) -> bool,
    ) -> Option<ItemRef<'a, T>> {
        // INVARIANT: The RCU read side lock, held for `'a`, keeps a found item allocated.
        self.find_in_bucket(key, pred).map(|ptr| ItemRef {
            ptr,
            _p: PhantomData,
        })
    }

    /// Looks up an item while holding the writer lock.
    ///
    /// The item borrows the guard, so it cannot be removed while the reference lives.
    pub fn find_locked<'a>(
        &'a self,
        key: usize,
        _guard: &'a GlobalGuard<L>,
        pred: impl FnMut(&T) -> bool,
    ) -> Option<ItemRef<'a, T>> {
        // INVARIANT: Items are only freed by writers, which are excluded for `'a`.
        self.find_in_bucket(key, pred).map(|ptr| ItemRef {
            ptr,
            _p: PhantomData,
        })
    }

    /// Publishes `item`; readers may find it as soon as this returns.
    ///
    /// Takes the table as `&'static self`: linked items point into its buckets, so only a table
    /// that never moves accepts them (refused at compile time otherwise).
    pub fn insert<'a>(
        &'static self,
        _guard: &'a mut GlobalGuard<L>,
        item: TailBox<T>,
    ) -> ItemRef<'a, T> {
        // Refuse item types with a destructor (see the type's documentation).
        #[allow(clippy::let_unit_value)]
        let () = Self::NO_DROP;
        let head = self.bucket(item.hash_key());
        let ptr = item.into_raw();
        // ORDERING: `hlist_add_head_rcu()` publishes the node with `rcu_assign_pointer()`, so
        // the item's initialisation is visible to the readers in `find_in_bucket()`.
        // SAFETY: The node is the first field of a `T` we now own and that is not linked
        // anywhere; `head` is a bucket of `self`, which the writer lock `L` protects.
        unsafe { bindings::hlist_add_head_rcu(ptr.as_ptr().cast(), head) };
        // INVARIANT: The item stays allocated until a writer removes it.
        ItemRef {
            ptr,
            _p: PhantomData,
        }
    }

    /// Unlinks `item`, calls `on_remove` on it and frees it after an RCU grace period.
    ///
    /// # Safety
    ///
    /// `item` must be linked in `self`, and the writer lock must be held.
    unsafe fn remove(item: NonNull<T>, on_remove: &mut impl FnMut(&ItemRef<'_, T>)) {
        let raw = item.as_ptr();
        // SAFETY: The caller guarantees the node is linked and the lock is held.
        unsafe { bindings::hlist_del_rcu(raw.cast()) };
        // INVARIANT: The item came from a `TailBox` and is only freed below.
        on_remove(&ItemRef {
            ptr: item,
            _p: PhantomData,
        });
        // SAFETY: The item is unlinked, so no new reader can find it, and readers that already
        // have it are waited for by the grace period before the free. It was allocated by
        // `Kmalloc`, which `kvfree()` frees. `Links` is the first field, so `rcu` is in bounds.
        unsafe {
            bindings::kvfree_call_rcu(
                // CAST: `kfree_rcu()` views the `rcu_head` as the (smaller or equal)
                // `kvfree_rcu_head` in the same way.
                (*raw.cast::<Links>())
                    .rcu
                    .get()
                    .cast::<bindings::kvfree_rcu_head>(),
                raw.cast::<crate::ffi::c_void>(),
            )
        };
    }

    /// Removes the first item of `key`'s bucket for which `pred` holds; returns whether one was.
    ///
    /// `on_remove` runs under the lock, after the item is unlinked and before it is freed; it
    /// cannot reach the table's writers, since the guard is borrowed for the call.
    pub fn remove_one(
        &self,
        _guard: &mut GlobalGuard<L>,
        key: usize,
        pred: impl FnMut(&T) -> bool,
        mut on_remove: impl FnMut(&ItemRef<'_, T>),
    ) -> bool {
        match self.find_in_bucket(key, pred) {
            Some(item) => {
                // SAFETY: `item` was just found linked in `self`, and the guard proves the lock
                // is held.
                unsafe { Self::remove(item, &mut on_remove) };
                true
            }
            None => false,
        }
    }

    /// Removes every item for which `pred` holds; returns how many were removed.
    ///
    /// `on_remove` runs under the lock for each, after it is unlinked and before it is freed.
    pub fn remove_all(
        &self,
        _guard: &mut GlobalGuard<L>,
        mut pred: impl FnMut(&T) -> bool,
        mut on_remove: impl FnMut(&ItemRef<'_, T>),
    ) -> usize {
        let mut removed = 0;
        for bucket in &self.buckets {
            // SAFETY: `bucket` is a bucket of `self`; the lock keeps it stable.
            let mut node = unsafe { (*bucket.get()).first };
            while let Some(n) = NonNull::new(node) {
                // Read the successor first: removal hands the node to `kfree_rcu()`.
                // SAFETY: `n` is linked, hence a live `T`.
                node = unsafe { (*n.as_ptr()).next };
                let item = n.cast::<T>();
                // SAFETY: As above, the item is live.
                if pred(unsafe { item.as_ref() }) {
                    // SAFETY: The item is linked in `self` and the lock is held.
                    unsafe { Self::remove(item, &mut on_remove) };
                    removed += 1;
                }
            }
        }
        removed
    }
}
