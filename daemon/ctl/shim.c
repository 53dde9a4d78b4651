// SPDX-License-Identifier: GPL-2.0-or-later
/* pattrackctl shim: what pattrack_shim.ko says of itself. */
#include <json-c/json.h>

#include "core/util.h"
#include "ctl.h"
#include "report.h"
#include "source/netlink.h"

int verb_shim(int argc, char *argv[], const struct ctl_options *opts)
{
	static const char *const probe_names[] = { "reserve", "free", "exit", "fork", "unbind", "modules" };
	struct pt_shim_status st;
	struct json_object *o, *probes;
	int r;

	(void)argc;
	(void)argv;
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
	if (opts->json) {
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
