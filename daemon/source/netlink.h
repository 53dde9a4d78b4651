/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "source.h"

/*
 * pattrack_shim.ko over generic netlink: joins the "events" group of family
 * "pattrack"; -ENOENT when the shim is not loaded, -EPERM without
 * CAP_NET_ADMIN.
 */
int pt_netlink_source(pt_live_fn fn, void *userdata, struct pt_source *ret);

/* What pattrack_shim.ko says of itself (PATTRACK_CMD_GET_STATUS). */
struct pt_shim_status {
	char version[32];
	uint32_t probes;	/* PATTRACK_PROBE_* attached */
	uint64_t sent;		/* events multicast */
	uint64_t dropped;	/* events lost: queue or socket full, allocation, missed calls */
	uint64_t seq;		/* the last sequence number used */
};

/* -ENOENT when the shim is not loaded. */
int pt_netlink_shim_status(struct pt_shim_status *st);
