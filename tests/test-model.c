// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The model: one test per semantic rule, and a randomized comparison with
 * a brute-force transcription of the kernel's memtype_check_conflict() and
 * memtype_erase() (fixed seeds).  Resynchronisation is test-resync.c's.
 */
#include "check-main.h"
#include <stdlib.h>

#include "model-test.h"

/* ---- one test per rule --------------------------------------------------- */

START_TEST(test_identical_ranges_are_separate_entries)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();

	ck_assert_int_eq(RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 1, .comm = "a"), 0);
	ck_assert_int_eq(RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 2, .comm = "b"), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 2);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 0);
}
END_TEST

START_TEST(test_first_overlap_sets_found_type)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_anomaly *a;

	RESERVE(m, P(0), P(1), .req = UCM, .got = UCM, .pid = 1, .comm = "a");
	/* non-strict WC over UC-: granted UC-, degraded (slow), no drift */
	RESERVE(m, P(0), P(2), .req = WC, .got = UCM, .pid = 2, .comm = "b");
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	a = find_kind(m, PT_AN_DEGRADED);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->severity, PT_SEV_SLOW);
	ck_assert_int_eq(a->party[0].pid, 1);	/* names the entry that forced it */
	ck_assert_int_eq(table_of(m).e[1].type, UCM);
}
END_TEST

START_TEST(test_every_overlap_must_match_found_type)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_anomaly *a;

	RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 10, .comm = "A");
	RESERVE(m, P(1), P(2), .req = UCM, .got = UCM, .pid = 11, .comm = "B");
	RESERVE(m, P(0), P(2), .req = WC, .got = WC, .ret = -EBUSY, .pid = 12, .comm = "C");
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	a = find_kind(m, PT_AN_CONFLICT);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->pid, 12);
	ck_assert_uint_eq(a->n_parties, 2);
	ck_assert_int_eq(a->party[0].pid, 10);
	ck_assert_int_eq(a->party[1].pid, 11);
	ck_assert_uint_eq(pt_model_entry_count(m), 2);
}
END_TEST

START_TEST(test_strict_request_fails_on_other_type)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();

	RESERVE(m, P(0), P(1), .req = UCM, .got = PT_TYPE_NONE, .pid = 1, .comm = "a");
	/* the same type: fine */
	RESERVE(m, P(0), P(1), .req = UCM, .got = PT_TYPE_NONE, .pid = 2, .comm = "b");
	RESERVE(m, P(0), P(1), .req = WC, .got = PT_TYPE_NONE, .ret = -EBUSY, .pid = 3, .comm = "c");
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_CONFLICT), 1);
	ck_assert_uint_eq(count_kind(m, PT_AN_DEGRADED), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 2);
}
END_TEST

START_TEST(test_free_exact_match)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();

	RESERVE(m, P(0), P(4), .req = WC, .got = WC, .pid = 1, .comm = "a");
	ck_assert_int_eq(fre(m, P(0), P(4), 0, 1), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 0);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 0);
}
END_TEST

START_TEST(test_free_end_match_shrinks)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct table t;

	RESERVE(m, P(0), P(4), .req = WC, .got = WC, .pid = 1, .comm = "a");
	fre(m, P(1), P(4), 0, 1);
	t = table_of(m);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_uint_eq(t.e[0].start, P(0));
	ck_assert_uint_eq(t.e[0].end, P(1));
	ck_assert(t.e[0].shrunk);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 0);
}
END_TEST

START_TEST(test_free_exact_before_end_match)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct table t;

	RESERVE(m, P(0), P(4), .req = WC, .got = WC, .pid = 1, .comm = "a");
	RESERVE(m, P(2), P(4), .req = WC, .got = WC, .pid = 2, .comm = "b");
	fre(m, P(2), P(4), 0, 1);	/* exact match wins over shrinking a's */
	t = table_of(m);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_uint_eq(t.e[0].end, P(4));
}
END_TEST

