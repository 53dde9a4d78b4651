// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A model brought back after a restart: the clock resumed, anomalies filed
 * again, saved owners onto the entries of the kernel's list, their exits.
 */
#include "check-main.h"
#include "model-test.h"

#define DRIVER_STACK "memtype_reserve+0x1\n__ioremap_caller+0x2\nioremap_wc+0x3\ne1000_probe+0x4 [e1000]"

static void kernel_list(struct pt_model *m, const struct pt_kentry *k, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct pt_event ev = pt_event_of_kentry(&k[i]);

		ck_assert_int_eq(pt_model_apply(m, &ev), 0);
	}
}

static uint32_t string(struct pt_model *m, const char *s)
{
	uint32_t id;

	ck_assert_int_eq(pt_strtab_intern(pt_model_strings(m), s, strlen(s), &id), 0);
	return id;
}

static struct pt_entry_info saved_by(struct pt_model *m, uint64_t start, uint64_t end, int type,
				     int32_t pid, const char *comm, uint64_t born)
{
	return (struct pt_entry_info){
		.start = start, .end = end, .type = type, .pid = pid,
		.comm_id = string(m, comm), .stack_id = string(m, USER_MMAP_STACK),
		.seq = born, .born = born, .owner = PT_OWNER_PROCESS,
	};
}
#define saved(...) saved_by(m, __VA_ARGS__)

START_TEST(test_clock_resumes_once)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_kentry k = { P(0), P(1), WC };

	ck_assert_int_eq(pt_model_resume(m, 5000), 0);
	ck_assert_uint_eq(pt_model_clock(m), 5000);
	kernel_list(m, &k, 1);
	ck_assert_uint_eq(pt_model_clock(m), 5001);
	ck_assert_int_eq(pt_model_resume(m, 1), -EBUSY);
}
END_TEST

START_TEST(test_owners_return_to_what_the_list_still_holds)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_kentry k[] = { { P(0), P(1), WC }, { P(2), P(3), UCM } };
	struct pt_entry_info a = saved(P(0), P(1), WC, 10, "x", 40);
	struct pt_entry_info freed = saved(P(4), P(5), WC, 10, "x", 41);
	struct pt_entry_info other_type = saved(P(2), P(3), WC, 11, "y", 42);
	struct table t;

	ck_assert_int_eq(pt_model_resume(m, 100), 0);
	kernel_list(m, k, ELEMENTSOF(k));
	ck_assert_int_eq(pt_model_restore_check(m, &a), 0);
	ck_assert_int_eq(pt_model_restore_owner(m, &a), 0);
	ck_assert_int_eq(pt_model_restore_owner(m, &freed), -ENOENT);
	ck_assert_int_eq(pt_model_restore_owner(m, &other_type), -ENOENT);
	/* born after the clock, or a string the model does not have: not a state it could have had */
	a.born = 1000;
	ck_assert_int_eq(pt_model_restore_owner(m, &a), -EINVAL);
	a.born = 40;
	a.stack_id = 1000000;
	ck_assert_int_eq(pt_model_restore_owner(m, &a), -EINVAL);

	t = table_of(m);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_int_eq(t.e[0].pid, 10);
	ck_assert_str_eq(t.e[0].comm, "x");
	ck_assert_uint_eq(t.e[0].born, 40);
	ck_assert_int_eq(t.e[0].owner, PT_OWNER_PROCESS);
	ck_assert(!t.e[0].preexisting);
	ck_assert_int_eq(t.e[1].pid, 0);
	ck_assert(t.e[1].preexisting);
	/* the restored owner's free finds its entry as its own */
	ck_assert_int_eq(fre(m, P(0), P(1), 0, 10), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 1);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	ck_assert(pt_model_check(m));
}
END_TEST

