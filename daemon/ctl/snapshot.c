// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pattrackctl snapshot: the live host's table now, each range with the PCI
 * BAR or /proc/iomem resource it lies in, and the kernel log's anomalies.
 */
#include <inttypes.h>
#include <limits.h>

#include "core/util.h"
#include "ctl.h"
#include "host/debugfs.h"
#include "host/iomem.h"
#include "host/kmsg.h"
#include "host/pci.h"
#include "report.h"

struct snapshot {
	const struct pt_iomem *iomem;
	const struct pt_pci *pci;
	struct json_object *json;	/* entries array, or NULL for text */
	struct table *tab;		/* on a terminal: the rows, fitted to it */
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
	} else if (s->tab) {
		char range[40];

		snprintf(range, sizeof(range), "0x%016" PRIx64 "-0x%016" PRIx64, e->start, e->end);
		return table_add(s->tab, (const char *[]){ range, pt_type_name(e->type), *where ? where : "-" },
				 NULL);
	} else {
		int w = pt_print_entry_line(stdout, e->start, e->end, e->type);

		printf("%*s  %s\n", 64 - w > 0 ? 64 - w : 0, "", *where ? where : "-");
	}
	return 0;
}

int verb_snapshot(int argc, char *argv[], const struct ctl_options *o)
{
	const char *debugfs = o->debugfs, *iomem_path = o->iomem, *kmsg = o->kmsg;
	const char *pci_dir = o->pci;
	_cleanup_(pt_model_freep) struct pt_model *m = NULL;
	struct pt_iomem iomem = { 0 };
	struct pt_pci pci = { 0 };
	struct snapshot s = { 0 };
	struct pt_kmsg_counts kc = { 0 };
	unsigned long bad = 0;
	int r, kmsg_r = 0, ret = EXIT_OK;

	(void)argc;
	(void)argv;
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
	r = pt_debugfs_load(m, debugfs, &bad);
	if (r < 0) {
		char why[PATH_MAX + 64];

		log_error("%s", pt_debugfs_strerror(debugfs, r, bad, why, sizeof(why)));
		return EXIT_TROUBLE;
	}

	r = pt_iomem_read(iomem_path, &iomem);
	if (r < 0)
		log_warning("ranges will not be named: %s unreadable (%s)", iomem_path, strerror(-r));
	else if (pt_iomem_is_censored(&iomem))
		log_warning("%s shows no addresses (not root?): ranges will not be named",
			    iomem_path);
	r = pt_pci_read(pci_dir, &pci);
	if (r < 0)
		log_warning("PCI BARs will not be named: %s: %s", pci_dir, strerror(-r));
	else if (pci.unparsable)
		log_warning("%s: %zu devices' resource files could not be parsed: their BARs "
			    "will not be named", pci_dir, pci.unparsable);
	if (kmsg) {
		kmsg_r = pt_kmsg_load(m, kmsg, &kc);
		if (kmsg_r < 0)
			log_warning("kernel log not read: %s: %s", kmsg, strerror(-kmsg_r));
		else if (kc.garbled)
			log_warning("%s: %zu x86/PAT lines too garbled to read", kmsg, kc.garbled);
	}

	s.iomem = &iomem;
	s.pci = &pci;
	if (o->json) {
		_cleanup_json_ struct json_object *out = json_object_new_object();
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
		json_object_object_add(out, "entries", s.json);
		json_object_object_add(out, "summary", summary);
		json_object_object_add(out, "anomalies", pt_json_anomalies(m));
		json_object_object_add(out, "sources", sources);
		pt_json_print(stdout, out, isatty(STDOUT_FILENO));
	} else {
		char size[32];

		static const char *const header[] = { "RANGE", "TYPE", "RESOURCE" };

		if (o->term.tty) {
			s.tab = table_new(header, ELEMENTSOF(header));
			if (!s.tab)
				return log_error_errno(-ENOMEM, "cannot make the table"), EXIT_TROUBLE;
			table_set_shrink(s.tab, 2, 1, 12);
		} else
			printf("PAT memtype list:\n");
		if (pt_model_foreach_entry(m, 0, UINT64_MAX, snapshot_entry, &s) < 0)
			ret = EXIT_TROUBLE;
		if (s.tab) {
			table_print(s.tab, stdout, &o->term);
			table_free(s.tab);
		}
		printf("\nSummary: %zu entries\n", pt_model_entry_count(m));
		for (int t = 0; t < PATTRACK_TYPE_NR; t++)
			if (s.count[t])
				printf("  %-16s %6" PRIu64 " %-8s %s\n", pt_type_name(t), s.count[t],
				       s.count[t] == 1 ? "entry" : "entries",
				       pt_format_size(s.bytes[t], size, sizeof(size)));
		printf("\n");
		if (kmsg && kmsg_r == 0 && o->term.tty) {
			if (ctl_print_anomaly_table(m, &o->term) < 0)
				ret = EXIT_TROUBLE;
		} else if (kmsg && kmsg_r == 0)
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
