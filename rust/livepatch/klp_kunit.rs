// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the livepatch shadow-variable and system-state API.
//!
//! They call the exported C interface (`klp_shadow_*`, `klp_get_state`), so the same tests run
//! against whichever core, C or Rust, is built in.
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)

use kernel::prelude::*;

const __LOG_PREFIX: &[u8] = b"livepatch_kunit\0";

#[kunit_tests(livepatch_shadow)]
mod shadow_tests {
    use core::ptr::null_mut;
    use kernel::{
        bindings,
        prelude::*,
        sync::{
            atomic::{
                Atomic,
                Relaxed, //
            },
            Arc, //
        },
        workqueue, //
    };

    /// Shadow ids private to these tests, so they cannot meet a patch module's variables.
    const ID_A: c_ulong = 0x6b75_6e69_0001;
    const ID_B: c_ulong = 0x6b75_6e69_0002;

    /// A fake parent object: the API only compares the pointer.
    fn obj(n: usize) -> *mut c_void {
        (0xdead_0000 + n * 64) as *mut c_void
    }

    fn alloc(o: *mut c_void, id: c_ulong, size: usize) -> *mut c_void {
        // SAFETY: No constructor is passed.
        unsafe { bindings::klp_shadow_alloc(o, id, size, bindings::GFP_KERNEL, None, null_mut()) }
    }

    fn get(o: *mut c_void, id: c_ulong) -> *mut c_void {
        // SAFETY: `klp_shadow_get()` accepts any values.
        unsafe { bindings::klp_shadow_get(o, id) }
    }

    fn free(o: *mut c_void, id: c_ulong) {
        // SAFETY: No destructor is passed.
        unsafe { bindings::klp_shadow_free(o, id, None) }
    }

    static CTOR_CALLS: Atomic<i32> = Atomic::new(0);
    static DTOR_CALLS: Atomic<i32> = Atomic::new(0);

    /// Stores `*ctor_data` (an `u64`) into the new variable, or fails if it is 0.
    ///
    /// # Safety
    ///
    /// `ctor_data` must point to an `u64` and `data` to at least 8 writable, aligned bytes.
    unsafe extern "C" fn ctor_store(
        _obj: *mut c_void,
        data: *mut c_void,
        ctor_data: *mut c_void,
    ) -> c_int {
        CTOR_CALLS.add(1, Relaxed);
        // SAFETY: The tests pass a pointer to an `u64` as `ctor_data`.
        let value = unsafe { *ctor_data.cast::<u64>() };
        if value == 0 {
            return -(bindings::ENOMEM as c_int);
        }
        // SAFETY: The tests allocate at least 8 bytes of data, aligned by `kmalloc()`.
        unsafe { data.cast::<u64>().write(value) };
        0
    }

    /// Counts calls and checks the data area belongs to the object.
    ///
    /// # Safety
    ///
    /// `data` must point to at least 8 readable, aligned bytes.
    unsafe extern "C" fn dtor_count(obj: *mut c_void, data: *mut c_void) {
        // SAFETY: The tests store the object's address in the first 8 bytes.
        let stored = unsafe { data.cast::<u64>().read() };
        if stored == obj as u64 {
            DTOR_CALLS.add(1, Relaxed);
        }
    }

    fn alloc_ctor(o: *mut c_void, id: c_ulong, mut value: u64, or_get: bool) -> *mut c_void {
        let f = if or_get {
            bindings::klp_shadow_get_or_alloc
        } else {
            bindings::klp_shadow_alloc
        };
        // SAFETY: `ctor_store` reads `value` and writes 8 bytes of the 16 allocated.
        unsafe {
            f(
                o,
                id,
                16,
                bindings::GFP_KERNEL,
                Some(ctor_store),
                (&raw mut value).cast(),
            )
        }
    }

    #[test]
    fn alloc_get_free() {
        let p = alloc(obj(1), ID_A, 32);
        assert!(!p.is_null());
        // SAFETY: `p` points to 32 bytes of shadow data.
        let bytes = unsafe { core::slice::from_raw_parts(p.cast::<u8>(), 32) };
        assert!(bytes.iter().all(|b| *b == 0));
        assert_eq!(get(obj(1), ID_A), p);
        assert!(get(obj(1), ID_B).is_null());
        assert!(get(obj(2), ID_A).is_null());
        free(obj(1), ID_A);
        assert!(get(obj(1), ID_A).is_null());
        // Freeing what does not exist is a no-op.
        free(obj(1), ID_A);
    }

