/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* libFuzzer harnesses (tests/fuzz/README.md): a broken promise aborts, which libFuzzer reports. */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(x)                                                           \
	do {                                                                     \
		if (!(x)) {                                                      \
			fprintf(stderr, "%s:%d: %s does not hold\n", __FILE__, __LINE__, #x); \
			abort();                                                 \
		}                                                                \
	} while (0)
