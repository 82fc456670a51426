/*
 * mirror-config.h - pointing pip and conda at a package mirror: the mirror
 * table (compat/mirrors.tsv) and the merge of its settings into pip.conf
 * (INI) and .condarc (YAML), keeping every other setting the user has, with
 * a timestamped backup of the file before gpu-setup's first change to it and
 * a revert that puts that backup back.
 *
 * Files: for a user ~/.config/pip/pip.conf and ~/.condarc, read, merged and
 * written by a child running as the user (as-user.h), so the user's own
 * rights meet whatever is there; with system set, /etc/pip.conf and
 * /etc/conda/.condarc, written as root.  A symbolic link in place of either
 * file is never followed: the change is refused and says so, and neither
 * file changes (both are checked before either is written).
 *
 * Backups: FILE.gpu-setup-YYYYmmddTHHMMSS.bak beside FILE (its previous
 * content, same owner and mode), or an empty FILE.gpu-setup-STAMP.absent
 * when FILE did not exist.  One is made before gpu-setup's first change to
 * FILE and never again while one exists, so it always holds what was there
 * before gpu-setup; a revert restores the oldest and deletes it.
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
	char *cloud;                /* custom_channels URL for cloud_channels; NULL: none */
	char **cloud_channels;      /* of conda-forge and pytorch, those the cloud serves; NULL-terminated */
	char *probe_url;            /* a small file on the mirror, for --speedtest */
};

struct mirror_table {
	struct mirror *mirrors;
	size_t n;
};

#define MIRROR_DEFAULT "tuna"
/* The mirror --speedtest never measures: the origin, not a mirror. */
#define MIRROR_OFFICIAL "official"

/* Load <compat_dir>/mirrors.tsv; -EINVAL with a message in err when it is
 * malformed ("FILE:LINE: why"), another negative errno when unreadable. */
int mirror_table_load(const char *compat_dir, struct mirror_table *ret, struct strbuf *err);
void mirror_table_free(struct mirror_table *t);
const struct mirror *mirror_find(const struct mirror_table *t, const char *name);
/* "tuna, ustc, bfsu, sjtu, aliyun, official" (the table's order), for
 * messages. */
void mirror_table_names(const struct mirror_table *t, struct strbuf *out);

/* What happened to one file. */
enum mirror_action {
	MIRROR_UNCHANGED,       /* already said what the mirror says; left byte for byte */
	MIRROR_WRITTEN,         /* merged and written (dry run: would be) */
	MIRROR_RESTORED,        /* revert: the backup's content put back */
	MIRROR_REMOVED,         /* revert: the file gpu-setup created removed */
	MIRROR_NO_BACKUP,       /* revert: no backup of it, left as it is */
};

struct mirror_file {
	char *path;             /* host path (the --root prefix included) */
	enum mirror_action action;
	char *backup;           /* the backup made now (apply) or restored from (revert); NULL: none */
};

/* The files one run handled: pip's, then conda's. */
struct mirror_files {
	struct mirror_file files[2];
	size_t n;
	char *note;             /* something the user should know (a setting that overrides ours); NULL */
};

/* Point pip and conda at m, for u (system false) or system-wide; with
 * dry_run, work out and report the same but write nothing.  Each file is
 * merged, backed up before gpu-setup's first change to it, and left
 * byte-identical when it already says what m says (no backup then).
 * Returns 0 with *ret filled, or a negative errno with the reason in err
 * (naming the file, and the line for a file gpu-setup cannot merge into);
 * then nothing was written, unless writing the second file failed after
 * the first was written (err says so).  -EPERM: acting for u needs root;
 * -ELOOP: a file is a symbolic link; -EINVAL: a file is not valid pip.conf
 * or YAML, or has a shape gpu-setup does not edit. */
int mirror_apply_files(const struct mirror *m, const struct target_user *u, bool system, bool dry_run,
		       struct mirror_files *ret, struct strbuf *err);

/* Put back what each file was before gpu-setup's first change (restore
 * the oldest backup atomically, or remove the file it created) and delete
 * that backup; dry_run only reports.  -ENOENT with err set when neither
 * file has a backup. */
int mirror_revert_files(const struct target_user *u, bool system, bool dry_run, struct mirror_files *ret,
			struct strbuf *err);

void mirror_files_free(struct mirror_files *f);
/* One line per file: "written: PATH (backed up to BAK)", "unchanged:
 * PATH", ...; dry_run words it as what would be done. */
void mirror_files_describe(const struct mirror_files *f, bool dry_run, struct strbuf *out);
/* "written", "unchanged", "restored", "removed", "no backup" (dry run:
 * "would write", ...), for JSON. */
const char *mirror_action_name(enum mirror_action a, bool dry_run);

/* mirror_apply_files and mirror_revert_files without dry run, reporting
 * with mirror_files_describe into report. */
int mirror_apply(const struct mirror *m, const struct target_user *u, bool system, struct strbuf *report,
		 struct strbuf *err);
int mirror_revert(const struct target_user *u, bool system, struct strbuf *report, struct strbuf *err);

#endif
