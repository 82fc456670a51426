/*
 * step-done.h - whether a step's result already holds on the target: the
 * one answer plan, `install --dry-run`, the main job and each single-step
 * command (`install cuda`, `install cudnn`, `install framework`,
 * `install miniconda`) give, each with the strongest check the step has.
 * A step that is done is skipped (kept); one that is not runs, and its
 * own command installs over or next to what is there.
 *
 * Each returns true when done, with why (may be NULL) given what shows it
 * ("/usr/local/cuda-12.8: a complete CUDA 12.8.1 (version.json)"), and
 * false with why given what is missing or different.
 */
#ifndef GS_STEP_DONE_H
#define GS_STEP_DONE_H

#include <stdbool.h>

#include "compat.h"
#include "mirror-config.h"
#include "strbuf.h"
#include "target-user.h"

/* dir (on the target) holds a complete CUDA toolkit of release version:
 * nvcc, headers, libraries and the version files agree
 * (cuda_tree_complete).  A version.json alone is not a toolkit. */
bool step_done_cuda(const char *dir, const char *version, struct strbuf *why);

/* The toolkit dir holds cuDNN n: its header says n's release and, where
 * gpu-setup placed it, every file and link its manifest lists is there. */
bool step_done_cudnn(const char *dir, const struct cudnn_info *n, struct strbuf *why);

/* The conda environment env_dir holds build b (its gpu-setup marker says
 * so; want is --framework NAME=VERSION's version or NULL). */
bool step_done_framework(const char *env_dir, const struct fw_build *b, const char *want, struct strbuf *why);

/* pip's and conda's files for u already say what mirror m says (a dry
 * run of the change finds nothing to write). */
bool step_done_mirrors(const struct mirror *m, const struct target_user *u, struct strbuf *why);

/* Every shipped apt and kernel hook is in place with gpu-setup's mark. */
bool step_done_hooks(struct strbuf *why);

/* The user has a conda (at given, else the usual places): *ret_prefix is
 * set to it (NULL when not done). */
bool step_done_miniconda(const struct target_user *u, const char *given, char **ret_prefix, struct strbuf *why);

#endif
