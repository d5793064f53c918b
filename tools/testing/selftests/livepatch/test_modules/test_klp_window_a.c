// SPDX-License-Identifier: GPL-2.0
/* Livepatch a of test_klp_window_func(): the call returns 1. */

#define WINDOW_RESULT 1
#include "test_klp_window_patch.h"

MODULE_DESCRIPTION("Livepatch test: patch a of the ftrace-window function");
