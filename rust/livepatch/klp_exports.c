// SPDX-License-Identifier: GPL-2.0
/*
 * Exports of the Rust-defined livepatch API. Rust objects outside rust/
 * cannot export symbols; these exports reuse the C prototypes of
 * <linux/livepatch.h>, so modules see the same symbols as with the C core.
 */

#include <linux/export.h>
#include <linux/livepatch.h>

/* core.c */
EXPORT_SYMBOL_GPL(klp_enable_patch);
EXPORT_SYMBOL_GPL(klp_find_section_by_name);

/* shadow.c */
EXPORT_SYMBOL_GPL(klp_shadow_get);
EXPORT_SYMBOL_GPL(klp_shadow_alloc);
EXPORT_SYMBOL_GPL(klp_shadow_get_or_alloc);
EXPORT_SYMBOL_GPL(klp_shadow_free);
EXPORT_SYMBOL_GPL(klp_shadow_free_all);

/* state.c */
EXPORT_SYMBOL_GPL(klp_get_state);
EXPORT_SYMBOL_GPL(klp_get_prev_state);
