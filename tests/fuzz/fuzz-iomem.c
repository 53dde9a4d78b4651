// SPDX-License-Identifier: GPL-2.0-or-later
/* /proc/iomem: parsed, its System RAM given to a model, every range described. */
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "host/iomem.h"
#include "core/util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_iomem io = { 0 };
	struct pt_model *m = NULL;
	char *text = malloc(size + 1), where[256];

	log_set_quiet(true);

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	if (pt_iomem_parse(text, &io) >= 0) {
		if (pt_model_new(&m) < 0)
			abort();
		(void)pt_iomem_load_ram(m, &io);
		FUZZ_ASSERT(pt_model_check(m));
		(void)pt_iomem_is_censored(&io);
		for (uint64_t a = 0; a < 1ULL << 40; a += 1ULL << 36)
			pt_iomem_describe(&io, a, a + 0x1000, where, sizeof(where));
		pt_model_free(m);
	}
	pt_iomem_done(&io);
	free(text);
	return 0;
}
