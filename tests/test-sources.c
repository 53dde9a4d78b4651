// SPDX-License-Identifier: GPL-2.0-or-later
/* The host sources' parsers on real kernel text, malformed and truncated input. */
#include "check-main.h"
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"
#include "host/debugfs.h"
#include "host/iomem.h"
#include "host/kallsyms.h"
#include "host/kmsg.h"
#include "host/pci.h"
#include "host/proc.h"
#include "source/numbered.h"
#include "source/seq.h"

static char datapath[PATH_MAX];

static const char *data(const char *name)
{
	const char *dir = getenv("PATTRACK_TESTDATA");

	snprintf(datapath, sizeof(datapath), "%s/%s", dir ? dir : "tests/data", name);
	return datapath;
}

static struct pt_model *new_model(void)
{
	struct pt_model *m;

	ck_assert_int_eq(pt_model_new(&m), 0);
	return m;
}

/* ---- debugfs ------------------------------------------------------------- */

START_TEST(test_debugfs_lines)
{
	static const char *const bad[] = {
		"PAT: [mem 0x00000000fe000000-0x00000000fe001000] write-combinin",
		"PAT: [mem 0x00000000fe000000-0x00000000fe00",
		"PAT: [mem 0x00000000fe001000-0x00000000fe000000] write-back",
		"PAT: [mem 0x00000000fe000000-0x00000000fe001000] write-back trailing",
		"PAT: [mem 0x000000000000000000fe000000-0x00000000fe001000] write-back",
		"garbage",
	};
	uint64_t s, e;
	int t;
	const char *l = "PAT: [mem 0x00000000fe000000-0x00000000fe001000] write-combining\n";

	ck_assert_int_eq(pt_debugfs_parse_line(l, strlen(l), &s, &e, &t), 1);
	ck_assert_uint_eq(s, 0xfe000000);
	ck_assert_uint_eq(e, 0xfe001000);
	ck_assert_int_eq(t, PATTRACK_TYPE_WC);
	l = "PAT memtype list:";
	ck_assert_int_eq(pt_debugfs_parse_line(l, strlen(l), &s, &e, &t), 0);
	ck_assert_int_eq(pt_debugfs_parse_line("", 0, &s, &e, &t), 0);
	l = "PAT: [mem 0x0000004000208000-0x0000004000209000] uncached-minus";
	ck_assert_int_eq(pt_debugfs_parse_line(l, strlen(l), &s, &e, &t), 1);
	ck_assert_int_eq(t, PATTRACK_TYPE_UC_MINUS);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		ck_assert_int_eq(pt_debugfs_parse_line(bad[i], strlen(bad[i]), &s, &e, &t), -EBADMSG);
}
END_TEST

START_TEST(test_debugfs_host_file)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	unsigned long bad = 0;

	/* this development host's real list: 27 entries */
	ck_assert_int_eq(pt_debugfs_load(m, data("pat_memtype_list.host"), NULL), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 27);
	ck_assert_int_eq(pt_debugfs_load(m, data("kmsg.txt"), &bad), -EBADMSG);
	ck_assert_uint_eq(bad, 1);
	ck_assert_int_eq(pt_debugfs_load(m, data("no-such-file"), NULL), -ENOENT);
}
END_TEST

/* ---- iomem --------------------------------------------------------------- */

START_TEST(test_iomem_host_file)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct pt_iomem io;
	char buf[128];

	ck_assert_int_eq(pt_iomem_read(data("iomem.host"), &io), 0);
	ck_assert_uint_gt(io.n, 10);
	ck_assert(!pt_iomem_is_censored(&io));
	ck_assert_str_eq(io.res[1].name, "System RAM");
	ck_assert_uint_eq(io.res[1].start, 0x1000);
	ck_assert_uint_eq(io.res[1].end, 0x9fc00);
	ck_assert_str_eq(pt_iomem_describe(&io, 0xeec00000, 0xeed00000, buf, sizeof(buf)),
			 "PCI ECAM 0000 [bus 00-00]");
	ck_assert_str_eq(pt_iomem_describe(&io, 0x9f000, 0xa1000, buf, sizeof(buf)),
			 "System RAM + Reserved");
	ck_assert_str_eq(pt_iomem_describe(&io, 0x4000000000, 0x4000001000, buf, sizeof(buf)),
			 "virtio-pci-modern");
	ck_assert_int_eq(pt_iomem_load_ram(m, &io), 0);
	ck_assert_uint_eq(pt_model_stats(m)->events[PT_EV_RAM], 3);
	pt_iomem_done(&io);
}
END_TEST

