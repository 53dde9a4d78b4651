// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --junit=FILE: the verdict as the JUnit XML report CI systems read (the
 * Ant/Jenkins form: testsuites > testsuite > testcase > failure).  One test
 * case per anomaly kind --fail-on checks, failed by each anomaly of it with
 * its owner, range and stack; for run, one more for the command's status.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/owner.h"
#include "core/util.h"
#include "junit.h"
#include "report.h"

/* Text as XML character data or an attribute: the five entities, and no control character. */
static void put_xml(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '&')
			fputs("&amp;", f);
		else if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c == '\'')
			fputs("&apos;", f);
		else if (c < 0x20 && c != '\n' && c != '\t')
			fputs("?", f);	/* not allowed in XML 1.0, even as a reference */
		else
			fputc(c, f);
	}
}

/* One anomaly in a failure's text: its line, its owner, its stack. */
static void put_anomaly(FILE *f, const struct pt_model *m, const struct pt_anomaly *a)
{
	_cleanup_free_ char *text = NULL;
	struct pt_owner_info o;
	size_t len;
	FILE *s = open_memstream(&text, &len);

	if (!s)
		return;
	pt_print_anomaly(s, m, a, true);
	pt_anomaly_owner(m, a, &o);
	fprintf(s, "    owner: %s", pt_owner_class_name(o.owner));
	if (o.driver[0])
		fprintf(s, ", driver %s", o.driver);
	if (o.device[0])
		fprintf(s, ", device %s BAR %d", o.device, o.bar);
	fputs("\n\n", s);
	if (fclose(s) == 0)
		put_xml(f, text);
}

static void put_case(FILE *f, const struct pt_model *m, enum pt_anomaly_kind kind,
		     const struct pt_junit *j)
{
	size_t n = 0;

	for (size_t i = 0; i < pt_model_anomaly_count(m); i++)
		n += pt_model_anomaly(m, i)->kind == kind && j->pick(m, pt_model_anomaly(m, i), j->userdata);
	fprintf(f, "    <testcase classname=\"pattrack.%s\" name=\"no %s\" time=\"0\"",
		pt_anomaly_kind_name(kind), pt_anomaly_kind_name(kind));
	if (!n) {
		fputs("/>\n", f);
		return;
	}
	fprintf(f, ">\n      <failure type=\"%s\" message=\"%zu %s anomal%s\">", pt_anomaly_kind_name(kind),
		n, pt_anomaly_kind_name(kind), n == 1 ? "y" : "ies");
	for (size_t i = 0; i < pt_model_anomaly_count(m); i++) {
		const struct pt_anomaly *a = pt_model_anomaly(m, i);

		if (a->kind == kind && j->pick(m, a, j->userdata))
			put_anomaly(f, m, a);
	}
	fputs("</failure>\n    </testcase>\n", f);
}

int pt_junit_write(const char *path, const struct pt_model *m, unsigned kinds,
		   const struct pt_junit *j)
{
	_cleanup_fclose_ FILE *f = fopen(path, "we");
	unsigned tests = 0, failures = 0;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	if (!f)
		return log_error_errno(-errno, "cannot create %s", path);
	for (int k = 0; k < _PT_AN_MAX; k++) {
		bool failed = false;

		if (!(kinds & (1u << k)))
			continue;
		for (size_t i = 0; i < pt_model_anomaly_count(m) && !failed; i++)
			failed = pt_model_anomaly(m, i)->kind == (enum pt_anomaly_kind)k &&
				 j->pick(m, pt_model_anomaly(m, i), j->userdata);
		tests++;
		failures += failed;
	}
	if (j->command) {
		tests++;
		failures += j->status != 0;
	}
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", gmtime_r(&now, &tm));
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"pattrack\" tests=\"%u\" failures=\"%u\" errors=\"0\">\n"
		"  <testsuite name=\"", tests, failures);
	put_xml(f, j->suite);
	fprintf(f, "\" tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"0\" time=\"%.3f\" "
		"timestamp=\"%s\">\n", tests, failures, j->seconds, stamp);
	for (int k = 0; k < _PT_AN_MAX; k++)
		if (kinds & (1u << k))
			put_case(f, m, (enum pt_anomaly_kind)k, j);
	if (j->command) {
		fputs("    <testcase classname=\"pattrack.command\" name=\"", f);
		put_xml(f, j->command);
		fprintf(f, " exits 0\" time=\"%.3f\"", j->seconds);
		if (j->status)
			fprintf(f, ">\n      <failure type=\"exit-status\" message=\"exited with status %d\"/>\n"
				"    </testcase>\n", j->status);
		else
			fputs("/>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	if (fflush(f) != 0 || ferror(f))
		return log_error_errno(-EIO, "cannot write %s", path);
	return 0;
}
