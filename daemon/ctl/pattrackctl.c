// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pattrackctl: the command line.  Offline verbs work on a trace file
 * (replay) or on the live host's own tables (snapshot).
 */
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "bus.h"
#include "config.h"
#include "core/trace.h"
#include "core/util.h"
#include "host/debugfs.h"
#include "host/iomem.h"
#include "host/kallsyms.h"
#include "host/kmsg.h"
#include "host/pci.h"
#include "report.h"
#include "source/netlink.h"
#include "source/open.h"
#include "source/source.h"

/* Exit codes (pattrackctl(1)). */
enum {
	EXIT_OK = 0,
	EXIT_ANOMALY = 1,	/* a --fail-on kind occurred */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_TROUBLE = 3,	/* could not read or parse the input */
};

static void help(FILE *f)
{
	fprintf(f,
		"Usage: pattrackctl [--help] [--version] [--verbose] COMMAND [ARGS...]\n"
		"\n"
		"Track x86 PAT memory-type reservations: conflicts, degraded mappings,\n"
		"invalid frees and leaked reservations.\n"
		"\n"
		"Commands:\n"
		"  replay [--json] [--strict] [--fail-on=KIND,...] FILE|-\n"
		"        Feed a \"pattrack trace v1\" file to the model; print the final\n"
		"        table in the kernel's pat_memtype_list format, then the anomalies.\n"
		"  record [--source=auto|bpf|netlink|debugfs] -o FILE [-- COMMAND [ARGS...]]\n"
		"        Write a trace: the table now (debugfs, /proc/iomem), then every\n"
		"        event the kernel reports, until COMMAND exits (its exit status\n"
		"        is passed on) or until interrupted.\n"
		"  run [--source=S] [--json] [--fail-on=KIND,...] [-o FILE] -- COMMAND...\n"
		"        Run COMMAND, follow the reservations of it and its descendants,\n"
		"        and report what they leaked, and what conflicted or degraded,\n"
		"        with owners and kernel stacks. The CI gate around a test suite.\n"
		"  snapshot [--json] [--debugfs=PATH] [--iomem=PATH] [--kmsg=PATH|--no-kmsg]\n"
		"           [--pci=DIR]\n"
		"        The live host's table now, each range with the PCI BAR or\n"
		"        /proc/iomem resource it lies in, a summary by type and the\n"
		"        kernel log's x86/PAT anomalies.\n"
		"  shim [--json]\n"
		"        pattrack_shim.ko's own status: version, probes attached, events\n"
		"        sent and dropped, the last sequence number.\n"
		"\n"
		"Commands that ask pattrackd (org.pattrack.Tracker1 on the system bus):\n"
		"  status                 Version, sources, counters\n"
		"  list                   Every entry, with its owner and resource\n"
		"  lookup ADDR            The entries holding ADDR\n"
		"  query START END        The entries overlapping [START, END)\n"
		"  anomalies [KIND]       The anomalies found, of one KIND or all\n"
		"  checkpoint             A cookie for \"since now\" (root)\n"
		"  leaks [--since COOKIE] [--fail]\n"
		"                         Reservations left by exited processes; with\n"
		"                         --since, every entry reserved since COOKIE that\n"
		"                         is still there; --fail exits 1 when there is one\n"
		"  explain ADDR           The recent events that touched ADDR\n"
		"  monitor                Print Anomaly signals as they come\n"
		"  Each takes --json.\n"
		"\n"
		"Anomaly kinds: conflict, degraded, invalid-free, leak, drift, loss (or all).\n"
		"Exit status: 0 ok, 1 a --fail-on kind occurred, 2 usage error,\n"
		"3 the input could not be read or parsed, or the daemon call failed;\n"
		"record and run otherwise "
		"pass on COMMAND's status.\n"
		"See pattrackctl(1) and pattrack-trace(5).\n");
}

