/*
 * cuda-tree.h - what a CUDA toolkit directory really is.  A toolkit names
 * its release in up to four places: version.json (since 11.1), version.txt
 * (before), include/cuda.h's CUDA_VERSION and `bin/nvcc --version`; a tree
 * assembled from NVIDIA's pip wheels has no version file at all, and a
 * runfile that failed half-way (it may still exit 0) leaves some of them
 * behind.  So gpu-setup never trusts one of them, nor the runfile's exit
 * status: it reads them all, and a toolkit is complete only when they agree
 * and the libraries are there.
 *
 * Paths are absolute on the target and read through the sysroot.
 */
#ifndef GS_CUDA_TREE_H
#define GS_CUDA_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

struct cuda_tree {
	char *version_json;          /* "12.8.1" from version.json's cuda.version, or NULL */
	bool version_json_bad;       /* version.json is there but names no release */
	char *version_txt;           /* "10.2.89" from version.txt, or NULL */
	unsigned header_major, header_minor;  /* include/cuda.h CUDA_VERSION (12080 -> 12.8), 0 when missing */
	char *nvcc_release;          /* "12.8" from `bin/nvcc --version`, or NULL */
	bool nvcc_present, nvcc_ran; /* nvcc is only run when possible: not under --root as a normal user */
	bool lib64_present, cudart_present, uninstaller_present;
	char *version;               /* best: version.json, version.txt, then cuda.h X.Y, then nvcc */
};

/* Inspect dir (absolute on the target, through the sysroot); runs
 * bin/nvcc --version in the target through run_in_target (bounded by a
 * timeout).  Missing pieces are recorded, not errors; -errno only when dir
 * cannot be read (-ENOENT when absent, -ENOTDIR when not a directory). */
int cuda_tree_inspect(const char *dir, struct cuda_tree *ret);
/* A complete toolkit of release want ("12.8" or "12.8.1")?  Every
 * disagreement (nvcc missing or reports another release, version.json,
 * version.txt or cuda.h name another release, lib64 or libcudart missing,
 * nothing names a release) is appended to why (may be NULL), the
 * clauses joined by "; " to quote in one message.  An nvcc not run here
 * is neither proof nor disagreement. */
bool cuda_tree_complete(const struct cuda_tree *t, const char *want, struct strbuf *why);
/* Where t->version came from: "version.json", "version.txt",
 * "include/cuda.h", "bin/nvcc --version"; NULL when nothing names one. */
const char *cuda_tree_version_source(const struct cuda_tree *t);
void cuda_tree_free(struct cuda_tree *t);

/* Pure parsers, for unit tests and the fuzzer.  0, or -EINVAL when the
 * text holds no well-formed release (dotted decimal, 2 to 4 parts). */
/* version.json: the "cuda" object's "version" string (json-c). */
int cuda_parse_version_json(const char *text, char **ret);
/* version.txt: a first line "CUDA Version 10.2.89". */
int cuda_parse_version_txt(const char *text, char **ret);
/* cuda.h: the first "#define CUDA_VERSION 12080" line, as 12 and 8. */
int cuda_parse_cuda_h(const char *text, unsigned *ret_major, unsigned *ret_minor);
/* nvcc --version: "Cuda compilation tools, release 12.8, V12.8.93" gives "12.8". */
int cuda_parse_nvcc_version(const char *text, char **ret_release);

/* Installed toolkits: the /usr/local/cuda-X.Y directories on the target,
 * sorted by version (12.10 after 12.9), as absolute target paths in a
 * NULL-terminated array (free each, then the array).  No /usr/local is
 * no toolkit, not an error. */
int cuda_trees_list(char ***ret_dirs, size_t *ret_n);

#endif