START_TEST(test_iomem_malformed)
{
	struct pt_iomem io;

	ck_assert_int_eq(pt_iomem_parse("00000000-00000fff : Reserved\n0000", &io), -EBADMSG);
	ck_assert_int_eq(pt_iomem_parse("00001000-00000fff : Backwards\n", &io), -EBADMSG);
	ck_assert_int_eq(pt_iomem_parse("", &io), 0);
	ck_assert_uint_eq(io.n, 0);
	pt_iomem_done(&io);
	/* what a non-root reader sees */
	ck_assert_int_eq(pt_iomem_parse("00000000-00000000 : Reserved\n"
					"00000000-00000000 : System RAM\n", &io), 0);
	ck_assert(pt_iomem_is_censored(&io));
	pt_iomem_done(&io);
}
END_TEST

/* ---- PCI ----------------------------------------------------------------- */

START_TEST(test_pci_bars)
{
	struct pt_pci pci;
	const struct pt_pci_bar *bar;
	char buf[128];

	ck_assert_int_eq(pt_pci_read(data("pci"), &pci), 0);
	ck_assert_uint_eq(pci.n, 5);
	bar = pt_pci_find(&pci, 0x4000182000, 0x4000183000);
	ck_assert_ptr_nonnull(bar);
	ck_assert_str_eq(pt_pci_bar_describe(bar, buf, sizeof(buf)), "0000:00:04.0 BAR0 (virtio-pci)");
	ck_assert_ptr_null(pt_pci_find(&pci, 0xeec00000, 0xeed00000));
	pt_pci_done(&pci);

	ck_assert_int_eq(pt_pci_parse_resource("0x1000 0x0fff 0x0\n", "x", "", &pci), -EBADMSG);
	ck_assert_int_eq(pt_pci_parse_resource("0x1000 0x1fff\n", "x", "", &pci), -EBADMSG);
	pt_pci_done(&pci);
}
END_TEST

/* ---- kmsg ---------------------------------------------------------------- */

static int parse(const char *l, struct pt_kmsg_pat *k)
{
	return pt_kmsg_parse(l, strlen(l), k);
}

START_TEST(test_kmsg_formats)
{
	struct pt_kmsg_pat k;

	ck_assert_int_eq(parse("6,1388,9123456,-;x86/PAT: scen:89 freeing invalid memtype "
			       "[mem 0xfe000000-0xfe000fff]\n SUBSYSTEM=pci\n", &k), 1);
	ck_assert_int_eq(k.kind, PT_KMSG_INVALID_FREE);
	ck_assert_str_eq(k.comm, "scen");
	ck_assert_int_eq(k.pid, 89);
	ck_assert_uint_eq(k.start, 0xfe000000);
	ck_assert_uint_eq(k.end, 0xfe001000);
	ck_assert_uint_eq(k.seq, 1388);
	ck_assert_uint_eq(k.ts_us, 9123456);

	ck_assert_int_eq(parse("x86/PAT: scen:105 conflicting memory types fe010000-fe012000 "
			       "write-combining<->uncached-minus", &k), 1);
	ck_assert_int_eq(k.kind, PT_KMSG_CONFLICT);
	ck_assert_uint_eq(k.end, 0xfe012000);	/* printed exclusive */
	ck_assert_int_eq(k.type_a, PATTRACK_TYPE_WC);
	ck_assert_int_eq(k.type_b, PATTRACK_TYPE_UC_MINUS);

	ck_assert_int_eq(parse("[ 7512.334411] x86/PAT: gdsio:3544 conflicting memory types "
			       "387fe0000000-387ff0000000 write-combining<->uncached-minus", &k), 1);
	ck_assert_str_eq(k.comm, "gdsio");
	ck_assert_uint_eq(k.start, 0x387fe0000000);
	ck_assert_uint_eq(k.ts_us, 7512334411);

	ck_assert_int_eq(parse("x86/PAT: memtype_reserve failed [mem 0xfe010000-0xfe011fff], "
			       "track write-combining, req write-combining", &k), 1);
	ck_assert_int_eq(k.kind, PT_KMSG_RESERVE_FAILED);
	ck_assert(!k.has_task);
	ck_assert_uint_eq(k.end, 0xfe012000);

	/* comm with spaces */
	ck_assert_int_eq(parse("x86/PAT: NDK MediaCodec_:3753 map pfn RAM range req write-combining "
			       "for [mem 0x1e7a80000-0x1e7a87fff], got write-back", &k), 1);
	ck_assert_int_eq(k.kind, PT_KMSG_PFN_RAM);
	ck_assert_str_eq(k.comm, "NDK MediaCodec_");
	ck_assert_int_eq(k.pid, 3753);
	ck_assert_uint_eq(k.end, 0x1e7a88000);
	ck_assert_int_eq(k.type_b, PATTRACK_TYPE_WB);

	/* comm with a colon: the pid follows the last one */
	ck_assert_int_eq(parse("x86/PAT: kworker/u8:2:77 freeing invalid memtype [mem 0x1000-0x1fff]", &k), 1);
	ck_assert_str_eq(k.comm, "kworker/u8:2");
	ck_assert_int_eq(k.pid, 77);

	ck_assert_int_eq(parse("x86/PAT: Xorg:1200 map pfn expected mapping type uncached-minus for "
			       "[mem 0xfd000000-0xfd000fff], got write-combining", &k), 1);
	ck_assert_int_eq(k.kind, PT_KMSG_PFN_EXPECTED);
	ck_assert_int_eq(parse("x86/PAT: reserve_ram_pages_type failed [mem 0x10000000-0x10000fff], "
			       "track 0x1, req 0x2", &k), 1);
	ck_assert_int_eq(k.kind, PT_KMSG_RAM_PAGES_FAILED);
	ck_assert_int_eq(k.type_a, PATTRACK_TYPE_WC);
	ck_assert_int_eq(parse("x86/PAT: insmod:77 ioremap_change_attr failed write-combining for "
			       "[mem 0x20000000-0x20000fff]", &k), 1);
	ck_assert_int_eq(k.kind, PT_KMSG_CHANGE_ATTR_FAILED);
	/* %#010Lx prints 0 without 0x */
	ck_assert_int_eq(parse("x86/PAT: a:1 freeing invalid memtype [mem 0000000000-0x00000fff]", &k), 1);
	ck_assert_uint_eq(k.start, 0);
}
END_TEST

