/*
 * gpus.h - NVIDIA GPU knowledge: the per-device table (gpus.tsv) and the
 * device-ID range table (gpu-ranges.tsv) used for SKUs the table lacks.
 */
#ifndef GS_COMPAT_GPUS_H
#define GS_COMPAT_GPUS_H

#include <stdbool.h>

#include "strbuf.h"

#define GPU_UNKNOWN 0u  /* numeric fields: 0 means unknown */

enum power_source {
	POWER_UNKNOWN = 0,
	POWER_NVIDIA,
	POWER_SPEC,
	POWER_UNCONFIRMED,
};

struct gpu_info {
	unsigned device_id;
	const char *name;          /* NULL when inferred from a range */
	const char *chip;          /* NULL when unknown */
	const char *arch;
	unsigned cc;               /* compute capability * 10 */
	unsigned board_w;          /* whole-board power, GPU_UNKNOWN if unknown */
	enum power_source power_src;
	unsigned psu_w;            /* NVIDIA's recommended PSU, or unknown */
	unsigned mem_gib;          /* per board */
	unsigned per_board;        /* GPUs on one board (K80: 2) */
	bool inferred;             /* from gpu-ranges.tsv, not gpus.tsv */
};

struct gpu_range {
	unsigned first, last;
	const char *chip;
	const char *arch;
	unsigned cc;
};

struct gpu_db;

/* Load gpus.tsv and gpu-ranges.tsv from compat_dir and validate them
 * (types, sorted unique IDs, non-overlapping ranges).  Errors go to err as
 * "file:line: message". */
int gpu_db_load(const char *compat_dir, struct gpu_db **ret, struct strbuf *err);
void gpu_db_free(struct gpu_db *db);

/* Fill *ret for device_id: from the table when listed, else from the range
 * that contains it (inferred = true).  Returns 0, or -ENOENT when neither
 * knows the ID.  Pointers in *ret live as long as db. */
int gpu_db_lookup(const struct gpu_db *db, unsigned device_id, struct gpu_info *ret);
const struct gpu_range *gpu_db_find_range(const struct gpu_db *db, unsigned device_id);

const char *power_source_name(enum power_source s);

#endif