/* "leak,conflict" -> bit mask; "all" is every kind. */
static int parse_kinds(const char *arg, unsigned *ret)
{
	unsigned mask = 0;
	const char *p = arg;

	while (*p) {
		size_t len = strcspn(p, ",");
		int k;

		if (len == 3 && strncmp(p, "all", 3) == 0) {
			mask |= (1u << _PT_AN_MAX) - 1;
		} else {
			k = pt_anomaly_kind_from_string(p, len);
			if (k < 0) {
				log_error("unknown anomaly kind \"%.*s\" (conflict, degraded, "
					  "invalid-free, leak, drift, all)", (int)len, p);
				return -EINVAL;
			}
			mask |= 1u << k;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	*ret = mask;
	return 0;
}

static bool anomaly_matches(const struct pt_model *m, unsigned mask)
{
	const struct pt_stats *s = pt_model_stats(m);

	for (int k = 0; k < _PT_AN_MAX; k++)
		if ((mask & (1u << k)) && s->anomalies[k])
			return true;
	return false;
}

enum {
	OPT_FAIL_ON = 0x100,
	OPT_DEBUGFS,
	OPT_IOMEM,
	OPT_KMSG,
	OPT_NO_KMSG,
	OPT_PCI,
	OPT_SOURCE,
};

static int verb_replay(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "strict", no_argument, NULL, 's' },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{}
	};
	_cleanup_(pt_trace_reader_freep) struct pt_trace_reader *reader = NULL;
	_cleanup_(pt_model_freep) struct pt_model *m = NULL;
	bool json = false, strict = false;
	unsigned fail_on = 0;
	uint64_t rejected = 0;
	struct pt_event ev;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hjs", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			help(stdout);
			return EXIT_OK;
		case 'j':
			json = true;
			break;
		case 's':
			strict = true;
			break;
		case OPT_FAIL_ON:
			if (parse_kinds(optarg, &fail_on) < 0)
				return EXIT_USAGE;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		log_error("replay takes one trace file (or - for standard input)");
		return EXIT_USAGE;
	}

	r = pt_trace_reader_open(argv[optind], &reader);
	if (r < 0) {
		log_error_errno(r, "cannot open %s", argv[optind]);
		return EXIT_TROUBLE;
	}
	r = pt_model_new(&m);
	if (r < 0) {
		log_error_errno(r, "cannot create the model");
		return EXIT_TROUBLE;
	}

	while ((r = pt_trace_read(reader, &ev)) != 0) {
		if (r == -EBADMSG) {
			if (strict)
				return EXIT_TROUBLE;
			continue;
		}
		if (r < 0) {
			log_error_errno(r, "%s: read error", pt_trace_name(reader));
			return EXIT_TROUBLE;
		}
		r = pt_model_apply(m, &ev);
		if (r == -ENOMEM) {
			log_error_errno(r, "out of memory");
			return EXIT_TROUBLE;
		}
		if (r < 0) {
			rejected++;
			log_error_errno(r, "%s:%lu: event rejected", pt_trace_name(reader),
					pt_trace_line(reader));
			if (strict)
				return EXIT_TROUBLE;
		}
	}
	r = pt_model_judge_leaks(m);
	if (r < 0) {
		log_error_errno(r, "cannot judge leaks");
		return EXIT_TROUBLE;
	}

	if (json) {
		_cleanup_json_ struct json_object *o = json_object_new_object();
		struct json_object *stats = pt_json_stats(m);
		const struct pt_trace_counts *tc = pt_trace_counts(reader);

		json_object_object_add(stats, "lines", json_object_new_uint64(tc->lines));
		json_object_object_add(stats, "unknown_events", json_object_new_uint64(tc->unknown_events));
		json_object_object_add(stats, "malformed_lines", json_object_new_uint64(tc->malformed));
		json_object_object_add(stats, "rejected_events", json_object_new_uint64(rejected));
		json_object_object_add(o, "entries", pt_json_entries(m));
		json_object_object_add(o, "anomalies", pt_json_anomalies(m));
		json_object_object_add(o, "stats", stats);
		pt_json_print(stdout, o, isatty(STDOUT_FILENO));
	} else {
		const struct pt_trace_counts *tc = pt_trace_counts(reader);

		pt_print_table(stdout, m);
		fputc('\n', stdout);
		pt_print_anomalies(stdout, m);
		if (tc->unknown_events || tc->malformed || rejected)
			fprintf(stdout, "\nSkipped: %" PRIu64 " unknown events, %" PRIu64
				" malformed lines, %" PRIu64 " rejected events\n",
				tc->unknown_events, tc->malformed, rejected);
	}
	if (fflush(stdout) != 0) {
		log_error_errno(-errno, "cannot write output");
		return EXIT_TROUBLE;
	}
	return anomaly_matches(m, fail_on) ? EXIT_ANOMALY : EXIT_OK;
}

