/*
 * pip-conf.h - read pip's configuration files (pip.conf) the way pip does:
 * pip hands each file to Python's configparser.RawConfigParser with its
 * defaults, so this reader follows those rules, and refuses what
 * configparser refuses (pip then refuses to run at all):
 *
 *   - lines end at \n, \r or \r\n (Python's universal newlines);
 *   - a line whose first non-blank character is # or ; is a comment,
 *     wherever it is; there are no comments after a value;
 *   - "[name]" starts a section (the name runs to the last ']' on the
 *     line, is case-sensitive and may hold anything; what follows the
 *     ']' is ignored);
 *   - "key = value" or "key: value" (the first = or : splits; the key is
 *     lowercased; the value may be empty);
 *   - a line indented deeper than its key's line continues the value
 *     (joined with \n); blank lines inside a value are kept, trailing ones
 *     are not;
 *   - [DEFAULT] gives every other section its keys;
 *   - errors: anything before the first section header, a line that is
 *     neither header nor key (or has an empty key), a section twice, a key
 *     twice in one section (configparser's strict mode).
 */
#ifndef GS_PIP_CONF_H
#define GS_PIP_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

struct pip_conf_item {
	char *section;   /* as written: "global", "install", "DEFAULT" */
	char *key;       /* lowercased as configparser does: "index-url", "index_url" */
	char *value;     /* continuation lines joined with \n */
	unsigned line;   /* of the key */
};

struct pip_conf {
	struct pip_conf_item *items;   /* in file order */
	size_t nitems;
	char **sections;               /* the sections other than DEFAULT, in file order */
	size_t nsections;
};

/* Parse text (NUL-terminated).  Returns 0, or -EINVAL with err (when not
 * NULL) set to "line N: why: 'the line'"; *ret is untouched on failure. */
int pip_conf_parse(const char *text, struct pip_conf *ret, struct strbuf *err);

/* The value pip sees for section.key, or NULL.  Keys compare the way pip
 * normalises them ("index_url" is "index-url", a leading "--" is dropped);
 * when the section has no such key, [DEFAULT]'s counts if the section
 * exists.  The last of several spellings wins, as in pip. */
const char *pip_conf_get(const struct pip_conf *c, const char *section, const char *key);

/* Whether a key as stored (lowercased, as configparser keeps it) is one
 * pip takes for wanted: "index_url" and "--index-url" are "index-url". */
bool pip_conf_same_key(const char *stored, const char *wanted);
/* For a stripped line b..e that starts with '[': the ']' that closes its
 * section header (the last one; the name must not be empty), or NULL when
 * the line is no header.  configparser's permissive pattern: what follows
 * that ']' is ignored. */
const char *pip_conf_header_close(const char *b, const char *e);

void pip_conf_free(struct pip_conf *c);

#endif