START_TEST(test_free_nothing_is_invalid)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_anomaly *a;

	RESERVE(m, P(0), P(4), .req = WC, .got = WC, .pid = 1, .comm = "a");
	fre(m, P(0), P(1), -EINVAL, 1);	/* head: neither exact nor same end */
	fre(m, P(1), P(2), -EINVAL, 1);	/* middle */
	ck_assert_uint_eq(count_kind(m, PT_AN_INVALID_FREE), 2);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	a = find_kind(m, PT_AN_INVALID_FREE);
	ck_assert_int_eq(a->type, WC);
	ck_assert_uint_eq(pt_model_entry_count(m), 1);
}
END_TEST

START_TEST(test_ram_never_in_tree)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();

	apply_simple(m, PT_EV_RAM, 0x100000, 0x40000000, 0, 0);
	RESERVE(m, 0x10000000, 0x10001000, .req = WC, .got = WC, .pid = 1, .comm = "a");
	ck_assert_uint_eq(pt_model_entry_count(m), 0);
	fre(m, 0x10000000, 0x10001000, 0, 1);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 0);
	/* a hole before RAM makes it mixed: -EINVAL */
	apply_simple(m, PT_EV_RAM, 0x50000000, 0x60000000, 0, 0);
	RESERVE(m, 0x4ffff000, 0x50001000, .req = WC, .got = WC, .ret = -EINVAL, .pid = 1, .comm = "a");
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 0);
}
END_TEST

START_TEST(test_isa_range_untracked)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();

	RESERVE(m, 0xc0000, 0xc1000, .req = UCM, .got = WB, .pid = 1, .comm = "devmem");
	ck_assert_uint_eq(pt_model_entry_count(m), 0);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 0);	/* WB granted, but untracked */
	fre(m, 0xc0000, 0xc1000, 0, 1);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 0);
	/* straddling the ISA start is tracked */
	RESERVE(m, 0x9f000, 0xa1000, .req = WB, .got = WB, .pid = 1, .comm = "x");
	ck_assert_uint_eq(pt_model_entry_count(m), 1);
}
END_TEST

START_TEST(test_drift_applies_kernel_outcome)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_anomaly *a;

	RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 1, .comm = "a");
	/* the kernel says UC- was granted where the model expects WC */
	RESERVE(m, P(0), P(1), .req = UCM, .got = UCM, .pid = 2, .comm = "b");
	a = find_kind(m, PT_AN_DRIFT);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->pred_got, WC);
	ck_assert_int_eq(a->got, UCM);
	ck_assert_uint_eq(pt_model_entry_count(m), 2);
	ck_assert_int_eq(table_of(m).e[1].type, UCM);
}
END_TEST

START_TEST(test_prediction_without_ret)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct pt_event ev = { .kind = PT_EV_RESERVE, .start = P(0), .end = P(1), .req = WC };

	ck_assert_int_eq(pt_model_apply(m, &ev), 0);
	ev.req = UCM;
	ck_assert_int_eq(pt_model_apply(m, &ev), 0);	/* predicted: WC granted */
	ck_assert_uint_eq(count_kind(m, PT_AN_DEGRADED), 1);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	ck_assert_int_eq(table_of(m).e[1].type, WC);
}
END_TEST

START_TEST(test_degraded_hazard_and_mtrr)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();

	RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 1, .comm = "a");
	RESERVE(m, P(0), P(1), .req = UCM, .got = WC, .pid = 2, .comm = "regs");
	ck_assert_int_eq(find_kind(m, PT_AN_DEGRADED)->severity, PT_SEV_HAZARD);
	/* a WB request granted UC- on an empty range: the MTRRs, not drift */
	RESERVE(m, P(8), P(9), .req = WB, .got = UCM, .pid = 3, .comm = "x");
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_DEGRADED), 2);
}
END_TEST

START_TEST(test_leak_after_exit_only)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();

	RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 7, .comm = "a");
	apply_simple(m, PT_EV_ENTRY, P(4), P(5), UCM, 0);	/* pre-existing: never a leak */
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 0);
	apply_simple(m, PT_EV_EXIT, 0, 0, 0, 7);
	/* the same pid, after the exit */
	RESERVE(m, P(2), P(3), .req = WC, .got = WC, .pid = 7, .comm = "reused");
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);	/* judged once */
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 1);
	ck_assert_uint_eq(find_kind(m, PT_AN_LEAK)->start, P(0));
}
END_TEST

