/*
 * miniconda.h - the Miniconda installer: which release (compat/
 * miniconda.tsv), where its file is (the cache, a file the user names, or
 * a download checked against the table's sha256), its command line, and
 * the judgement of what it left on disk.
 *
 * The installer is a shell script made by conda's constructor; its
 * documented command line (compat-facts.md section 9):
 *   bash Miniconda3-<pyXY>_<conda>-<build>-Linux-x86_64.sh -b -p PREFIX
 * -b runs it in batch mode (licence accepted, no shell rc edited), -p names
 * the prefix (no spaces allowed; an existing prefix is an error without -u
 * or -f).  It leaves PREFIX/bin/conda, PREFIX/conda-meta/conda-*.json and
 * PREFIX/.condarc; its exit status alone is not trusted.
 */
#ifndef GS_MINICONDA_H
#define GS_MINICONDA_H

#include <stddef.h>

#include "sha256.h"
#include "strbuf.h"
#include "target-user.h"

/* TUNA's copy of repo.anaconda.com/miniconda/, tried first when the
 * mirror chosen is tuna. */
#define MINICONDA_TUNA_BASE "https://mirrors.tuna.tsinghua.edu.cn/anaconda/miniconda/"

struct miniconda_release {
	char *name;     /* Miniconda3-py312_24.3.0-0-Linux-x86_64.sh */
	char *python;   /* "3.12" */
	char *conda;    /* "24.3.0" */
	char *sha256;   /* NULL: not known */
	char *url;      /* Anaconda's */
};

struct miniconda_table {
	struct miniconda_release *rows;
	size_t n;
};

/* Load <compat_dir>/miniconda.tsv; -EINVAL with "file:line: why" in err
 * when it is malformed or has no row. */
int miniconda_table_load(const char *compat_dir, struct miniconda_table *ret, struct strbuf *err);
void miniconda_table_free(struct miniconda_table *t);
/* The row for an installer file name, or NULL. */
const struct miniconda_release *miniconda_find(const struct miniconda_table *t, const char *name);
/* The release gpu-setup installs: the table's last row. */
const struct miniconda_release *miniconda_newest(const struct miniconda_table *t);

/* Where a release's file is kept in the cache cache_dir (a host path,
 * cache.h): cache_dir/<name>. */
char *miniconda_cache_path(const char *cache_dir, const struct miniconda_release *rel);

/* The URLs to download rel from, in order: TUNA's copy when tuna_first,
 * then the table's.  A NULL-terminated array; free each and the array. */
char **miniconda_urls(const struct miniconda_release *rel, bool tuna_first);

/* A prefix the installer accepts: absolute and without white space
 * (the installer refuses spaces).  -EINVAL with the reason in why. */
int miniconda_prefix_valid(const char *prefix, struct strbuf *why);

/* The installer's command line for prefix: bash INSTALLER -b -p PREFIX
 * (pointers into the arguments; a fixed array of 6, NULL-terminated). */
void miniconda_argv(const char *installer, const char *prefix, const char *argv[6]);

/* Judge an installation on disk (target paths, read through the
 * sysroot): PREFIX/bin/conda a regular executable file, PREFIX and
 * bin/conda owned by u, and conda's package record
 * PREFIX/conda-meta/conda-<version>-<build>.json present.  Returns 0, or
 * -ENOENT/-EPERM with what is wrong in why. */
int miniconda_check(const struct target_user *u, const char *prefix, struct strbuf *why);

#endif
