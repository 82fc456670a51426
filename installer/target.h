/*
 * target.h - the machine a command works for, read once: detection, the
 * compatibility data, the NVIDIA GPUs selected (--gpu-only), the
 * distribution and the driver now loaded.  plan and driver start here.
 */
#ifndef GS_TARGET_H
#define GS_TARGET_H

#include <json-c/json.h>

#include "compat.h"
#include "detect.h"
#include "options.h"
#include "osinfo.h"
#include "resolve.h"

struct target {
	struct detect_report rep;
	bool have_rep;
	struct compat_db *db;
	struct os_release os;
	const struct distro_info *distro;
	char *installed;                      /* loaded driver version, NULL: none */
	enum driver_flavour installed_flavour;
	/* The selected NVIDIA GPUs: the resolver's view and libpci's. */
	struct resolve_gpu gpus[GS_MAX_GPU_ARGS];
	const struct pci_gpu *pci[GS_MAX_GPU_ARGS];
	char addrs[GS_MAX_GPU_ARGS][16];
	char labels[GS_MAX_GPU_ARGS][128];
	size_t ngpus;
};

/* Detect, load compat data, select GPUs and read the distribution and the
 * loaded driver; logs what fails.  Returns an exit code (EXIT_OK). */
int target_load(struct target *t);
void target_free(struct target *t);

/* A resolver request for the target under the user's constraints; checks
 * the constraints (logs and returns EXIT_USAGE when one is malformed). */
int target_request(const struct target *t, struct resolve_request *req);

struct json_object *target_gpus_json(const struct target *t);

#endif
