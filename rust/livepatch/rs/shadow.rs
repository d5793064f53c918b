// SPDX-License-Identifier: GPL-2.0-or-later

//! Shadow variables: data attached to an existing object, keyed by `<obj, id>`.
//!
//! Readers (`klp_shadow_get()`) are lockless under RCU; writers serialise on an IRQ-safe
//! spinlock, under which constructors and destructors run. Freed variables are released with
//! `kfree_rcu()`, so a concurrent reader never sees freed memory. The layout of a variable is the
//! C core's `struct klp_shadow`, whose data area starts at byte 48.
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)

use kernel::{
    alloc::Flags,
    bindings,
    fmt::CHashedPtr,
    global_lock,
    hashtable::{
        ItemRef,
        Links,
        RcuHashItem,
        RcuHashTable,
        TailBox, //
    },
    prelude::*,
    print::warn_printk,
    sync::rcu, //
};

/// A shadow variable's header; `size` bytes of data follow it.
#[repr(C)]
struct Shadow {
    links: Links,
    /// The parent object, only compared and handed back to callbacks.
    obj: usize,
    id: usize,
}

// The C core's `struct klp_shadow` puts `data[]` here; debuggers and crash tools rely on it.
const _: () = assert!(core::mem::size_of::<Shadow>() == 48);

impl Shadow {
    fn matches(&self, obj: usize, id: usize) -> bool {
        self.obj == obj && self.id == id
    }
}

// SAFETY: `Shadow` is `repr(C)` and its first field is `Links`.
unsafe impl RcuHashItem for Shadow {
    fn hash_key(&self) -> usize {
        self.obj
    }
}

global_lock! {
    // SAFETY: `init()` runs from `klp_rust_init()` before any user.
    unsafe(uninit) static KLP_SHADOW_LOCK: SpinLockIrq<()> = ();
}

/// 4096 buckets keyed by the parent object, as the C core's `DEFINE_HASHTABLE(…, 12)`.
static KLP_SHADOW_HASH: RcuHashTable<Shadow, KLP_SHADOW_LOCK, 4096> = RcuHashTable::new();

/// Initialises the writer lock.
///
/// # Safety
///
/// Must be called exactly once, before any other function of this module.
pub(crate) unsafe fn init() {
    // SAFETY: The caller guarantees this is the only call, and it precedes every use.
    unsafe { KLP_SHADOW_LOCK.init() };
}

/// Looks up `<obj, id>` and returns its data area.
fn get(obj: usize, id: usize) -> Option<*mut c_void> {
    let guard = rcu::read_lock();
    KLP_SHADOW_HASH
        .find(obj, &guard, |s| s.matches(obj, id))
        .map(|s| s.tail_ptr().cast())
}

/// Retrieves a shadow variable's data pointer, or NULL.
///
/// # Safety
///
/// Any values are accepted; `obj` is only compared.
#[export]
pub(crate) unsafe extern "C" fn klp_shadow_get(obj: *mut c_void, id: c_ulong) -> *mut c_void {
    get(obj as usize, id).unwrap_or(core::ptr::null_mut())
}

/// Prints `Failed to construct shadow variable …` exactly as the C core, whose `%p` hashes the
/// pointer.
fn report_ctor_failure(obj: usize, id: usize, err: c_int) {
    pr_err!(
        "Failed to construct shadow variable <{}, {:x}> ({})\n",
        CHashedPtr::new(obj as *const c_void),
        id,
        err
    );
}

/// Warns about a duplicate `klp_shadow_alloc()`, like the C core's `WARN(1, …)`.
///
/// x86 keeps a `WARN()`'s format in its bug table, which Rust cannot emit; the message is
/// printed just before the warning instead.
fn warn_duplicate(obj: usize, id: usize) {
    warn_printk(fmt!(
        "Duplicate shadow variable <{}, {:x}>\n",
        CHashedPtr::new(obj as *const c_void),
        id
    ));
    kernel::warn_on!(true);
}

