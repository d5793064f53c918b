// SPDX-License-Identifier: GPL-2.0

//! Kernel objects (`struct kobject`) embedded in other structures, and their sysfs attributes.
//!
//! A kobject gives a structure a directory in sysfs and a reference count whose last put calls
//! the structure's `release`. Here the structure (often a C one, such as a live patch's
//! `struct klp_patch`) implements [`KobjectType`]: where its kobject is, and what `release`
//! does, which no implementation can leave out. Its sysfs files are [`AttributeOps`]
//! implementations, collected with [`kobj_type!`] into a constant `struct kobj_type`; each
//! `show` and `store` gets the structure as `&T`.
//!
//! C headers: [`include/linux/kobject.h`](srctree/include/linux/kobject.h),
//! [`include/linux/sysfs.h`](srctree/include/linux/sysfs.h)

use crate::{
    bindings,
    error::{
        to_result,
        Error,
        Result, //
    },
    ffi::c_char,
    prelude::*,
    types::Opaque, //
};
use core::{
    fmt,
    marker::PhantomData,
    ptr::NonNull, //
};

/// A `struct kobject`.
///
/// # Invariants
///
/// The kobject is initialised (`kobject_init()`), and the reference through which it was
/// reached keeps it alive.
#[repr(transparent)]
pub struct Kobject(Opaque<bindings::kobject>);

// SAFETY: A kobject's reference count and sysfs state are protected by the kobject core's own
// locks; every operation here may run on any thread.
unsafe impl Send for Kobject {}
// SAFETY: See above.
unsafe impl Sync for Kobject {}

impl Kobject {
    /// Creates a reference to a kobject from its raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to an initialised kobject that stays alive for `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::kobject) -> &'a Self {
        // CAST: `Kobject` is a transparent wrapper of `bindings::kobject`.
        // SAFETY: Guaranteed by the caller.
        unsafe { &*ptr.cast() }
    }

    /// A kobject to embed in a structure, to be set up by [`init`].
    pub const fn zeroed() -> Self {
        Self(Opaque::zeroed())
    }

    /// The raw pointer.
    pub fn as_raw(&self) -> *mut bindings::kobject {
        self.0.get()
    }

    /// Wakes the processes that `poll()` or `select()` the attribute `attr` of the kobject's
    /// directory (`sysfs_notify()`): its value changed. Does nothing if the kobject is not in
    /// sysfs or has no such attribute. May sleep.
    pub fn notify(&self, attr: &CStr) {
        // SAFETY: By the type invariants the kobject is alive; `sysfs_notify()` looks the
        // attribute up under sysfs's own locks, and accepts a kobject without a directory.
        unsafe { bindings::sysfs_notify(self.as_raw(), core::ptr::null(), attr.as_char_ptr()) };
    }

    /// The kobject of `/sys/kernel`.
    pub fn kernel() -> &'static Kobject {
        // SAFETY: `kernel_kobj` is set by `ksysfs_init()` (a `core_initcall`) and never freed
        // or changed afterwards; Rust code runs after it.
        unsafe { Kobject::from_raw(bindings::kernel_kobj) }
    }

    /// The kobject's name, the name of its sysfs directory.
    pub fn name(&self) -> Option<&CStr> {
        // SAFETY: By the type invariants the kobject is alive; its name, once set, only
        // changes through `kobject_rename()`, which this module does not offer.
        let name = unsafe { (*self.as_raw()).name };
        // SAFETY: A non-NULL name is a NUL-terminated string owned by the kobject.
        (!name.is_null()).then(|| unsafe { CStr::from_char_ptr(name) })
    }
}

/// A structure with an embedded kobject, whose lifetime that kobject's reference count ends.
///
/// # Safety
///
/// - `Self` contains a `struct kobject` at byte offset [`KobjectType::KOBJECT_OFFSET`].
/// - `release` does whatever ends the structure's life; it is the only function the kobject
///   core calls when the last reference is put.
pub unsafe trait KobjectType: Sized + Sync {
    /// Where the kobject is, in bytes from the start of `Self`.
    const KOBJECT_OFFSET: usize;

    /// Called once, when the last reference to the kobject is put.
    ///
    /// # Safety
    ///
    /// Called by the kobject core only: no reference to `this` remains and none is taken
    /// afterwards; `this` may be freed here.
    unsafe fn release(this: NonNull<Self>);

