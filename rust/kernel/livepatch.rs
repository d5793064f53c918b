// SPDX-License-Identifier: GPL-2.0

//! Live patches written in Rust.
//!
//! A live patch module replaces functions of the running kernel (of vmlinux or of modules, loaded
//! now or later) with new versions, without a reboot. This module describes such a patch in Rust
//! and enables it through the exported `klp_enable_patch()`, so a Rust patch works with either
//! livepatch core. The C structures (`klp_patch`, `klp_object`, `klp_func`) are built and owned
//! here; a patch's author writes no `unsafe` for functions this module knows the signature of.
//!
//! A patch is a type implementing [`LivePatch`], declared with [`module_livepatch!`]: the module
//! is marked as a live patch (`MODULE_INFO(livepatch, "Y")`), and its `init` enables the patch as
//! its last step, so a module that loads always has its patch registered and a module that fails
//! to load has none.
//!
//! Replacements are made with [`Func`]s:
//! - [`targets`] has constructors for functions whose signature this module vouches for, taking a
//!   safe Rust function;
//! - [`klp_func!`](crate::klp_func) checks an `extern "C"` replacement against the signature
//!   bindgen gives the original;
//! - [`Func::new_unchecked`] takes any address, and is `unsafe`.
//!
//! # Examples
//!
//! The Rust twin of `samples/livepatch/livepatch-sample.c`:
//!
//! ```
//! use kernel::livepatch::{self, targets, LivePatch, Object};
//! use kernel::{prelude::*, seq_file::SeqFile, seq_print};
//!
//! fn cmdline_proc_show(m: &SeqFile) -> Result {
//!     seq_print!(m, "this has been live patched\n");
//!     Ok(())
//! }
//!
//! struct CmdlinePatch;
//!
//! impl LivePatch for CmdlinePatch {
//!     const OBJECTS: &'static [Object] =
//!         &[Object::vmlinux(&[targets::cmdline_proc_show(cmdline_proc_show)])];
//! }
//!
//! // In a module: `kernel::module_livepatch! { type: CmdlinePatch, name: "...", license: "GPL" }`.
//! assert_eq!(CmdlinePatch::OBJECTS.len(), 1);
//! ```
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)

pub mod shadow;

use crate::{
    bindings,
    error::to_result,
    ffi::{
        c_int,
        c_uint,
        c_ulong,
        c_void, //
    },
    module::LoadedModule,
    prelude::*,
    sync::barrier::{
        smp_mb,
        Full, //
    },
    types::Opaque,
    ThisModule,
};
use core::{
    marker::PhantomData,
    mem::ManuallyDrop, //
};

/// A replacement of one function of the running kernel.
///
/// # Invariants
///
/// `new_func` is the entry of a function with the calling convention and the C signature of the
/// function that `old_name` (the `sympos`-th symbol of that name in its object, or the only one
/// when `sympos` is 0) names, and may be called wherever that function is.
#[derive(Clone, Copy)]
pub struct Func {
    old_name: &'static CStr,
    sympos: usize,
    new_func: *const c_void,
}

// SAFETY: A `Func` is an immutable name and code address; neither is tied to a thread.
unsafe impl Send for Func {}
// SAFETY: See above.
unsafe impl Sync for Func {}

impl Func {
    /// Describes the replacement of the function `old_name` by the code at `new_func`.
    ///
    /// `sympos` selects among several symbols of that name in the object (static functions of
    /// different files), counting from 1; 0 means the name must be unique (`old_sympos`).
    ///
    /// # Safety
    ///
    /// `new_func` must be the entry of a function with the calling convention and the C signature
    /// of the function `old_name` and `sympos` select, that may be called wherever that function
    /// is (with the same arguments, in the same contexts).
    pub const unsafe fn new_unchecked(
        old_name: &'static CStr,
        sympos: usize,
        new_func: *const c_void,
    ) -> Self {
        // INVARIANT: The caller vouches for `new_func`.
        Self {
            old_name,
            sympos,
            new_func,
        }
    }

    /// The name of the function replaced.
    pub const fn old_name(&self) -> &'static CStr {
        self.old_name
    }
}

