/*
 * redist-listing.c - manifests linked from a redist folder's index page
 * (see redist-listing.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "redist-listing.h"
#include "util.h"

#define MANIFEST_PREFIX "redistrib_"
#define MANIFEST_SUFFIX ".json"

static int cmp_version(const void *a, const void *b)
{
	return version_cmp(a, b);
}

/* At p, just after href=: the quoted target when it names a manifest;
 * its version in *v. */
static bool manifest_href(const char *p, const char *end, struct version *v)
{
	char quote;
	const char *q, *close;

	if (p >= end || (*p != '"' && *p != '\''))
		return false;
	quote = *p++;
	close = memchr(p, quote, (size_t)(end - p));
	if (!close)
		return false;
	if (close - p > 2 && p[0] == '.' && p[1] == '/')
		p += 2;
	if ((size_t)(close - p) <= strlen(MANIFEST_PREFIX) + strlen(MANIFEST_SUFFIX) ||
	    memcmp(p, MANIFEST_PREFIX, strlen(MANIFEST_PREFIX)) != 0 ||
	    memcmp(close - strlen(MANIFEST_SUFFIX), MANIFEST_SUFFIX, strlen(MANIFEST_SUFFIX)) != 0)
		return false;
	q = p + strlen(MANIFEST_PREFIX);
	return version_parse_n(q, (size_t)(close - strlen(MANIFEST_SUFFIX) - q), 9, v) == 0 && v->nparts == 3;
}

int redist_listing_parse(const char *html, size_t len, struct version **ret, size_t *ret_n, struct strbuf *err)
{
	const char *end = html + len, *p = html;
	struct version *list = NULL;
	size_t n = 0, alloc = 0;

	while (p < end) {
		const char *h = memmem(p, (size_t)(end - p), "href=", 5);
		struct version v;

		if (!h)
			break;
		p = h + 5;
		if (!manifest_href(p, end, &v))
			continue;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			list = xrealloc(list, alloc * sizeof(*list));
		}
		list[n++] = v;
	}
	if (n == 0) {
		strbuf_adds(err, "links no redistrib_X.Y.Z.json manifest: not NVIDIA's redist listing");
		free(list);
		return -EINVAL;
	}
	qsort(list, n, sizeof(*list), cmp_version);
	/* The same manifest may be linked twice (name and icon). */
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || version_cmp(&list[k - 1], &list[i]) != 0)
			list[k++] = list[i];
	*ret = list;
	*ret_n = k;
	return 0;
}
