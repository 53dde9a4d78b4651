/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "source.h"

/*
 * pattrack.bpf.c: fentry/fexit, else kprobes; tp_btf, else tracepoints.
 * On failure @why says what each mode ran into; on success, what the
 * better modes did.  -EOPNOTSUPP when built without BPF.
 */
int pt_bpf_source(pt_live_fn fn, void *userdata, struct pt_source *ret, char *why,
		  size_t why_size);
