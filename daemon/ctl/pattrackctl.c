// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pattrackctl: the command line.  main() parses the options for every verb
 * with one table, checks them and the operand count against the verb's
 * entry in verbs[], and calls the verb with its operands alone.
 */
#include <getopt.h>

#include "config.h"
#include "core/model.h"
#include "core/util.h"
#include "ctl.h"
#include "host/debugfs.h"
#include "host/iomem.h"
#include "host/kmsg.h"
#include "host/pci.h"
#include "source/open.h"

static void help(FILE *f)
{
	fprintf(f,
		"Usage: pattrackctl [--help] [--version] [--verbose] COMMAND [ARGS...]\n"
		"\n"
		"Track x86 PAT memory-type reservations: conflicts, degraded mappings,\n"
		"invalid frees and leaked reservations.\n"
		"\n"
		"Commands:\n"
		"  replay [--json] [--strict] [--fail-on=KIND,...] [--junit=FILE] FILE|-\n"
		"        Feed a \"pattrack trace v1\" file to the model; print the final\n"
		"        table in the kernel's pat_memtype_list format, then the anomalies.\n"
		"  record [--source=auto|bpf|netlink|debugfs] -o FILE [-- COMMAND [ARGS...]]\n"
		"        Write a trace: the table now (debugfs, /proc/iomem), then every\n"
		"        event the kernel reports, until COMMAND exits (its exit status\n"
		"        is passed on) or until interrupted.\n"
		"  run [--source=S] [--json] [--fail-on=KIND,...] [--junit=FILE] [-o FILE]\n"
		"      -- COMMAND...\n"
		"        Run COMMAND, follow the reservations of it and its descendants,\n"
		"        and report what they leaked, and what conflicted or degraded,\n"
		"        with owners and kernel stacks. The CI gate around a test suite.\n"
		"        --junit writes a JUnit XML report: a test case per --fail-on kind.\n"
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
		"  metrics                The figures in Prometheus's text format, as\n"
		"                         pattrackd writes them for node_exporter\n"
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
					  "invalid-free, leak, drift, loss, all)", (int)len, p);
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


/* --source=auto|bpf|netlink|debugfs */
static int parse_source(const char *arg, int *ret)
{
	int k = pt_source_kind_from_string(arg, strlen(arg));

	if (k < 0) {
		log_error("--source takes auto, bpf, netlink or debugfs");
		return -EINVAL;
	}
	*ret = k;
	return 0;
}

int parse_address(const char *s, uint64_t *ret)
{
	char *end;

	errno = 0;
	*ret = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-') {
		log_error("not an address: %s", s);
		return -EINVAL;
	}
	return 0;
}

#define ANY_COUNT 0xffff

struct verb {
	const char *name;
	unsigned min_args, max_args;	/* operands, after the options */
	unsigned options;		/* enum ctl_option: what it takes besides --help */
	bool command;			/* its operands are a command: options end at the first */
	verb_fn run;
	const char *wrong_count;	/* said when the operand count is out of bounds */
};

