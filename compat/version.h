/*
 * version.h - dotted numeric versions ("580.95.05", "12.8", "3.10") as every
 * compat table writes them.  Comparison is numeric, part by part, so 580 <
 * 1000 and 3.9 < 3.10; a missing part counts as 0.
 */
#ifndef GS_COMPAT_VERSION_H
#define GS_COMPAT_VERSION_H

#include <stdbool.h>
#include <stddef.h>

#define VERSION_MAX_PARTS 4

struct version {
	unsigned nparts;
	unsigned part[VERSION_MAX_PARTS];
};

/* Parse 1 to 4 dot-separated decimal parts of at most 6 digits each;
 * returns 0 or -EINVAL.  Leading zeros are allowed ("05"). */
int version_parse(const char *s, struct version *ret);
/* The same for the len bytes at s, parts of up to max_digits digits (at
 * most 9, to fit unsigned): version files written by others carry longer
 * parts than the tables ("12.6.20241114" in a CUDA version.json). */
int version_parse_n(const char *s, size_t len, unsigned max_digits, struct version *ret);
int version_cmp(const struct version *a, const struct version *b);
/* Every part of prefix equals the same part of v: "2.7" matches 2.7.1 and
 * 2.7, not 2.70 or 2.8. */
bool version_matches(const struct version *v, const struct version *prefix);
/* The first part (a driver version's branch: 580.95.05 -> 580). */
static inline unsigned version_major(const struct version *v)
{
	return v->part[0];
}
/* major.minor as one number for compact keys: 12.8 -> 1208. */
static inline unsigned version_key2(const struct version *v)
{
	return v->part[0] * 100 + (v->nparts > 1 ? v->part[1] : 0);
}

#endif