START_TEST(test_kmsg_other_and_broken)
{
	struct pt_kmsg_pat k;
	static const char *const other[] = {
		"x86/PAT: Configuration [0-7]: WB  WC  UC- UC  WB  WP  UC- WT  ",
		"6,1,2,-;pci 0000:00:04.0: BAR 2: assigned",
		"",
		"[    0.065775] pvm-pv: not detected",
	};
	static const char *const broken[] = {
		"x86/PAT: scen:90 freeing invalid memtype [mem 0xfe0",
		"x86/PAT: scen:90 freeing invalid memtype [mem 0xfe001000-0xfe000fff]",
		"x86/PAT: scen conflicting memory types fe010000-fe012000 write-combining<->uncached-minus",
		"x86/PAT: scen:105 conflicting memory types fe010000-fe012000 write-combining<->",
		"x86/PAT: memtype_reserve failed [mem 0xfe010000-0xfe011fff], track wc, req wc",
		"x86/PAT: reserve_ram_pages_type failed [mem 0x10000000-0x10000fff], track 0x9, req 0x2",
		"x86/PAT: a:1 map pfn RAM range req write-combining for [mem 0x1-0x2], got write-back extra",
		/* no kernel prints these: upside down, empty, beyond 52 address bits */
		"x86/PAT: scen:105 conflicting memory types fe012000-fe010000 write-combining<->uncached-minus",
		"x86/PAT: scen:105 conflicting memory types fe010000-fe010000 write-combining<->uncached-minus",
		"x86/PAT: scen:105 conflicting memory types 10000000000000-10000000001000 write-combining<->uncached-minus",
	};

	for (size_t i = 0; i < ELEMENTSOF(other); i++)
		ck_assert_int_eq(parse(other[i], &k), 0);
	for (size_t i = 0; i < ELEMENTSOF(broken); i++)
		ck_assert_msg(parse(broken[i], &k) == -EBADMSG, "accepted: %s", broken[i]);
}
END_TEST