static const struct verb verbs[] = {
	{ "run", 1, ANY_COUNT, CTL_JSON | CTL_OUTPUT | CTL_SOURCE | CTL_FAIL_ON | CTL_JUNIT, true, verb_run,
	  "run needs a COMMAND (after --)" },
	{ "record", 0, ANY_COUNT, CTL_OUTPUT | CTL_SOURCE, true, verb_record, NULL },
	{ "replay", 1, 1, CTL_JSON | CTL_STRICT | CTL_FAIL_ON | CTL_JUNIT | CTL_PAGED, false, verb_replay,
	  "replay takes one trace file (or - for standard input)" },
	{ "snapshot", 0, 0, CTL_JSON | CTL_HOST | CTL_PAGED, false, verb_snapshot, "snapshot takes no arguments" },
	{ "shim", 0, 0, CTL_JSON, false, verb_shim, "shim takes no operands" },
	{ "status", 0, 0, CTL_JSON | CTL_PAGED, false, verb_status, "status takes no arguments" },
	{ "list", 0, 0, CTL_JSON | CTL_PAGED, false, verb_list, "list takes no arguments" },
	{ "lookup", 1, 1, CTL_JSON | CTL_PAGED, false, verb_lookup, "lookup needs one ADDRESS" },
	{ "query", 2, 2, CTL_JSON | CTL_PAGED, false, verb_query, "query needs START and END (exclusive)" },
	{ "anomalies", 0, 1, CTL_JSON | CTL_PAGED, false, verb_anomalies, "anomalies takes at most one KIND" },
	{ "checkpoint", 0, 0, CTL_JSON, false, verb_checkpoint, "checkpoint takes no arguments" },
	{ "leaks", 0, 0, CTL_JSON | CTL_SINCE | CTL_FAIL | CTL_PAGED, false, verb_leaks,
	  "leaks takes no operands; the cookie goes with --since" },
	{ "explain", 1, 1, CTL_JSON | CTL_PAGED, false, verb_explain, "explain needs one ADDRESS" },
	{ "monitor", 0, 0, CTL_JSON, false, verb_monitor, "monitor takes no arguments" },
	{ "metrics", 0, 0, 0, false, verb_metrics, "metrics takes no arguments" },
};

enum {
	OPT_FAIL_ON = 0x100,
	OPT_SOURCE,
	OPT_DEBUGFS,
	OPT_IOMEM,
	OPT_KMSG,
	OPT_NO_KMSG,
	OPT_PCI,
	OPT_SINCE,
	OPT_FAIL,
	OPT_JUNIT,
	OPT_FULL,
	OPT_NO_PAGER,
	OPT_NO_LEGEND,
};

/* Where a path option's argument goes in struct ctl_options; 0: not a path option. */
#define PATH_AT(field) offsetof(struct ctl_options, field)
_Static_assert(offsetof(struct ctl_options, json) == 0, "no path is at offset 0");

/* Every verb option, each with the bit a verb must have to take it. */
static const struct verb_option {
	struct option opt;
	unsigned needs;		/* 0: every verb */
	size_t path;		/* PATH_AT(field): the argument is stored there as it is */
} verb_options[] = {
	{ { "help", no_argument, NULL, 'h' }, 0 },
	{ { "json", no_argument, NULL, 'j' }, CTL_JSON },
	{ { "strict", no_argument, NULL, 's' }, CTL_STRICT },
	{ { "fail-on", required_argument, NULL, OPT_FAIL_ON }, CTL_FAIL_ON },
	{ { "output", required_argument, NULL, 'o' }, CTL_OUTPUT, PATH_AT(output) },
	{ { "source", required_argument, NULL, OPT_SOURCE }, CTL_SOURCE },
	{ { "debugfs", required_argument, NULL, OPT_DEBUGFS }, CTL_HOST, PATH_AT(debugfs) },
	{ { "iomem", required_argument, NULL, OPT_IOMEM }, CTL_HOST, PATH_AT(iomem) },
	{ { "kmsg", required_argument, NULL, OPT_KMSG }, CTL_HOST, PATH_AT(kmsg) },
	{ { "no-kmsg", no_argument, NULL, OPT_NO_KMSG }, CTL_HOST },
	{ { "pci", required_argument, NULL, OPT_PCI }, CTL_HOST, PATH_AT(pci) },
	{ { "since", required_argument, NULL, OPT_SINCE }, CTL_SINCE },
	{ { "fail", no_argument, NULL, OPT_FAIL }, CTL_FAIL },
	{ { "junit", required_argument, NULL, OPT_JUNIT }, CTL_JUNIT, PATH_AT(junit) },
	{ { "full", no_argument, NULL, OPT_FULL }, 0 },
	{ { "no-pager", no_argument, NULL, OPT_NO_PAGER }, 0 },
	{ { "no-legend", no_argument, NULL, OPT_NO_LEGEND }, 0 },
};