    #[test]
    fn ctor_runs_once() {
        CTOR_CALLS.store(0, Relaxed);
        let p = alloc_ctor(obj(3), ID_A, 0x1234, true);
        assert!(!p.is_null());
        // SAFETY: The constructor stored an `u64` there.
        assert_eq!(unsafe { p.cast::<u64>().read() }, 0x1234);
        let q = alloc_ctor(obj(3), ID_A, 0x5678, true);
        assert_eq!(p, q);
        assert_eq!(CTOR_CALLS.load(Relaxed), 1);
        // SAFETY: The data is unchanged by the second call.
        assert_eq!(unsafe { q.cast::<u64>().read() }, 0x1234);
        free(obj(3), ID_A);
    }

    #[test]
    fn ctor_failure_leaves_nothing() {
        let p = alloc_ctor(obj(4), ID_A, 0, false);
        assert!(p.is_null());
        assert!(get(obj(4), ID_A).is_null());
    }

    #[test]
    fn duplicate_alloc_fails() {
        let p = alloc(obj(5), ID_A, 8);
        assert!(!p.is_null());
        // Expected to WARN "Duplicate shadow variable".
        assert!(alloc(obj(5), ID_A, 8).is_null());
        assert_eq!(get(obj(5), ID_A), p);
        free(obj(5), ID_A);
    }

    #[test]
    fn free_all_calls_dtor_per_variable() {
        DTOR_CALLS.store(0, Relaxed);
        for n in 10..18 {
            let p = alloc_ctor(obj(n), ID_A, obj(n) as u64, false);
            assert!(!p.is_null());
        }
        let keep = alloc_ctor(obj(10), ID_B, obj(10) as u64, false);
        assert!(!keep.is_null());

        // SAFETY: `dtor_count` only reads the data.
        unsafe { bindings::klp_shadow_free_all(ID_A, Some(dtor_count)) };
        assert_eq!(DTOR_CALLS.load(Relaxed), 8);
        for n in 10..18 {
            assert!(get(obj(n), ID_A).is_null());
        }
        assert_eq!(get(obj(10), ID_B), keep);

        // SAFETY: `dtor_count` only reads the data.
        unsafe { bindings::klp_shadow_free(obj(10), ID_B, Some(dtor_count)) };
        assert_eq!(DTOR_CALLS.load(Relaxed), 9);
    }

    /// Readers on another CPU see either no variable or a fully constructed one while this
    /// thread allocates and frees it repeatedly.
    #[test]
    fn concurrent_readers() -> Result {
        const ROUNDS: u64 = 2000;
        const READERS: usize = 2;
        let stop = Arc::new(Atomic::<i32>::new(0), GFP_KERNEL)?;
        let bad = Arc::new(Atomic::<i32>::new(0), GFP_KERNEL)?;
        let done = Arc::new(Atomic::<i32>::new(0), GFP_KERNEL)?;

        // `system_dfl_wq`: `system_unbound_wq`, which `workqueue::system_unbound()` returns, is
        // deprecated in 7.3 and logs so when used.
        // SAFETY: `system_dfl_wq` is set up before any KUnit test runs and never destroyed.
        let queue = unsafe { workqueue::Queue::from_raw(kernel::bindings::system_dfl_wq) };
        for _ in 0..READERS {
            let (stop, bad, done) = (stop.clone(), bad.clone(), done.clone());
            queue.try_spawn(GFP_KERNEL, move || {
                while stop.load(Relaxed) == 0 {
                    let p = get(obj(30), ID_A);
                    if !p.is_null() {
                        // SAFETY: A published variable stays allocated for at least an RCU
                        // grace period after it is freed; this read is short.
                        let v = unsafe { core::ptr::read_volatile(p.cast::<u64>()) };
                        if v != 0xc0ffee {
                            bad.add(1, Relaxed);
                        }
                    }
                }
                done.add(1, Relaxed);
            })?;
        }

        for _ in 0..ROUNDS {
            let p = alloc_ctor(obj(30), ID_A, 0xc0ffee, false);
            assert!(!p.is_null());
            free(obj(30), ID_A);
        }
        stop.store(1, Relaxed);
        while done.load(Relaxed) != READERS as i32 {
            // SAFETY: Sleeping is allowed in a KUnit test.
            unsafe { bindings::msleep(1) };
        }
        assert_eq!(bad.load(Relaxed), 0);
        Ok(())
    }
}

#[kunit_tests(livepatch_state)]
mod state_tests {
    use kernel::bindings;

