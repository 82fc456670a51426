/*
 * condarc.h - read the channel settings of a conda configuration file
 * (.condarc) with libyaml.
 *
 * conda loads each file as one YAML document whose top level is a
 * mapping (an empty file, or one holding only comments, is an empty
 * configuration).  Of its keys this reader keeps what decides where conda
 * downloads from:
 *   channels:          a list of channel names or URLs ("defaults" among them)
 *   default_channels:  a list of URLs "defaults" stands for
 *   custom_channels:   a mapping of channel name to the URL it lives under
 *   channel_alias:     the URL plain channel names are looked up under
 * Everything else is read (so malformed YAML anywhere is an error) and
 * ignored.  A key given twice at the top level is an error, as in conda's
 * YAML loader (ruamel.yaml refuses duplicate keys).
 */
#ifndef GS_CONDARC_H
#define GS_CONDARC_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

struct condarc_custom {
	char *name;
	char *url;
};

struct condarc {
	char **channels;
	size_t nchannels;
	char **default_channels;
	size_t ndefault_channels;
	struct condarc_custom *custom_channels;
	size_t ncustom_channels;
	char *channel_alias;    /* NULL when not set */
};

/* Parse len bytes of text.  Returns 0, or -EINVAL with err (when not NULL)
 * set to "line L, column C: problem" (libyaml's words for malformed YAML,
 * counted from 1; or what is wrong with a key's value).  *ret is untouched
 * on failure. */
int condarc_parse(const char *text, size_t len, struct condarc *ret, struct strbuf *err);

void condarc_free(struct condarc *c);

#endif
