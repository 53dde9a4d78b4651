// SPDX-License-Identifier: GPL-2.0-or-later
#include "util.h"

#include <fcntl.h>
#include <stdarg.h>

/*
 * The only process-wide state: how to label and filter log lines.  It is
 * set once by main() and never touched by the model.
 */
static const char *log_program = "pattrack";
static bool log_verbose;
static bool log_levels;
static bool log_quiet;

void log_set_program(const char *name)
{
	log_program = name;
}

void log_set_verbose(bool verbose)
{
	log_verbose = verbose;
}

bool log_is_verbose(void)
{
	return log_verbose;
}

void log_set_levels(bool levels)
{
	log_levels = levels;
}

void log_set_quiet(bool quiet)
{
	log_quiet = quiet;
}

int log_full_errno_at(int level, int r, const char *fmt, ...)
{
	static const char *const labels[] = {
		[LOG_ERR] = "", [LOG_WARNING] = "warning: ", [LOG_INFO] = "", [LOG_DEBUG] = "debug: ",
	};
	va_list ap;

	if ((level == LOG_DEBUG && !log_verbose) || log_quiet)
		return r < 0 ? r : -r;
	/* journald reads the priority from "<N>"; a terminal gets a label instead */
	if (log_levels)
		fprintf(stderr, "<%d>", level);
	else
		fprintf(stderr, "%s: %s", log_program, labels[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (r < 0)
		fprintf(stderr, ": %s", strerror(-r));
	fputc('\n', stderr);
	return r < 0 ? r : -r;
}

char *strscpy_trunc(char *dst, size_t size, const char *src, size_t len)
{
	if (size == 0)
		return dst;
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return dst;
}

int string_table_lookup(const char *const *table, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (table[i] && strlen(table[i]) == len && memcmp(table[i], s, len) == 0)
			return (int)i;
	return -EINVAL;
}

int grow_array(void **p, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t n = *cap ? *cap : first;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -ENOMEM;
		n *= 2;
	}
	if (n > SIZE_MAX / size)
		return -ENOMEM;
	q = realloc(*p, n * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int read_full_file(const char *path, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	for (;;) {
		ssize_t n;

		if (GROW_ARRAY(buf, cap, len + 4096, 16384) < 0)
			return -ENOMEM;
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}
