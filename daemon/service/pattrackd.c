// SPDX-License-Identifier: GPL-2.0-or-later
/* pattrackd: the PAT memtype tracker as a system service (pattrackd(8)). */
#include <getopt.h>
#include <systemd/sd-daemon.h>

#include "conf.h"
#include "config.h"
#include "core/util.h"
#include "host/debugfs.h"
#include "manager.h"
#include "metrics.h"
#include "state.h"

static void help(FILE *f)
{
	fprintf(f,
		"Usage: pattrackd [OPTIONS...]\n"
		"\n"
		"Track x86 PAT memory-type reservations live and serve them as\n"
		"org.pattrack.Tracker1 on the system bus.\n"
		"\n"
		"  -h --help                  Show this help\n"
		"  -V --version               Show the version\n"
		"  -v --verbose               Log debug messages too\n"
		"     --config=FILE           Read FILE and FILE.d/ (default %s)\n"
		"     --source=SOURCE         auto, bpf, netlink or debugfs\n"
		"     --replay=TRACE          Serve a recorded trace instead of the live host\n"
		"     --reconcile=DURATION    Compare with debugfs this often; 0 never (60s)\n"
		"     --leak-grace=DURATION   A reservation left this long after its owner\n"
		"                             exited is a leak (2s)\n"
		"     --poll=DURATION         The debugfs source's interval (1s)\n"
		"     --history=N             Events kept for Explain() (65536)\n"
		"     --debugfs=PATH          The kernel's list (%s)\n"
		"     --iomem=PATH            The resource map (%s)\n"
		"     --metrics-dir=DIR       Write pattrack.prom for node_exporter in DIR;\n"
		"                             empty: none (%s)\n"
		"     --state=FILE            Keep the state across restarts in FILE;\n"
		"                             empty: not kept ($STATE_DIRECTORY/" PT_STATE_FILE ")\n"
		"\n"
		"See pattrackd(8), pattrackd.conf(5) and org.pattrack.Tracker1(5).\n",
		PT_CONF_PATH, PT_DEBUGFS_PAT, PT_IOMEM, PT_METRICS_DIR);
}

enum {
	OPT_CONFIG = 0x100,
	OPT_SOURCE,
	OPT_REPLAY,
	OPT_RECONCILE,
	OPT_LEAK_GRACE,
	OPT_POLL,
	OPT_HISTORY,
	OPT_DEBUGFS,
	OPT_IOMEM,
	OPT_STATE,
	OPT_METRICS_DIR,
};

/* The options that set a pattrackd.conf(5) key, and the key each sets. */
static const struct {
	int opt;
	const char *name, *key;
} conf_options[] = {
	{ OPT_SOURCE, "source", "Source" },
	{ OPT_RECONCILE, "reconcile", "ReconcileSec" },
	{ OPT_LEAK_GRACE, "leak-grace", "LeakGraceSec" },
	{ OPT_POLL, "poll", "PollSec" },
	{ OPT_HISTORY, "history", "History" },
	{ OPT_METRICS_DIR, "metrics-dir", "MetricsDirectory" },
};

/* --source=S and the like: the key it sets, over what the config files said. */
static int set_conf_option(struct manager *m, int opt, const char *value)
{
	for (size_t i = 0; i < ELEMENTSOF(conf_options); i++) {
		if (conf_options[i].opt != opt)
			continue;
		if (pt_conf_set(&m->conf, conf_options[i].key, value) < 0) {
			log_error("bad value for --%s: %s", conf_options[i].name, value);
			return -EINVAL;
		}
		return 0;
	}
	return 0;	/* not a config option: the first pass took it */
}

/*
 * --state=FILE, or the unit's StateDirectory= ($STATE_DIRECTORY, its first
 * directory); a replay keeps none unless asked.  1, or -ENOMEM.
 */
static int set_state_path(struct manager *m, const char *state)
{
	const char *dir = getenv("STATE_DIRECTORY");
	int r = 0;

	if (state && *state)
		m->state_path = strdup(state);
	else if (!state && dir && *dir && !m->replay)
		r = asprintf(&m->state_path, "%.*s/" PT_STATE_FILE, (int)strcspn(dir, ":"), dir);
	else
		return 1;
	if (r < 0 || !m->state_path) {
		m->state_path = NULL;
		return log_error_errno(-ENOMEM, "cannot name the state file");
	}
	return 1;
}

/* The config files first, then the command line over them: two passes. */
static int parse_argv(int argc, char *argv[], struct manager *m)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "replay", required_argument, NULL, OPT_REPLAY },
		{ "reconcile", required_argument, NULL, OPT_RECONCILE },
		{ "leak-grace", required_argument, NULL, OPT_LEAK_GRACE },
		{ "poll", required_argument, NULL, OPT_POLL },
		{ "history", required_argument, NULL, OPT_HISTORY },
		{ "debugfs", required_argument, NULL, OPT_DEBUGFS },
		{ "iomem", required_argument, NULL, OPT_IOMEM },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "metrics-dir", required_argument, NULL, OPT_METRICS_DIR },
		{}
	};
	const char *config = PT_CONF_PATH, *state = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "hVv", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			help(stdout);
			return 0;
		case 'V':
			printf("pattrackd %s\n", PATTRACK_VERSION);
			return 0;
		case 'v':
			log_set_verbose(true);
			break;
		case OPT_CONFIG:
			config = optarg;
			break;
		case '?':
			return -EINVAL;
		default:
			break;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument \"%s\"", argv[optind]);
		return -EINVAL;
	}
	r = pt_conf_load(&m->conf, config);
	if (r < 0)
		return r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hVv", options, NULL)) >= 0) {
		switch (c) {
		case OPT_REPLAY:
			m->replay = optarg;
			break;
		case OPT_DEBUGFS:
			m->debugfs = optarg;
			break;
		case OPT_IOMEM:
			m->iomem_path = optarg;
			break;
		case OPT_STATE:
			state = optarg;
			break;
		case OPT_METRICS_DIR:
			m->metrics_asked = true;
			r = set_conf_option(m, c, optarg);
			if (r < 0)
				return r;
			break;
		default:
			r = set_conf_option(m, c, optarg);
			if (r < 0)
				return r;
			break;
		}
	}
	return set_state_path(m, state);
}

int main(int argc, char *argv[])
{
	_cleanup_(manager_freep) struct manager *m = NULL;
	int r;

	log_set_program("pattrackd");
	r = manager_new(&m);
	if (r < 0) {
		log_error_errno(r, "cannot set up");
		return EXIT_FAILURE;
	}
	r = parse_argv(argc, argv, m);
	if (r <= 0)
		return r < 0 ? PT_EXIT_CONFIG : EXIT_SUCCESS;

	r = manager_start(m);
	if (r < 0) {
		sd_notifyf(false, "STATUS=Failed to start: %s\nERRNO=%d", strerror(-r), -r);
		return m->config_error ? PT_EXIT_CONFIG : EXIT_FAILURE;
	}
	r = sd_event_loop(m->event);
	sd_notify(false, "STOPPING=1\nSTATUS=Stopping");
	if (r < 0) {
		log_error_errno(r, "stopped");
		return EXIT_FAILURE;
	}
	(void)manager_state_save(m, true);	/* said why */
	(void)manager_metrics_write(m, false);	/* pattrack_up 0: stopped, not stale */
	if (r > 0)
		return r;	/* PT_EXIT_BUS_LOST: said why */
	manager_note_counts(m, true);
	log_info("stopped: %zu entries, %zu anomalies", pt_model_entry_count(m->model),
		 pt_model_anomaly_count(m->model));
	return EXIT_SUCCESS;
}
