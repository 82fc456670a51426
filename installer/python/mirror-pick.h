/*
 * mirror-pick.h - the pip/conda mirror a command uses: --mirror NAME's
 * row of compat/mirrors.tsv (MIRROR_DEFAULT when none is given), with one
 * message for a table that cannot be read and for a name it lacks.  plan,
 * the main job and install miniconda pick it the same way.
 */
#ifndef GS_MIRROR_PICK_H
#define GS_MIRROR_PICK_H

#include "mirror-config.h"

/* Load the table from compat_dir into *table and point *ret at name's
 * row.  EXIT_OK; else the table is freed, the reason logged, and
 * EXIT_BAD_INPUT (the table cannot be read) or EXIT_USAGE (no such
 * mirror: the message lists the names). */
int mirror_pick(const char *compat_dir, const char *name, struct mirror_table *table, const struct mirror **ret);

#endif
