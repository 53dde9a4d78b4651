// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Event sequences into the model, 12 bytes an event, every kind: after
 * each, pt_model_check() holds; at the end every anomaly explains itself
 * in a safe string (core/safe.h), and leaks are judged without harm.
 */
#include <errno.h>
#include <string.h>

#include "core/model.h"
#include "core/safe.h"
#include "core/util.h"
#include "fuzz.h"

static const enum pt_event_kind kinds[] = {
	PT_EV_RESERVE, PT_EV_RESERVE, PT_EV_RESERVE, PT_EV_FREE, PT_EV_FREE, PT_EV_FREE,
	PT_EV_ENTRY, PT_EV_RAM, PT_EV_EXIT, PT_EV_FORK, PT_EV_LOST, PT_EV_SYNC, PT_EV_SYNC_END,
	PT_EV_DEVICE, PT_EV_UNBIND, PT_EV_UNLOAD, PT_EV_LOAD, PT_EV_SETTLED, PT_EV_KMSG,
};

static const char *const comms[] = {
	"Xorg", "a\nPAT: [mem", "\xff\xfe", "k\0z", "", "x\\x0a", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
};

static const char *const stacks[] = {
	NULL,
	"memtype_reserve+0x1\nreserve_pfn_range+0xac\nremap_pfn_range+0x3c",
	"memtype_reserve+0x1\n__ioremap_caller+0xf0\nioremap_wc+0x16\ne1000_probe+0x9c [e1000]",
	"memtype_reserve+0x1\n\x1b[2J+0x1/0x2",
};

static const char *const kmsgs[] = {
	"x86/PAT: scen:105 conflicting memory types fe010000-fe012000 write-combining<->uncached-minus",
	"x86/PAT: scen:90 freeing invalid memtype [mem 0xfe001000-0xfe001fff]",
	"x86/PAT: memtype_reserve failed [mem 0xfe010000-0xfe011fff], track write-combining, req uncached-minus",
	"x86/PAT: bogus",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_model *m = NULL;
	struct pt_kentry k = { 0 };
	uint64_t seq = 0;
	char buf[512];

	log_set_quiet(true);
	if (pt_model_new(&m) < 0)
		abort();
	pt_model_set_anomaly_limit(m, 64);
	for (size_t at = 0; at + 12 <= size; at += 12) {
		const uint8_t *b = data + at;
		const char *comm = comms[b[7] % ELEMENTSOF(comms)];
		const char *stack = stacks[b[8] % ELEMENTSOF(stacks)];
		struct pt_event ev = {
			.kind = kinds[b[0] % ELEMENTSOF(kinds)],
			.start = 0xfe000000ULL + (uint64_t)(b[1] % 32) * 0x1000,
			.type = b[3] % (PATTRACK_TYPE_NR + 1),
			.req = b[3] % (PATTRACK_TYPE_NR + 1),
			.got = b[4] % (PATTRACK_TYPE_NR + 1),
			.strict = b[5] & 1,
			.has_ret = b[5] & 2,
			.ret = (b[5] >> 2) % 3 == 0 ? 0 : (b[5] >> 2) % 3 == 1 ? -EBUSY : -EINVAL,
			.pid = 1 + b[6] % 8,
			.comm = comm,
			.comm_len = strlen(comm) + (comm == comms[3] ? 2 : 0),
			.stack = stack,
			.stack_len = stack ? strlen(stack) : 0,
			.has_seq = b[9] & 1,
			.seq = (seq += 1 + (b[9] >> 1) % 4),
		};

		ev.end = ev.start + (uint64_t)(b[2] % 5) * 0x1000;	/* may be empty */
		switch (ev.kind) {
		case PT_EV_FORK:
			ev.child = 1 + b[10] % 8;
			break;
		case PT_EV_SYNC:
			ev.reason = b[10] % (_PT_SYNC_MAX + 1);
			ev.lost = b[11];
			ev.since = b[11] & 1 ? seq - (b[11] >> 1) % 8 : 0;
			break;
		case PT_EV_LOST:
			ev.lost = b[11];
			ev.since = b[11] & 1 ? seq - (b[11] >> 1) % 8 : 0;
			break;
		case PT_EV_DEVICE:
		case PT_EV_UNBIND:
			ev.device = b[10] & 1 ? "0000:00:03.0" : "0000:00:\xff.0";
			ev.device_len = (uint32_t)strlen(ev.device);
			ev.name = b[10] & 2 ? "e1000" : NULL;
			ev.name_len = ev.name ? 5 : 0;
			ev.bar = b[11] % 8 - 1;
			break;
		case PT_EV_LOAD:
		case PT_EV_UNLOAD:
			ev.name = b[10] & 1 ? "e1000" : "mod\x01ule";
			ev.name_len = (uint32_t)strlen(ev.name);
			break;
		case PT_EV_KMSG:
			ev.text = kmsgs[b[10] % ELEMENTSOF(kmsgs)];
			ev.text_len = strlen(ev.text);
			break;
		default:
			break;
		}
		(void)pt_model_apply(m, &ev);
		FUZZ_ASSERT(pt_model_check(m));
		if (b[11] == 0xff) {
			k = (struct pt_kentry){ ev.start, ev.start + 0x1000, PATTRACK_TYPE_UC_MINUS };
			(void)pt_model_resync(m, PT_SYNC_RECONCILE, 0, &k, 1, NULL);
			FUZZ_ASSERT(pt_model_check(m));
		}
	}
	(void)pt_model_judge_leaks(m);
	FUZZ_ASSERT(pt_model_check(m));
	FUZZ_ASSERT(pt_model_anomaly_count(m) <= 64 + pt_model_stats(m)->anomalies[PT_AN_LOSS]);
	for (size_t i = 0; i < pt_model_anomaly_count(m); i++) {
		pt_anomaly_explain(m, pt_model_anomaly(m, i), buf, sizeof(buf));
		FUZZ_ASSERT(pt_safe_is_clean(buf, strlen(buf), PT_STR_TEXT));
	}
	pt_model_free(m);
	return 0;
}
