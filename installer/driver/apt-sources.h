/*
 * apt-sources.h - make sure the Debian archive entries of apt's sources
 * carry the components NVIDIA's driver packages live in (contrib,
 * non-free, non-free-firmware), which a stock Debian install leaves out.
 *
 * Three layers: a pure text function (one file's text in, the fixed text
 * out; what the tests and the fuzzer drive), a scan that runs it over the
 * target's sources files under the sysroot and returns a plan to show the
 * user, and an apply that writes that plan, all or nothing, after backing
 * each file up.
 *
 * An entry is "of the Debian archive for the release" when it is enabled,
 * its types include deb (deb-src is left alone), one of its suites is
 * CODENAME, CODENAME-updates, CODENAME-security or CODENAME/updates, and
 * its components include main.  Only such entries are touched; everything
 * else in a file (comments, spacing, options in brackets, other entries,
 * the presence or absence of a final newline) stays byte for byte.
 */
#ifndef GS_APT_SOURCES_H
#define GS_APT_SOURCES_H

#include <stddef.h>
#include <sys/types.h>

#include "strbuf.h"

enum apt_sources_format {
	APT_SOURCES_ONE_LINE,   /* sources.list, sources.list.d/NAME.list */
	APT_SOURCES_DEB822,     /* sources.list.d/NAME.sources */
};

/* The components to add for a distribution key as in compat/distros.tsv
 * ("debian-12"): contrib non-free for Debian 11, plus non-free-firmware
 * from Debian 12 (bookworm) on, where that component first exists.  A
 * static NULL-terminated list, or NULL for anything else (Ubuntu, Debian
 * before 11, a malformed key). */
const char *const *debian_nonfree_components(const char *distro_id_version);

/* Add the missing entries of components (NULL-terminated, added in this
 * order after the existing ones) to every Debian archive entry for
 * codename in text (NUL-terminated; '\r' counts as a blank, so CRLF files
 * keep their line ends).  In deb822 stanzas the Components field is
 * extended, which gives the components to all of the stanza's suites and
 * types.
 *
 * Returns the number of entries changed (0: nothing to do), with
 * *ret_text the new text (malloc'ed; the same bytes as text when 0) and,
 * when ret_found is not NULL, *ret_found the number of Debian archive
 * entries for codename, complete or not (0: the sources have none, and
 * adding components cannot help).  changes, when not NULL, gets one line
 * per changed entry, each ending in '\n':
 *   line 3: http://deb.debian.org/debian bookworm: main -> main contrib non-free
 * (the entry's line, or its Components line; its URIs; its suites; the
 * components before and after).
 * Returns -EINVAL for text apt would not read either, with "line N: what
 * is wrong" appended to err (when not NULL) and nothing to changes. */
int apt_sources_fix_text(const char *text, enum apt_sources_format fmt, const char *codename,
			 const char *const *components, char **ret_text, unsigned *ret_found,
			 struct strbuf *changes, struct strbuf *err);

/* One sources file that needs changing. */
struct apt_sources_file {
	char *path;        /* on the target: "/etc/apt/sources.list" (no sysroot) */
	char *old_text;    /* as read */
	char *new_text;    /* as it will be written */
	char *changes;     /* apt_sources_fix_text's lines, each ending in '\n' */
	unsigned changed;  /* entries changed in this file */
	mode_t mode;       /* permission bits of the file, kept on rewrite */
	uid_t uid;
	gid_t gid;
};

struct apt_sources_plan {
	struct apt_sources_file *files;  /* only files that change, in apt's order */
	size_t nfiles;                   /* 0: nothing to do */
	unsigned found;                  /* Debian archive entries for the release
					    in all files, complete or not */
};

/* Read /etc/apt/sources.list and, in name order, the NAME.list and
 * NAME.sources files of /etc/apt/sources.list.d (names as apt accepts
 * them: letters, digits, '_', '-', '.'; other names are skipped as apt
 * skips them), under the sysroot, and run apt_sources_fix_text on each.
 * Missing files or directory are fine.  Returns 0 with *ret filled, or a
 * negative errno with "PATH: what is wrong" appended to err (when not
 * NULL): -EINVAL for a file that does not parse (or holds a NUL byte),
 * -EFBIG for one over 1 MiB, or a read error. */
int apt_sources_scan(const char *codename, const char *const *components,
		     struct apt_sources_plan *ret, struct strbuf *err);
void apt_sources_plan_free(struct apt_sources_plan *p);

/* Where apply keeps the old text of path: "PATH.gpu-setup-STAMP.bak", in
 * the same directory (apt ignores *.bak in sources.list.d silently).
 * A path on the target, as path is. */
char *apt_sources_backup_path(const char *path, const char *stamp);

/* Write the plan, all or nothing.  First every file is checked, before
 * anything changes: it must still be a regular file (-ELOOP for a
 * symbolic link, which is not edited through) with exactly the old text
 * (-ESTALE when it changed since the scan), and its backup name must be
 * free (-EEXIST; a backup is never overwritten).  stamp must be non-empty
 * and made of letters, digits, '_', '-', '.' (-EINVAL).  Then, file by
 * file, the old text is written to the backup (same mode and owner), and
 * the new text atomically to the file (same mode and owner).  When a step
 * fails, the files already rewritten get their old text back and the
 * backups made so far are removed, so the sources are as before; only
 * when such a restore fails too is that file's backup kept, to restore by
 * hand.  Returns the number of files rewritten, or a negative errno with
 * "PATH: what failed" appended to err (when not NULL). */
int apt_sources_apply(const struct apt_sources_plan *p, const char *stamp, struct strbuf *err);

/* Undo a successful apt_sources_apply of p with stamp: every file gets its
 * old text back and its backup goes.  0, or -EIO when a file could not be
 * restored (err says which, and that its backup is kept). */
int apt_sources_revert(const struct apt_sources_plan *p, const char *stamp, struct strbuf *err);


#endif