/* ---- snapshot ------------------------------------------------------------ */

struct snapshot {
	const struct pt_iomem *iomem;
	const struct pt_pci *pci;
	struct json_object *json;	/* entries array, or NULL for text */
	uint64_t count[PATTRACK_TYPE_NR], bytes[PATTRACK_TYPE_NR];
};

static void describe(const struct snapshot *s, const struct pt_entry_info *e,
		     const struct pt_pci_bar **bar, char *buf, size_t size)
{
	*bar = pt_pci_find(s->pci, e->start, e->end);
	if (*bar)
		pt_pci_bar_describe(*bar, buf, size);
	else
		pt_iomem_describe(s->iomem, e->start, e->end, buf, size);
}

static int snapshot_entry(const struct pt_entry_info *e, void *userdata)
{
	struct snapshot *s = userdata;
	const struct pt_pci_bar *bar;
	char where[256];

	s->count[e->type]++;
	s->bytes[e->type] += e->end - e->start;
	describe(s, e, &bar, where, sizeof(where));
	if (s->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "start", pt_json_address(e->start));
		json_object_object_add(o, "end", pt_json_address(e->end));
		json_object_object_add(o, "type", json_object_new_string(pt_type_name(e->type)));
		json_object_object_add(o, "size", json_object_new_uint64(e->end - e->start));
		json_object_object_add(o, "resource", json_object_new_string(where));
		if (bar) {
			json_object_object_add(o, "pci_device", json_object_new_string(bar->device));
			json_object_object_add(o, "bar", json_object_new_int(bar->index));
			if (*bar->driver)
				json_object_object_add(o, "driver", json_object_new_string(bar->driver));
		}
		json_object_array_add(s->json, o);
	} else {
		int w = pt_print_entry_line(stdout, e->start, e->end, e->type);

		printf("%*s  %s\n", 64 - w > 0 ? 64 - w : 0, "", *where ? where : "-");
	}
	return 0;
}

