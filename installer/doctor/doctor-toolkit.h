/*
 * doctor-toolkit.h - the CUDA toolkits doctor judges, shared by the cuda
 * and cudnn check groups: each /usr/local/cuda-X.Y, /usr/local/cuda when
 * it is a real directory (or its link leads outside those), and on the
 * running system every other toolkit whose nvcc is on PATH; each
 * inspected (cuda-tree.h) and matched with its row of the compat data.
 */
#ifndef GS_DOCTOR_TOOLKIT_H
#define GS_DOCTOR_TOOLKIT_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"
#include "cuda-tree.h"
#include "version.h"

struct doctor_toolkit {
	char *dir;              /* as found, on the target: "/usr/local/cuda-12.8" */
	char *real;             /* dir resolved inside the root (compare toolkits by it) */
	bool from_path;         /* found as nvcc on the running system's PATH only */
	bool distro;            /* /usr: a distribution's package (Debian's nvidia-cuda-toolkit),
				 * not a toolkit tree: completeness and cuDNN are not judged */
	int inspect_r;          /* cuda_tree_inspect's result; tree is valid when 0 */
	struct cuda_tree tree;
	bool complete;
	char *why;              /* why not complete, or NULL */
	struct version release; /* tree.version parsed; nparts 0 when nothing names one */
	char xy[16];            /* "12.8", "" when the release is unknown */
};

struct doctor_toolkits {
	struct doctor_toolkit *v;
	size_t n;
};

/* Find and inspect the toolkits; live: also those on the process's PATH.
 * 0, or -errno when /usr/local cannot be read. */
int doctor_toolkits_find(bool live, struct doctor_toolkits *ret);
void doctor_toolkits_free(struct doctor_toolkits *t);
/* The toolkits of ctx, found on the first call and kept in ctx (so nvcc
 * runs once per toolkit, not once per group).  0 or doctor_toolkits_find's
 * -errno. */
struct doctor_ctx;
int doctor_ctx_toolkits(struct doctor_ctx *ctx, const struct doctor_toolkits **ret);
/* The toolkit whose resolved directory is real, or NULL. */
const struct doctor_toolkit *doctor_toolkits_by_real(const struct doctor_toolkits *t, const char *real);
/* The newest complete /usr/local/cuda-X.Y (what `use cuda` should take),
 * else the newest of any kind, else NULL. */
const struct doctor_toolkit *doctor_toolkits_newest(const struct doctor_toolkits *t);

/* The compat row for a toolkit release: the same X.Y.Z when the release
 * names its update and the data has it, else the first (GA) row of its
 * X.Y.  *ret_exact says which.  NULL when the data has no such X.Y. */
const struct cuda_info *doctor_cuda_row(const struct compat_db *db, const struct version *release,
					bool *ret_exact);
/* Whether the row's nvcc compiles for cc (compute capability * 10). */
bool doctor_cuda_has_sm(const struct cuda_info *c, unsigned cc);

/* path resolved inside the root; NULL when it does not resolve. */
char *doctor_resolve(const char *path);
/* "/usr/local/cuda-12.8" for a resolved "/usr/local/cuda-12.8/bin"; NULL
 * when the last component is not bin. */
char *doctor_parent_of_bin(const char *real);

#endif
