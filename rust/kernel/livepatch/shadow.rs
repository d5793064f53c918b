// SPDX-License-Identifier: GPL-2.0

//! Shadow variables: data a live patch attaches to objects it does not own.
//!
//! A patch that needs a new field in a structure cannot change the structure's layout; it keeps
//! the field in a shadow variable instead, found by the object's address and an id. This is a
//! typed view of the exported `klp_shadow_*()` functions: a [`Shadow<P, T>`] is the kind of
//! variable with one id, holding a `T` for objects of type `P`.
//!
//! - A value is moved in when the variable is allocated, and dropped when it is freed (by
//!   [`Shadow::free`] or [`Shadow::free_all`]).
//! - [`Shadow::get`] lends the value for as long as the object is borrowed, and [`Shadow::free`]
//!   needs the object borrowed mutably, so a value cannot be used after it was freed:
//!
//! ```
//! use kernel::livepatch::shadow::Shadow;
//! use kernel::prelude::*;
//!
//! struct Parent {
//!     _id: u64,
//! }
//!
//! // SAFETY: Id 0x5eed_0001 is used by this example only, with these types.
//! const COUNT: Shadow<Parent, u32> = unsafe { Shadow::new(0x5eed_0001) };
//!
//! let mut parent = Parent { _id: 0 };
//! let count = COUNT.alloc(&parent, GFP_KERNEL, || Ok(7))?;
//! assert_eq!(*count, 7);
//! assert_eq!(COUNT.get(&parent).copied(), Some(7));
//! assert!(COUNT.alloc(&parent, GFP_KERNEL, || Ok(8)).is_err());
//! COUNT.free(&mut parent);
//! assert!(COUNT.get(&parent).is_none());
//! # Ok::<(), Error>(())
//! ```
//!
//! (`tools/testing/compile_fail/livepatch_shadow_use_after_free.rs` keeps a value across a free,
//! and does not compile.)
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)

use crate::{
    alloc::Flags,
    bindings,
    ffi::{
        c_int,
        c_ulong,
        c_void, //
    },
    prelude::*,
};
use core::{
    marker::PhantomData,
    mem::{
        align_of,
        size_of,
        MaybeUninit, //
    },
};

/// The shadow variables of one id: a `T` attached to objects of type `P`.
///
/// `T`'s destructor runs when a variable is freed, under the shadow variables' spinlock with
/// interrupts off: it must not sleep.
///
/// # Invariants
///
/// Every shadow variable with id `id` holds an initialised `T` and is attached to a `P`, and is
/// freed only through a `Shadow<P, T>` of that id.
pub struct Shadow<P, T> {
    id: c_ulong,
    _types: PhantomData<fn(&P) -> T>,
}

/// What the constructor moves into a new variable, and whether it did.
struct Moving<T> {
    value: MaybeUninit<T>,
    moved: bool,
}

impl<P, T: Send + Sync> Shadow<P, T> {
    /// The variables with id `id`.
    ///
    /// # Safety
    ///
    /// Every shadow variable with `id`, in any module, must be allocated and freed through a
    /// `Shadow<P, T>` with these types (not with the C functions, and not with other types).
    pub const unsafe fn new(id: c_ulong) -> Self {
        const {
            // The data follows the C header, which is aligned for pointers and `long`s.
            assert!(
                align_of::<T>() <= align_of::<u64>(),
                "shadow data is aligned to 8 bytes"
            );
        };
        // INVARIANT: The caller promises that only `Shadow<P, T>`s use `id`.
        Self {
            id,
            _types: PhantomData,
        }
    }

    fn key(parent: &P) -> *mut c_void {
        core::ptr::from_ref(parent).cast_mut().cast()
    }