/* A reserve as the kernel side reports it, with its stack. */
static void reserve_along(struct pt_model *m, uint64_t s, uint64_t e, int32_t pid, const char *comm,
			  const char *stack)
{
	struct pt_event ev = {
		.kind = PT_EV_RESERVE, .start = s, .end = e, .req = UCM, .got = UCM, .has_ret = true,
		.pid = pid, .comm = comm, .comm_len = strlen(comm), .stack = stack,
		.stack_len = strlen(stack),
	};

	ck_assert_int_eq(pt_model_apply(m, &ev), 0);
}

/* as the shim recorded them on Debian's 6.1: e1000's probe, and an mmap of a BAR */
static const char ioremap_stack[] = "memtype_reserve+0x1\n__ioremap_caller+0xf0\n"
	"e1000_probe+0x1c1 [e1000]\nlocal_pci_probe+0x41\npci_device_probe+0xf5";
static const char mmap_stack[] = "memtype_reserve+0x1\nreserve_pfn_range+0xac\n"
	"track_pfn_remap+0x5d\nremap_pfn_range+0x3a\npci_mmap_resource_range+0x9e";
static const char fork_stack[] = "memtype_reserve+0x1\nreserve_pfn_range+0xac\n"
	"track_pfn_copy+0x6d\ncopy_page_range+0x8b\ndup_mmap+0x3a2";

START_TEST(test_owner_from_call_path)
{
	static const char builtin[] = "memremap+0x1\nacpi_os_map_iomem+0x20";
	static const char traced[] = "bpf_prog_1 [bpf]\nqxl_device_init+0x1 [qxl]";
	char driver[64];

	ck_assert_int_eq(pt_owner_classify(ioremap_stack, strlen(ioremap_stack)), PT_OWNER_DRIVER);
	ck_assert_int_eq(pt_owner_classify(mmap_stack, strlen(mmap_stack)), PT_OWNER_PROCESS);
	ck_assert_int_eq(pt_owner_classify(fork_stack, strlen(fork_stack)), PT_OWNER_PROCESS);
	ck_assert_int_eq(pt_owner_classify(NULL, 0), PT_OWNER_UNKNOWN);
	ck_assert_str_eq(pt_owner_driver(ioremap_stack, strlen(ioremap_stack), driver,
					 sizeof(driver)), "e1000");
	/* a built-in driver, and a tracer's own frame that is no driver */
	ck_assert_str_eq(pt_owner_driver(builtin, strlen(builtin), driver, sizeof(driver)),
			 "built-in");
	ck_assert_str_eq(pt_owner_driver(traced, strlen(traced), driver, sizeof(driver)), "qxl");
	ck_assert_str_eq(pt_owner_class_name(PT_OWNER_DRIVER), "driver");
}
END_TEST

/* insmod runs e1000's probe and exits: the driver keeps its mapping, no leak */
START_TEST(test_driver_mapping_outlives_the_probing_process)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct table t;

	reserve_along(m, P(0), P(32), 325, "insmod", ioremap_stack);
	reserve_along(m, P(40), P(41), 326, "app", mmap_stack);
	apply_simple(m, PT_EV_EXIT, 0, 0, 0, 325);
	apply_simple(m, PT_EV_EXIT, 0, 0, 0, 326);
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	/* the process's own mapping is its leak; the driver's is not */
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 1);
	ck_assert_uint_eq(find_kind(m, PT_AN_LEAK)->pid, 326);
	t = table_of(m);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_int_eq(t.e[0].owner, PT_OWNER_DRIVER);
	ck_assert(!t.e[0].owner_exited);
	ck_assert_int_eq(t.e[1].owner, PT_OWNER_PROCESS);
	ck_assert(t.e[1].owner_exited);
}
END_TEST

/* ---- drivers' lifetimes: unbind and unload ----------------------------- */

#define BAR0 0xfebc0000ULL
#define BAR0_END 0xfebe0000ULL