/// The body of `klp_shadow_alloc()` and `klp_shadow_get_or_alloc()`.
///
/// # Safety
///
/// `ctor`, if any, must be safe to call with `obj`, a data area of `size` bytes and `ctor_data`
/// in atomic context.
unsafe fn get_or_alloc(
    obj: usize,
    id: usize,
    size: usize,
    gfp_flags: bindings::gfp_t,
    ctor: bindings::klp_shadow_ctor_t,
    ctor_data: *mut c_void,
    warn_on_exist: bool,
) -> *mut c_void {
    let exists = |data: *mut c_void| {
        if warn_on_exist {
            warn_duplicate(obj, id);
            core::ptr::null_mut()
        } else {
            data
        }
    };

    if let Some(data) = get(obj, id) {
        return exists(data);
    }

    // Allocate outside the lock, zeroed; the constructor only runs if the variable is used.
    let header = Shadow {
        links: Links::new(),
        obj,
        id,
    };
    let Ok(mut shadow) = TailBox::new(header, size, Flags::from_raw(gfp_flags)) else {
        return core::ptr::null_mut();
    };

    let mut guard = KLP_SHADOW_LOCK.lock();
    // Look for <obj, id> again under the lock; another writer may have won the race.
    let raced = KLP_SHADOW_HASH
        .find_locked(obj, &guard, |s| s.matches(obj, id))
        .map(|s| s.tail_ptr().cast::<c_void>());
    if let Some(data) = raced {
        drop(guard);
        drop(shadow);
        return exists(data);
    }

    if let Some(ctor) = ctor {
        // SAFETY: The caller guarantees `ctor` accepts these arguments; the data area is
        // `size` bytes of zeroed memory that only we reference.
        let err = unsafe { ctor(obj as *mut c_void, shadow.tail_ptr().cast(), ctor_data) };
        if err != 0 {
            drop(guard);
            drop(shadow);
            report_ctor_failure(obj, id, err);
            return core::ptr::null_mut();
        }
    }

    let data = KLP_SHADOW_HASH.insert(&mut guard, shadow).tail_ptr().cast();
    drop(guard);
    data
}

/// Allocates and adds a new shadow variable; NULL on a duplicate (with a warning) or failure.
///
/// # Safety
///
/// `ctor`, if any, must be safe to call in atomic context with `obj`, a data area of `size` bytes
/// and `ctor_data`.
#[export]
pub(crate) unsafe extern "C" fn klp_shadow_alloc(
    obj: *mut c_void,
    id: c_ulong,
    size: usize,
    gfp_flags: bindings::gfp_t,
    ctor: bindings::klp_shadow_ctor_t,
    ctor_data: *mut c_void,
) -> *mut c_void {
    // SAFETY: Forwarded from our caller.
    unsafe { get_or_alloc(obj as usize, id, size, gfp_flags, ctor, ctor_data, true) }
}

/// Returns the existing shadow variable `<obj, id>` or allocates a new one; NULL on failure.
///
/// # Safety
///
/// As for [`klp_shadow_alloc`].
#[export]
pub(crate) unsafe extern "C" fn klp_shadow_get_or_alloc(
    obj: *mut c_void,
    id: c_ulong,
    size: usize,
    gfp_flags: bindings::gfp_t,
    ctor: bindings::klp_shadow_ctor_t,
    ctor_data: *mut c_void,
) -> *mut c_void {
    // SAFETY: Forwarded from our caller.
    unsafe { get_or_alloc(obj as usize, id, size, gfp_flags, ctor, ctor_data, false) }
}

/// Calls the optional destructor on a variable being removed (under the lock).
///
/// # Safety
///
/// `dtor`, if any, must be safe to call in atomic context with the variable's object and data.
unsafe fn destroy(dtor: bindings::klp_shadow_dtor_t, shadow: &ItemRef<'_, Shadow>) {
    if let Some(dtor) = dtor {
        // SAFETY: The caller guarantees `dtor` accepts these arguments.
        unsafe { dtor(shadow.obj as *mut c_void, shadow.tail_ptr().cast()) };
    }
}

/// Detaches and frees the shadow variable `<obj, id>`, calling `dtor` first.
///
/// # Safety
///
/// `dtor`, if any, must be safe to call in atomic context with the variable's object and data.
#[export]
pub(crate) unsafe extern "C" fn klp_shadow_free(
    obj: *mut c_void,
    id: c_ulong,
    dtor: bindings::klp_shadow_dtor_t,
) {
    let obj = obj as usize;
    let mut guard = KLP_SHADOW_LOCK.lock();
    KLP_SHADOW_HASH.remove_one(
        &mut guard,
        obj,
        |s| s.matches(obj, id),
        // SAFETY: Forwarded from our caller.
        |s| unsafe { destroy(dtor, s) },
    );
}

/// Detaches and frees every shadow variable with this `id`, calling `dtor` on each.
///
/// # Safety
///
/// `dtor`, if any, must be safe to call in atomic context with each variable's object and data.
#[export]
pub(crate) unsafe extern "C" fn klp_shadow_free_all(
    id: c_ulong,
    dtor: bindings::klp_shadow_dtor_t,
) {
    let mut guard = KLP_SHADOW_LOCK.lock();
    KLP_SHADOW_HASH.remove_all(
        &mut guard,
        |s| s.id == id,
        // SAFETY: Forwarded from our caller.
        |s| unsafe { destroy(dtor, s) },
    );
}
