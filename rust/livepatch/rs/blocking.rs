// SPDX-License-Identifier: GPL-2.0-or-later

//! Which tasks keep the transition from completing, and why: the `blocking` attribute.
//!
//! Every attempt to complete the transition (`try_complete_transition()`, once a second)
//! records one line per task it could not switch, in a buffer allocated before the walk (the
//! walk holds `tasklist_lock` and cannot allocate), and publishes it when the walk is over. The
//! report is cleared when the transition ends. The C core has no such report: its only trace is
//! a `pr_debug()` line per blocked task, with dynamic debug on.

use crate::{
    checked::Blocker,
    model::KlpMutexHeld, //
};
use core::fmt::{
    self,
    Write, //
};
use kernel::{
    global_lock,
    page::PAGE_SIZE,
    prelude::*,
    task::Task, //
};

/// Why a task cannot switch yet.
pub(crate) enum Blocked<'a> {
    /// It runs on another CPU.
    Running,
    /// Its stack could not be walked reliably.
    Unreliable,
    /// A function the transition changes is on its stack.
    SleepingOn(Blocker<'a>),
}

global_lock! {
    // SAFETY: `init()` runs from `klp_rust_init()` before any patch is enabled.
    unsafe(uninit) static REPORT: Mutex<KVec<u8>> = KVec::new();
}

/// Initialises the report's lock.
///
/// # Safety
///
/// Must be called exactly once, before any other function of this module.
pub(crate) unsafe fn init() {
    // SAFETY: The caller guarantees this is the only call, and it precedes every use.
    unsafe { REPORT.init() };
}

/// The report of one attempt, filled without allocating.
pub(crate) struct Recorder {
    buf: KVec<u8>,
    /// Tasks left out because the buffer (one page, what sysfs shows) was full.
    left_out: usize,
}

/// Room kept at the end of the buffer for the line that counts the tasks left out.
const TAIL: usize = 48;

/// Appends to a vector without growing it, leaving `reserve` bytes of its capacity free.
struct Within<'a> {
    buf: &'a mut KVec<u8>,
    reserve: usize,
}

impl Write for Within<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.buf.len() + s.len() + self.reserve > self.buf.capacity() {
            return Err(fmt::Error);
        }
        // The capacity suffices (checked above): this does not allocate.
        self.buf
            .extend_from_slice(s.as_bytes(), GFP_NOWAIT)
            .map_err(|_| fmt::Error)
    }
}

impl Recorder {
    /// A recorder for one attempt, or `None` without memory (the attempt then reports nothing).
    pub(crate) fn new() -> Option<Self> {
        Some(Self {
            buf: KVec::with_capacity(PAGE_SIZE, GFP_KERNEL).ok()?,
            left_out: 0,
        })
    }

    /// Records that `task` blocks the transition, and why.
    pub(crate) fn record(&mut self, task: &Task, why: &Blocked<'_>) {
        // Once the page is full, only count: formatting a line that cannot fit would cost
        // each of thousands of blocked tasks a pass through `core::fmt`.
        if self.left_out != 0 {
            self.left_out += 1;
            return;
        }
        let mark = self.buf.len();
        let mut out = Within {
            buf: &mut self.buf,
            reserve: TAIL,
        };
        let comm = task.comm();
        let written = match why {
            Blocked::Running => {
                out.write_fmt(fmt!("{} {}: running\n", task.pid(), comm.as_c_str()))
            }
            Blocked::Unreliable => out.write_fmt(fmt!(
                "{} {}: unreliable stack\n",
                task.pid(),
                comm.as_c_str()
            )),
            Blocked::SleepingOn(blocker) => out.write_fmt(fmt!(
                "{} {}: sleeping in {} of {}\n",
                task.pid(),
                comm.as_c_str(),
                blocker.function,
                blocker.object.unwrap_or(c"vmlinux")
            )),
        };
        if written.is_err() {
            self.buf.truncate(mark);
            self.left_out += 1;
        }
    }
}

/// Publishes the report of an attempt that could not complete the transition.
pub(crate) fn publish(_locked: &KlpMutexHeld, mut recorder: Recorder) {
    if recorder.left_out != 0 {
        // `TAIL` bytes are kept for this line.
        let left_out = recorder.left_out;
        let mut out = Within {
            buf: &mut recorder.buf,
            reserve: 0,
        };
        let _ = writeln!(out, "... and {} more", left_out);
    }
    // The old report is freed after the lock is released.
    let _old = core::mem::replace(&mut *REPORT.lock(), recorder.buf);
}

/// Clears the report: no transition runs, or the last attempt had no memory for one.
pub(crate) fn clear(_locked: &KlpMutexHeld) {
    let _old = core::mem::take(&mut *REPORT.lock());
}

/// Writes the report (`blocking`).
pub(crate) fn show(out: &mut impl Write) -> fmt::Result {
    let report = REPORT.lock();
    // The report holds whole lines of UTF-8 (`comm` and symbol names are shown as `%s` would;
    // invalid bytes, if any, are replaced).
    for chunk in report.utf8_chunks() {
        out.write_str(chunk.valid())?;
        if !chunk.invalid().is_empty() {
            out.write_char(char::REPLACEMENT_CHARACTER)?;
        }
    }
    Ok(())
}
