#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Delete everything the driver cached (sysroot, source, builds, ccache).

. "$(dirname "$0")/lib.sh"

phase "removing $CACHE"
rm -rf "$CACHE"