static int verb_snapshot(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "debugfs", required_argument, NULL, OPT_DEBUGFS },
		{ "iomem", required_argument, NULL, OPT_IOMEM },
		{ "kmsg", required_argument, NULL, OPT_KMSG },
		{ "no-kmsg", no_argument, NULL, OPT_NO_KMSG },
		{ "pci", required_argument, NULL, OPT_PCI },
		{}
	};
	const char *debugfs = PT_DEBUGFS_PAT, *iomem_path = PT_IOMEM, *kmsg = PT_KMSG;
	const char *pci_dir = PT_SYSFS_PCI;
	_cleanup_(pt_model_freep) struct pt_model *m = NULL;
	struct pt_iomem iomem = { 0 };
	struct pt_pci pci = { 0 };
	struct snapshot s = { 0 };
	bool json = false;
	size_t kmsg_count = 0;
	int c, r, kmsg_r = 0, ret = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hj", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			help(stdout);
			return EXIT_OK;
		case 'j':
			json = true;
			break;
		case OPT_DEBUGFS:
			debugfs = optarg;
			break;
		case OPT_IOMEM:
			iomem_path = optarg;
			break;
		case OPT_KMSG:
			kmsg = optarg;
			break;
		case OPT_NO_KMSG:
			kmsg = NULL;
			break;
		case OPT_PCI:
			pci_dir = optarg;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		log_error("snapshot takes no arguments");
		return EXIT_USAGE;
	}

	r = pt_model_new(&m);
	if (r < 0) {
		log_error_errno(r, "cannot create the model");
		return EXIT_TROUBLE;
	}

	r = pt_debugfs_ensure(debugfs);
	if (r < 0) {
		log_error_errno(r, "cannot read %s (it needs root, and debugfs, which this "
				   "tries to mount)", debugfs);
		return EXIT_TROUBLE;
	}
	r = pt_debugfs_load(m, debugfs);
	if (r < 0) {
		log_error_errno(r, "cannot load %s", debugfs);
		return EXIT_TROUBLE;
	}

	r = pt_iomem_read(iomem_path, &iomem);
	if (r < 0)
		log_warning("ranges will not be named: %s unreadable", iomem_path);
	else if (pt_iomem_is_censored(&iomem))
		log_warning("%s shows no addresses (not root?): ranges will not be named",
			    iomem_path);
	r = pt_pci_read(pci_dir, &pci);
	if (r < 0)
		log_warning("PCI BARs will not be named: %s: %s", pci_dir, strerror(-r));
	if (kmsg) {
		kmsg_r = pt_kmsg_load(m, kmsg, &kmsg_count);
		if (kmsg_r < 0)
			log_warning("kernel log not read: %s: %s", kmsg, strerror(-kmsg_r));
	}

	s.iomem = &iomem;
	s.pci = &pci;
	if (json) {
		_cleanup_json_ struct json_object *o = json_object_new_object();
		struct json_object *summary = json_object_new_object();
		struct json_object *sources = json_object_new_object();

		s.json = json_object_new_array();
		pt_model_foreach_entry(m, 0, UINT64_MAX, snapshot_entry, &s);
		for (int t = 0; t < PATTRACK_TYPE_NR; t++) {
			struct json_object *st;

			if (!s.count[t])
				continue;
			st = json_object_new_object();
			json_object_object_add(st, "entries", json_object_new_uint64(s.count[t]));
			json_object_object_add(st, "bytes", json_object_new_uint64(s.bytes[t]));
			json_object_object_add(summary, pt_type_name(t), st);
		}
		json_object_object_add(sources, "debugfs", json_object_new_string(debugfs));
		json_object_object_add(sources, "iomem", json_object_new_string(iomem_path));
		json_object_object_add(sources, "kmsg", kmsg && kmsg_r == 0 ?
							json_object_new_string(kmsg) : NULL);
		json_object_object_add(o, "entries", s.json);
		json_object_object_add(o, "summary", summary);
		json_object_object_add(o, "anomalies", pt_json_anomalies(m));
		json_object_object_add(o, "sources", sources);
		pt_json_print(stdout, o, isatty(STDOUT_FILENO));
	} else {
		char size[32];

		printf("PAT memtype list:\n");
		pt_model_foreach_entry(m, 0, UINT64_MAX, snapshot_entry, &s);
		printf("\nSummary: %zu entries\n", pt_model_entry_count(m));
		for (int t = 0; t < PATTRACK_TYPE_NR; t++)
			if (s.count[t])
				printf("  %-16s %6" PRIu64 " %-8s %s\n", pt_type_name(t), s.count[t],
				       s.count[t] == 1 ? "entry" : "entries",
				       pt_format_size(s.bytes[t], size, sizeof(size)));
		printf("\n");
		if (kmsg && kmsg_r == 0)
			pt_print_anomalies(stdout, m);
		else
			printf("Anomalies: kernel log not read\n");
	}
	pt_iomem_done(&iomem);
	pt_pci_done(&pci);
	if (fflush(stdout) != 0) {
		log_error_errno(-errno, "cannot write output");
		ret = EXIT_TROUBLE;
	}
	return ret;
}

/* ---- record ------------------------------------------------------------- */

static int write_entry(const struct pt_entry_info *e, void *userdata)
{
	struct pt_event ev = {
		.kind = PT_EV_ENTRY, .start = e->start, .end = e->end, .type = e->type,
	};

	return pt_trace_write_event(userdata, &ev);
}

/* The host's table now, and its RAM, into @m; *iomem keeps the resource map. */
static int load_host(struct pt_model *m, struct pt_iomem *iomem)
{
	int r;

	r = pt_debugfs_ensure(PT_DEBUGFS_PAT);
	if (r >= 0)
		r = pt_debugfs_load(m, PT_DEBUGFS_PAT);
	if (r < 0)
		return log_error_errno(r, "cannot read %s", PT_DEBUGFS_PAT);
	r = pt_iomem_read(PT_IOMEM, iomem);
	if (r < 0)
		return r;
	return pt_iomem_load_ram(m, iomem);
}

