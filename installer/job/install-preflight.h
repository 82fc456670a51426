/*
 * install-preflight.h - the main job's first step: what it checks before
 * anything changes.  Offline, that the cache covers every pending step;
 * always, that the file systems the pending steps write to have room.
 */
#ifndef GS_INSTALL_PREFLIGHT_H
#define GS_INSTALL_PREFLIGHT_H

#include <stdint.h>

#include "cache.h"
#include "miniconda.h"
#include "plan.h"
#include "strbuf.h"

/* Room a pending step needs (bytes), by where it writes; the figures are
 * what the vendors' packages take installed, with a margin. */
#define PREFLIGHT_CUDA_BYTES (8ull << 30)       /* a CUDA 12/13 toolkit in /usr/local */
#define PREFLIGHT_CUDNN_BYTES (2ull << 30)      /* cuDNN 9's libraries in the toolkit */
#define PREFLIGHT_MINICONDA_BYTES (1ull << 30)  /* Miniconda in the user's home */
#define PREFLIGHT_FRAMEWORK_BYTES (7ull << 30)  /* PyTorch with its CUDA wheels in the environment */

struct space_need {
	const char *path;      /* target path; the nearest existing parent is measured */
	uint64_t bytes;
	const char *what;      /* "CUDA toolkit" */
};

/* Add up the needs by file system and compare with what is free for
 * root.  Returns the number of file systems short of room, each one line
 * in report; a path that cannot be measured is a line too. */
size_t preflight_space(const struct space_need *needs, size_t n, struct strbuf *report);

/* The space needs of plan's pending steps (needs has room for 8);
 * conda_prefix: where Miniconda and the environments go (a target path). */
size_t preflight_space_needs(const struct plan *plan, const char *conda_prefix, struct space_need *needs);

/* Offline: the cache files the pending steps need (needs has room for 8);
 * wheel_prefix: the framework's wheel name prefix ("torch-"), NULL with
 * no framework. */
struct offline_need;
struct resolve_result;
size_t preflight_offline_needs(const struct plan *plan, const struct resolve_result *res,
			       const struct miniconda_release *mc, const char *wheel_prefix,
			       struct offline_need *needs);

#endif