    #[test]
    fn get_state_walks_until_id_zero() {
        // SAFETY: All-zero is a valid `klp_state` and `klp_patch` (no states, no objects).
        let mut states: [bindings::klp_state; 3] = unsafe { core::mem::zeroed() };
        states[0].id = 7;
        states[0].version = 2;
        states[1].id = 9;
        // SAFETY: See above.
        let mut patch: bindings::klp_patch = unsafe { core::mem::zeroed() };
        let p = &raw mut patch;

        // SAFETY: `patch` is a valid patch without states.
        assert!(unsafe { bindings::klp_get_state(p, 7) }.is_null());

        // SAFETY: `p` points to `patch`, alive here.
        unsafe { (*p).states = states.as_mut_ptr() };
        // SAFETY: `patch` is valid and `states` ends with an entry whose id is 0.
        let s7 = unsafe { bindings::klp_get_state(p, 7) };
        assert_eq!(s7, &raw mut states[0]);
        // SAFETY: As above.
        assert_eq!(unsafe { bindings::klp_get_state(p, 9) }, &raw mut states[1]);
        // SAFETY: As above; the terminator's id 0 is never matched.
        assert!(unsafe { bindings::klp_get_state(p, 0) }.is_null());
        // SAFETY: As above.
        assert!(unsafe { bindings::klp_get_state(p, 8) }.is_null());
    }
}

#[kunit_tests(rust_ftrace)]
mod ftrace_tests {
    use core::pin::Pin;
    use kernel::{
        ftrace::{
            self,
            FtraceRegs,
            Handler,
            MultiRegistration,
            OpsFlag,
            RecursionGuard, //
            Registration,
            RegistrationError,
        },
        prelude::*,
        sync::atomic::{
            Atomic,
            Relaxed, //
        },
    };

    extern "C" {
        // `klp_kunit_target.c`: return `x + 1` and `x + 2`.
        fn klp_kunit_ftrace_target(x: c_int) -> c_int;
        fn klp_kunit_ftrace_target2(x: c_int) -> c_int;
    }

    type Target = unsafe extern "C" fn(c_int) -> c_int;

    /// Calls `f` through a volatile pointer, so every call reaches its `fentry` site.
    fn call(f: Target, x: c_int) -> c_int {
        // SAFETY: Reading a local through a valid pointer.
        let f = unsafe { core::ptr::read_volatile(&raw const f) };
        // SAFETY: The targets take and return an `int` and have no other requirement.
        unsafe { f(x) }
    }

    fn call_target(x: c_int) -> c_int {
        call(klp_kunit_ftrace_target, x)
    }

    fn call_target2(x: c_int) -> c_int {
        call(klp_kunit_ftrace_target2, x)
    }

    /// The replacement the handler redirects to: same signature, different result.
    extern "C" fn replacement(x: c_int) -> c_int {
        x + 100
    }

    /// A function without an ftrace site, whatever the toolchain.
    #[ftrace::notrace]
    #[inline(never)]
    extern "C" fn untraceable(x: c_int) -> c_int {
        x
    }

    /// Redirects every call to [`replacement`] and counts the calls.
    struct Redirect {
        calls: Atomic<usize>,
        wrong_ip: Atomic<usize>,
    }

    impl Handler for Redirect {
        #[ftrace::notrace]
        fn call(this: Pin<&Self>, ip: usize, parent_ip: usize, regs: &mut FtraceRegs) {
            let Some(_guard) = RecursionGuard::try_lock(ip, parent_ip) else {
                return;
            };
            this.calls.add(1, Relaxed);
            if Some(ip) != ftrace::location(klp_kunit_ftrace_target as *const () as usize) {
                this.wrong_ip.add(1, Relaxed);
            }
            // SAFETY: `replacement` has the target's signature and is built in.
            unsafe { regs.set_instruction_pointer(replacement as *const () as usize) };
        }
    }

    /// Redirects calls of both targets, to [`replacement`] and [`replacement2`], telling them
    /// apart by the site.
    struct RedirectBoth;

    extern "C" fn replacement2(x: c_int) -> c_int {
        x + 200
    }

    impl Handler for RedirectBoth {
        #[ftrace::notrace]
        fn call(_this: Pin<&Self>, ip: usize, parent_ip: usize, regs: &mut FtraceRegs) {
            let Some(_guard) = RecursionGuard::try_lock(ip, parent_ip) else {
                return;
            };
            let to = if Some(ip) == ftrace::location(klp_kunit_ftrace_target as *const () as usize)
            {
                replacement as *const () as usize
            } else {
                replacement2 as *const () as usize
            };
            // SAFETY: Both replacements have the targets' signature and are built in.
            unsafe { regs.set_instruction_pointer(to) };
        }
    }

    fn sites() -> Result<[usize; 2]> {
        Ok([
            ftrace::location(klp_kunit_ftrace_target as *const () as usize).ok_or(EINVAL)?,
            ftrace::location(klp_kunit_ftrace_target2 as *const () as usize).ok_or(EINVAL)?,
        ])
    }

