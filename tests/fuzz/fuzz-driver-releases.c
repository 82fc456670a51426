/*
 * fuzz-driver-releases.c - libFuzzer target over driver_releases_parse.
 * Findings besides crashes and sanitizer reports: a refusal that is not
 * -EINVAL with a message, and branches that are not ascending or whose
 * newest release is not of the branch.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "driver-releases.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct driver_release_branch *b = NULL;
	size_t n = 0;
	int r = driver_releases_parse((const char *)data, size, &b, &n, &err);

	if (r < 0) {
		if ((r != -EINVAL && r != -ENOMEM) || !err.len)
			abort();
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct version v;

		if (version_parse(b[i].newest, &v) < 0 || v.part[0] != b[i].branch ||
		    (i && b[i - 1].branch > b[i].branch))
			abort();
	}
	driver_releases_free(b, n);
	return 0;
}
