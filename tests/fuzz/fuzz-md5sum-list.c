/*
 * fuzz-md5sum-list.c - libFuzzer target over md5sum_find_runfile, asking
 * for CUDA 13.4.2.  Findings besides crashes and sanitizer reports: a
 * refusal that is not -EINVAL with a message or -ENOENT, and a found
 * runfile whose name or digest is not what was asked for.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "md5sum-list.h"
#include "upstream-check.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct cuda_runfile_entry e;
	int r = md5sum_find_runfile((const char *)data, size, "13.4.2", &e, &err);

	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		if (r != -EINVAL || !err.len)
			abort();
		return 0;
	}
	if (!startswith(e.name, "cuda_13.4.2_") || !endswith(e.name, "linux.run") || !upstream_is_hex(e.md5, 32))
		abort();
	cuda_runfile_entry_free(&e);
	return 0;
}
