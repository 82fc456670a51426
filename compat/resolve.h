/*
 * resolve.h - choose versions that fit together: driver branch and
 * kernel-module flavour, CUDA toolkit, cuDNN, framework build and Python,
 * for every selected GPU at once, under the user's constraints.  Every
 * decision carries a one-line reason; when nothing fits, the result names
 * the conflicting constraints and what would resolve them.
 */
#ifndef GS_COMPAT_RESOLVE_H
#define GS_COMPAT_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"

struct resolve_gpu {
	const char *label;        /* "GeForce RTX 3090 (0000:01:00.0)" */
	const char *addr;         /* PCI address, or NULL when hypothetical */
	unsigned device_id;
	const char *arch;         /* NULL: unknown to compat data */
	unsigned cc;
};

struct resolve_request {
	const struct resolve_gpu *gpus;
	size_t ngpus;
	const char *distro;              /* distros.tsv id, NULL: any distribution */
	const char *installed_driver;    /* full version, NULL: none */
	enum driver_flavour installed_flavour;
	enum framework framework;
	/* User constraints; NULL or 0 when not given. */
	const char *framework_version;   /* "2.7" or "2.7.1" */
	const char *cuda;                /* "12.8" or "12.8.1" */
	unsigned driver_branch;
	const char *cudnn;               /* "9" or "8.9" or full */
	const char *python;              /* "3.11" */
	/* What the machine's apt really offers for the distribution, read by
	 * the caller; NULL: the distro-drivers table decides. */
	const struct distro_driver *offer;
	size_t noffer;
};

struct resolve_note {
	const char *topic;   /* driver, flavour, cuda, cudnn, framework, python */
	char *text;
};

struct resolve_result {
	bool ok;
	/* The choice (ok). */
	unsigned branch;
	enum driver_flavour flavour;
	bool keep_installed;
	const struct distro_driver *package;   /* NULL without a distribution */
	const struct cuda_info *cuda;
	bool gcc_override;                     /* the distribution's gcc is newer than max_gcc */
	const struct cudnn_info *cudnn;        /* NULL when none fits (noted) */
	const struct fw_build *build;          /* NULL with FW_NONE */
	char python[16];                       /* "" when the framework does not pick one */
	/* One line per decision, in order. */
	struct resolve_note *why;
	size_t nwhy;
	/* When !ok: what conflicts, and what would resolve it. */
	struct resolve_note *conflicts;
	size_t nconflicts;
	struct resolve_note *fixes;
	size_t nfixes;
};

/* Validate the request's strings against the data (unknown distribution,
 * malformed version): returns 0 or -EINVAL with a message in err. */
int resolve_check_request(const struct compat_db *db, const struct resolve_request *req,
			  struct strbuf *err);

/* Always fills *ret (ok or not); release with resolve_result_free. */
void resolve(const struct compat_db *db, const struct resolve_request *req, struct resolve_result *ret);
void resolve_result_free(struct resolve_result *r);

/* Whether a driver branch (packaged, so its newest point release) or an
 * exact installed version meets a minimum driver version. */
bool branch_meets(unsigned branch, const struct version *min);

#endif
