// SPDX-License-Identifier: GPL-2.0
/* Stress patch a: stacks on the others and replaces every stress function. */
#define KLP_STRESS_ID		'a'
#define KLP_STRESS_FN		1
#define KLP_STRESS_FN2		1
#define KLP_STRESS_REPLACE	false
#define KLP_STRESS_DESC		"Livepatch stress: patch a (stacks, all functions)"
#include "klp_stress_patch.h"