START_TEST(test_more_owners_than_entries_leaves_none)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_kentry k[] = { { P(0), P(2), WC }, { P(0), P(2), WC } };
	struct pt_entry_info o[] = {
		saved(P(0), P(2), WC, 10, "a", 1), saved(P(0), P(2), WC, 11, "b", 2),
		saved(P(0), P(2), WC, 12, "c", 3), saved(P(0), P(2), WC, 13, "d", 4),
	};
	struct table t;

	ck_assert_int_eq(pt_model_resume(m, 100), 0);
	kernel_list(m, k, ELEMENTSOF(k));
	ck_assert_int_eq(pt_model_restore_owner(m, &o[0]), 0);
	ck_assert_int_eq(pt_model_restore_owner(m, &o[1]), 0);
	/* a third owner: one of the three freed meanwhile, nobody knows which */
	ck_assert_int_eq(pt_model_restore_owner(m, &o[2]), -ENOTUNIQ);
	ck_assert_int_eq(pt_model_restore_owner(m, &o[3]), -ENOTUNIQ);
	t = table_of(m);
	ck_assert_uint_eq(t.n, 2);
	for (size_t i = 0; i < t.n; i++) {
		ck_assert_int_eq(t.e[i].pid, 0);
		ck_assert_int_eq(t.e[i].owner, PT_OWNER_UNKNOWN);
	}
	/* and an exit of any of them is no leak */
	apply_simple(m, PT_EV_EXIT, 0, 0, 0, 10);
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 0);
}
END_TEST

START_TEST(test_saved_exit_makes_the_leak)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_kentry k[] = { { P(0), P(1), UCM }, { P(2), P(3), UCM }, { P(4), P(5), UCM } };
	struct pt_entry_info exited = saved(P(0), P(1), UCM, 20, "gone", 10);
	struct pt_entry_info told = saved(P(2), P(3), UCM, 21, "told", 11);
	struct pt_entry_info reborn = saved(P(4), P(5), UCM, 20, "again", 60);

	ck_assert_int_eq(pt_model_resume(m, 100), 0);
	kernel_list(m, k, ELEMENTSOF(k));
	told.leaked = true;
	ck_assert_int_eq(pt_model_restore_owner(m, &exited), 0);
	ck_assert_int_eq(pt_model_restore_owner(m, &told), 0);
	/* pid 20 again, a new process: it reserved after the old one's exit */
	ck_assert_int_eq(pt_model_restore_owner(m, &reborn), 0);
	ck_assert_int_eq(pt_model_restore_exit(m, 20, 50), 0);
	ck_assert_int_eq(pt_model_restore_exit(m, 21, 30), 0);
	ck_assert_int_eq(pt_model_restore_exit(m, 20, 5), 0);	/* an older one: the last is kept */
	ck_assert_int_eq(pt_model_restore_exit(m, 22, 1000), -EINVAL);
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	/* the exited owner's entry only: the told one was told, the new process lives */
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 1);
	ck_assert_uint_eq(find_kind(m, PT_AN_LEAK)->start, P(0));
	ck_assert_int_eq(find_kind(m, PT_AN_LEAK)->pid, 20);
}
END_TEST

