/*
 * offline-check.h - what `install --offline` checks before it changes
 * anything: that the cache's manifest reads, and that every file the plan
 * needs is recorded there and on disk with its recorded size and sha256.
 */
#ifndef GS_OFFLINE_CHECK_H
#define GS_OFFLINE_CHECK_H

#include <stdbool.h>

#include "cache.h"
#include "strbuf.h"

struct offline_need {
	enum cache_kind kind;
	const char *name;      /* a file name; NULL with CACHE_DEB or CACHE_WHEEL: every entry of the kind,
				  and at least one */
	const char *prefix;    /* with name NULL: at least one entry starts with it ("torch-") */
	const char *what;      /* for the report: "the CUDA 12.8.1 runfile" */
};

/* Check needs against the cache m.  Returns the number of problems, each
 * one line in report ("missing: ...", "damaged: ... (why)"). */
size_t offline_check(const struct cache_manifest *m, const struct offline_need *needs, size_t n,
		     struct strbuf *report);

#endif
