/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The one bus object, /org/pattrack/Tracker1 (org.pattrack.Tracker1(5)). */

#include "core/model.h"

struct manager;

/* manager-bus.c */
int manager_bus_setup(struct manager *m);
int manager_bus_emit_anomaly(struct manager *m, const struct pt_anomaly *a);
int manager_bus_emit_changed(struct manager *m);