START_TEST(test_kmsg_file_to_anomalies)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_anomaly *a;
	struct pt_kmsg_counts n;
	char buf[1024];

	ck_assert_int_eq(pt_kmsg_load(m, data("kmsg.txt"), &n), 0);
	/* 9 anomaly lines; the reserve-failed line is folded into its conflict */
	ck_assert_uint_eq(n.anomalies, 8);
	ck_assert_uint_eq(n.garbled, 1);	/* the truncated "freeing invalid memtype" line */
	ck_assert_uint_eq(pt_model_anomaly_count(m), 8);
	a = pt_model_anomaly(m, 0);
	ck_assert_int_eq(a->kind, PT_AN_INVALID_FREE);
	ck_assert_int_eq(a->pid, 89);
	ck_assert_str_eq(pt_strtab_get(pt_model_strings(m), a->comm), "scen");
	a = pt_model_anomaly(m, 1);
	ck_assert_int_eq(a->kind, PT_AN_CONFLICT);
	ck_assert_int_eq(a->req, PATTRACK_TYPE_WC);	/* from the folded line */
	ck_assert_ptr_nonnull(strstr(pt_anomaly_explain(m, a, buf, sizeof(buf)), "kernel log: x86/PAT: scen:105"));
	a = pt_model_anomaly(m, 3);
	ck_assert_int_eq(a->kind, PT_AN_DEGRADED);
	ck_assert_int_eq(a->severity, PT_SEV_HAZARD);	/* UC- asked, WB granted */
	ck_assert_int_eq(pt_kmsg_load(m, data("no-such-file"), &n), -ENOENT);
}
END_TEST

/* ---- sequence numbers ---------------------------------------------------- */

static uint64_t lost_after(const uint64_t *seqs, size_t n, uint64_t first, uint64_t last)
{
	struct pt_seq_tracker t = { 0 };

	pt_seq_begin(&t, first);
	for (size_t i = 0; i < n; i++)
		pt_seq_note(&t, seqs[i]);
	pt_seq_expect(&t, last);
	return pt_seq_finish(&t);
}

START_TEST(test_seq_tracker)
{
	static const uint64_t in_order[] = { 1, 2, 3, 4 }, gap[] = { 1, 2, 5 },
			      shuffled[] = { 1, 3, 2, 4 }, late[] = { 7, 8, 5 };
	struct pt_seq_tracker t = { 0 };

	ck_assert_uint_eq(lost_after(in_order, 4, 0, 0), 0);
	ck_assert_uint_eq(lost_after(gap, 3, 0, 0), 2);
	ck_assert_uint_eq(lost_after(shuffled, 4, 0, 0), 0);
	/* begun at 5: 5 and 6 never came, even though nothing before 7 was seen */
	ck_assert_uint_eq(lost_after(late + 0, 2, 5, 0), 2);
	/* unbegun, the first number seen starts the count: only what follows it */
	ck_assert_uint_eq(lost_after(late + 0, 2, 0, 0), 0);
	/* 5 came after 7 and 8: within the window, not lost */
	ck_assert_uint_eq(lost_after(late, 3, 5, 0), 1);
	/* a loss at the very end shows only against what the source says it sent */
	ck_assert_uint_eq(lost_after(in_order, 4, 1, 4), 0);
	ck_assert_uint_eq(lost_after(in_order, 4, 1, 7), 3);
	ck_assert_uint_eq(lost_after(NULL, 0, 1, 3), 3);
	ck_assert_uint_eq(lost_after(in_order, 4, 1, 2), 0);	/* below what was seen */
	ck_assert_uint_eq(lost_after(NULL, 0, 0, 3), 0);	/* unbegun: nothing to expect */
	ck_assert_uint_eq(lost_after(NULL, 0, 9, 3), 0);	/* before our first */
	/* a gap wider than the window */
	pt_seq_begin(&t, 1);
	pt_seq_note(&t, 1);
	pt_seq_note(&t, 3 * PT_SEQ_WINDOW);
	ck_assert_uint_eq(pt_seq_finish(&t), 3 * PT_SEQ_WINDOW - 2);
}
END_TEST

/* A jump of 10^12 costs one window, not a walk over the gap; what follows still counts right. */
START_TEST(test_seq_huge_gaps)
{
	const uint64_t far = 1000000000000ULL;

	for (int ordered = 0; ordered < 2; ordered++) {
		struct pt_seq_tracker t = { .ordered = ordered };

		pt_seq_begin(&t, 1);
		pt_seq_note(&t, 1);
		pt_seq_note(&t, 2);
		pt_seq_note(&t, far);
		pt_seq_note(&t, far + 2);
		pt_seq_note(&t, far + 1);	/* late: lost when ordered, in the window otherwise */
		pt_seq_note(&t, far * 1000);
		ck_assert_uint_eq(pt_seq_finish(&t),
				  (far - 3) + (ordered ? 1 : 0) + (far * 1000 - far - 3));
	}
}
END_TEST

