/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Processes as /proc shows them: whether a pid still names the process it named. */

#include <stdint.h>
#include <sys/types.h>

#define PT_PROC "/proc"

/*
 * Parses the start time out of a /proc/PID/stat line: the 22nd field, in
 * clock ticks since boot (CLOCK_BOOTTIME), after the name in parentheses,
 * which may hold anything, ')' and spaces too.  0, or -EINVAL.
 */
int pt_proc_parse_start(const char *stat, size_t len, uint64_t *ret_ticks);

/*
 * Whether @pid still names the process it named at CLOCK_BOOTTIME @then_ns:
 * 1 when it lives and started at or before then; 0 when no process has the
 * pid, or the one that has it started later (the pid was reused).  When
 * /proc hides the process (hidepid, ProtectProc=) but it exists, its start
 * is unknown: -EACCES.  @proc is PT_PROC but for tests.
 */
int pt_proc_same(const char *proc, pid_t pid, uint64_t then_ns);
