// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel's pat_memtype_list, as debugfs prints it; what parses resyncs a model. */
#include <stdlib.h>

#include "core/model.h"
#include "host/debugfs.h"
#include "core/util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_kentry *k = NULL;
	struct pt_model *m = NULL;
	unsigned long bad = 0;
	size_t n = 0;

	log_set_quiet(true);

	if (pt_debugfs_parse((const char *)data, size, &k, &n, &bad) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT(k[i].start < k[i].end);
	if (pt_model_new(&m) < 0)
		abort();
	FUZZ_ASSERT(pt_model_resync(m, PT_SYNC_RECONCILE, 0, k, n, NULL) == 0);
	FUZZ_ASSERT(pt_model_entry_count(m) == n);
	FUZZ_ASSERT(pt_model_check(m));
	pt_model_free(m);
out:
	free(k);
	return 0;
}
