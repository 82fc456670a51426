/*
 * distro-match.h - which release of distros.tsv a machine is planned as:
 * Ubuntu and Debian by ID and VERSION_ID; a derivative (Linux Mint, Pop!_OS,
 * elementary OS, Zorin OS, LMDE, ...) by the release its os-release names
 * (ID_LIKE says the family, UBUNTU_CODENAME or DEBIAN_CODENAME the base);
 * a release newer than the tables know as the newest release before it,
 * with a warning, rather than refused.
 */
#ifndef GS_DISTRO_MATCH_H
#define GS_DISTRO_MATCH_H

#include "compat.h"
#include "osinfo.h"
#include "strbuf.h"

enum distro_match_kind {
	DISTRO_KNOWN,       /* ID-VERSION_ID is a row */
	DISTRO_DERIVATIVE,  /* based on a row, by its codename */
	DISTRO_NEWER,       /* a release (or a derivative's base) the tables do not know yet */
};

struct distro_match {
	const struct distro_info *distro;   /* the row planned for */
	enum distro_match_kind kind;
	char *note;   /* DERIVATIVE: "Linux Mint 22 is based on Ubuntu 24.04 LTS (UBUNTU_CODENAME=noble)";
		       * NEWER: the warning; NULL for KNOWN */
	const char *suite;  /* the codename apt's sources name: the row's, or for a newer release its
			     * own (points into os or the row) */
};

/* Match os against db's distributions.  Returns 0 with *ret filled, or
 * -ENOENT when os is of no family gpu-setup knows, older than every release
 * it knows, or a derivative that names no base; err says which, with the
 * known releases. */
int distro_match(const struct compat_db *db, const struct os_release *os, struct distro_match *ret,
		 struct strbuf *err);
void distro_match_free(struct distro_match *m);

#endif
