// SPDX-License-Identifier: GPL-2.0
/*
 * Stress patch r: an atomic replace. It leaves klp_stress_target_fn2() alone,
 * so replacing a or b gives that function a no-op in klp_stress_target.
 */
#define KLP_STRESS_ID		'r'
#define KLP_STRESS_FN		1
#define KLP_STRESS_FN2		0
#define KLP_STRESS_REPLACE	true
#define KLP_STRESS_DESC		"Livepatch stress: patch r (atomic replace, no target_fn2)"
#include "klp_stress_patch.h"
