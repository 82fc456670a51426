/*
 * pip-conf-edit.h - set pip's index in a pip.conf and change nothing else:
 * every other line (comments, other keys and sections, blank lines, CRLF
 * line ends) stays byte for byte.  The file is first read by pip's rules
 * (pip-conf.h); one pip cannot read is refused rather than edited, since
 * pip would go on refusing it.
 */
#ifndef GS_PIP_CONF_EDIT_H
#define GS_PIP_CONF_EDIT_H

#include <stddef.h>

#include "strbuf.h"

/* The text of a pip.conf (len bytes; "" for a file that does not exist)
 * with [global] index-url set to url:
 *   - when pip already reads url as global.index-url, the text itself;
 *   - else an index-url in [global] (any spelling pip takes for it:
 *     index_url, Index-URL, --index-url) is replaced where the first one
 *     stands, with the indentation it had, and the others are removed,
 *     each with its continuation lines;
 *   - else the line goes right after the [global] header, indented like
 *     the line that follows it (so that line cannot become a continuation
 *     of the new one);
 *   - else a [global] section with the line is added at the end, after a
 *     blank line.
 * New lines end the way the file's first line does (\n without one).
 * Returns 0 with *ret_text (NUL-terminated, free() it) and *ret_len, or
 * -EINVAL with err set ("line N: why: 'text'") when the text is not a
 * pip.conf pip can read or url cannot be a value (empty, blanks at its
 * ends, a line break). */
int pip_conf_set_index_url(const char *text, size_t len, const char *url, char **ret_text, size_t *ret_len,
			   struct strbuf *err);

#endif