START_TEST(test_seq_ordered_and_complete)
{
	struct pt_seq_tracker t = { .ordered = true };

	/* in order: 3 and 4 are lost the moment 5 comes, not a window later */
	pt_seq_begin(&t, 1);
	pt_seq_note(&t, 1);
	pt_seq_note(&t, 2);
	ck_assert(pt_seq_complete(&t, 1, 2));
	pt_seq_note(&t, 5);
	ck_assert_uint_eq(t.lost, 2);
	ck_assert(pt_seq_complete(&t, 1, 5));	/* given up on counts as done */
	ck_assert_uint_eq(pt_seq_finish(&t), 2);

	/* unordered: a number missing holds completeness until it comes */
	t = (struct pt_seq_tracker){ 0 };
	pt_seq_begin(&t, 1);
	pt_seq_note(&t, 1);
	pt_seq_note(&t, 3);
	ck_assert(!pt_seq_complete(&t, 1, 3));
	ck_assert(pt_seq_complete(&t, 3, 3));
	ck_assert(!pt_seq_complete(&t, 3, 4));
	pt_seq_note(&t, 2);
	ck_assert(pt_seq_complete(&t, 1, 3));
	ck_assert_uint_eq(t.lost, 0);
}
END_TEST

/* ---- resynchronising after a loss ------------------------------------------ */

/* A source whose loss count the test sets, with one event waiting to be drained. */
struct fake {
	struct pt_numbered n;	/* first, as in the real ones */
	uint64_t lost;
	bool waiting, drained;
};

static uint64_t fake_lost(void *impl)
{
	return ((struct fake *)impl)->lost;
}

static int fake_dispatch(void *impl)
{
	struct fake *f = impl;
	struct pattrack_event e = { .kind = PATTRACK_EV_EXIT, .pid = 7, .req = -1, .got = -1,
				    .seq = 12 };

	if (f->waiting) {
		f->waiting = false;
		f->drained = true;
		f->lost++;	/* the drain finds one more lost */
		return pt_numbered_deliver(&f->n, &e);
	}
	return 0;
}

static const struct pt_source_ops fake_ops = {
	.name = "fake", .dispatch = fake_dispatch, .lost = fake_lost, .cycle = pt_numbered_cycle,
};

struct got {
	struct pt_event ev[8];
	size_t n;
};

static int keep_event(const struct pt_event *ev, void *userdata)
{
	struct got *g = userdata;

	if (g->n < ELEMENTSOF(g->ev))
		g->ev[g->n++] = *ev;
	return 0;
}

START_TEST(test_resync_on_loss_drains_and_says_since)
{
	struct got g = { 0 };
	struct fake f = { .n = { .fn = keep_event, .userdata = &g } };
	struct pt_source s = { .ops = &fake_ops, .impl = &f };
	struct pattrack_event e = { .kind = PATTRACK_EV_EXIT, .pid = 7, .req = -1, .got = -1 };
	char path[] = "/tmp/pattrack-test-XXXXXX";
	struct pt_live_loss st = { 0 };
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_gt(write(fd, "PAT: [mem 0xfe000000-0xfe001000] write-combining\n", 49), 0);
	close(fd);

	/* events 3 and 4 came, nothing lost: nothing to do, and they need no excuse */
	for (e.seq = 3; e.seq <= 4; e.seq++)
		ck_assert_int_eq(pt_numbered_deliver(&f.n, &e), 0);
	ck_assert_int_eq(pt_live_resync_on_loss(&s, &st, path, keep_event, &g), 0);
	ck_assert_uint_eq(g.n, 2);

	/* 10 and 11 come, and 2 are lost: what waits is drained before the list is read */
	g.n = 0;
	for (e.seq = 11; e.seq >= 10; e.seq--)
		ck_assert_int_eq(pt_numbered_deliver(&f.n, &e), 0);
	f.lost = 2;
	f.waiting = true;
	ck_assert_int_eq(pt_live_resync_on_loss(&s, &st, path, keep_event, &g), 0);
	ck_assert(f.drained);
	ck_assert_uint_eq(g.n, 6);
	ck_assert_int_eq(g.ev[2].kind, PT_EV_EXIT);	/* number 12, drained */
	ck_assert_int_eq(g.ev[3].kind, PT_EV_SYNC);
	ck_assert_int_eq(g.ev[3].reason, PT_SYNC_LOSS);
	ck_assert_uint_eq(g.ev[3].lost, 3);
	ck_assert_uint_eq(g.ev[3].since, 10);	/* the lowest since the last look */
	ck_assert_int_eq(g.ev[4].kind, PT_EV_ENTRY);
	ck_assert_int_eq(g.ev[5].kind, PT_EV_SYNC_END);
	ck_assert_uint_eq(st.seen, 3);

	/* a file that holds still: two reads agree */
	{
		_cleanup_free_ struct pt_kentry *k = NULL;
		size_t nk;

		ck_assert_int_eq(pt_debugfs_read_settled(path, 8, &k, &nk), 1);
		ck_assert_uint_eq(nk, 1);
		ck_assert_uint_eq(k[0].start, 0xfe000000);
		free(k);
		k = NULL;
		/* one read allowed: nothing to compare with */
		ck_assert_int_eq(pt_debugfs_read_settled(path, 1, &k, &nk), 0);
		ck_assert_int_eq(pt_debugfs_read_settled("/nonexistent/pat", 8, &k, &nk), -ENOENT);
	}

	/* a look with no events since the block: not settled yet, for events may be on the way */
	g.n = 0;
	ck_assert_int_eq(pt_live_resync_on_loss(&s, &st, path, keep_event, &g), 0);
	ck_assert_uint_eq(g.n, 0);
	/* events came, nothing more lost: what came since the block is settled, once */
	e.seq = 13;
	ck_assert_int_eq(pt_numbered_deliver(&f.n, &e), 0);
	ck_assert_int_eq(pt_live_resync_on_loss(&s, &st, path, keep_event, &g), 0);
	ck_assert_uint_eq(g.n, 2);
	ck_assert_int_eq(g.ev[1].kind, PT_EV_SETTLED);
	e.seq = 14;
	ck_assert_int_eq(pt_numbered_deliver(&f.n, &e), 0);
	ck_assert_int_eq(pt_live_resync_on_loss(&s, &st, path, keep_event, &g), 0);
	ck_assert_uint_eq(g.n, 3);

	/* the list unreadable: a lost event, with its window too */
	g.n = 0;
	ck_assert_int_eq(pt_numbered_deliver(&f.n, &(struct pattrack_event){
		.kind = PATTRACK_EV_EXIT, .pid = 7, .req = -1, .got = -1, .seq = 20 }), 0);
	f.lost = 5;
	unlink(path);
	ck_assert_int_eq(pt_live_resync_on_loss(&s, &st, path, keep_event, &g), 0);
	ck_assert_uint_eq(g.n, 2);
	ck_assert_int_eq(g.ev[1].kind, PT_EV_LOST);
	ck_assert_uint_eq(g.ev[1].lost, 2);
	ck_assert_uint_eq(g.ev[1].since, 20);
}
END_TEST