    /// The value attached to `parent`, if any, for as long as `parent` is borrowed.
    pub fn get<'a>(&self, parent: &'a P) -> Option<&'a T> {
        // SAFETY: `klp_shadow_get()` only looks the pair up.
        let data = unsafe { bindings::klp_shadow_get(Self::key(parent), self.id) };
        // SAFETY: By the type invariants the variable holds a `T`; it is freed only by `free()`
        // (which needs `parent` borrowed mutably, so not before `'a` ends) or by `free_all()`
        // (whose caller promises no value is in use).
        (!data.is_null()).then(|| unsafe { &*data.cast::<T>() })
    }

    /// Attaches the value `init` returns to `parent`. Fails with `EEXIST`, dropping the value, if
    /// `parent` has one already, and with `ENOMEM` if there is no memory for it.
    pub fn alloc<'a>(
        &self,
        parent: &'a P,
        flags: Flags,
        init: impl FnOnce() -> Result<T>,
    ) -> Result<&'a T> {
        // Not an error of the C core's (which warns of a duplicate), when it can be told here.
        if self.get(parent).is_some() {
            return Err(EEXIST);
        }
        self.insert(parent, flags, init()?, false)
    }

    /// The value attached to `parent`, attaching `value` first if there is none (`value` is
    /// dropped otherwise).
    pub fn get_or_alloc<'a>(&self, parent: &'a P, flags: Flags, value: T) -> Result<&'a T> {
        self.insert(parent, flags, value, true)
    }

    fn insert<'a>(&self, parent: &'a P, flags: Flags, value: T, or_get: bool) -> Result<&'a T> {
        let mut moving = Moving {
            value: MaybeUninit::new(value),
            moved: false,
        };
        let ctor_data = core::ptr::from_mut(&mut moving).cast();
        // SAFETY: `construct::<T>` moves the value out of `moving`, which outlives the call;
        // the size is `T`'s.
        let data = unsafe {
            let f = if or_get {
                bindings::klp_shadow_get_or_alloc
            } else {
                bindings::klp_shadow_alloc
            };
            f(
                Self::key(parent),
                self.id,
                size_of::<T>(),
                flags.as_raw(),
                Some(construct::<T>),
                ctor_data,
            )
        };
        if !moving.moved {
            // SAFETY: The constructor did not run: the value is still in `moving`.
            unsafe { moving.value.assume_init_drop() };
        }
        if data.is_null() {
            return Err(if self.get(parent).is_some() {
                EEXIST
            } else {
                ENOMEM
            });
        }
        // SAFETY: The variable holds a `T`: ours, or (with `or_get`) one made the same way.
        Ok(unsafe { &*data.cast::<T>() })
    }

    /// Frees the variable attached to `parent`, if any, dropping its value.
    pub fn free(&self, parent: &mut P) {
        // SAFETY: `destruct::<T>` drops the `T` the variable holds (type invariants); no
        // reference to it is left, as they borrow `parent`.
        unsafe { bindings::klp_shadow_free(Self::key(parent), self.id, Some(destruct::<T>)) };
    }

    /// Frees the variables of this id attached to any object, dropping their values.
    ///
    /// # Safety
    ///
    /// No value of this id may be in use, or be looked up, until this returns (for a patch: call
    /// it when no function of the patch can run anymore, e.g. after it was disabled).
    pub unsafe fn free_all(&self) {
        // SAFETY: As in `free()`; the caller promises that no reference is in use.
        unsafe { bindings::klp_shadow_free_all(self.id, Some(destruct::<T>)) };
    }
}

/// Moves the value of a [`Moving<T>`] into a new variable.
///
/// # Safety
///
/// `ctor_data` must point to a `Moving<T>` with a value, and `data` to `size_of::<T>()` bytes
/// aligned for `T`.
unsafe extern "C" fn construct<T>(
    _obj: *mut c_void,
    data: *mut c_void,
    ctor_data: *mut c_void,
) -> c_int {
    // SAFETY: Guaranteed by the caller.
    let moving = unsafe { &mut *ctor_data.cast::<Moving<T>>() };
    // SAFETY: The value is initialised (caller) and read once: `moved` records it.
    unsafe { data.cast::<T>().write(moving.value.assume_init_read()) };
    moving.moved = true;
    0
}