/* A driver about to leave a device, as the shim and the BPF program report it: one BAR. */
static void unbind(struct pt_model *m, const char *device, int bar, uint64_t s, uint64_t e,
		   const char *driver)
{
	struct pt_event ev = {
		.kind = PT_EV_UNBIND, .start = s, .end = e, .bar = bar, .device = device,
		.device_len = strlen(device), .name = driver, .name_len = strlen(driver),
		.pid = 400, .comm = "sh", .comm_len = 2,
	};

	ck_assert_int_eq(pt_model_apply(m, &ev), 0);
}

static void unload(struct pt_model *m, const char *module)
{
	struct pt_event ev = {
		.kind = PT_EV_UNLOAD, .name = module, .name_len = strlen(module),
		.pid = 401, .comm = "rmmod", .comm_len = 5,
	};

	ck_assert_int_eq(pt_model_apply(m, &ev), 0);
}

static void device_bar(struct pt_model *m, const char *device, int bar, uint64_t s, uint64_t e,
		       const char *driver)
{
	struct pt_event ev = {
		.kind = PT_EV_DEVICE, .start = s, .end = e, .bar = bar, .device = device,
		.device_len = strlen(device), .name = driver, .name_len = driver ? strlen(driver) : 0,
	};

	ck_assert_int_eq(pt_model_apply(m, &ev), 0);
}

static void free_ok(struct pt_model *m, uint64_t s, uint64_t e, int32_t pid)
{
	ck_assert_int_eq(fre(m, s, e, 0, pid), 0);
}

static const char *explain_leak(const struct pt_model *m, char *buf, size_t size)
{
	return pt_anomaly_explain(m, find_kind(m, PT_AN_LEAK), buf, size);
}

/* unbind runs remove(), which unmaps: nothing is left, nothing is said */
START_TEST(test_driver_unbound_cleanly)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();

	reserve_along(m, BAR0, BAR0_END, 325, "modprobe", ioremap_stack);
	apply_simple(m, PT_EV_EXIT, 0, 0, 0, 325);
	unbind(m, "0000:00:03.0", 0, BAR0, BAR0_END, "e1000");
	free_ok(m, BAR0, BAR0_END, 400);
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 0);
}
END_TEST

/* remove() forgot its iounmap: the driver is gone from the device, the mapping stays */
START_TEST(test_driver_unbound_leaving_its_mapping)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_anomaly *a;
	char buf[256];

	reserve_along(m, BAR0, BAR0_END, 325, "modprobe", ioremap_stack);
	/* a user mapping of the same BAR is its process's, whatever the driver does */
	reserve_along(m, BAR0, BAR0 + 0x1000, 326, "app", mmap_stack);
	unbind(m, "0000:00:03.0", 0, BAR0, BAR0_END, "e1000");
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 1);
	a = find_kind(m, PT_AN_LEAK);
	ck_assert_int_eq(a->owner, PT_OWNER_DRIVER);
	ck_assert(!pt_model_driver_leak(m, a)->unloaded);
	ck_assert_int_eq(pt_model_driver_leak(m, a)->bar, 0);
	ck_assert_int_eq(pt_model_driver_leak(m, a)->pid, 400);
	ck_assert_str_eq(explain_leak(m, buf, sizeof(buf)),
			 "e1000 (0000:00:03.0) unbound; its uncached-minus ioremap of BAR0 "
			 "0xfebc0000-0xfebe0000 is still reserved");
}
END_TEST

/* unbound, bound again: the new probe's mapping belongs to the new binding */
START_TEST(test_driver_rebinds)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	uint64_t unbound;

	for (int round = 0; round < 3; round++) {
		reserve_along(m, BAR0, BAR0_END, 500 + round, "sh", ioremap_stack);
		unbind(m, "0000:00:03.0", 0, BAR0, BAR0_END, "e1000");
		free_ok(m, BAR0, BAR0_END, 500 + round);
	}
	reserve_along(m, BAR0, BAR0_END, 600, "sh", ioremap_stack);
	unbound = pt_model_clock(m);
	ck_assert_int_eq(pt_model_judge_leaks_upto(m, unbound), 0);
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 1);
}
END_TEST

