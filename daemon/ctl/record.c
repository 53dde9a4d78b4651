// SPDX-License-Identifier: GPL-2.0-or-later
/* pattrackctl record: a trace of what the kernel reports, for as long as a command runs. */
#include <inttypes.h>

#include "core/util.h"
#include "ctl.h"
#include "live.h"

int verb_record(int argc, char *argv[], const struct ctl_options *o)
{
	_cleanup_(pt_model_freep) struct pt_model *host = NULL;
	struct pt_iomem iomem = { 0 };
	struct pt_pci pci = { 0 };
	struct pt_kallsyms *syms = NULL;
	struct pt_source src = { 0 };
	const char *output = o->output;
	bool recording = false;
	uint64_t lost;
	FILE *f = NULL;
	pid_t child = 0;
	int r, status = 0, ret = EXIT_TROUBLE;

	if (!output) {
		log_error("record needs -o FILE");
		return EXIT_USAGE;
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
	r = source_open(o->source, write_live_event, f,
			&src);
	if (r < 0)
		goto out;
	syms = source_symbolize(&src);
	r = pt_model_new(&host);
	if (r < 0) {
		log_error_errno(r, "cannot create the model");
		goto out;
	}
	r = load_host(host, &iomem, &pci);
	if (r < 0)
		goto out;
	r = write_opening(f, src.ops->name, host, &iomem, &pci);
	if (r < 0) {
		log_error_errno(r, "cannot write %s", output);
		goto out;
	}
	recording = true;

	(void)argc;
	r = follow_command(&src, write_live_event, f, argv, NULL, &child, &status);
	if (r < 0)
		goto out;
	lost = pt_source_lost(&src);
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
	pt_pci_done(&pci);
	pt_source_close(&src);
	pt_kallsyms_free(syms);
	if (f && f != stdout) {
		fclose(f);
		if (!recording)
			unlink(output);	/* nothing was recorded: leave no half a trace */
	}
	return ret;
}