/* ---- kernel symbols ------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static const char *frame(struct pt_kallsyms *k, uint64_t addr)
{
	static char buf[256];

	pt_kallsyms_format(k, &addr, 1, buf, sizeof(buf));
	return buf;
}

START_TEST(test_kallsyms_modules_loaded_later)
{
	char dir[] = "/tmp/pattrack-kallsyms-XXXXXX", syms[64], mods[64];
	struct pt_kallsyms *k;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(syms, sizeof(syms), "%s/kallsyms", dir);
	snprintf(mods, sizeof(mods), "%s/modules", dir);
	write_file(syms, "ffffffff81000000 T _stext\n"
			 "ffffffff81001000 T memtype_reserve\n"
			 "ffffffff81100000 T _etext\n"
			 "ffffffffc0000000 t ftrace_trampoline\t[__builtin__ftrace]\n"
			 "ffffffffc0100000 t ivshmem_probe\t[ivshmem]\n");
	write_file(mods, "ivshmem 8192 0 - Live 0xffffffffc0100000\n");
	ck_assert_int_eq(pt_kallsyms_load_from(syms, mods, &k), 0);

	ck_assert_str_eq(frame(k, 0xffffffff81001010), "memtype_reserve+0x10");
	ck_assert_str_eq(frame(k, 0xffffffffc0100010), "ivshmem_probe+0x10 [ivshmem]");
	ck_assert_str_eq(frame(k, 0xffffffffc0000020), "ftrace_trampoline+0x20 [__builtin__ftrace]");
	/* far past a tracer's code, or past ivshmem's end: not theirs, whatever lies below */
	ck_assert_str_eq(frame(k, 0xffffffffc0007051), "0xffffffffc0007051");
	ck_assert_uint_eq(pt_kallsyms_rereads(k), 1);	/* the first unknown address: read again at once */
	ck_assert_str_eq(frame(k, 0xffffffffc0207051), "0xffffffffc0207051");
	ck_assert_uint_eq(pt_kallsyms_rereads(k), 1);	/* the next, within the second: not again yet */

	/* e1000 is loaded after the symbols were read */
	write_file(syms, "ffffffff81000000 T _stext\n"
			 "ffffffff81001000 T memtype_reserve\n"
			 "ffffffff81100000 T _etext\n"
			 "ffffffffc0000000 t ftrace_trampoline\t[__builtin__ftrace]\n"
			 "ffffffffc0100000 t ivshmem_probe\t[ivshmem]\n"
			 "ffffffffc0200000 t e1000_probe\t[e1000]\n");
	write_file(mods, "e1000 65536 0 - Live 0xffffffffc0200000\n"
			 "ivshmem 8192 0 - Live 0xffffffffc0100000 (OE)\n");
	pt_kallsyms_set_reread_interval(k, 0);
	ck_assert_str_eq(frame(k, 0xffffffffc0207051), "e1000_probe+0x7051 [e1000]");
	ck_assert_uint_eq(pt_kallsyms_rereads(k), 2);
	/* known now: no more reading */
	ck_assert_str_eq(frame(k, 0xffffffffc0200001), "e1000_probe+0x1 [e1000]");
	ck_assert_uint_eq(pt_kallsyms_rereads(k), 2);
	/* the core kernel far from any symbol */
	ck_assert_str_eq(frame(k, 0xffffffff81400000), "0xffffffff81400000");

	/* bochs unloaded, leaky loaded where it was: named after bochs until told */
	write_file(syms, "ffffffff81000000 T _stext\n"
			 "ffffffff81001000 T memtype_reserve\n"
			 "ffffffff81100000 T _etext\n"
			 "ffffffffc0200000 t bochs_pci_probe\t[bochs]\n");
	write_file(mods, "bochs 65536 0 - Live 0xffffffffc0200000\n");
	pt_kallsyms_set_reread_interval(k, 1000);
	pt_kallsyms_module_unloaded(k, "e1000");
	ck_assert_str_eq(frame(k, 0xffffffffc0200010), "bochs_pci_probe+0x10 [bochs]");
	write_file(syms, "ffffffff81000000 T _stext\n"
			 "ffffffff81001000 T memtype_reserve\n"
			 "ffffffff81100000 T _etext\n"
			 "ffffffffc0200000 t leaky_map\t[leaky]\n");
	write_file(mods, "leaky 16384 0 - Live 0xffffffffc0200000 (OE)\n");
	ck_assert_str_eq(frame(k, 0xffffffffc0200010), "bochs_pci_probe+0x10 [bochs]");
	/* the source's load event: the files again, once */
	ck_assert_int_eq(pt_kallsyms_module_loaded(k, "leaky", 0xffffffffc0200000, 0xffffffffc0201000), 0);
	ck_assert_str_eq(frame(k, 0xffffffffc0200010), "leaky_map+0x10 [leaky]");
	ck_assert_uint_eq(pt_kallsyms_rereads(k), 5);
	ck_assert_str_eq(frame(k, 0xffffffffc0200011), "leaky_map+0x11 [leaky]");
	ck_assert_uint_eq(pt_kallsyms_rereads(k), 5);
	/* leaky is gone from the files before its frames are named: the kernel said whose they are */
	write_file(syms, "ffffffff81000000 T _stext\n"
			 "ffffffff81001000 T memtype_reserve\n"
			 "ffffffff81100000 T _etext\n"
			 "ffffffffc01f0000 t bochs_pci_probe\t[bochs]\n");
	write_file(mods, "bochs 262144 0 - Live 0xffffffffc01f0000\n");
	ck_assert_int_eq(pt_kallsyms_module_loaded(k, "leaky", 0xffffffffc0200000, 0xffffffffc0201000), 0);
	ck_assert_str_eq(frame(k, 0xffffffffc0200010), "0xffffffffc0200010 [leaky]");
	/* bochs's extent in /proc/modules holds its init size too: not past its last symbol */
	pt_kallsyms_module_unloaded(k, "leaky");
	ck_assert_str_eq(frame(k, 0xffffffffc0200010), "0xffffffffc0200010");
	ck_assert_str_eq(frame(k, 0xffffffffc01f0010), "bochs_pci_probe+0x10 [bochs]");
	ck_assert_int_eq(pt_kallsyms_module_loaded(NULL, "x", 0, 1), 0);
	pt_kallsyms_module_unloaded(NULL, "x");

	/* a kernel without modules */
	pt_kallsyms_free(k);
	unlink(mods);
	ck_assert_int_eq(pt_kallsyms_load_from(syms, mods, &k), 0);
	ck_assert_str_eq(frame(k, 0xffffffff81001010), "memtype_reserve+0x10");
	pt_kallsyms_free(k);
	write_file(syms, "0000000000000000 T _stext\n");
	ck_assert_int_eq(pt_kallsyms_load_from(syms, NULL, &k), -EPERM);	/* not root */
	unlink(syms);
	rmdir(dir);
}
END_TEST

