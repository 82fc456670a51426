/*
 * md5sum-list.h - NVIDIA's checksum list for a CUDA release,
 * https://developer.download.nvidia.com/compute/cuda/X.Y.Z/docs/sidebar/md5sum.txt:
 * one "<md5> <file name>" line per installer.  NVIDIA publishes md5 there,
 * no sha256; it is also where the runfile's exact name is, which changed
 * in 13.4.1 (cuda_13.4.1_linux.run, no driver version in it).
 */
#ifndef GS_MD5SUM_LIST_H
#define GS_MD5SUM_LIST_H

#include <stddef.h>

#include "strbuf.h"

struct cuda_runfile_entry {
	char *name;      /* "cuda_13.4.2_linux.run", "cuda_13.3.1_610.43.02_linux.run" */
	char *md5;       /* 32 lower-case hex digits */
	char *driver;    /* the bundled driver when the name carries it, else NULL */
};

/* Find the Linux x86_64 runfile of CUDA version (X.Y.Z) in the len bytes
 * at text.  Every line must be "<md5> <name>" (blank lines aside), so an
 * HTML page, a truncated line or a list without its final newline (cut
 * short) is refused.  Returns 0; -ENOENT when the
 * list is well formed but names no such runfile; -EINVAL with err saying
 * which line is wrong. */
int md5sum_find_runfile(const char *text, size_t len, const char *version, struct cuda_runfile_entry *ret,
			struct strbuf *err);
void cuda_runfile_entry_free(struct cuda_runfile_entry *e);

#endif