/// Describes the replacement of a function that bindgen knows by an `extern "C"` function of
/// the same signature, as a [`Func`] (usable in constants).
///
/// The first argument is the name of the original in [`bindings`]; then comes the replacement
/// and the signature both must have:
///
/// ```
/// use kernel::{ffi::c_uint, klp_func, livepatch::Func};
///
/// extern "C" fn my_msleep(_msecs: c_uint) {}
/// const F: Func = klp_func!(msleep => my_msleep as fn(c_uint));
/// assert_eq!(F.old_name(), c"msleep");
/// ```
///
/// (`tools/testing/compile_fail/livepatch_func_wrong_signature.rs` shows one that does not.)
#[macro_export]
macro_rules! klp_func {
    ($old:ident => $new:path as fn($($arg:ty),* $(,)?) $(-> $ret:ty)?) => {{
        // Both must convert to the stated signature: bindgen's declaration of the original as
        // an `unsafe extern "C"` function, the replacement as an `extern "C"` one.
        const _: () = {
            let _original: unsafe extern "C" fn($($arg),*) $(-> $ret)? = $crate::bindings::$old;
            let _replacement: extern "C" fn($($arg),*) $(-> $ret)? = $new;
        };
        // SAFETY: `$new` has the signature bindgen gives `$old` (checked above), a symbol that C
        // code can call by name, so it is unique.
        unsafe {
            $crate::livepatch::Func::new_unchecked(
                $crate::c_str!(::core::stringify!($old)),
                0,
                $new as *const $crate::ffi::c_void,
            )
        }
    }};
}

/// The functions a patch replaces in one object: vmlinux or a module.
///
/// A module's object applies when the module is loaded, now or later.
#[derive(Clone, Copy)]
pub struct Object {
    name: Option<&'static CStr>,
    funcs: &'static [Func],
    callbacks: bool,
}

impl Object {
    /// Functions of vmlinux.
    pub const fn vmlinux(funcs: &'static [Func]) -> Self {
        Self {
            name: None,
            funcs,
            callbacks: false,
        }
    }

    /// Functions of the module `name`.
    pub const fn module(name: &'static CStr, funcs: &'static [Func]) -> Self {
        Self {
            name: Some(name),
            funcs,
            callbacks: false,
        }
    }

    /// Calls the patch's callbacks ([`LivePatch::pre_patch`] and the others) for this object.
    pub const fn with_callbacks(self) -> Self {
        Self {
            callbacks: true,
            ..self
        }
    }
}

/// A system state a patch introduces or keeps, and its version (`klp_state`).
///
/// A patch cannot be enabled after one whose state of the same id has a higher version; when
/// patches are atomically replaced, the new one must keep every state of the old ones.
#[derive(Clone, Copy)]
pub struct State {
    id: c_ulong,
    version: c_uint,
}

impl State {
    /// The state `id`, at `version`.
    pub const fn new(id: c_ulong, version: c_uint) -> Self {
        Self { id, version }
    }

    /// The state's id.
    pub const fn id(&self) -> c_ulong {
        self.id
    }

    /// The state's version.
    pub const fn version(&self) -> c_uint {
        self.version
    }
}

/// An object of an enabled patch, as its callbacks see it.
///
/// # Invariants
///
/// Wraps a `klp_object` of an enabled patch during one of its callbacks: its module, if it has
/// one, is loaded for the whole call.
#[repr(transparent)]
pub struct ObjectRef(Opaque<bindings::klp_object>);

impl ObjectRef {
    /// Creates a reference from the pointer a callback receives.
    ///
    /// # Safety
    ///
    /// `ptr` must be the object a callback is called for, and `'a` end with the call.
    unsafe fn from_raw<'a>(ptr: *mut bindings::klp_object) -> &'a Self {
        // CAST: `ObjectRef` is a transparent wrapper of `bindings::klp_object`.
        // SAFETY: Guaranteed by the caller.
        unsafe { &*ptr.cast() }
    }

    /// The name of the object's module, or `None` for vmlinux.
    pub fn name(&self) -> Option<&CStr> {
        // SAFETY: By the type invariants the object is valid; `name` is set before enabling.
        let name = unsafe { (*self.0.get()).name };
        // SAFETY: A non-null name is a NUL-terminated string that lives as long as the patch.
        (!name.is_null()).then(|| unsafe { CStr::from_char_ptr(name) })
    }

    /// The object's module, or `None` for vmlinux.
    pub fn module(&self) -> Option<&LoadedModule> {
        // SAFETY: By the type invariants the object is valid; the core sets `mod` before calling
        // callbacks for a module object, and not while they run.
        let module = unsafe { (*self.0.get()).mod_ };
        // SAFETY: The module is loaded for the duration of the callback (type invariants).
        (!module.is_null()).then(|| unsafe { LoadedModule::from_raw(module) })
    }