static const struct verb_option *verb_option_of(int val)
{
	for (size_t i = 0; i < ELEMENTSOF(verb_options); i++)
		if (verb_options[i].opt.val == val)
			return &verb_options[i];
	return NULL;
}

/*
 * The verb's options into *o; its operands are then argv[optind...].  1 to
 * go on, 0 when --help was answered, -EINVAL on a bad command line (said).
 */
static int parse_verb_options(const struct verb *v, int argc, char *argv[], struct ctl_options *o)
{
	struct option options[ELEMENTSOF(verb_options) + 1] = { 0 };
	char shorts[16] = "", *p = shorts;
	size_t n = 0;
	int c;

	if (v->command)
		*p++ = '+';	/* what follows the first operand is the command's */
	for (size_t i = 0; i < ELEMENTSOF(verb_options); i++) {
		const struct option *opt = &verb_options[i].opt;

		if (verb_options[i].needs && !(v->options & verb_options[i].needs))
			continue;
		options[n++] = *opt;
		if (opt->val < 0x100) {
			*p++ = (char)opt->val;
			if (opt->has_arg == required_argument)
				*p++ = ':';
		}
	}
	*p = '\0';

	*o = (struct ctl_options){
		.source = PT_SOURCE_AUTO,
		.debugfs = PT_DEBUGFS_PAT,
		.iomem = PT_IOMEM,
		.kmsg = PT_KMSG,
		.pci = PT_SYSFS_PCI,
	};
	optind = 0;	/* 0, not 1: glibc starts afresh, and options may follow operands again */
	while ((c = getopt_long(argc, argv, shorts, options, NULL)) >= 0) {
		const struct verb_option *vo = verb_option_of(c);

		if (vo && vo->path) {
			*(const char **)((char *)o + vo->path) = optarg;
			continue;
		}
		switch (c) {
		case 'h':
			help(stdout);
			return 0;
		case 'j':
			o->json = true;
			break;
		case 's':
			o->strict = true;
			break;
		case OPT_FAIL_ON:
			if (parse_kinds(optarg, &o->fail_on) < 0)
				return -EINVAL;
			break;
		case OPT_SOURCE:
			if (parse_source(optarg, &o->source) < 0)
				return -EINVAL;
			break;
		case OPT_NO_KMSG:
			o->kmsg = NULL;
			break;
		case OPT_SINCE:
			if (parse_address(optarg, &o->cookie) < 0)
				return -EINVAL;
			o->since = true;
			break;
		case OPT_FAIL:
			o->fail = true;
			break;
		case OPT_FULL:
			o->full = true;
			break;
		case OPT_NO_PAGER:
			o->no_pager = true;
			break;
		case OPT_NO_LEGEND:
			o->no_legend = true;
			break;
		default:
			return -EINVAL;	/* getopt said what */
		}
	}
	return 1;
}

static int dispatch_verb(int argc, char *argv[])
{
	const struct verb *v = NULL;
	struct ctl_options o;
	unsigned n;
	int r;

	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		if (strcmp(argv[0], verbs[i].name) == 0)
			v = &verbs[i];
	if (!v) {
		log_error("unknown command \"%s\"; see pattrackctl --help", argv[0]);
		return EXIT_USAGE;
	}
	r = parse_verb_options(v, argc, argv, &o);
	if (r <= 0)
		return r < 0 ? EXIT_USAGE : EXIT_OK;
	n = (unsigned)(argc - optind);
	if (n < v->min_args || n > v->max_args) {
		log_error("%s", v->wrong_count);
		return EXIT_USAGE;
	}
	/* the terminal as it is before a pager takes standard output */
	ctl_term_init(&o.term, o.full, o.no_legend);
	if ((v->options & CTL_PAGED) && !o.json)
		ctl_pager_start(&o.term, o.no_pager);
	r = v->run((int)n, argv + optind, &o);
	ctl_pager_end();
	return r;
}

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
	/* Options before the verb only; the verb's own follow it. */
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
	return dispatch_verb(argc - optind, argv + optind);
}
