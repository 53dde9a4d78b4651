/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* What the model's tests share: events by name, the table as an array, anomaly counts. */

#include <check.h>
#include <string.h>

#include "core/model.h"
#include "core/owner.h"
#include "core/util.h"

#define WB PATTRACK_TYPE_WB
#define WC PATTRACK_TYPE_WC
#define UCM PATTRACK_TYPE_UC_MINUS
#define UC PATTRACK_TYPE_UC
#define WT PATTRACK_TYPE_WT
#define P(n) (0xfe000000ULL + (uint64_t)(n) * 0x1000)

static inline struct pt_model *new_model(void)
{
	struct pt_model *m;

	ck_assert_int_eq(pt_model_new(&m), 0);
	return m;
}

/*
 * One memtype_reserve() as the kernel reported it.  Name the fields:
 *   RESERVE(m, P(0), P(2), .req = WC, .got = UCM, .pid = 2, .comm = "b")
 * A field left out is 0: .ret 0 is success; .got = PT_TYPE_NONE is a
 * strict request.  Without .stack it is a process's mmap (the stack of
 * remap_pfn_range()); .stack = "" is a reserve whose stack nobody took.
 */
struct reserve_call {
	int req, got, ret;
	int32_t pid;
	const char *comm;
	const char *stack;
};

#define USER_MMAP_STACK "memtype_reserve+0x1\nreserve_pfn_range+0xac\nremap_pfn_range+0x3c"

static inline int reserve_at(struct pt_model *m, uint64_t s, uint64_t e, struct reserve_call c)
{
	struct pt_event ev = {
		.kind = PT_EV_RESERVE, .start = s, .end = e, .req = c.req,
		.strict = c.got == PT_TYPE_NONE, .got = c.got, .has_ret = true, .ret = c.ret,
		.pid = c.pid, .comm = c.comm ? c.comm : "t", .comm_len = c.comm ? strlen(c.comm) : 1,
		.stack = c.stack ? c.stack : USER_MMAP_STACK,
	};

	ev.stack_len = strlen(ev.stack);

	return pt_model_apply(m, &ev);
}

#define RESERVE(m, s, e, ...) reserve_at((m), (s), (e), (struct reserve_call){ __VA_ARGS__ })

static inline int fre(struct pt_model *m, uint64_t s, uint64_t e, int ret, int32_t pid)
{
	struct pt_event ev = {
		.kind = PT_EV_FREE, .start = s, .end = e, .has_ret = true, .ret = ret, .pid = pid,
		.comm = "t", .comm_len = 1,
	};

	return pt_model_apply(m, &ev);
}

static inline void apply_simple(struct pt_model *m, enum pt_event_kind kind, uint64_t s, uint64_t e,
			 int type, int32_t pid)
{
	struct pt_event ev = { .kind = kind, .start = s, .end = e, .type = type, .pid = pid };

	ck_assert_int_eq(pt_model_apply(m, &ev), 0);
}

struct table {
	size_t n;
	struct pt_entry_info e[64];
};

static inline int grab(const struct pt_entry_info *e, void *userdata)
{
	struct table *t = userdata;

	if (t->n < ELEMENTSOF(t->e))
		t->e[t->n] = *e;
	t->n++;
	return 0;
}

static inline struct table table_of(const struct pt_model *m)
{
	struct table t = { 0 };

	pt_model_foreach_entry(m, 0, UINT64_MAX, grab, &t);
	return t;
}

static inline unsigned count_kind(const struct pt_model *m, enum pt_anomaly_kind k)
{
	return (unsigned)pt_model_stats(m)->anomalies[k];
}

static inline const struct pt_anomaly *find_kind(const struct pt_model *m, enum pt_anomaly_kind k)
{
	for (size_t i = 0; i < pt_model_anomaly_count(m); i++)
		if (pt_model_anomaly(m, i)->kind == k)
			return pt_model_anomaly(m, i);
	return NULL;
}
