// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: the livepatch of test_klp_transition_patch.c under a module
 * name of its own.  test-transition-force.sh disables it with a forced
 * transition, after which the module can never be removed:
 * no other test may use this module.
 */

#include "test_klp_transition_patch.c"