/* another device's unbind, another module's unload: not this mapping's end */
START_TEST(test_driver_other_device_or_module)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();

	reserve_along(m, BAR0, BAR0_END, 325, "modprobe", ioremap_stack);
	unbind(m, "0000:00:04.0", 0, BAR0_END, BAR0_END + 0x20000, "e1000");
	unload(m, "virtio_gpu");
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 0);
}
END_TEST

/* a module ioremaps at load and never unmaps: unloaded, it leaves the reservation */
START_TEST(test_module_unloaded_with_a_reservation_left)
{
	static const char leaky_stack[] = "memtype_reserve+0x1\n__ioremap_caller+0xf0\n"
		"leaky_init+0x51 [pattrack_leaky]\ndo_one_initcall+0x41";
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	uint64_t before;
	char buf[256];

	device_bar(m, "0000:00:05.0", 2, 0xfd000000, 0xfd400000, NULL);
	reserve_along(m, 0xfd000000, 0xfd001000, 700, "insmod", leaky_stack);
	apply_simple(m, PT_EV_EXIT, 0, 0, 0, 700);
	before = pt_model_clock(m);
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 0);	/* loaded: still its to hold */
	unload(m, "pattrack_leaky");
	ck_assert_int_eq(pt_model_judge_leaks_upto(m, before), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 0);	/* not judged up to there */
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 1);
	ck_assert(pt_model_driver_leak(m, find_kind(m, PT_AN_LEAK))->unloaded);
	ck_assert_str_eq(explain_leak(m, buf, sizeof(buf)),
			 "module pattrack_leaky unloaded; its uncached-minus ioremap "
			 "0xfd000000-0xfd001000 (BAR2 of 0000:00:05.0) is still reserved");
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);	/* once */
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 1);
}
END_TEST

/* a process maps a driver's memory and forks: the copies are the processes' */
START_TEST(test_fork_of_a_driver_backed_mapping)
{
	static const char fb_stack[] = "memtype_reserve+0x1\nreserve_pfn_range+0xac\n"
		"track_pfn_remap+0x5d\nremap_pfn_range+0x3a\nfb_mmap+0xa1\nmmap_region+0x4a1";
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct table t;

	reserve_along(m, BAR0, BAR0 + 0x4000, 800, "fbapp", fb_stack);
	reserve_along(m, BAR0, BAR0 + 0x4000, 800, "fbapp", fork_stack);
	t = table_of(m);
	ck_assert_int_eq(t.e[0].owner, PT_OWNER_PROCESS);
	ck_assert_int_eq(t.e[1].owner, PT_OWNER_PROCESS);
	/* the driver leaves; the processes' mappings are theirs to end */
	unbind(m, "0000:00:02.0", 0, BAR0, BAR0_END, "bochs-drm");
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 0);
	free_ok(m, BAR0, BAR0 + 0x4000, 801);
	apply_simple(m, PT_EV_EXIT, 0, 0, 0, 801);
	apply_simple(m, PT_EV_EXIT, 0, 0, 0, 800);
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 1);	/* the parent's, never unmapped */
	ck_assert_int_eq(find_kind(m, PT_AN_LEAK)->owner, PT_OWNER_PROCESS);
	ck_assert_ptr_null(pt_model_driver_leak(m, find_kind(m, PT_AN_LEAK)));
}
END_TEST

/* owner unknown: no leak without evidence of whose it was */
START_TEST(test_unknown_owner_never_leaks)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct pt_device_info d;
	struct table t;

	device_bar(m, "0000:00:03.0", 0, BAR0, BAR0_END, "e1000");
	apply_simple(m, PT_EV_ENTRY, BAR0, BAR0_END, UCM, 0);
	RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 9, .comm = "x", .stack = "");
	apply_simple(m, PT_EV_EXIT, 0, 0, 0, 9);
	unbind(m, "0000:00:03.0", 0, BAR0, BAR0_END, "e1000");
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 0);
	t = table_of(m);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_int_eq(t.e[0].owner, PT_OWNER_UNKNOWN);
	ck_assert_int_eq(t.e[1].owner, PT_OWNER_UNKNOWN);
	/* attributed by address all the same; the unbind left the BAR unbound */
	ck_assert(pt_model_device_at(m, BAR0, BAR0_END, &d));
	ck_assert_str_eq(d.device, "0000:00:03.0");
	ck_assert_int_eq(d.bar, 0);
	ck_assert_str_eq(d.driver, "");
	ck_assert(!pt_model_device_at(m, P(0), P(1), &d));
	/* a BAR smaller than a page is reserved as its page */
	device_bar(m, "0000:00:05.0", 0, 0xfebf2000, 0xfebf2100, NULL);
	ck_assert(pt_model_device_at(m, 0xfebf2000, 0xfebf3000, &d));
	ck_assert_str_eq(d.device, "0000:00:05.0");
	ck_assert(!pt_model_device_at(m, 0xfebf2000, 0xfebf4000, &d));
}
END_TEST

