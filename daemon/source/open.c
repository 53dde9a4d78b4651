// SPDX-License-Identifier: GPL-2.0-or-later
/* Choosing a live source: --source=auto|bpf|netlink|debugfs. */
#include "bpf.h"
#include "core/util.h"
#include "debugfs-poll.h"
#include "netlink.h"
#include "open.h"

static int debugfs_open(const char *path, unsigned poll_ms, pt_live_fn fn, void *userdata,
			struct pt_source *s)
{
	int r = pt_debugfs_source(path, poll_ms, fn, userdata, s);

	if (r < 0)
		log_error_errno(r, "cannot poll %s", path);
	return r;
}

static const char *netlink_why(int r)
{
	return r == -ENOENT ? "pattrack_shim.ko is not loaded" :
	       r == -EPERM ? "joining its group needs CAP_NET_ADMIN" : strerror(-r);
}

static const char *const source_kind_names[_PT_SOURCE_KIND_MAX] = {
	[PT_SOURCE_AUTO] = "auto", [PT_SOURCE_BPF] = "bpf",
	[PT_SOURCE_NETLINK] = "netlink", [PT_SOURCE_DEBUGFS] = "debugfs",
};

DEFINE_STRING_TABLE_LOOKUP(pt_source_kind_name, pt_source_kind_from_string, enum pt_source_kind,
			   source_kind_names)

int pt_source_open(enum pt_source_kind want, const char *debugfs, unsigned poll_ms, pt_live_fn fn,
		   void *userdata, struct pt_source *s)
{
	bool any = want == PT_SOURCE_AUTO;
	char why_bpf[512];
	int r;

	*s = (struct pt_source){ 0 };
	if (want == PT_SOURCE_DEBUGFS) {
		r = debugfs_open(debugfs, poll_ms, fn, userdata, s);
		if (r == 0)
			log_info("source: debugfs (polling every %u ms: the table only, "
				 "without owners, stacks or failed calls)", poll_ms);
		return r;
	}
	if (any || want == PT_SOURCE_BPF) {
		r = pt_bpf_source(fn, userdata, s, why_bpf, sizeof(why_bpf));
		if (r == 0) {
			/* why_bpf holds what the better modes ran into */
			log_info("source: bpf (%s%s%s)", s->detail, *why_bpf ? "; " : "", why_bpf);
			return 0;
		}
		if (!any) {
			log_error("source bpf: %s", why_bpf);
			return r;
		}
	}
	r = pt_netlink_source(fn, userdata, s);
	if (r == 0) {
		if (any)
			log_info("source: netlink (bpf: %s)", why_bpf);
		return 0;
	}
	if (any) {
		int rn = r;

		r = debugfs_open(debugfs, poll_ms, fn, userdata, s);
		if (r < 0) {
			log_error("no live source: bpf: %s; netlink: %s; debugfs: %s", why_bpf,
				  netlink_why(rn), strerror(-r));
			return r;
		}
		log_info("source: debugfs (polling every %u ms: the table only, without owners, "
			 "stacks or failed calls; bpf: %s; netlink: %s)", poll_ms, why_bpf,
			 netlink_why(rn));
		return 0;
	}
	if (r == -ENOENT)
		log_error("no generic netlink family \"pattrack\": is pattrack_shim.ko loaded?");
	else if (r == -EPERM)
		log_error("joining the pattrack events group needs CAP_NET_ADMIN");
	else
		log_error_errno(r, "cannot subscribe to the pattrack netlink family");
	return r;
}