    #[test]
    fn multi_registration_adds_and_removes_sites() -> Result {
        let [a, b] = sites()?;
        let reg = KBox::try_pin_init(
            MultiRegistration::new(RedirectBoth, flags(), &[a]),
            GFP_KERNEL,
        )?;
        assert_eq!((call_target(1), call_target2(1)), (101, 3));
        reg.add(&[b])?;
        assert_eq!(reg.sites(), 2);
        assert_eq!((call_target(1), call_target2(1)), (101, 201));
        reg.remove(&[a])?;
        assert_eq!((call_target(1), call_target2(1)), (2, 201));
        // The last site cannot go: an empty filter would trace every function.
        assert_eq!(reg.remove(&[b]), Err(EINVAL));
        // Nor can a site that is not in the filter; nothing changes.
        reg.add(&[a])?;
        assert!(reg.remove(&[a, a]).is_err());
        assert_eq!(reg.sites(), 2);
        assert_eq!((call_target(1), call_target2(1)), (101, 201));
        drop(reg);
        assert_eq!((call_target(1), call_target2(1)), (2, 3));
        Ok(())
    }

    #[test]
    fn multi_registration_keeps_ipmodify_exclusive() -> Result {
        let [a, b] = sites()?;
        let first = register()?;
        // A batch with a function another `IPMODIFY` ops has is refused as a whole.
        let reg = KBox::try_pin_init(
            MultiRegistration::new(RedirectBoth, flags(), &[b, a]),
            GFP_KERNEL,
        );
        assert!(matches!(reg, Err(RegistrationError::Register(e)) if e == EBUSY));
        assert_eq!((call_target(1), call_target2(1)), (101, 3));
        let reg = KBox::try_pin_init(
            MultiRegistration::new(RedirectBoth, flags(), &[b]),
            GFP_KERNEL,
        )?;
        assert_eq!(reg.add(&[a]), Err(EBUSY));
        assert_eq!(reg.sites(), 1);
        assert_eq!((call_target(1), call_target2(1)), (101, 201));
        drop(first);
        reg.add(&[a])?;
        assert_eq!((call_target(1), call_target2(1)), (101, 201));
        drop(reg);
        assert_eq!((call_target(1), call_target2(1)), (2, 3));
        Ok(())
    }

    #[test]
    fn multi_registration_needs_a_site() {
        let reg = KBox::try_pin_init(
            MultiRegistration::new(RedirectBoth, flags(), &[]),
            GFP_KERNEL,
        );
        assert!(matches!(reg, Err(RegistrationError::NoLocation)));
    }

    fn flags() -> ftrace::OpsFlags {
        OpsFlag::Dynamic | OpsFlag::IpModify
    }

    fn register() -> Result<Pin<KBox<Registration<Redirect>>>, RegistrationError> {
        let handler = Redirect {
            calls: Atomic::new(0),
            wrong_ip: Atomic::new(0),
        };
        KBox::try_pin_init(
            Registration::new(
                handler,
                flags(),
                klp_kunit_ftrace_target as *const () as usize,
            ),
            GFP_KERNEL,
        )
    }

    #[test]
    fn target_is_traceable() {
        assert!(ftrace::location(klp_kunit_ftrace_target as *const () as usize).is_some());
        // A Rust function has a site where rustc supports `fentry`.
        assert_eq!(
            ftrace::location(replacement as *const () as usize).is_some(),
            cfg!(CONFIG_RUSTC_HAS_FENTRY)
        );
    }

    #[test]
    fn redirects_and_restores() {
        assert_eq!(call_target(1), 2);
        let reg = register();
        assert!(reg.is_ok());
        if let Ok(reg) = reg {
            assert_eq!(call_target(1), 101);
            assert_eq!(call_target(5), 105);
            assert_eq!(reg.as_ref().handler().calls.load(Relaxed), 2);
            assert_eq!(reg.as_ref().handler().wrong_ip.load(Relaxed), 0);
            assert_eq!(
                Some(reg.ip()),
                ftrace::location(klp_kunit_ftrace_target as *const () as usize)
            );
            drop(reg);
        }
        assert_eq!(call_target(1), 2);
    }

    #[test]
    fn second_ipmodify_user_is_refused() {
        let first = register();
        assert!(first.is_ok());
        let second = register();
        assert!(matches!(second, Err(RegistrationError::Register(e)) if e == EBUSY));
        drop(second);
        // The first one is still in charge.
        assert_eq!(call_target(2), 102);
        drop(first);
        assert_eq!(call_target(2), 3);
    }

    #[test]
    fn untraceable_function_is_refused() {
        let handler = Redirect {
            calls: Atomic::new(0),
            wrong_ip: Atomic::new(0),
        };
        let reg = KBox::try_pin_init(
            Registration::new(handler, flags(), untraceable as *const () as usize),
            GFP_KERNEL,
        );
        assert!(matches!(reg, Err(RegistrationError::NoLocation)));
    }
}