    /// The state `id` of the patches enabled before the one the callback is for, if one of them
    /// has it (`klp_get_prev_state()`).
    pub fn prev_state(&self, id: c_ulong) -> Option<State> {
        // SAFETY: Callbacks run under `klp_mutex`, which keeps the list of patches the function
        // walks as it is.
        let state = unsafe { bindings::klp_get_prev_state(id) };
        // SAFETY: A non-null result is a state of an enabled patch, readable during the callback.
        (!state.is_null()).then(|| unsafe { State::new((*state).id, (*state).version) })
    }
}

/// A live patch: what it replaces, and how.
///
/// Declare the module with [`module_livepatch!`].
pub trait LivePatch: 'static {
    /// The objects whose functions the patch replaces.
    const OBJECTS: &'static [Object];

    /// Whether the patch atomically replaces every patch enabled before it, which it disables
    /// when its transition completes (a cumulative patch, `klp_patch.replace`). Asked once,
    /// when the module loads (so a module parameter can decide).
    fn replace() -> bool {
        false
    }

    /// The system states the patch introduces or keeps (its own state `id` is therefore
    /// `STATES.iter().find(|s| s.id() == id)`, what `klp_get_state()` returns for it).
    const STATES: &'static [State] = &[];

    /// Called before an object [with callbacks](Object::with_callbacks) is patched: when the
    /// patch is enabled, or when the object's module loads later. An error cancels enabling the
    /// patch, or loading the module.
    fn pre_patch(_obj: &ObjectRef) -> Result {
        Ok(())
    }

    /// Called after an object with callbacks was patched and every task switched to the patch.
    fn post_patch(_obj: &ObjectRef) {}

    /// Called before an object with callbacks is unpatched: when the patch is disabled, or when
    /// the object's module is removed.
    fn pre_unpatch(_obj: &ObjectRef) {}

    /// Called after an object with callbacks was unpatched, if its `pre_patch` succeeded.
    fn post_unpatch(_obj: &ObjectRef) {}

    /// Called when the module is removed, after the patch was disabled and released, so none of
    /// its functions or callbacks can run anymore (not after a forced unload).
    fn exit() {}
}

/// The C callbacks calling `T`'s.
mod adapters {
    use super::*;

