/*
 * fetch-plan.h - the files a plan needs from the network, as `gpu-setup
 * fetch` downloads them into the cache and `install --offline` expects to
 * find them there: NVIDIA's CUDA runfile and cuDNN archive, the Miniconda
 * installer, the driver's .debs and, when asked, the framework's wheels.
 */
#ifndef GS_FETCH_PLAN_H
#define GS_FETCH_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include <stdbool.h>

#include "cache.h"
#include "compat.h"
#include "miniconda.h"
#include "resolve.h"

struct fetch_artifact {
	enum cache_kind kind;
	char *name;        /* the file name in the cache */
	char *version;
	char **urls;       /* NULL-terminated, tried in order */
	char *sha256;      /* NULL: the data has none (the file is taken as served, with a warning) */
	uint64_t size;     /* 0: unknown */
};

struct fetch_plan {
	char *label;       /* "debian-12 driver-535 cuda-12.8.1 cudnn-9.8.0 pytorch-2.7" */
	struct fetch_artifact *items;
	size_t n;
};

/* The plan's label: the distribution and the choices, so that `cache
 * list` tells which machine an artifact was fetched for. */
char *fetch_plan_label(const char *distro, const struct resolve_result *res);

/* Add an artifact (everything copied; urls NULL-terminated). */
void fetch_plan_add(struct fetch_plan *p, enum cache_kind kind, const char *name, const char *version,
		    const char *const *urls, const char *sha256, uint64_t size);

/* A set of vendor files: the bits of their cache kinds. */
#define FETCH_KIND(k) (1u << (k))
#define FETCH_VENDOR_ALL (FETCH_KIND(CACHE_RUNFILE) | FETCH_KIND(CACHE_CUDNN) | FETCH_KIND(CACHE_MINICONDA))

/* The runfile, cuDNN archive and Miniconda installer of res (those it
 * has and kinds names: the main job's download takes only the files of
 * its pending steps); tuna_first puts TUNA's copy of Miniconda first.  nvidia_mirror
 * (NULL: none) is a copy of NVIDIA's download site (a lab's, a
 * university's): NVIDIA's files are tried there first, under the same
 * path as on NVIDIA's host, then at NVIDIA. */
void fetch_plan_add_vendor_files(struct fetch_plan *p, const struct resolve_result *res, unsigned kinds,
				 const struct miniconda_release *mc, bool tuna_first, const char *nvidia_mirror);

/* url's path (from the first '/' after "scheme://host") under mirror
 * ("http://m/nvidia" + "/compute/x.run"); NULL when url has no path. */
char *mirror_url(const char *mirror, const char *url);

void fetch_plan_free(struct fetch_plan *p);

/* The last path component of a URL, without query or fragment and with
 * %XX decoded ("torch-2.7.1%2Bcu128-...whl" -> "torch-2.7.1+cu128-...whl"):
 * the name pip and apt give the file.  NULL when there is none, or it
 * would decode to something with '/' or a NUL. */
char *url_file_name(const char *url);

#endif
