/*
 * options.h - global options, parsed once in main.c and read by handlers.
 */
#ifndef GS_OPTIONS_H
#define GS_OPTIONS_H

#include <stdbool.h>

#include "detect.h"

struct gs_options {
	const char *root;        /* --root, NULL for / */
	const char *log_path;    /* --log */
	const char *pci_dump;    /* --pci-dump */
	const char *sysfs;       /* --sysfs */
	const char *compat_dir;  /* --compat-dir */
	bool json, yes, dry_run, verbose, quiet;
	unsigned psu_watts;      /* detect --psu-watts */
};

extern struct gs_options gs_opts;

/* Where compat data is: --compat-dir, else the source tree when running
 * from the build directory, else $(pkgdatadir)/compat. */
const char *gs_compat_dir(void);
/* The detection request the global options describe. */
void gs_detect_request(struct detect_request *req);
/* Run detection and log a failure; returns 0 or an exit code. */
int gs_detect_or_exit_code(struct detect_report *rep);
/* Print a JSON document on stdout, the one format every --json uses. */
void gs_print_json(struct json_object *j);

#endif
