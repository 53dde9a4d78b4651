/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "source.h"

/*
 * The table as debugfs shows it, polled every @interval_ms: a sync block
 * (reason poll) whenever it changed.  Owners, conflicts and frees are not
 * in that file, so this source sees the table and nothing else.
 */
int pt_debugfs_source(const char *path, unsigned interval_ms, pt_live_fn fn, void *userdata,
		      struct pt_source *ret);