    pub(super) unsafe extern "C" fn pre_patch<T: LivePatch>(
        obj: *mut bindings::klp_object,
    ) -> c_int {
        // SAFETY: The core calls this with the object the callback is for.
        match T::pre_patch(unsafe { ObjectRef::from_raw(obj) }) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    pub(super) unsafe extern "C" fn post_patch<T: LivePatch>(obj: *mut bindings::klp_object) {
        // SAFETY: As above.
        T::post_patch(unsafe { ObjectRef::from_raw(obj) })
    }

    pub(super) unsafe extern "C" fn pre_unpatch<T: LivePatch>(obj: *mut bindings::klp_object) {
        // SAFETY: As above.
        T::pre_unpatch(unsafe { ObjectRef::from_raw(obj) })
    }

    pub(super) unsafe extern "C" fn post_unpatch<T: LivePatch>(obj: *mut bindings::klp_object) {
        // SAFETY: As above.
        T::post_unpatch(unsafe { ObjectRef::from_raw(obj) })
    }
}

/// The C structures of a patch: `klp_patch` and the arrays it points to.
///
/// # Invariants
///
/// - `patch.objs` points to `objs`, a zero-terminated array, whose entries' `funcs` point to the
///   zero-terminated arrays of `funcs`; `patch.states` points to `states`, zero-terminated; names point to `'static` strings; `patch.mod_` is
///   `module`. Heap allocations do not move, so the pointers stay valid as long as the fields.
/// - After [`Self::enable`] succeeded, the livepatch core uses the structures until it drops the
///   module reference it took then; the fields are only dropped once no reference is left.
struct Registration {
    patch: ManuallyDrop<KBox<bindings::klp_patch>>,
    objs: ManuallyDrop<KVec<bindings::klp_object>>,
    funcs: ManuallyDrop<KVec<KVec<bindings::klp_func>>>,
    states: ManuallyDrop<KVec<bindings::klp_state>>,
    module: &'static ThisModule,
}

// SAFETY: Once enabled, only the livepatch core accesses the structures, under its own locks; the
// registration itself is only dropped.
unsafe impl Send for Registration {}
// SAFETY: `Registration` has no `&self` methods.
unsafe impl Sync for Registration {}

/// An all-zero C structure, as C's static initialisers leave the fields they do not name.
fn zeroed<T>() -> T {
    // SAFETY: Only used for the livepatch structures, plain C structures for which all zeroes
    // are valid (pointers null, lists and kobjects uninitialised until the core sets them up).
    unsafe { core::mem::zeroed() }
}

impl Registration {
    fn new<T: LivePatch>(module: &'static ThisModule) -> Result<Self> {
        let objects = T::OBJECTS;
        let mut funcs = KVec::with_capacity(objects.len(), GFP_KERNEL)?;
        for object in objects {
            let mut array = KVec::with_capacity(object.funcs.len() + 1, GFP_KERNEL)?;
            for func in object.funcs {
                let mut raw: bindings::klp_func = zeroed();
                raw.old_name = func.old_name.as_char_ptr();
                raw.old_sympos = func.sympos as _;
                raw.new_func = func.new_func.cast_mut();
                array.push(raw, GFP_KERNEL)?;
            }
            array.push(zeroed(), GFP_KERNEL)?;
            funcs.push(array, GFP_KERNEL)?;
        }

        let mut objs = KVec::with_capacity(objects.len() + 1, GFP_KERNEL)?;
        for (object, array) in objects.iter().zip(funcs.iter_mut()) {
            let mut raw: bindings::klp_object = zeroed();
            raw.name = object.name.map_or(core::ptr::null(), CStr::as_char_ptr);
            raw.funcs = array.as_mut_ptr();
            if object.callbacks {
                raw.callbacks.pre_patch = Some(adapters::pre_patch::<T>);
                raw.callbacks.post_patch = Some(adapters::post_patch::<T>);
                raw.callbacks.pre_unpatch = Some(adapters::pre_unpatch::<T>);
                raw.callbacks.post_unpatch = Some(adapters::post_unpatch::<T>);
            }
            objs.push(raw, GFP_KERNEL)?;
        }
        objs.push(zeroed(), GFP_KERNEL)?;

        let mut states = KVec::with_capacity(T::STATES.len() + 1, GFP_KERNEL)?;
        for state in T::STATES {
            let mut raw: bindings::klp_state = zeroed();
            raw.id = state.id;
            raw.version = state.version;
            states.push(raw, GFP_KERNEL)?;
        }
        states.push(zeroed(), GFP_KERNEL)?;

        let mut patch: bindings::klp_patch = zeroed();
        patch.mod_ = module.as_ptr();
        patch.objs = objs.as_mut_ptr();
        patch.states = states.as_mut_ptr();
        patch.replace = T::replace();
        // INVARIANT: The pointers set above point into the vectors moved into `Self`, whose
        // buffers stay where they are.
        Ok(Self {
            patch: ManuallyDrop::new(KBox::new(patch, GFP_KERNEL)?),
            objs: ManuallyDrop::new(objs),
            funcs: ManuallyDrop::new(funcs),
            states: ManuallyDrop::new(states),
            module,
        })
    }

