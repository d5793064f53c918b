// SPDX-License-Identifier: GPL-2.0
/* Livepatch b of test_klp_window_func(): the call returns 2. */

#define WINDOW_RESULT 2
#include "test_klp_window_patch.h"

MODULE_DESCRIPTION("Livepatch test: patch b of the ftrace-window function");
