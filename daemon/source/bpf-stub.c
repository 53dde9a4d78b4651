// SPDX-License-Identifier: GPL-2.0-or-later
/* The "bpf" source when the build had no clang, bpftool, libbpf or kernel BTF. */
#include <errno.h>
#include <stdio.h>

#include "bpf.h"

int pt_bpf_source(pt_live_fn fn, void *userdata, struct pt_source *ret, char *why,
		  size_t why_size)
{
	(void)fn;
	(void)userdata;
	(void)ret;
	snprintf(why, why_size, "not built in (no clang, bpftool, libbpf or kernel BTF at build time)");
	return -EOPNOTSUPP;
}