START_TEST(test_leaks_judged_up_to_an_exit)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	uint64_t first_exit;

	ck_assert_int_eq(RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 1, .comm = "a"), 0);
	ck_assert_int_eq(RESERVE(m, P(2), P(3), .req = WC, .got = WC, .pid = 2, .comm = "b"), 0);
	apply_simple(m, PT_EV_EXIT, 0, 0, 0, 1);
	first_exit = pt_model_clock(m);
	apply_simple(m, PT_EV_EXIT, 0, 0, 0, 2);
	/* the daemon's grace period: only the exits old enough are judged */
	ck_assert_int_eq(pt_model_judge_leaks_upto(m, first_exit - 1), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 0);
	ck_assert_int_eq(pt_model_judge_leaks_upto(m, first_exit), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 1);
	ck_assert_int_eq(find_kind(m, PT_AN_LEAK)->pid, 1);
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 2);
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);	/* once each */
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 2);
}
END_TEST

START_TEST(test_free_prefers_own_identical_entry)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct table t;

	RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 1, .comm = "a");
	RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 2, .comm = "b");
	fre(m, P(0), P(1), 0, 2);
	t = table_of(m);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_int_eq(t.e[0].pid, 1);
}
END_TEST

START_TEST(test_bad_events_rejected)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct pt_event ev = { .kind = PT_EV_ENTRY, .start = 5, .end = 5, .type = WC };

	ck_assert_int_eq(pt_model_apply(m, &ev), -EINVAL);
	ev = (struct pt_event){ .kind = PT_EV_RESERVE, .start = 0, .end = 1, .req = 42 };
	ck_assert_int_eq(pt_model_apply(m, &ev), -EINVAL);
	ev = (struct pt_event){ .kind = (enum pt_event_kind)99 };
	ck_assert_int_eq(pt_model_apply(m, &ev), -EINVAL);
	/* an empty reserve range is the kernel's -EINVAL, not a model error */
	ck_assert_int_eq(RESERVE(m, P(1), P(1), .req = WC, .got = WC, .ret = -EINVAL, .pid = 1,
				 .comm = "a"), 0);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 0);
}
END_TEST

START_TEST(test_models_are_independent)
{
	_cleanup_(pt_model_freep) struct pt_model *a = new_model();
	_cleanup_(pt_model_freep) struct pt_model *b = new_model();

	RESERVE(a, P(0), P(1), .req = WC, .got = WC, .pid = 1, .comm = "a");
	ck_assert_uint_eq(pt_model_entry_count(a), 1);
	ck_assert_uint_eq(pt_model_entry_count(b), 0);
}
END_TEST

/* ---- randomized against the kernel, transcribed by brute force ----------- */

struct kentry {
	uint64_t start, end, order;
	int type;
	int32_t pid;	/* the owner the model should name: not the kernel's, the model's rule */
};

struct kernel {
	struct kentry e[4096];
	size_t n;
	uint64_t next_order;
};

