/*
 * cudnn-manifest.h - NVIDIA's cuDNN redist manifest, redistrib_X.Y.Z.json
 * under https://developer.download.nvidia.com/compute/cudnn/redist/: the
 * release's version and date and, per platform, one archive per CUDA
 * major ("cuda12": {relative_path, sha256, md5, size}) or, in some
 * releases and platforms, one archive directly in the platform object.
 * gpu-setup reads the linux-x86_64 archives of the "cudnn" component.
 */
#ifndef GS_CUDNN_MANIFEST_H
#define GS_CUDNN_MANIFEST_H

#include <stddef.h>

#include "strbuf.h"

struct cudnn_manifest_archive {
	unsigned cuda_major;        /* 11, 12, 13 */
	char *relative_path;        /* "cudnn/linux-x86_64/cudnn-linux-x86_64-9.27.0.42_cuda13-archive.tar.xz" */
	char *sha256;               /* 64 lower-case hex digits */
	unsigned long long size;    /* bytes */
};

struct cudnn_manifest {
	char *label;                /* release_label, "9.27.0" */
	char *version;              /* the component's, "9.27.0.42" */
	char *release_date;         /* "2026-09-29" */
	struct cudnn_manifest_archive *archives;   /* by CUDA major, ascending */
	size_t narchives;
};

/* Parse the len bytes at text, which the listing named as release
 * label (its release_label must say the same).  Returns 0, or -EINVAL
 * with err naming what is wrong (not JSON, a missing or mistyped key, a
 * digest or size that does not parse, a path outside the archive
 * folder, no linux-x86_64 archive).  Free with cudnn_manifest_free. */
int cudnn_manifest_parse(const char *text, size_t len, const char *label, struct cudnn_manifest *ret,
			 struct strbuf *err);
void cudnn_manifest_free(struct cudnn_manifest *m);

#endif
