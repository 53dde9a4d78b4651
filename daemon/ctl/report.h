/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Presenting a model: the kernel's table format, anomaly lines, JSON. */

#include <json-c/json.h>
#include <stdio.h>

#include "core/model.h"

static inline void json_object_putp(struct json_object **o)
{
	if (*o)
		json_object_put(*o);
}

#define _cleanup_json_ __attribute__((cleanup(json_object_putp)))

/* "0x%llx" as a JSON string: addresses stay exact in every JSON reader. */
struct json_object *pt_json_address(uint64_t a);

/* "PAT memtype list:" and one "PAT: [mem 0x%016llx-0x%016llx] <type>" line per entry. */
int pt_print_table(FILE *f, const struct pt_model *m);

/* Prints one kernel-format table line without the newline; returns its width. */
int pt_print_entry_line(FILE *f, uint64_t start, uint64_t end, int type);

/* One anomaly's line, and with @stack its kernel stack below it. */
void pt_print_anomaly(FILE *f, const struct pt_model *m, const struct pt_anomaly *a, bool stack);

/* "Anomalies (N):" and one line per anomaly. */
void pt_print_anomalies(FILE *f, const struct pt_model *m);

struct json_object *pt_json_entry(const struct pt_model *m, const struct pt_entry_info *e);
struct json_object *pt_json_entries(const struct pt_model *m);
struct json_object *pt_json_anomaly(const struct pt_model *m, const struct pt_anomaly *a);
struct json_object *pt_json_anomalies(const struct pt_model *m);
struct json_object *pt_json_stats(const struct pt_model *m);

/* Prints @o pretty (terminal) or one line, and a newline. */
int pt_json_print(FILE *f, struct json_object *o, bool pretty);

/* Human size: "4 KiB", "1.5 MiB". */
char *pt_format_size(uint64_t bytes, char *buf, size_t size);
