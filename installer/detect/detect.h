/*
 * detect.h - what `gpu-setup detect` finds: GPUs, CPU, memory, sizing
 * hints and warnings.  The install job starts from the same report.
 */
#ifndef GS_DETECT_H
#define GS_DETECT_H

#include <stdio.h>

#include <json-c/json.h>

#include "hw-host.h"
#include "hw-pci.h"
#include "sizing.h"
#include "strbuf.h"

/* Bumped whenever a field changes meaning or goes away; new fields may be
 * added without a bump.  Documented in gpu-setup(8). */
#define DETECT_SCHEMA_VERSION 1

struct detect_warning {
	const char *id;   /* stable identifier, e.g. "pcie-narrow" */
	char *message;
};

struct detect_report {
	enum pci_source_kind source;
	struct gpu_db *db;
	struct pci_scan pci;
	struct host_info host;
	struct sizing sizing;
	struct detect_warning *warnings;
	size_t nwarnings;
};

struct detect_request {
	struct pci_source pci;
	const char *compat_dir;
	unsigned psu_watts;   /* 0 when not given */
};

/* Returns 0, -EINVAL for bad input (dump, sysfs tree, compat data), or
 * another negative errno; err says what and where. */
int detect_run(const struct detect_request *req, struct detect_report *ret, struct strbuf *err);
void detect_report_free(struct detect_report *r);

void detect_print_text(const struct detect_report *r, FILE *out);
struct json_object *detect_to_json(const struct detect_report *r);

/* detect --json's "system" member: the machine as `fetch --for` reads it
 * back (see system-describe.h; schema in gpu-setup(8), DETECT JSON). */
struct system_description;
struct json_object *detect_system_json(const struct system_description *s);

#endif
