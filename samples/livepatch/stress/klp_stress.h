/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the stress blocker and the stress patches share. The blocker's kthread
 * sleeps inside klp_stress_block_fn(); each patch's version of that function
 * must sleep in the same way, so the sleep itself is a callback, and the
 * patches need no symbol of the blocker (which would pin it in memory).
 */
#ifndef _KLP_STRESS_H
#define _KLP_STRESS_H

/* Values of klp_stress_block.in besides a patch's letter. */
#define KLP_STRESS_OUTSIDE	'-'
#define KLP_STRESS_ORIG		'o'

struct klp_stress_block {
	/* Sleeps as the blocker decided: for a while, or until it is released. */
	void (*sleep)(struct klp_stress_block *block);
	/*
	 * Which version of klp_stress_block_fn() is sleeping: KLP_STRESS_ORIG,
	 * a patch's letter, or KLP_STRESS_OUTSIDE. The guest script reads it
	 * to tell which transitions the blocker holds up.
	 */
	int in;
};

#endif /* _KLP_STRESS_H */
