// SPDX-License-Identifier: GPL-2.0-or-later
/* A kernel log line: parsed, and what parses made into an anomaly of a model. */
#include <string.h>

#include "core/klog.h"
#include "core/model.h"
#include "core/util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_model *m = NULL;
	struct pt_kmsg_pat k;
	struct pt_anomaly a;
	int r;

	log_set_quiet(true);

	r = pt_kmsg_parse((const char *)data, size, &k);
	FUZZ_ASSERT(r == 0 || r == 1 || r == -EBADMSG);
	if (r != 1)
		return 0;
	FUZZ_ASSERT(k.start < k.end && k.end <= PT_PHYS_LIMIT);
	if (pt_model_new(&m) < 0)
		abort();
	if (pt_kmsg_to_anomaly(m, &k, &a) >= 0)
		FUZZ_ASSERT(pt_model_add_anomaly(m, &a) == 0);
	FUZZ_ASSERT(pt_model_check(m));
	pt_model_free(m);
	return 0;
}
