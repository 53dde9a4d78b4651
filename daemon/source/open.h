/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Choosing a live source: --source= and Source=. */

#include <stddef.h>

#include "source.h"

enum pt_source_kind {
	PT_SOURCE_AUTO,		/* bpf, else netlink, else debugfs */
	PT_SOURCE_BPF,
	PT_SOURCE_NETLINK,
	PT_SOURCE_DEBUGFS,
	_PT_SOURCE_KIND_MAX,
};

/* "auto", "bpf", "netlink", "debugfs" */
const char *pt_source_kind_name(enum pt_source_kind kind);
int pt_source_kind_from_string(const char *s, size_t len);

/*
 * Opens the source @want; auto takes bpf, else netlink, else polling the
 * list at @debugfs every @poll_ms.  Logs which it got and why each better
 * one failed; on failure, why each failed.
 */
int pt_source_open(enum pt_source_kind want, const char *debugfs, unsigned poll_ms, pt_live_fn fn,
		   void *userdata, struct pt_source *s);