/* ---- the numbered sources' delivery ---------------------------------------- */

static int count_events(const struct pt_event *ev, void *userdata)
{
	(void)ev;
	(*(unsigned *)userdata)++;
	return 0;
}

START_TEST(test_undecodable_event_is_lost)
{
	unsigned delivered = 0;
	struct pt_numbered n = { .fn = count_events, .userdata = &delivered };
	struct pattrack_event e = { .kind = PATTRACK_EV_EXIT, .pid = 7, .req = -1, .got = -1 };

	pt_seq_begin(&n.seq, 1);
	for (uint64_t s = 1; s <= 3; s++) {
		e.seq = s;
		e.kind = s == 2 ? 99 : PATTRACK_EV_EXIT;	/* number 2 cannot be decoded */
		ck_assert_int_eq(pt_numbered_deliver(&n, &e), 0);
	}
	ck_assert_uint_eq(delivered, 2);
	/* not marked seen: it is a gap, and a gap is a loss */
	ck_assert_uint_eq(pt_numbered_finish(&n), 1);
	ck_assert_uint_eq(pt_numbered_lost(&n), 1);
}
END_TEST

/* ---- processes: is a saved owner's pid still that process? ------------------ */

START_TEST(test_proc_start_time)
{
	/* a name with ") " and spaces in it: the start is counted from the last ')' */
	static const char line[] = "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
				   "56171 2281472 128 18446744073709551615\n";
	char dir[] = "/tmp/pt-proc-XXXXXX", path[PATH_MAX];
	uint64_t ticks;
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f;

	ck_assert_int_eq(pt_proc_parse_start(line, sizeof(line) - 1, &ticks), 0);
	ck_assert_uint_eq(ticks, 56171);
	ck_assert_int_eq(pt_proc_parse_start("4242 (cut) S 1 2", 16, &ticks), -EINVAL);
	ck_assert_int_eq(pt_proc_parse_start("no name", 7, &ticks), -EINVAL);

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/4242", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/4242/stat", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(line, f);
	fclose(f);
	/* started at 561.71 s: the same process at 600 s, a newer one with its pid at 500 s */
	ck_assert_int_eq(pt_proc_same(dir, 4242, 600000000000ULL), 1);
	ck_assert_int_eq(pt_proc_same(dir, 4242, 56171ULL * (1000000000ULL / (uint64_t)hz)), 1);
	ck_assert_int_eq(pt_proc_same(dir, 4242, 500000000000ULL), 0);
	unlink(path);
	snprintf(path, sizeof(path), "%s/4242", dir);
	rmdir(path);
	rmdir(dir);
	/* this process, now and before it started */
	ck_assert_int_eq(pt_proc_same(PT_PROC, getpid(), UINT64_MAX), 1);
	ck_assert_int_eq(pt_proc_same(PT_PROC, getpid(), 0), 0);
}
END_TEST