    /// The embedded kobject.
    fn kobject(&self) -> &Kobject {
        let this: *const Self = self;
        // SAFETY: By the trait's safety requirements the kobject lies at `KOBJECT_OFFSET`
        // inside `*self`, which is alive for the returned lifetime. It was initialised if the
        // structure was set up with [`init`], the only way to give it a `KobjType`.
        unsafe {
            Kobject::from_raw(
                this.cast::<u8>()
                    .add(Self::KOBJECT_OFFSET)
                    .cast_mut()
                    .cast(),
            )
        }
    }
}

/// The structure whose embedded kobject is `kobj`.
///
/// # Safety
///
/// `kobj` must be the kobject of a live `T`.
unsafe fn container_of<'a, T: KobjectType>(kobj: *mut bindings::kobject) -> &'a T {
    // SAFETY: Guaranteed by the caller and by `KobjectType`'s layout requirement.
    unsafe { &*kobj.cast::<u8>().sub(T::KOBJECT_OFFSET).cast::<T>() }
}

/// Initialises the kobject embedded in `this` with `ktype` (`kobject_init()`); the caller owns
/// the first reference.
///
/// # Safety
///
/// The kobject of `this` must not be initialised yet or must have been released, and nothing
/// else may access it concurrently. The caller must eventually [`put`] the reference (or hand
/// it to code that does), and `this` must stay alive until `T::release` runs.
pub unsafe fn init<T: KobjectType>(this: &T, ktype: &'static KobjType<T>) {
    // SAFETY: The caller guarantees exclusive access to the kobject, which lies within `this`;
    // `ktype` is a valid `kobj_type` for `T` that lives forever.
    unsafe { bindings::kobject_init(this.kobject().as_raw(), ktype.as_raw()) };
}

/// Adds the initialised kobject of `this` to sysfs as `name`, under `parent` (`kobject_add()`).
///
/// On failure the kobject still holds its reference: the caller puts it as usual.
pub fn add<T: KobjectType>(this: &T, parent: &Kobject, name: &CStr) -> Result {
    // SAFETY: The kobject is initialised (see `KobjectType::kobject`) and alive while `this` is;
    // `parent` is alive; the format takes exactly one string argument, `name`.
    to_result(unsafe {
        bindings::kobject_add(
            this.kobject().as_raw(),
            parent.as_raw(),
            c"%s".as_char_ptr(),
            name.as_char_ptr(),
        )
    })
}

/// Drops the caller's reference to the kobject of `this` (`kobject_put()`); the last one
/// releases the structure.
///
/// # Safety
///
/// The caller must own a reference (from [`init`] or handed over) and must not use `this`
/// afterwards unless it holds another reference.
pub unsafe fn put<T: KobjectType>(this: &T) {
    // SAFETY: The caller owns a reference to this initialised kobject.
    unsafe { bindings::kobject_put(this.kobject().as_raw()) };
}

/// The output buffer of a sysfs `show`: one page, filled like `sysfs_emit()` does, truncating
/// what does not fit.
pub struct SysfsBuffer<'a> {
    buf: NonNull<u8>,
    len: usize,
    _page: PhantomData<&'a mut [u8]>,
}

impl SysfsBuffer<'_> {
    /// How much `show` may write: `PAGE_SIZE` less the terminating NUL `sysfs_emit()` keeps.
    const CAPACITY: usize = crate::page::PAGE_SIZE - 1;

    /// The number of bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl fmt::Write for SysfsBuffer<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let n = s.len().min(Self::CAPACITY - self.len);
        // SAFETY: `buf` is a page (the sysfs core allocates `PAGE_SIZE` bytes) and
        // `self.len + n <= CAPACITY < PAGE_SIZE`; `s` does not overlap it.
        unsafe {
            core::ptr::copy_nonoverlapping(s.as_ptr(), self.buf.as_ptr().add(self.len), n);
            *self.buf.as_ptr().add(self.len + n) = 0;
        }
        self.len += n;
        Ok(())
    }
}

/// One sysfs file of a [`KobjectType`], implemented by a (usually zero-sized) type.
///
/// `show` runs when the file is read, `store` when it is written; both may sleep. Implement the
/// ones the file's [`MODE`](AttributeOps::MODE) allows: the `kobj_attribute` gets only those.
#[vtable]
pub trait AttributeOps<T: KobjectType> {
    /// The file's name.
    const NAME: &'static CStr;
    /// The file's permission bits, e.g. `0o644`.
    const MODE: u16;

