/*
 * fuzz-redist-listing.c - libFuzzer target over redist_listing_parse.
 * Findings besides crashes and sanitizer reports: a refusal that is not
 * -EINVAL with a message, and versions that are not X.Y.Z, ascending and
 * without repeats.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "redist-listing.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct version *v = NULL;
	size_t n = 0;
	int r = redist_listing_parse((const char *)data, size, &v, &n, &err);

	if (r < 0) {
		if (r != -EINVAL || !err.len)
			abort();
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (v[i].nparts != 3 || (i && version_cmp(&v[i - 1], &v[i]) >= 0))
			abort();
	free(v);
	return 0;
}
