/*
 * conda-prefix.h - where a user's conda installation is.  install
 * miniconda (reuse one that is there), install framework (the conda that
 * creates the environment), plan and doctor all look in the same places,
 * in the same order.
 */
#ifndef GS_CONDA_PREFIX_H
#define GS_CONDA_PREFIX_H

#include <stdbool.h>

#include "target-user.h"

/* The directories under the home, in the order they are tried: the
 * installers' own defaults (Miniconda, Anaconda, Miniforge, Mambaforge). */
extern const char *const conda_prefix_names[];

/* Miniconda's default prefix for u: ~/miniconda3 (target path). */
char *conda_prefix_default(const struct target_user *u);

/* Whether prefix (a target path) holds a conda installation: bin/conda
 * is a regular file, symlinks resolved inside the root. */
bool conda_prefix_has_conda(const char *prefix);

/* The user's conda installation: given (--conda-prefix) alone when not
 * NULL, else the first of ~/miniconda3, ~/anaconda3, ~/miniforge3,
 * ~/mambaforge with bin/conda.  *ret gets the prefix (a target path).
 * Returns 0, or -ENOENT when there is none. */
int conda_prefix_find(const struct target_user *u, const char *given, char **ret);

#endif