/* The trace's opening: a header, then @m's table and @iomem's System RAM, as read by load_host(). */
static int write_opening(FILE *f, const char *source, const struct pt_model *m,
			 const struct pt_iomem *iomem)
{
	struct utsname u;
	int r;

	uname(&u);
	fprintf(f, "{\"pattrack_trace\":1,\"source\":\"%s\",\"kernel\":\"%s\",\"machine\":\"%s\"}\n",
		source, u.release, u.machine);
	r = pt_model_foreach_entry(m, 0, UINT64_MAX, write_entry, f);
	if (r < 0)
		return r;
	for (size_t i = 0; i < iomem->n; i++) {
		struct pt_event ev = {
			.kind = PT_EV_RAM, .start = iomem->res[i].start, .end = iomem->res[i].end,
		};

		if (pt_resource_is_ram(&iomem->res[i]))
			pt_trace_write_event(f, &ev);
	}
	return ferror(f) ? -EIO : 0;
}

static int write_live_event(const struct pt_event *ev, void *userdata)
{
	return pt_trace_write_event(userdata, ev);
}

/* The processes followed: one bit per pid, up to the kernel's pid_max. */
struct lineage {
	uint64_t *bits;
	uint32_t max;
	size_t count;
};

static bool followed(const struct lineage *l, int32_t pid)
{
	return pid > 0 && (uint32_t)pid < l->max && (l->bits[pid / 64] >> (pid % 64) & 1);
}

static void follow(struct lineage *l, int32_t pid)
{
	if (pid <= 0 || (uint32_t)pid >= l->max || followed(l, pid))
		return;
	l->bits[pid / 64] |= 1ULL << (pid % 64);
	l->count++;
}

/* ---- live sources ------------------------------------------------------- */

/* --source=auto|bpf|netlink|debugfs */
static int parse_source(const char *arg, const char **ret)
{
	if (strcmp(arg, "auto") && strcmp(arg, "bpf") && strcmp(arg, "netlink") &&
	    strcmp(arg, "debugfs")) {
		log_error("--source takes auto, bpf, netlink or debugfs");
		return -EINVAL;
	}
	*ret = arg;
	return 0;
}

#define POLL_INTERVAL_MS 1000

static int source_open(const char *want, pt_live_fn fn, void *userdata, struct pt_source *s)
{
	return pt_source_open(want, PT_DEBUGFS_PAT, POLL_INTERVAL_MS, fn, userdata, s);
}

/*
 * Reads /proc/kallsyms once the source is attached (its BPF trampoline is
 * then among the symbols) and hands it to the source.
 */
static struct pt_kallsyms *source_symbolize(struct pt_source *s)
{
	struct pt_kallsyms *syms = NULL;
	int r = pt_kallsyms_load("/proc/kallsyms", &syms);