    /// Writes the file's contents into `out`.
    fn show(_this: &T, _out: &mut SysfsBuffer<'_>) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Handles a write of `input` (the bytes written, without a terminator).
    fn store(_this: &T, _input: &[u8]) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }
}

/// A `struct kobj_attribute` for the files of `T`.
///
/// # Invariants
///
/// `show` and `store`, if set, are the trampolines of an [`AttributeOps<T>`] implementation.
#[repr(transparent)]
pub struct KobjAttribute<T: KobjectType>(bindings::kobj_attribute, PhantomData<fn(&T)>);

// SAFETY: The attribute is immutable after construction; C code only reads it.
unsafe impl<T: KobjectType> Sync for KobjAttribute<T> {}

impl<T: KobjectType> KobjAttribute<T> {
    /// The attribute of `A`. Only attributes in a `static` reach sysfs (through
    /// [`kobj_type!`]), as lockdep wants for their keys.
    pub const fn new<A: AttributeOps<T>>() -> Self {
        const {
            assert!(
                !A::HAS_SHOW || A::MODE & 0o444 != 0,
                "show without a read bit"
            );
            assert!(
                !A::HAS_STORE || A::MODE & 0o222 != 0,
                "store without a write bit"
            );
            assert!(
                A::HAS_SHOW || A::MODE & 0o444 == 0,
                "a read bit without show"
            );
            assert!(
                A::HAS_STORE || A::MODE & 0o222 == 0,
                "a write bit without store"
            );
        }
        // SAFETY: `attribute` is plain data for which all zeroes is valid: with lockdep it also
        // has lock class keys, which sysfs uses only for attributes not in static storage.
        let mut attr: bindings::attribute = unsafe { core::mem::zeroed() };
        attr.name = A::NAME.as_ptr().cast();
        attr.mode = A::MODE;
        // INVARIANT: The trampolines are those of `A`.
        Self(
            bindings::kobj_attribute {
                attr,
                __bindgen_anon_1: bindings::kobj_attribute__bindgen_ty_1 {
                    show: if A::HAS_SHOW {
                        Some(show_trampoline::<T, A>)
                    } else {
                        None
                    },
                },
                __bindgen_anon_2: bindings::kobj_attribute__bindgen_ty_2 {
                    store: if A::HAS_STORE {
                        Some(store_trampoline::<T, A>)
                    } else {
                        None
                    },
                },
            },
            PhantomData,
        )
    }

    /// The `struct attribute` inside, for attribute lists.
    pub const fn attribute(&'static self) -> *const bindings::attribute {
        &self.0.attr
    }
}

