/*
 * condarc-edit.h - point a .condarc at a mirror and change nothing else.
 *
 * gpu-setup manages four top-level keys: channels, show_channel_urls,
 * default_channels and custom_channels.  Every other top-level key, every
 * comment and blank line outside those four stays byte for byte; a managed
 * key that already says what it should stays byte for byte too, so merging
 * the result again gives the same bytes.  A managed key that must change
 * is rewritten where it stands, in block style with two-space indentation
 * (URLs and names plain unless YAML needs quotes); a missing one is added
 * after the last top-level key.  What the keys become:
 *
 *   channels           the user's list, with `defaults` added at its end
 *                      when missing; [defaults] when there is none (conda
 *                      25.9 and later add no implicit `defaults`)
 *   show_channel_urls  true
 *   default_channels   the mirror's list
 *   custom_channels    the user's entries kept in their order; conda-forge
 *                      and pytorch set to the mirror's cloud when it serves
 *                      them, removed when it does not (the key goes when
 *                      nothing is left)
 *
 * Refused, with "line N: why": text that is not YAML or not one document,
 * a top level that is not a block mapping, a managed key whose value is
 * not of conda's type (condarc.h's rules), that uses anchors or aliases,
 * or that does not start its own line.
 */
#ifndef GS_CONDARC_EDIT_H
#define GS_CONDARC_EDIT_H

#include <stddef.h>

#include "strbuf.h"

struct condarc_mirror {
	char *const *default_channels;  /* NULL-terminated */
	const char *cloud;              /* custom_channels URL; NULL: the mirror serves none */
	char *const *cloud_channels;    /* NULL-terminated, of conda-forge and pytorch: what cloud serves */
};

/* The custom channels gpu-setup sets or removes: the rest are the user's. */
#define CONDARC_MANAGED_CUSTOM { "conda-forge", "pytorch" }

/* The text of a .condarc (len bytes; "" for none) pointed at m.  Returns 0
 * with *ret_text (NUL-terminated, free() it) and *ret_len, or -EINVAL with
 * err set ("line N, column C: why" or "line N: why"). */
int condarc_set_mirror(const char *text, size_t len, const struct condarc_mirror *m, char **ret_text,
		       size_t *ret_len, struct strbuf *err);

#endif
