/*
 * mirror-config.h - pointing pip and conda at a package mirror: the mirror
 * table (compat/mirrors.tsv) and the merge of its settings into pip.conf
 * (INI) and .condarc (YAML), keeping every other setting the user has, with
 * a timestamped backup of the file before gpu-setup's first change to it and
 * a revert that puts that backup back.
 *
 * Files: for a user ~/.config/pip/pip.conf and ~/.condarc, written by a
 * child running as the user (as-user.h); with system set, /etc/pip.conf and
 * /etc/conda/.condarc, written as root.  A symbolic link in place of either
 * file is never followed: the change is refused and says so.
 */
#ifndef GS_MIRROR_CONFIG_H
#define GS_MIRROR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"
#include "target-user.h"

struct mirror {
	char *name;                 /* tuna, ustc, bfsu, sjtu, aliyun, official */
	char *title;                /* "TUNA (Tsinghua University)" */
	char *pip_index;            /* pip index-url */
	char **default_channels;    /* conda default_channels, NULL-terminated */
	char *cloud;                /* custom_channels base for conda-forge and pytorch; NULL: none */
	char *probe_url;            /* a small file on the mirror, for --speedtest */
};

struct mirror_table {
	struct mirror *mirrors;
	size_t n;
};

#define MIRROR_DEFAULT "tuna"

/* Load <compat_dir>/mirrors.tsv; -EINVAL with a message in err when it is
 * malformed. */
int mirror_table_load(const char *compat_dir, struct mirror_table *ret, struct strbuf *err);
void mirror_table_free(struct mirror_table *t);
const struct mirror *mirror_find(const struct mirror_table *t, const char *name);

/* Point pip and conda at m: for u (system false) or system-wide.  Each
 * file is merged, backed up before gpu-setup's first change to it, and
 * left byte-identical when it already says what m says (no backup then).
 * report gets one line per file: what was done ("wrote", "unchanged",
 * "backed up to ...").  Returns 0, or a negative errno with the reason in
 * err; a refused file is left as it was. */
int mirror_apply(const struct mirror *m, const struct target_user *u, bool system, struct strbuf *report,
		 struct strbuf *err);

/* Put back the files gpu-setup's first change replaced (or remove the
 * files it created), for u or system-wide.  -ENOENT when there is no
 * backup to restore. */
int mirror_revert(const struct target_user *u, bool system, struct strbuf *report, struct strbuf *err);

#endif