START_TEST(test_proc_gone)
{
	pid_t child = fork();
	int status;

	ck_assert_int_ge(child, 0);
	if (child == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	/* reaped: no process has its pid, wherever /proc is */
	ck_assert_int_eq(pt_proc_same(PT_PROC, child, UINT64_MAX), 0);
	ck_assert_int_eq(pt_proc_same("/nonexistent", child, UINT64_MAX), 0);
	/* hidden (no such /proc) but alive: its start is unknown */
	ck_assert_int_eq(pt_proc_same("/nonexistent", getpid(), UINT64_MAX), -EACCES);
}
END_TEST

CHECK_MAIN("sources",
	   TEST_ONCE(test_debugfs_lines), TEST_ONCE(test_debugfs_host_file),
	   TEST_ONCE(test_iomem_host_file), TEST_ONCE(test_iomem_malformed), TEST_ONCE(test_pci_bars),
	   TEST_ONCE(test_kmsg_formats), TEST_ONCE(test_kmsg_other_and_broken),
	   TEST_ONCE(test_kmsg_file_to_anomalies), TEST_ONCE(test_seq_tracker),
	   TEST_ONCE(test_seq_huge_gaps),
	   TEST_ONCE(test_seq_ordered_and_complete), TEST_ONCE(test_resync_on_loss_drains_and_says_since),
	   TEST_ONCE(test_undecodable_event_is_lost), TEST_ONCE(test_kallsyms_modules_loaded_later),
	   TEST_ONCE(test_proc_start_time), TEST_ONCE(test_proc_gone))