/// # Safety
///
/// Called by `kobj_sysfs_ops` for a kobject whose `kobj_type` lists this attribute: a
/// [`KobjType<T>`], so `kobj` is the kobject of a `T` kept alive by the sysfs active reference;
/// `buf` is a page.
unsafe extern "C" fn show_trampoline<T: KobjectType, A: AttributeOps<T>>(
    kobj: *mut bindings::kobject,
    _attr: *mut bindings::kobj_attribute,
    buf: *mut c_char,
) -> isize {
    // SAFETY: Guaranteed by the caller.
    let this = unsafe { container_of::<T>(kobj) };
    let Some(buf) = NonNull::new(buf.cast::<u8>()) else {
        return EINVAL.to_errno() as isize;
    };
    let mut out = SysfsBuffer {
        buf,
        len: 0,
        _page: PhantomData,
    };
    match A::show(this, &mut out) {
        Ok(()) => out.len as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// # Safety
///
/// As for [`show_trampoline`]; `buf` holds `count` bytes.
unsafe extern "C" fn store_trampoline<T: KobjectType, A: AttributeOps<T>>(
    kobj: *mut bindings::kobject,
    _attr: *mut bindings::kobj_attribute,
    buf: *const c_char,
    count: usize,
) -> isize {
    // SAFETY: Guaranteed by the caller.
    let this = unsafe { container_of::<T>(kobj) };
    let input = if count == 0 {
        &[][..]
    } else {
        // SAFETY: The sysfs core passes `count` readable bytes at `buf`, unchanged during the
        // call.
        unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), count) }
    };
    match A::store(this, input) {
        Ok(()) => count as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// A NULL-terminated list of attribute pointers, for [`kobj_type!`].
#[doc(hidden)]
#[repr(transparent)]
pub struct AttributeList<const N: usize>(pub [*const bindings::attribute; N]);

// SAFETY: The pointers are to immutable statics; C code only reads them.
unsafe impl<const N: usize> Sync for AttributeList<N> {}

/// A `struct attribute_group` and the `default_groups` list holding it, for [`kobj_type!`].
#[doc(hidden)]
pub struct AttributeGroup(bindings::attribute_group);

// SAFETY: Immutable after construction; C code only reads it.
unsafe impl Sync for AttributeGroup {}

impl AttributeGroup {
    #[doc(hidden)]
    pub const fn new<const N: usize>(attrs: &'static AttributeList<N>) -> Self {
        const { assert!(N >= 1) };
        // SAFETY: `attribute_group` is plain data for which all zeroes is valid (no name, no
        // visibility callbacks, no binary attributes).
        let mut group: bindings::attribute_group = unsafe { core::mem::zeroed() };
        group.__bindgen_anon_2.attrs = attrs.0.as_ptr().cast_mut().cast();
        Self(group)
    }
}

/// The `default_groups` array: one group and the NULL terminator.
#[doc(hidden)]
pub struct GroupList(pub [*const bindings::attribute_group; 2]);

// SAFETY: Immutable pointers to immutable statics.
unsafe impl Sync for GroupList {}

impl GroupList {
    #[doc(hidden)]
    pub const fn new(group: &'static AttributeGroup) -> Self {
        Self([&group.0, core::ptr::null()])
    }
}

/// A constant `struct kobj_type` for the structures `T`: their `release` and sysfs files.
/// Build it with [`kobj_type!`].
///
/// # Invariants
///
/// `release` is `T`'s, `sysfs_ops` is `kobj_sysfs_ops`, and every default attribute is a
/// [`KobjAttribute<T>`].
#[repr(transparent)]
pub struct KobjType<T: KobjectType>(bindings::kobj_type, PhantomData<fn(&T)>);

// SAFETY: Immutable after construction; C code only reads it.
unsafe impl<T: KobjectType> Sync for KobjType<T> {}

impl<T: KobjectType> KobjType<T> {
    /// A type whose kobjects have the files of `groups`, or none.
    ///
    /// # Safety
    ///
    /// Every attribute in `groups` must be a [`KobjAttribute<T>`] in a `static` (lockdep needs
    /// the keys of sysfs attributes in static storage). [`kobj_type!`] ensures both.
    #[doc(hidden)]
    pub const unsafe fn new(groups: Option<&'static GroupList>) -> Self {
        // SAFETY: `kobj_type` is plain data for which all zeroes is valid (no callbacks).
        let mut ktype: bindings::kobj_type = unsafe { core::mem::zeroed() };
        ktype.release = Some(release_trampoline::<T>);
        ktype.sysfs_ops = &raw const bindings::kobj_sysfs_ops;
        if let Some(groups) = groups {
            ktype.default_groups = groups.0.as_ptr().cast_mut();
        }
        // INVARIANT: Set up above; the caller vouches for the attributes.
        Self(ktype, PhantomData)
    }

    fn as_raw(&'static self) -> *const bindings::kobj_type {
        &self.0
    }
}

/// # Safety
///
/// Called by the kobject core when the last reference to a kobject of type [`KobjType<T>`] is
/// put.
unsafe extern "C" fn release_trampoline<T: KobjectType>(kobj: *mut bindings::kobject) {
    let this = kobj
        .cast::<u8>()
        .wrapping_sub(T::KOBJECT_OFFSET)
        .cast::<T>();
    if let Some(this) = NonNull::new(this) {
        // SAFETY: The kobject belongs to a `T` (its type is `KobjType<T>`), whose last
        // reference is gone.
        unsafe { T::release(this) };
    }
}

/// Declares a static [`KobjType`] for the structures `T`, with the given files.
///
/// # Examples
///
/// ```
/// use kernel::{kobj_type, kobject::{AttributeOps, KobjectType, SysfsBuffer}, prelude::*};
/// use core::{fmt::Write, ptr::NonNull};
///
/// struct Counter {
///     kobj: kernel::kobject::Kobject,
///     value: u32,
/// }
///
/// // SAFETY: The kobject is at the offset given; release does nothing (the owner frees).
/// unsafe impl KobjectType for Counter {
///     const KOBJECT_OFFSET: usize = core::mem::offset_of!(Counter, kobj);
///     unsafe fn release(_this: NonNull<Self>) {}
/// }
///
/// struct Value;
/// #[vtable]
/// impl AttributeOps<Counter> for Value {
///     const NAME: &'static CStr = c"value";
///     const MODE: u16 = 0o444;
///     fn show(this: &Counter, out: &mut SysfsBuffer<'_>) -> Result {
///         writeln!(out, "{}", this.value).map_err(|_| EINVAL)
///     }
/// }
///
/// kobj_type!(static COUNTER_TYPE: Counter = [Value]);
/// ```
#[macro_export]
macro_rules! kobj_type {
    ($vis:vis static $name:ident : $t:ty = [$($attr:ty),+ $(,)?]) => {
        $vis static $name: $crate::kobject::KobjType<$t> = {
            const N: usize = [$(stringify!($attr)),+].len() + 1;
            static ATTRS: $crate::kobject::AttributeList<N> = $crate::kobject::AttributeList([
                $({
                    static A: $crate::kobject::KobjAttribute<$t> =
                        $crate::kobject::KobjAttribute::<$t>::new::<$attr>();
                    A.attribute()
                },)+
                ::core::ptr::null(),
            ]);
            static GROUP: $crate::kobject::AttributeGroup =
                $crate::kobject::AttributeGroup::new(&ATTRS);
            static GROUPS: $crate::kobject::GroupList = $crate::kobject::GroupList::new(&GROUP);
            // SAFETY: Every attribute above is a `KobjAttribute<$t>`.
            unsafe { $crate::kobject::KobjType::new(Some(&GROUPS)) }
        };
    };
    ($vis:vis static $name:ident : $t:ty = []) => {
        // SAFETY: No attributes.
        $vis static $name: $crate::kobject::KobjType<$t> =
            unsafe { $crate::kobject::KobjType::new(None) };
    };
}

/// A kobject created by the kobject core, with no structure around it
/// (`kobject_create_and_add()`): a plain sysfs directory. Dropping it puts the reference.
///
/// # Invariants
///
/// `self.0` is a kobject the value owns one reference to.
pub struct DirKobject(NonNull<bindings::kobject>);

// SAFETY: The reference may be put from any thread.
unsafe impl Send for DirKobject {}
// SAFETY: `&DirKobject` only gives out `&Kobject`, which is `Sync`.
unsafe impl Sync for DirKobject {}

impl DirKobject {
    /// Creates the directory `name` under `parent`.
    pub fn create_and_add(name: &CStr, parent: &Kobject) -> Result<Self> {
        // SAFETY: `name` is a valid string (copied by the callee); `parent` is alive.
        let kobj = unsafe { bindings::kobject_create_and_add(name.as_char_ptr(), parent.as_raw()) };
        // INVARIANT: A non-NULL result comes with one reference, now ours.
        NonNull::new(kobj).map(Self).ok_or(ENOMEM)
    }

    /// The kobject.
    pub fn kobject(&self) -> &Kobject {
        // SAFETY: By the type invariants the kobject is alive while we hold our reference.
        unsafe { Kobject::from_raw(self.0.as_ptr()) }
    }

    /// Keeps the directory forever, for kobjects that live as long as the kernel.
    pub fn leak(self) -> &'static Kobject {
        let kobj = self.0.as_ptr();
        core::mem::forget(self);
        // SAFETY: The reference is never put, so the kobject lives forever.
        unsafe { Kobject::from_raw(kobj) }
    }
}