static int kcmp(const void *a, const void *b)
{
	const struct kentry *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Entries overlapping [s, e) in tree order. */
static size_t koverlaps(struct kernel *k, uint64_t s, uint64_t e, size_t *idx)
{
	size_t n = 0;

	qsort(k->e, k->n, sizeof(k->e[0]), kcmp);
	for (size_t i = 0; i < k->n; i++)
		if (k->e[i].start < e && k->e[i].end > s)
			idx[n++] = i;
	return n;
}

/* memtype_check_conflict() + memtype_check_insert(), word for word. */
static int kreserve(struct kernel *k, uint64_t s, uint64_t e, int req, bool strict, int *got,
		    int32_t pid)
{
	static size_t idx[4096];
	size_t n = koverlaps(k, s, e, idx);
	int found = req;

	if (n) {
		if (k->e[idx[0]].type != found && strict)
			return -EBUSY;
		found = k->e[idx[0]].type;
		for (size_t i = 1; i < n; i++)
			if (k->e[idx[i]].type != found)
				return -EBUSY;
	}
	*got = found;
	k->e[k->n++] = (struct kentry){ s, e, k->next_order++, strict ? req : found, pid };
	return 0;
}

/*
 * memtype_erase(), word for word; and the model's owner rule on top: when
 * the freeing process owns an entry just like the one the kernel takes,
 * the two swap owners first.
 */
static int kfree(struct kernel *k, uint64_t s, uint64_t e, int32_t pid)
{
	static size_t idx[4096];
	size_t n = koverlaps(k, s, e, idx), hit = SIZE_MAX;

	for (size_t i = 0; i < n && hit == SIZE_MAX; i++)
		if (k->e[idx[i]].start == s && k->e[idx[i]].end == e)
			hit = idx[i];
	for (size_t i = 0; i < n && hit == SIZE_MAX; i++)
		if (k->e[idx[i]].start < s && k->e[idx[i]].end == e)
			hit = idx[i];
	if (hit == SIZE_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		struct kentry *x = &k->e[idx[i]];

		if (x->start == k->e[hit].start && x->end == e && x->type == k->e[hit].type &&
		    x->pid == pid) {
			x->pid = k->e[hit].pid;
			k->e[hit].pid = pid;
			break;
		}
	}
	if (k->e[hit].start == s) {
		k->e[hit] = k->e[--k->n];
	} else {
		k->e[hit].end = s;
		k->e[hit].order = k->next_order++;
	}
	return 0;
}

struct walk {
	const struct kentry *want;
	size_t i;
	bool ok;
};

static int walk_step(const struct pt_entry_info *e, void *userdata)
{
	struct walk *w = userdata;
	const struct kentry *k = &w->want[w->i++];

	if (e->start != k->start || e->end != k->end || e->type != k->type || e->pid != k->pid) {
		if (w->ok)
			fprintf(stderr, "at %zu: model %llx-%llx %d pid %d, kernel %llx-%llx %d pid %d\n",
				w->i - 1, (unsigned long long)e->start, (unsigned long long)e->end,
				e->type, e->pid, (unsigned long long)k->start,
				(unsigned long long)k->end, k->type, k->pid);
		w->ok = false;
	}
	return 0;
}

/* The model's table, in order, must equal the kernel's value by value. */
static void compare_tables(struct kernel *k, const struct pt_model *m, unsigned seed, unsigned op)
{
	static struct kentry want[4096];
	struct walk w = { want, 0, true };

	memcpy(want, k->e, k->n * sizeof(want[0]));
	qsort(want, k->n, sizeof(want[0]), kcmp);
	ck_assert_msg(pt_model_entry_count(m) == k->n, "seed %u op %u: %zu entries, kernel %zu",
		      seed, op, pt_model_entry_count(m), k->n);
	pt_model_foreach_entry(m, 0, UINT64_MAX, walk_step, &w);
	ck_assert_msg(w.ok, "seed %u op %u: table differs from the kernel's", seed, op);
}

/* A free of [s, e), or more often of an existing range or its tail, applied to both. */
static void random_free(struct pt_model *m, struct kernel *k, uint64_t s, uint64_t e, int32_t pid,
			bool report_outcome)
{
	struct pt_event ev;

	if (k->n && random() % 3) {
		struct kentry *x = &k->e[random() % k->n];

		s = x->start + (random() % 2 ? 0 : 0x1000 * (uint64_t)(random() % 3));
		e = x->end;
		if (s >= e)
			s = x->start;
	}
	ev = (struct pt_event){
		.kind = PT_EV_FREE, .start = s, .end = e,
		.has_ret = report_outcome, .ret = kfree(k, s, e, pid), .pid = pid,
	};
	ck_assert_int_eq(pt_model_apply(m, &ev), 0);
}

static void random_run(unsigned seed, bool report_outcome)
{
	static struct kernel k;
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	static const int types[] = { WB, WC, UCM, UC };

	memset(&k, 0, sizeof(k));
	srandom(seed);
	for (unsigned op = 0; op < 6000; op++) {
		uint64_t s = P(random() % 48), e = s + 0x1000 * (1 + (uint64_t)(random() % 6));
		int32_t pid = 1 + (int32_t)(random() % 5);
		unsigned drift0 = count_kind(m, PT_AN_DRIFT);

		if (random() % 2 && k.n < 4000) {
			int req = types[random() % 4], got = req;
			bool strict = random() % 4 == 0;
			int ret = kreserve(&k, s, e, req, strict, &got, pid);
			struct pt_event ev = {
				.kind = PT_EV_RESERVE, .start = s, .end = e, .req = req,
				.strict = strict, .got = strict ? PT_TYPE_NONE : got,
				.has_ret = report_outcome, .ret = ret, .pid = pid,
			};

			ck_assert_int_eq(pt_model_apply(m, &ev), 0);
		} else {
			random_free(m, &k, s, e, pid, report_outcome);
		}
		ck_assert_msg(count_kind(m, PT_AN_DRIFT) == drift0,
			      "seed %u op %u: the model's prediction differs from the kernel's", seed, op);
		if (op % 16 == 0) {
			compare_tables(&k, m, seed, op);
			ck_assert_msg(pt_model_check(m), "seed %u op %u: tree or index broken", seed, op);
		}
	}
	compare_tables(&k, m, seed, 6000);
}

START_TEST(test_random_vs_kernel_reported)
{
	/* the kernel's outcome is reported: no drift may be recorded, tables equal */
	random_run(1000u + (unsigned)_i, true);
}
END_TEST

START_TEST(test_random_vs_kernel_predicted)
{
	/* nothing reported: the model's own prediction must end in the kernel's table */
	random_run(2000u + (unsigned)_i, false);
}
END_TEST

CHECK_MAIN("model",
	   TEST_ONCE(test_identical_ranges_are_separate_entries),
	   TEST_ONCE(test_first_overlap_sets_found_type),
	   TEST_ONCE(test_every_overlap_must_match_found_type),
	   TEST_ONCE(test_strict_request_fails_on_other_type), TEST_ONCE(test_free_exact_match),
	   TEST_ONCE(test_free_end_match_shrinks), TEST_ONCE(test_free_exact_before_end_match),
	   TEST_ONCE(test_free_nothing_is_invalid), TEST_ONCE(test_ram_never_in_tree),
	   TEST_ONCE(test_isa_range_untracked), TEST_ONCE(test_drift_applies_kernel_outcome),
	   TEST_ONCE(test_prediction_without_ret), TEST_ONCE(test_degraded_hazard_and_mtrr),
	   TEST_ONCE(test_leak_after_exit_only), TEST_ONCE(test_owner_from_call_path),
	   TEST_ONCE(test_driver_mapping_outlives_the_probing_process), TEST_ONCE(test_free_prefers_own_identical_entry),
	   TEST_ONCE(test_leaks_judged_up_to_an_exit), TEST_ONCE(test_bad_events_rejected),
	   TEST_ONCE(test_driver_unbound_cleanly), TEST_ONCE(test_driver_unbound_leaving_its_mapping),
	   TEST_ONCE(test_driver_rebinds), TEST_ONCE(test_driver_other_device_or_module),
	   TEST_ONCE(test_module_unloaded_with_a_reservation_left),
	   TEST_ONCE(test_fork_of_a_driver_backed_mapping), TEST_ONCE(test_unknown_owner_never_leaks),
	   TEST_ONCE(test_models_are_independent), TEST_LOOP(test_random_vs_kernel_reported, 4),
	   TEST_LOOP(test_random_vs_kernel_predicted, 4))
