/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the Rust livepatch core shares with C: the C core's private
 * declarations that Rust reads or re-implements (bindgen sees this header
 * through rust/bindings/bindings_helper.h), and the Rust entry points the C
 * glue calls.
 */
#ifndef _LIVEPATCH_KLP_RUST_H
#define _LIVEPATCH_KLP_RUST_H

#include <linux/livepatch_sched.h>

#include "core.h"
#include "patch.h"
#include "state.h"
#include "transition.h"

int klp_rust_init(void);

extern bool klp_ftrace_batch;

#endif /* _LIVEPATCH_KLP_RUST_H */