	if (r < 0) {
		log_warning("stacks will not be symbolized: /proc/kallsyms: %s", strerror(-r));
		return NULL;
	}
	s->ops->set_kallsyms(s->impl, syms);
	return syms;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/*
 * Runs @argv (if any) and hands the events to the source's callback until
 * it exits, or until interrupted; then drains what the kernel queued.
 * *child is the command's pid (0 without one), *status its wait status.
 */
static int follow_command_marked(struct pt_source *src, pt_live_fn fn, void *userdata,
				 char **argv, struct lineage *l, pid_t *child, int *status)
{
	uint64_t seen_lost = 0;
	int r;

	*child = 0;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (argv[0]) {
		*child = fork();
		if (*child < 0)
			return log_error_errno(-errno, "cannot fork");
		if (*child == 0) {
			execvp(argv[0], argv);
			log_error_errno(-errno, "cannot run %s", argv[0]);
			_exit(127);
		}
		/* its events are still in the socket: marked before any is read */
		if (l)
			follow(l, *child);
	}
	for (;;) {
		/* a negative fd is not watched: the source is read every flush_ms */
		struct pollfd p = { .fd = src->ops->fd(src->impl), .events = POLLIN };
		unsigned wait_ms = src->ops->flush_ms && src->ops->flush_ms < 100 ? src->ops->flush_ms : 100;

		/* at most 100 ms: the command's exit is looked for that often */
		if (poll(&p, 1, (int)wait_ms) < 0 && errno != EINTR)
			return log_error_errno(-errno, "poll");
		r = src->ops->dispatch(src->impl);
		if (r >= 0)
			r = pt_live_resync_on_loss(src, &seen_lost, PT_DEBUGFS_PAT, fn, userdata);
		if (r < 0)
			return r;
		if (*child > 0 && waitpid(*child, status, WNOHANG) == *child)
			break;
		if (interrupted)
			break;
	}
	/* the command's last events, its exit among them, are reported by now */
	r = pt_source_drain(src);
	if (r < 0)
		return r;
	/* gives up on what never came, and resynchronises once more if anything did not */
	src->ops->finish(src->impl);
	return pt_live_resync_on_loss(src, &seen_lost, PT_DEBUGFS_PAT, fn, userdata);
}

static int exit_status_of(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}


static int verb_record(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{}
	};
	_cleanup_(pt_model_freep) struct pt_model *host = NULL;
	struct pt_iomem iomem = { 0 };
	struct pt_kallsyms *syms = NULL;
	struct pt_source src = { 0 };
	const char *output = NULL, *source = "auto";
	bool recording = false;
	uint64_t lost;
	FILE *f = NULL;
	pid_t child = 0;
	int c, r, status = 0, ret = EXIT_TROUBLE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+ho:", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			help(stdout);
			return EXIT_OK;
		case 'o':
			output = optarg;
			break;
		case OPT_SOURCE:
			if (parse_source(optarg, &source) < 0)
				return EXIT_USAGE;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (!output) {
		log_error("record needs -o FILE");
		return EXIT_USAGE;
	}

	f = strcmp(output, "-") == 0 ? stdout : fopen(output, "we");
	if (!f) {
		log_error_errno(-errno, "cannot create %s", output);
		return EXIT_TROUBLE;
	}
	/*
	 * Subscribe first, then read the table: no event can fall between the
	 * two unseen (one racing the read may show in both, and replay then
	 * reports drift rather than a wrong table).
	 */
	r = source_open(source, write_live_event, f, &src);
	if (r < 0)
		goto out;
	syms = source_symbolize(&src);
	r = pt_model_new(&host);
	if (r < 0)
		goto out;
	r = load_host(host, &iomem);
	if (r < 0)
		goto out;
	r = write_opening(f, src.ops->name, host, &iomem);
	if (r < 0)
		goto out;
	recording = true;

	r = follow_command_marked(&src, write_live_event, f, argv + optind, NULL, &child, &status);
	if (r < 0)
		goto out;
	lost = src.ops->lost(src.impl);
	if (lost)
		log_warning("%" PRIu64 " events were lost: the trace says where, and resynchronises "
			    "from the kernel's list after each gap", lost);
	if (fflush(f) != 0) {
		log_error_errno(-errno, "cannot write %s", output);
		goto out;
	}
	ret = child ? exit_status_of(status) : EXIT_OK;

out:
	pt_iomem_done(&iomem);
	pt_source_close(&src);
	pt_kallsyms_free(syms);
	if (f && f != stdout) {
		fclose(f);
		if (!recording)
			unlink(output);	/* nothing was recorded: leave no half a trace */
	}
	return ret;
}

/* ---- run ---------------------------------------------------------------- */

struct run_ctx {
	struct pt_model *m;
	struct lineage lineage;
	FILE *trace;	/* also record, or NULL */
};

static int run_event(const struct pt_event *ev, void *userdata)
{
	struct run_ctx *c = userdata;
	int r;

	if (ev->kind == PT_EV_FORK && followed(&c->lineage, ev->pid))
		follow(&c->lineage, ev->child);
	if (c->trace) {
		r = pt_trace_write_event(c->trace, ev);
		if (r < 0)
			return r;
	}
	r = pt_model_apply(c->m, ev);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		log_warning("event %" PRIu64 " rejected by the model", ev->seq);
	return 0;
}