START_TEST(test_anomalies_filed_again)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct pt_strtab *s = pt_model_strings(m);
	struct pt_anomaly a = { .kind = PT_AN_CONFLICT, .event = PT_EV_RESERVE, .start = P(0),
				.end = P(2), .type = WC, .req = UCM, .got = PT_TYPE_NONE,
				.pred_got = PT_TYPE_NONE, .ret = -16, .pid = 7, .repeats = 41 };
	struct pt_anomaly leak = { .kind = PT_AN_LEAK, .event = PT_EV_RESERVE, .start = P(4),
				   .end = P(5), .type = WC, .req = WC, .got = WC,
				   .pred_got = PT_TYPE_NONE, .owner = PT_OWNER_DRIVER };
	struct pt_driver_leak dl = { .bar = 0, .unloaded = false };
	struct pt_anomaly bad = a;
	const struct pt_driver_leak *got;

	ck_assert_int_eq(pt_strtab_intern(s, "e1000", 5, &dl.module), 0);
	ck_assert_int_eq(pt_strtab_intern(s, "0000:00:03.0", 12, &dl.device), 0);
	dl.driver = dl.module;
	ck_assert_int_eq(pt_model_resume(m, 100), 0);
	ck_assert_int_eq(pt_model_restore_anomaly(m, &a, NULL), 0);
	ck_assert_int_eq(pt_model_restore_anomaly(m, &leak, &dl), 0);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 2);
	ck_assert_uint_eq(pt_model_anomaly(m, 0)->repeats, 41);
	ck_assert_ptr_null(pt_model_driver_leak(m, pt_model_anomaly(m, 0)));
	got = pt_model_driver_leak(m, pt_model_anomaly(m, 1));
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(pt_strtab_get(s, got->device), "0000:00:03.0");
	/* the same conflict again, live: counted on its record, as before the restart */
	ck_assert_int_eq(RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 1), 0);
	ck_assert_int_eq(RESERVE(m, P(0), P(2), .req = UCM, .got = PT_TYPE_NONE, .ret = -16,
				 .pid = 7, .comm = ""), 0);
	ck_assert_uint_eq(pt_model_anomaly(m, 0)->repeats, 42);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 2);
	/* what no model could have written is refused */
	bad.kind = _PT_AN_MAX;
	ck_assert_int_eq(pt_model_restore_anomaly(m, &bad, NULL), -EINVAL);
	bad = a;
	bad.type = 99;
	ck_assert_int_eq(pt_model_restore_anomaly(m, &bad, NULL), -EINVAL);
	bad = a;
	bad.n_parties = PT_MAX_PARTIES + 1;
	ck_assert_int_eq(pt_model_restore_anomaly(m, &bad, NULL), -EINVAL);
	bad = a;
	bad.start = P(3);
	ck_assert_int_eq(pt_model_restore_anomaly(m, &bad, NULL), -EINVAL);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 2);
}
END_TEST

static int owner_of(const struct pt_entry_info *e, void *userdata)
{
	struct pt_owner_info *o = userdata;

	snprintf(o->driver, sizeof(o->driver), "%s", e->driver);
	return 0;
}

START_TEST(test_driver_owner_returns)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_kentry k = { P(0), P(8), UCM };
	struct pt_entry_info d = {
		.start = P(0), .end = P(8), .type = UCM, .pid = 300, .comm_id = string(m, "modprobe"),
		.stack_id = string(m, DRIVER_STACK), .born = 5, .owner = PT_OWNER_DRIVER,
	};
	struct pt_owner_info o = { .bar = -1 };
	struct table t;

	ck_assert_int_eq(pt_model_resume(m, 100), 0);
	kernel_list(m, &k, 1);
	ck_assert_int_eq(pt_model_restore_owner(m, &d), 0);
	t = table_of(m);
	ck_assert_int_eq(t.e[0].owner, PT_OWNER_DRIVER);
	/* the driver's name lives in the visit's own buffer: read during the visit */
	ck_assert_int_eq(pt_model_foreach_entry(m, 0, UINT64_MAX, owner_of, &o), 0);
	ck_assert_str_eq(o.driver, "e1000");
	/* modprobe's exit is not the driver's: no leak */
	apply_simple(m, PT_EV_EXIT, 0, 0, 0, 300);
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 0);
}
END_TEST

CHECK_MAIN("restore",
	   TEST_ONCE(test_clock_resumes_once), TEST_ONCE(test_owners_return_to_what_the_list_still_holds),
	   TEST_ONCE(test_more_owners_than_entries_leaves_none), TEST_ONCE(test_saved_exit_makes_the_leak),
	   TEST_ONCE(test_anomalies_filed_again), TEST_ONCE(test_driver_owner_returns))