    /// Enables the patch (`klp_enable_patch()`).
    fn enable(&mut self) -> Result {
        let patch: &mut bindings::klp_patch = &mut self.patch;
        // SAFETY: By the type invariants the structures are complete and stay valid for as long
        // as the core may use them.
        to_result(unsafe { bindings::klp_enable_patch(patch) })
    }
}

impl Registration {
    /// Whether the core has released the patch (or never took it).
    fn released(&self) -> bool {
        // The core holds a reference to the module from enabling the patch until after its last
        // access to the structures. A module exits once it has no reference left (its count is
        // then below zero), unless its unloading is forced.
        // SAFETY: `module` is this module, whose code is running.
        let released = unsafe { bindings::module_refcount(self.module.as_ptr()) } <= 0;
        // ORDERING: Orders the core's last accesses to the structures, which precede its fully
        // ordered `module_put()`, before what the caller does next (frees, `LivePatch::exit`).
        smp_mb(Full);
        released
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if !self.released() {
            pr_warn!("live patch structures still in use: not freed\n");
            return;
        }
        // SAFETY: The core no longer uses the structures (see above), and they are dropped once.
        unsafe {
            ManuallyDrop::drop(&mut self.patch);
            ManuallyDrop::drop(&mut self.objs);
            ManuallyDrop::drop(&mut self.funcs);
            ManuallyDrop::drop(&mut self.states);
        }
    }
}

/// The module of a [`LivePatch`], which enables the patch when loaded; made by
/// [`module_livepatch!`].
pub struct PatchModule<T: LivePatch> {
    registration: Registration,
    _patch: PhantomData<fn() -> T>,
}

impl<T: LivePatch> Drop for PatchModule<T> {
    fn drop(&mut self) {
        if self.registration.released() {
            T::exit();
        }
    }
}

impl<T: LivePatch> PatchModule<T> {
    /// Builds the patch's structures and enables it.
    ///
    /// # Safety
    ///
    /// Must be called at most once, from the `init` of the module `module` is, as its last
    /// fallible step: a module that fails to load frees its code although a patch of it may be
    /// enabled.
    #[doc(hidden)]
    pub unsafe fn init(module: &'static ThisModule) -> Result<Self> {
        let mut registration = Registration::new::<T>(module)?;
        registration.enable()?;
        Ok(Self {
            registration,
            _patch: PhantomData,
        })
    }
}

/// Declares a live patch module: `module!` with `livepatch: true`, whose `init` enables the
/// [`LivePatch`] given as `type`. The other fields are those of `module!`.
///
/// ```ignore
/// kernel::module_livepatch! {
///     type: MyPatch,
///     name: "my_patch",
///     authors: ["..."],
///     description: "...",
///     license: "GPL",
/// }
/// ```
#[macro_export]
macro_rules! module_livepatch {
    (type: $type:ty, $($field:ident: $value:tt),* $(,)?) => {
        /// The module enabling the live patch.
        struct __LivePatchModule($crate::livepatch::PatchModule<$type>);

        impl $crate::Module for __LivePatchModule {
            fn init(module: &'static $crate::ThisModule) -> $crate::error::Result<Self> {
                // SAFETY: This is the module's `init`, called once, and enabling is its only
                // fallible step.
                unsafe { $crate::livepatch::PatchModule::<$type>::init(module) }.map(Self)
            }
        }

        $crate::prelude::module! {
            type: __LivePatchModule,
            $($field: $value,)*
            livepatch: true,
        }
    };
}

/// Functions the kernel crate knows the signature and the arguments of, so that a patch can
/// replace them with safe Rust functions.
///
/// Each constructor takes the replacement (a function item or a closure that captures nothing)
/// and makes the [`Func`], with an `extern "C"` adapter that turns the C arguments into safe
/// references.
pub mod targets {
    use super::*;
    use crate::seq_file::SeqFile;

    /// Makes a value of the zero-sized type `F` of which `_witness` was a value.
    fn conjure<F: Copy>(_witness: PhantomData<F>) -> F {
        const { assert!(core::mem::size_of::<F>() == 0) };
        // SAFETY: `F` is zero-sized (checked above) and `Copy`, and a value of it was passed to
        // the constructor that made this adapter: making one is making a copy of it.
        unsafe { core::ptr::NonNull::<F>::dangling().read() }
    }

    /// Defines the constructor of a target that is a `single_open()` show function,
    /// `static int NAME(struct seq_file *m, void *v)`, unique in vmlinux.
    macro_rules! seq_show_target {
        ($(#[$doc:meta])* $name:ident) => {
            $(#[$doc])*
            ///
            /// The replacement gets the `seq_file` to print into; an error it returns becomes the
            /// read's error.
            pub const fn $name<F>(f: F) -> Func
            where
                F: Fn(&SeqFile) -> Result + Copy + 'static,
            {
                const {
                    assert!(core::mem::size_of::<F>() == 0, "the replacement must capture nothing")
                };
                // `f` is only a witness that the type has a value (see `conjure()`).
                let _f = f;

                extern "C" fn adapter<F: Fn(&SeqFile) -> Result + Copy + 'static>(
                    m: *mut bindings::seq_file,
                    _v: *mut c_void,
                ) -> c_int {
                    let f = conjure(PhantomData::<F>);
                    // SAFETY: The target is a `single_open()` show function: the `seq_file` is
                    // valid and only this thread uses it during the call.
                    let m = unsafe { SeqFile::from_raw(m) };
                    match f(m) {
                        Ok(()) => 0,
                        Err(e) => e.to_errno(),
                    }
                }

                // SAFETY: The target is `static int $name(struct seq_file *m, void *v)`, the only
                // function of that name in vmlinux; `adapter` has its signature and may run where
                // it runs (a `/proc` read, in process context).
                unsafe {
                    Func::new_unchecked(
                        $crate::c_str!(::core::stringify!($name)),
                        0,
                        adapter::<F> as *const c_void,
                    )
                }
            }
        };
    }

    seq_show_target!(
        /// Replaces `cmdline_proc_show()` (`fs/proc/cmdline.c`), which shows `/proc/cmdline`.
        cmdline_proc_show
    );

    seq_show_target!(
        /// Replaces `meminfo_proc_show()` (`fs/proc/meminfo.c`), which shows `/proc/meminfo`.
        meminfo_proc_show
    );
}
