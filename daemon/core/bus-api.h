/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * org.pattrack.Tracker1(5): the names and signatures pattrackd serves and
 * pattrackctl calls, written once for both.  Only strings: the core stays
 * free of sd-bus.
 */

#define PT_BUS_NAME "org.pattrack.Tracker1"
#define PT_BUS_PATH "/org/pattrack/Tracker1"
#define PT_BUS_IFACE "org.pattrack.Tracker1"

#define PT_BUS_ERR_INVALID_RANGE PT_BUS_IFACE ".Error.InvalidRange"
#define PT_BUS_ERR_UNKNOWN_KIND PT_BUS_IFACE ".Error.UnknownKind"
#define PT_BUS_ERR_UNKNOWN_COOKIE PT_BUS_IFACE ".Error.UnknownCookie"
#define PT_BUS_ERR_NOT_LIVE PT_BUS_IFACE ".Error.NotLive"
#define PT_BUS_ERR_BUSY PT_BUS_IFACE ".Error.Busy"
#define PT_BUS_ERR_TOO_MANY PT_BUS_IFACE ".Error.TooMany"

/*
 * A reply holds at most this many entries or anomalies (each is at most
 * about 1 KiB: names are bounded, safe.h), well under the bus's 32 MiB.
 * The *Page methods take a cursor (0 to begin) and give the next (0 at
 * the end); the others answer TooMany past it.
 */
#define PT_BUS_PAGE_MAX 10000

/*
 * Each ends with its owner (struct pt_owner_info): class ("process",
 * "driver", "unknown"), driver (a driver's module; for an owner unknown
 * the driver bound to its device; else ""), device (the PCI device whose
 * BAR holds the range, else "") and that BAR (-1 none).
 */
/* an entry: start, end, type, pid, comm, seq, resource, owner exited, owner */
#define PT_BUS_ENTRY_SIG "(ttsistsbsssi)"
/*
 * an anomaly: kind, start, end, type, pid, comm, seq, severity, explanation,
 * owner, then the call's stack (symbolized frames, one a line; "" unknown)
 */
#define PT_BUS_ANOMALY_SIG "(sttsistsssssis)"
/* an event of Explain: cookie, seq, kind, start, end, type, got, ret, pid, comm */
#define PT_BUS_HISTORY_SIG "(ttsttssiis)"
/* the Anomaly signal: kind, start, end, type, pid, comm, explanation, owner, stack */
#define PT_BUS_ANOMALY_SIGNAL_SIG "sttsisssssis"
