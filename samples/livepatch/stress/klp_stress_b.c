// SPDX-License-Identifier: GPL-2.0
/* Stress patch b: stacks on the others; leaves klp_stress_target_fn() alone. */
#define KLP_STRESS_ID		'b'
#define KLP_STRESS_FN		0
#define KLP_STRESS_FN2		1
#define KLP_STRESS_REPLACE	false
#define KLP_STRESS_DESC		"Livepatch stress: patch b (stacks, no target_fn)"
#include "klp_stress_patch.h"
