/*
 * version.c - parse and compare dotted numeric versions.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "version.h"

int version_parse_n(const char *s, size_t len, unsigned max_digits, struct version *ret)
{
	struct version v = { 0 };
	const char *p = s, *end = s + len;

	for (;;) {
		unsigned long n = 0;
		size_t digits = 0;

		while (p < end && isdigit((unsigned char)*p)) {
			if (++digits > max_digits)
				return -EINVAL;
			n = n * 10 + (unsigned long)(*p++ - '0');
		}
		if (digits == 0 || v.nparts == VERSION_MAX_PARTS)
			return -EINVAL;
		v.part[v.nparts++] = (unsigned)n;
		if (p == end)
			break;
		if (*p++ != '.')
			return -EINVAL;
	}
	*ret = v;
	return 0;
}

int version_parse(const char *s, struct version *ret)
{
	return version_parse_n(s, strlen(s), 6, ret);
}

int version_cmp(const struct version *a, const struct version *b)
{
	for (unsigned i = 0; i < VERSION_MAX_PARTS; i++) {
		unsigned x = i < a->nparts ? a->part[i] : 0;
		unsigned y = i < b->nparts ? b->part[i] : 0;

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

bool version_matches(const struct version *v, const struct version *prefix)
{
	for (unsigned i = 0; i < prefix->nparts; i++) {
		unsigned x = i < v->nparts ? v->part[i] : 0;

		if (x != prefix->part[i])
			return false;
	}
	return true;
}