impl Drop for DirKobject {
    fn drop(&mut self) {
        // SAFETY: By the type invariants we own a reference.
        unsafe { bindings::kobject_put(self.0.as_ptr()) };
    }
}

/// Turns an `Error` from [`core::fmt::Error`].
#[doc(hidden)]
pub fn fmt_error(_: fmt::Error) -> Error {
    EINVAL
}

#[crate::prelude::kunit_tests(rust_kobject)]
mod tests {
    use super::*;
    use crate::{
        alloc::KBox,
        sync::atomic::{
            Atomic,
            Relaxed, //
        },
    };
    use core::fmt::Write;

    static RELEASED: Atomic<u32> = Atomic::new(0);

    struct Item {
        kobj: Kobject,
        value: Atomic<u32>,
    }

    // SAFETY: `kobj` is at the offset; release frees the box the test leaked.
    unsafe impl KobjectType for Item {
        const KOBJECT_OFFSET: usize = core::mem::offset_of!(Item, kobj);
        unsafe fn release(this: NonNull<Self>) {
            RELEASED.fetch_add(1, Relaxed);
            // SAFETY: The item came from `KBox::into_raw` and this is its last use.
            drop(unsafe { KBox::from_raw(this.as_ptr()) });
        }
    }

    struct Value;
    #[vtable]
    impl AttributeOps<Item> for Value {
        const NAME: &'static CStr = c"value";
        const MODE: u16 = 0o644;
        fn show(this: &Item, out: &mut SysfsBuffer<'_>) -> Result {
            writeln!(out, "{}", this.value.load(Relaxed)).map_err(fmt_error)
        }
        fn store(this: &Item, input: &[u8]) -> Result {
            let v = match input.first() {
                Some(b @ b'0'..=b'9') => u32::from(b - b'0'),
                _ => return Err(EINVAL),
            };
            this.value.store(v, Relaxed);
            Ok(())
        }
    }

