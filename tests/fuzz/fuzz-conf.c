// SPDX-License-Identifier: GPL-2.0-or-later
/* pattrackd.conf: any file is a configuration or an error naming its line, never a crash. */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/util.h"
#include "service/conf.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64];
	struct pt_conf c;
	int r;

	log_set_quiet(true);

	if (fd < 0) {
		log_set_program("fuzz-conf");
		fd = memfd_create("pattrackd.conf", 0);
		if (fd < 0)
			abort();
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	pt_conf_defaults(&c);
	r = pt_conf_load_file(&c, path);
	FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -EIO || r == -ENOMEM);
	FUZZ_ASSERT(c.history <= 16 * 1024 * 1024);
	FUZZ_ASSERT(c.anomaly_limit >= 1 && c.anomaly_limit <= 10 * 1000 * 1000);
	FUZZ_ASSERT(c.poll_usec >= 10000);
	return 0;
}
