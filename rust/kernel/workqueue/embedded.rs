// SPDX-License-Identifier: GPL-2.0

//! Work items embedded in structures owned elsewhere, often by C.
//!
//! Some C structures carry a `struct work_struct` of their own (a live patch's `free_work`,
//! say) that the code managing them schedules. [`EmbeddedWork`] says where it is and what
//! runs; [`init_embedded`] sets it up and [`schedule_embedded`] queues it on the system
//! workqueue, as `INIT_WORK()` and `schedule_work()` do.
//!
//! C header: [`include/linux/workqueue.h`](srctree/include/linux/workqueue.h)

use crate::{
    bindings,
    str::{
        CStr,
        CStrExt, //
    },
    sync::LockClassKey,
};
use core::pin::Pin;

/// A structure with an embedded `struct work_struct`.
///
/// # Examples
///
/// ```
/// use kernel::{bindings, types::Opaque, workqueue::EmbeddedWork};
///
/// struct Request {
///     work: Opaque<bindings::work_struct>,
///     id: u32,
/// }
///
/// // SAFETY: The work item is touched only through the workqueue API, which synchronises
/// // itself; `id` is immutable.
/// unsafe impl Sync for Request {}
///
/// // SAFETY: `work` is at the offset given.
/// unsafe impl EmbeddedWork for Request {
///     const WORK_OFFSET: usize = core::mem::offset_of!(Request, work);
///     fn run(this: &Self) {
///         kernel::pr_info!("request {} done\n", this.id);
///     }
/// }
/// ```
///
/// # Safety
///
/// `Self` contains a `struct work_struct` at byte offset [`EmbeddedWork::WORK_OFFSET`].
pub unsafe trait EmbeddedWork: Sized + Sync {
    /// Where the work item is, in bytes from the start of `Self`.
    const WORK_OFFSET: usize;

    /// Runs in process context on the system workqueue, once per time it was queued.
    fn run(this: &Self);
}

fn work_of<T: EmbeddedWork>(this: &T) -> *mut bindings::work_struct {
    let this: *const T = this;
    // The work item lies within `*this` (`EmbeddedWork`'s layout requirement).
    this.cast::<u8>()
        .wrapping_add(T::WORK_OFFSET)
        .cast_mut()
        .cast()
}

/// # Safety
///
/// Called by the workqueue code for a work item set up by [`init_embedded`], whose `T` is
/// alive (the guarantee of [`schedule_embedded`]'s caller).
unsafe extern "C" fn run_trampoline<T: EmbeddedWork>(work: *mut bindings::work_struct) {
    // SAFETY: The work item is the one at `WORK_OFFSET` of a live `T`.
    let this = unsafe { &*work.cast::<u8>().sub(T::WORK_OFFSET).cast::<T>() };
    T::run(this);
}

/// Sets up the work item of `this` to run [`EmbeddedWork::run`] (`INIT_WORK()`).
///
/// # Safety
///
/// The work item must not be queued or running, and nothing else may access it concurrently.
pub unsafe fn init_embedded<T: EmbeddedWork>(
    this: &T,
    name: &'static CStr,
    key: Pin<&'static LockClassKey>,
) {
    // SAFETY: The work item lies within `this` and is ours to write (caller); `name` and `key`
    // live forever.
    unsafe {
        bindings::init_work_with_key(
            work_of(this),
            Some(run_trampoline::<T>),
            false,
            name.as_char_ptr(),
            key.as_ptr(),
        )
    };
}

/// Queues the work item of `this` on the system workqueue (`schedule_work()`); false if it was
/// already queued.
///
/// # Safety
///
/// The work item must have been set up with [`init_embedded`], and `this` must stay alive until
/// [`EmbeddedWork::run`] has returned.
pub unsafe fn schedule_embedded<T: EmbeddedWork>(this: &T) -> bool {
    // SAFETY: The work item is initialised and its owner outlives the run (caller).
    unsafe { bindings::schedule_work(work_of(this)) }
}

#[crate::prelude::kunit_tests(rust_embedded_work)]
mod tests {
    use super::*;
    use crate::{
        prelude::*,
        sync::{
            atomic::{
                Atomic,
                Relaxed, //
            },
            Completion,
        },
        types::Opaque,
    };

    #[pin_data]
    struct Owner {
        work: Opaque<bindings::work_struct>,
        runs: Atomic<u32>,
        #[pin]
        done: Completion,
    }

    // SAFETY: The work item is only touched through the workqueue API, which synchronises
    // itself; the other fields are `Sync`.
    unsafe impl Sync for Owner {}

    // SAFETY: `work` is at the offset given.
    unsafe impl EmbeddedWork for Owner {
        const WORK_OFFSET: usize = core::mem::offset_of!(Owner, work);
        fn run(this: &Self) {
            this.runs.fetch_add(1, Relaxed);
            this.done.complete_all();
        }
    }

    #[test]
    fn embedded_work_runs() -> Result {
        let owner = KBox::pin_init(
            pin_init!(Owner {
                work: Opaque::uninit(),
                runs: Atomic::new(0),
                done <- Completion::new(),
            }),
            GFP_KERNEL,
        )?;
        // SAFETY: Fresh, unqueued work item.
        unsafe {
            init_embedded(
                &*owner,
                c"rust_embedded_work_test",
                crate::static_lock_class!(),
            )
        };
        // SAFETY: Initialised above; `owner` lives until after the wait below, which the run
        // ends with.
        assert!(unsafe { schedule_embedded(&*owner) });
        owner.done.wait_for_completion();
        // SAFETY: The work item is initialised; wait for `run` to return before freeing.
        unsafe { bindings::flush_work(work_of(&*owner)) };
        assert_eq!(owner.runs.load(Relaxed), 1);
        Ok(())
    }
}