    kobj_type!(static ITEM_TYPE: Item = [Value]);

    fn value_attr() -> *mut bindings::kobj_attribute {
        // SAFETY: `ITEM_TYPE` has one group whose first attribute is `Value`'s.
        unsafe {
            (*(*ITEM_TYPE.0.default_groups))
                .__bindgen_anon_2
                .attrs
                .read()
                .cast()
        }
    }

    #[test]
    fn attribute_show_store_and_release() -> Result {
        let dir = DirKobject::create_and_add(c"rust_kobject_test", Kobject::kernel())?;
        let item = KBox::new(
            Item {
                kobj: Kobject::zeroed(),
                value: Atomic::new(7),
            },
            GFP_KERNEL,
        )?;
        let item = KBox::into_raw(item);
        // SAFETY: The item is fresh and ours; its release frees it.
        let item = unsafe { &*item };
        // SAFETY: Fresh kobject, no other user; `put` below.
        unsafe { init(item, &ITEM_TYPE) };
        add(item, dir.kobject(), c"item")?;
        assert_eq!(item.kobject().name(), Some(c"item"));

        let attr = value_attr();
        let page = KBox::new([0u8; crate::page::PAGE_SIZE], GFP_KERNEL)?;
        let page = KBox::into_raw(page).cast::<c_char>();
        // SAFETY: Calling the sysfs ops as the sysfs core would: a live kobject of the type, a
        // page-sized buffer.
        let n =
            unsafe { (*attr).__bindgen_anon_1.show.unwrap()(item.kobject().as_raw(), attr, page) };
        assert_eq!(n, 2);
        // SAFETY: As above; two readable bytes.
        let n = unsafe {
            (*attr).__bindgen_anon_2.store.unwrap()(
                item.kobject().as_raw(),
                attr,
                c"3".as_char_ptr(),
                1,
            )
        };
        assert_eq!(n, 1);
        // SAFETY: As above.
        let n = unsafe {
            (*attr).__bindgen_anon_2.store.unwrap()(
                item.kobject().as_raw(),
                attr,
                c"x".as_char_ptr(),
                1,
            )
        };
        assert_eq!(n, EINVAL.to_errno() as isize);
        assert_eq!(item.value.load(Relaxed), 3);
        // SAFETY: `page` came from `KBox::into_raw` above.
        drop(unsafe { KBox::from_raw(page.cast::<[u8; crate::page::PAGE_SIZE]>()) });

        let before = RELEASED.load(Relaxed);
        // SAFETY: We own the reference from `init` and do not use `item` afterwards.
        unsafe { put(item) };
        assert_eq!(RELEASED.load(Relaxed), before + 1);
        Ok(())
    }

    #[test]
    fn sysfs_buffer_truncates_at_a_page() -> Result {
        let page = KBox::new([0u8; crate::page::PAGE_SIZE], GFP_KERNEL)?;
        let page = KBox::into_raw(page);
        let mut out = SysfsBuffer {
            buf: NonNull::new(page.cast::<u8>()).ok_or(EINVAL)?,
            len: 0,
            _page: PhantomData,
        };
        for _ in 0..(crate::page::PAGE_SIZE / 8 + 4) {
            out.write_str("12345678").map_err(fmt_error)?;
        }
        assert_eq!(out.len(), crate::page::PAGE_SIZE - 1);
        // SAFETY: `page` came from `KBox::into_raw` above; `out` is not used any more.
        let page = unsafe { KBox::from_raw(page) };
        assert_eq!(page[crate::page::PAGE_SIZE - 1], 0);
        Ok(())
    }
}
