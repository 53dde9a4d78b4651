/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "source.h"

/*
 * --source=auto|bpf|netlink|debugfs: auto takes bpf, else netlink, else
 * polling the list at @debugfs every @poll_ms.  Logs which it got and why
 * each better one failed; on failure, why each failed.
 */
int pt_source_open(const char *want, const char *debugfs, unsigned poll_ms, pt_live_fn fn,
		   void *userdata, struct pt_source *s);