static int verb_run(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{}
	};
	_cleanup_(pt_model_freep) struct pt_model *m = NULL;
	struct pt_iomem iomem = { 0 };
	struct run_ctx c = { 0 };
	struct pt_kallsyms *syms = NULL;
	struct pt_source src = { 0 };
	const char *output = NULL, *source = "auto";
	unsigned fail_on = 0, found = 0;
	bool json = false;
	pid_t child = 0;
	uint64_t lost = 0;
	size_t shown = 0;
	int opt, r, status = 0, ret = EXIT_TROUBLE;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+hjo:", options, NULL)) >= 0) {
		switch (opt) {
		case 'h':
			help(stdout);
			return EXIT_OK;
		case 'j':
			json = true;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_SOURCE:
			if (parse_source(optarg, &source) < 0)
				return EXIT_USAGE;
			break;
		case OPT_FAIL_ON:
			if (parse_kinds(optarg, &fail_on) < 0)
				return EXIT_USAGE;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		log_error("run needs a COMMAND (after --)");
		return EXIT_USAGE;
	}

	r = pt_model_new(&m);
	if (r < 0)
		return EXIT_TROUBLE;
	c.m = m;
	{
		_cleanup_fclose_ FILE *pm = fopen("/proc/sys/kernel/pid_max", "re");
		unsigned long max = 4194304;

		if (pm && fscanf(pm, "%lu", &max) != 1)
			max = 4194304;
		c.lineage.max = (uint32_t)max + 1;
		c.lineage.bits = calloc(c.lineage.max / 64 + 1, sizeof(uint64_t));
		if (!c.lineage.bits)
			return EXIT_TROUBLE;
	}
	/* subscribe, then read the table, as record does: nothing falls between unseen */
	if (source_open(source, run_event, &c, &src) < 0)
		goto out;
	syms = source_symbolize(&src);
	if (load_host(m, &iomem) < 0)
		goto out;
	if (output) {
		c.trace = fopen(output, "we");
		if (!c.trace) {
			log_error_errno(-errno, "cannot create %s", output);
			goto out;
		}
		/* the opening is the very table the model starts from */
		if (write_opening(c.trace, src.ops->name, m, &iomem) < 0)
			goto out;
	}

	/* the command is followed from its first instruction: fork, then mark, then read */
	if (!strcmp(src.ops->name, "debugfs"))
		log_warning("the debugfs source has no owners: nothing can be attributed to %s",
			    argv[optind]);
	r = follow_command_marked(&src, run_event, &c, argv + optind, &c.lineage, &child, &status);
	if (r < 0)
		goto out;
	lost = src.ops->lost(src.impl);
	r = pt_model_judge_leaks(m);
	if (r < 0)
		goto out;

	for (size_t i = 0; i < pt_model_anomaly_count(m); i++)
		if (followed(&c.lineage, pt_model_anomaly(m, i)->pid)) {
			found |= 1u << pt_model_anomaly(m, i)->kind;
			shown++;
		}
	if (json) {
		_cleanup_json_ struct json_object *o = json_object_new_object();
		struct json_object *arr = json_object_new_array();

		for (size_t i = 0; i < pt_model_anomaly_count(m); i++)
			if (followed(&c.lineage, pt_model_anomaly(m, i)->pid))
				json_object_array_add(arr, pt_json_anomaly(m, pt_model_anomaly(m, i)));
		json_object_object_add(o, "command", json_object_new_string(argv[optind]));
		json_object_object_add(o, "exit_status", json_object_new_int(exit_status_of(status)));
		json_object_object_add(o, "processes", json_object_new_uint64(c.lineage.count));
		json_object_object_add(o, "events_lost", json_object_new_uint64(lost));
		json_object_object_add(o, "anomalies", arr);
		pt_json_print(stdout, o, isatty(STDOUT_FILENO));
	} else {
		printf("pattrackctl run: %s exited with status %d; %zu processes followed; "
		       "%zu anomalies:\n", argv[optind], exit_status_of(status), c.lineage.count,
		       shown);
		for (size_t i = 0; i < pt_model_anomaly_count(m); i++)
			if (followed(&c.lineage, pt_model_anomaly(m, i)->pid))
				pt_print_anomaly(stdout, m, pt_model_anomaly(m, i), true);
	}
	if (lost)
		log_warning("%" PRIu64 " events were lost: the verdict may be incomplete", lost);
	fflush(stdout);
	ret = (found & fail_on) ? EXIT_ANOMALY : exit_status_of(status);

