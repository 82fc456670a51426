/*
 * pip-report.h - the framework's wheels for another machine: what pip's
 * resolver picks for a requirement, for the target's Python and platform,
 * read from its installation report (`pip install --dry-run --report`,
 * pip >= 22.2; format: https://pip.pypa.io/en/stable/reference/
 * installation-report/), without installing or downloading anything
 * here.  The files themselves are then fetched like the others.
 */
#ifndef GS_PIP_REPORT_H
#define GS_PIP_REPORT_H

#include "fetch-plan.h"
#include "strbuf.h"

/* The argv (NULL-terminated, every string allocated: strv_free) of the
 * host's pip resolving requirement for CPython python ("3.12") on
 * manylinux x86_64 from index_url (NULL: pip's default), writing the
 * report to report_path. */
char **pip_report_argv(const char *python, const char *index_url, const char *requirement,
		       const char *target_dir, const char *report_path);

/* Add every file the report's "install" list names to p as a wheel (name
 * from the URL, version from the metadata, sha256 from archive_info).
 * Returns the number added, or -EINVAL with the reason in err (not JSON,
 * an unknown report version, an entry without a wheel URL: an sdist, a
 * local directory). */
int pip_report_add(const char *json_text, struct fetch_plan *p, struct strbuf *err);

#endif
