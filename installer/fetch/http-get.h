/*
 * http-get.h - fetch a small document (an index page, a JSON manifest, a
 * checksum list) into memory, bounded in size and time.
 */
#ifndef GS_HTTP_GET_H
#define GS_HTTP_GET_H

#include <stddef.h>

#include "strbuf.h"

struct http_doc {
	char *data;          /* the body, NUL-terminated (data[len] == 0) */
	size_t len;
	char *content_type;  /* as the server said it, or NULL */
};

/* GET url, following redirects, into *ret.  A body larger than max bytes
 * is refused rather than cut.  Returns 0; -EHOSTUNREACH when no answer
 * came, -EIO for an HTTP status of 400 or more, -EFBIG for a body over
 * max; err says which, naming the URL. */
int http_get(const char *url, size_t max, long timeout_ms, struct http_doc *ret, struct strbuf *err);
void http_doc_free(struct http_doc *d);

#endif