/// Drops the `T` a variable holds.
///
/// # Safety
///
/// `data` must point to an initialised `T` that nothing uses anymore.
unsafe extern "C" fn destruct<T>(_obj: *mut c_void, data: *mut c_void) {
    // SAFETY: Guaranteed by the caller.
    unsafe { data.cast::<T>().drop_in_place() };
}

#[kunit_tests(rust_livepatch_shadow)]
mod tests {
    use super::*;
    use crate::sync::atomic::{
        Atomic,
        Relaxed, //
    };

    static DROPS: Atomic<u32> = Atomic::new(0);

    /// A value that counts its drops.
    struct Counted(u32);

    impl Drop for Counted {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Relaxed);
        }
    }

    struct Parent {
        _id: u64,
    }

    // SAFETY: These ids are used by these tests only, with these types.
    const A: Shadow<Parent, Counted> = unsafe { Shadow::new(0x7275_7374_0001) };
    // SAFETY: As above.
    const B: Shadow<Parent, Counted> = unsafe { Shadow::new(0x7275_7374_0002) };

    fn drops() -> u32 {
        DROPS.load(Relaxed)
    }

    #[test]
    fn values_are_dropped_once_when_freed() -> Result {
        let before = drops();
        let mut p = Parent { _id: 1 };
        assert_eq!(A.alloc(&p, GFP_KERNEL, || Ok(Counted(5)))?.0, 5);
        assert_eq!(A.get(&p).map(|c| c.0), Some(5));
        // Another id, the same parent: another variable.
        assert!(B.get(&p).is_none());
        assert_eq!(drops(), before);
        A.free(&mut p);
        assert_eq!(drops(), before + 1);
        assert!(A.get(&p).is_none());
        // Freeing nothing drops nothing.
        A.free(&mut p);
        assert_eq!(drops(), before + 1);
        Ok(())
    }

    #[test]
    fn a_second_value_is_refused_and_dropped() -> Result {
        let before = drops();
        let mut p = Parent { _id: 2 };
        A.alloc(&p, GFP_KERNEL, || Ok(Counted(1)))?;
        // Refused before the initialiser runs: no second value exists.
        assert_eq!(
            A.alloc(&p, GFP_KERNEL, || Ok(Counted(2))).err(),
            Some(EEXIST)
        );
        assert_eq!(drops(), before);
        // `get_or_alloc` finds the first value and drops the spare.
        assert_eq!(A.get_or_alloc(&p, GFP_KERNEL, Counted(3))?.0, 1);
        assert_eq!(drops(), before + 1);
        // An initialiser's error is returned, and nothing is allocated.
        let mut q = Parent { _id: 3 };
        assert_eq!(A.alloc(&q, GFP_KERNEL, || Err(EINVAL)).err(), Some(EINVAL));
        assert!(A.get(&q).is_none());
        A.free(&mut p);
        A.free(&mut q);
        assert_eq!(drops(), before + 2);
        Ok(())
    }

    #[test]
    fn free_all_drops_every_value_of_its_id() -> Result {
        let before = drops();
        let parents = [Parent { _id: 10 }, Parent { _id: 11 }, Parent { _id: 12 }];
        for (i, p) in parents.iter().enumerate() {
            B.get_or_alloc(p, GFP_KERNEL, Counted(i as u32))?;
        }
        let mut other = Parent { _id: 13 };
        A.alloc(&other, GFP_KERNEL, || Ok(Counted(99)))?;
        // SAFETY: No value of `B` is in use.
        unsafe { B.free_all() };
        assert_eq!(drops(), before + 3);
        assert!(parents.iter().all(|p| B.get(p).is_none()));
        assert_eq!(A.get(&other).map(|c| c.0), Some(99));
        A.free(&mut other);
        assert_eq!(drops(), before + 4);
        Ok(())
    }
}
