/*
 * fuzz-torch-index.c - libFuzzer target over torch_index_parse for
 * variant cu126.  Findings besides crashes and sanitizer reports: a
 * refusal that is not -EINVAL with a message, and releases that are not
 * ascending or whose Python range is upside down.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "torch-index.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct torch_index_release *rel = NULL;
	size_t n = 0;
	int r = torch_index_parse((const char *)data, size, "cu126", &rel, &n, &err);

	if (r < 0) {
		if (r != -EINVAL || !err.len)
			abort();
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (version_cmp(&rel[i].py_min, &rel[i].py_max) > 0 ||
		    (i && version_cmp(&rel[i - 1].series, &rel[i].series) >= 0))
			abort();
	free(rel);
	return 0;
}