out:
	pt_iomem_done(&iomem);
	pt_source_close(&src);
	pt_kallsyms_free(syms);
	if (c.trace)
		fclose(c.trace);
	free(c.lineage.bits);
	return ret;
}

static int verb_shim(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{}
	};
	static const char *const probe_names[] = { "reserve", "free", "exit", "fork" };
	struct pt_shim_status st;
	struct json_object *o, *probes;
	bool json = false;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hj", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			help(stdout);
			return EXIT_OK;
		case 'j':
			json = true;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_error("shim takes no operands");
		return EXIT_USAGE;
	}
	r = pt_netlink_shim_status(&st);
	if (r == -ENOENT) {
		log_error("pattrack_shim.ko is not loaded");
		return EXIT_TROUBLE;
	}
	if (r < 0) {
		log_error_errno(r, "cannot ask pattrack_shim.ko for its status");
		return EXIT_TROUBLE;
	}
	o = json_object_new_object();
	probes = json_object_new_array();
	for (size_t i = 0; i < ELEMENTSOF(probe_names); i++)
		if (st.probes & (1u << i))
			json_object_array_add(probes, json_object_new_string(probe_names[i]));
	json_object_object_add(o, "version", json_object_new_string(st.version));
	json_object_object_add(o, "probes", probes);
	json_object_object_add(o, "sent", json_object_new_uint64(st.sent));
	json_object_object_add(o, "dropped", json_object_new_uint64(st.dropped));
	json_object_object_add(o, "seq", json_object_new_uint64(st.seq));
	if (json) {
		r = pt_json_print(stdout, o, isatty(STDOUT_FILENO));
	} else {
		/* "key: value", a list's values on one line */
		json_object_object_foreach(o, key, val) {
			printf("%s:", key);
			if (json_object_is_type(val, json_type_array))
				for (size_t i = 0; i < json_object_array_length(val); i++)
					printf(" %s", json_object_get_string(json_object_array_get_idx(val, i)));
			else
				printf(" %s", json_object_get_string(val));
			putchar('\n');
		}
		r = 0;
	}
	json_object_put(o);
	return r < 0 ? EXIT_TROUBLE : EXIT_OK;
}

static const struct {
	const char *name;
	int (*run)(int argc, char *argv[]);
} verbs[] = {
	{ "run", verb_run },
	{ "record", verb_record },
	{ "replay", verb_replay },
	{ "snapshot", verb_snapshot },
	{ "shim", verb_shim },
	{ "status", verb_status },
	{ "list", verb_list },
	{ "lookup", verb_lookup },
	{ "query", verb_query },
	{ "anomalies", verb_anomalies },
	{ "checkpoint", verb_checkpoint },
	{ "leaks", verb_leaks },
	{ "explain", verb_explain },
	{ "monitor", verb_monitor },
};

int main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{}
	};
	int c;

	log_set_program("pattrackctl");
	/* Options before the verb only; the verb parses its own. */
	while ((c = getopt_long(argc, argv, "+hVv", options, NULL)) >= 0) {
		switch (c) {
		case 'v':
			log_set_verbose(true);
			break;
		case 'h':
			help(stdout);
			return EXIT_OK;
		case 'V':
			printf("pattrackctl %s\n", PATTRACK_VERSION);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[optind], "help") == 0) {
		help(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		if (strcmp(argv[optind], verbs[i].name) == 0)
			return verbs[i].run(argc - optind, argv + optind);
	log_error("unknown command \"%s\"; see pattrackctl --help", argv[optind]);
	return EXIT_USAGE;
}
