/*
 * fuzz-cudnn-manifest.c - libFuzzer target over cudnn_manifest_parse.
 * Besides crashes, leaks and sanitizer reports, these are findings: a
 * refusal that is not -EINVAL with a message, and an accepted manifest
 * whose archives break what the parser promises (a CUDA major, a 64-digit
 * digest, a size, a path inside the archive folder, ascending majors).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "cudnn-manifest.h"
#include "upstream-check.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct cudnn_manifest m;
	int r = cudnn_manifest_parse((const char *)data, size, NULL, &m, &err);

	if (r < 0) {
		if (r != -EINVAL || !err.len)
			abort();
		return 0;
	}
	if (m.narchives == 0)
		abort();
	for (size_t i = 0; i < m.narchives; i++) {
		const struct cudnn_manifest_archive *a = &m.archives[i];

		if (!a->cuda_major || !upstream_is_hex(a->sha256, 64) || !a->size ||
		    !upstream_safe_path(a->relative_path) || (i && a->cuda_major <= m.archives[i - 1].cuda_major))
			abort();
	}
	cudnn_manifest_free(&m);
	return 0;
}
