// SPDX-License-Identifier: GPL-2.0-or-later
/* pattrackd.conf and its drop-ins. */
#include <dirent.h>
#include <inttypes.h>
#include <math.h>

#include "conf.h"
#include "metrics.h"
#include "core/util.h"
#include "source/open.h"

void pt_conf_defaults(struct pt_conf *c)
{
	*c = (struct pt_conf){
		.source = PT_SOURCE_AUTO,
		.reconcile_usec = 60 * 1000000ULL,
		.leak_grace_usec = 2 * 1000000ULL,
		.poll_usec = 1000000ULL,
		.history = 65536,
		.anomaly_limit = PT_ANOMALY_LIMIT,
		.metrics_dir = PT_METRICS_DIR,
	};
}

int pt_parse_duration(const char *s, uint64_t *ret)
{
	static const struct {
		const char *suffix;
		double usec;
	} units[] = {
		{ "ms", 1e3 }, { "min", 60e6 }, { "h", 3600e6 }, { "s", 1e6 }, { "", 1e6 },
	};
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !isfinite(v) || v < 0)
		return -EINVAL;
	while (*end == ' ')
		end++;
	for (size_t i = 0; i < ELEMENTSOF(units); i++)
		if (strcmp(end, units[i].suffix) == 0) {
			v *= units[i].usec;
			if (v > 1e15)	/* about 30 years */
				return -ERANGE;
			if (v > 0 && v < 1)
				return -ERANGE;	/* not 0, "never", by rounding */
			*ret = (uint64_t)v;
			return 0;
		}
	return -EINVAL;
}

/* A decimal count, at most @max. */
static int parse_count(const char *value, unsigned long long max, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(value, &end, 10);
	if (errno || end == value || *end || *value == '-' || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

int pt_conf_set(struct pt_conf *c, const char *key, const char *value)
{
	uint64_t *usec = NULL;

	if (strcmp(key, "Source") == 0) {
		int k = pt_source_kind_from_string(value, strlen(value));

		if (k < 0)
			return -EINVAL;
		c->source = k;
		return 0;
	}
	if (strcmp(key, "ReconcileSec") == 0)
		usec = &c->reconcile_usec;
	else if (strcmp(key, "LeakGraceSec") == 0)
		usec = &c->leak_grace_usec;
	else if (strcmp(key, "PollSec") == 0)
		usec = &c->poll_usec;
	if (usec) {
		uint64_t v;
		int r = pt_parse_duration(value, &v);

		if (r < 0)
			return r;
		if (usec == &c->poll_usec && v < 10000)
			return -ERANGE;	/* reading debugfs more often than 100/s is a load, not a poll */
		*usec = v;
		return 0;
	}
	if (strcmp(key, "MetricsDirectory") == 0) {
		/* an absolute path, or empty for none */
		if ((*value && *value != '/') || strlen(value) >= sizeof(c->metrics_dir))
			return -EINVAL;
		strcpy(c->metrics_dir, value);
		return 0;
	}
	if (strcmp(key, "History") == 0)
		return parse_count(value, 16 * 1024 * 1024, &c->history);
	if (strcmp(key, "AnomalyLimit") == 0) {
		uint64_t v;
		int r = parse_count(value, 10 * 1000 * 1000, &v);

		if (r < 0 || v == 0)
			return r < 0 ? r : -ERANGE;
		c->anomaly_limit = v;
		return 0;
	}
	return -ENOENT;
}

static char *strip(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int pt_conf_load_file(struct pt_conf *c, const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0;
	unsigned line = 0;
	bool in_section = false;

	if (!f)
		return errno == ENOENT ? 0 : log_error_errno(-errno, "cannot open %s", path);
	while (getline(&buf, &cap, f) >= 0) {
		char *s = strip(buf), *eq, *key, *value;
		int r;

		line++;
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			in_section = strcmp(s, "[Tracker]") == 0;
			if (!in_section)
				log_warning("%s:%u: unknown section %s, skipped", path, line, s);
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			log_error("%s:%u: not Key=Value: %s", path, line, s);
			return -EINVAL;
		}
		*eq = '\0';
		key = strip(s);
		if (!in_section) {
			log_warning("%s:%u: %s is outside [Tracker], skipped", path, line, key);
			continue;
		}
		value = strip(eq + 1);
		r = pt_conf_set(c, key, value);
		if (r == -ENOENT) {
			log_warning("%s:%u: unknown key %s, skipped", path, line, key);
			continue;
		}
		if (r < 0) {
			log_error("%s:%u: bad value for %s: %s", path, line, key, value);
			return -EINVAL;
		}
	}
	if (ferror(f))
		return log_error_errno(-EIO, "cannot read %s", path);
	return 0;
}

static int conf_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".conf") == 0;
}

int pt_conf_load(struct pt_conf *c, const char *path)
{
	_cleanup_free_ char *dir = NULL;
	struct dirent **names = NULL;
	int n, r;

	r = pt_conf_load_file(c, path);
	if (r < 0)
		return r;
	if (asprintf(&dir, "%s.d", path) < 0)
		return -ENOMEM;
	n = scandir(dir, &names, conf_filter, alphasort);
	if (n < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 :
		       log_error_errno(-errno, "cannot list %s", dir);
	r = 0;
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *p = NULL;

		if (r >= 0) {
			if (asprintf(&p, "%s/%s", dir, names[i]->d_name) < 0)
				r = -ENOMEM;
			else
				r = pt_conf_load_file(c, p);
		}
		free(names[i]);
	}
	free(names);
	return r;
}
