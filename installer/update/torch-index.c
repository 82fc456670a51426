/*
 * torch-index.c - PyTorch's per-variant index page (see torch-index.h).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "torch-index.h"
#include "upstream-check.h"
#include "util.h"

/* "torch-2.14.0+cu126-cp312-cp312-manylinux_2_28_x86_64.whl": the series
 * and the Python of a Linux x86_64 wheel of variant; false for any other
 * file (another variant, a source archive, another platform). */
static bool wheel_of(const char *name, size_t n, const char *variant, struct version *series, struct version *py)
{
	_cleanup_free_ char *w = xstrndup(name, n);
	char *ver, *local, *tag, *rest, *plus, *dash;
	struct version v;
	unsigned long minor;

	if (!startswith(w, "torch-") || !endswith(w, ".whl") || !strstr(w, "linux") || !strstr(w, "x86_64"))
		return false;
	ver = w + strlen("torch-");
	dash = strchr(ver, '-');
	if (!dash)
		return false;
	*dash = '\0';
	plus = strchr(ver, '+');
	if (!plus)
		return false;
	*plus = '\0';
	local = plus + 1;
	if (!streq(local, variant) || version_parse(ver, &v) < 0 || v.nparts != 3)
		return false;
	tag = dash + 1;
	rest = strchr(tag, '-');
	if (!rest || !startswith(tag, "cp3") || !isdigit((unsigned char)tag[3]))
		return false;
	*rest = '\0';
	minor = strtoul(tag + 3, &rest, 10);
	if (*rest || minor > 99)
		return false;
	*series = (struct version){ .nparts = 2, .part = { v.part[0], v.part[1] } };
	*py = (struct version){ .nparts = 2, .part = { 3, (unsigned)minor } };
	return true;
}

static int cmp_release(const void *a, const void *b)
{
	return version_cmp(&((const struct torch_index_release *)a)->series,
			   &((const struct torch_index_release *)b)->series);
}

static void note(struct torch_index_release **list, size_t *n, const struct version *series, const struct version *py)
{
	for (size_t i = 0; i < *n; i++) {
		struct torch_index_release *r = &(*list)[i];

		if (version_cmp(&r->series, series) == 0) {
			if (version_cmp(py, &r->py_min) < 0)
				r->py_min = *py;
			if (version_cmp(py, &r->py_max) > 0)
				r->py_max = *py;
			return;
		}
	}
	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = (struct torch_index_release){ .series = *series, .py_min = *py, .py_max = *py };
}

/* The digest in an href "...#sha256=HEX" must be one. */
static bool digest_ok(const char *href, size_t n)
{
	const char *d = memmem(href, n, "#sha256=", 8);
	_cleanup_free_ char *hex = NULL;

	if (!d)
		return true;
	d += 8;
	hex = xstrndup(d, (size_t)(href + n - d));
	return upstream_is_hex(hex, 64);
}

int torch_index_parse(const char *html, size_t len, const char *variant, struct torch_index_release **ret,
		      size_t *ret_n, struct strbuf *err)
{
	const char *end = html + len, *p = html;
	struct torch_index_release *list = NULL;
	size_t n = 0;

	while (p < end) {
		const char *a = memmem(p, (size_t)(end - p), "<a ", 3), *gt, *close, *href, *hend;
		struct version series, py;

		if (!a)
			break;
		gt = memchr(a, '>', (size_t)(end - a));
		close = gt ? memmem(gt, (size_t)(end - gt), "</a>", 4) : NULL;
		if (!close)
			break;
		p = close + 4;
		href = memmem(a, (size_t)(gt - a), "href=\"", 6);
		hend = href ? memchr(href + 6, '"', (size_t)(gt - href - 6)) : NULL;
		if (!wheel_of(gt + 1, (size_t)(close - gt - 1), variant, &series, &py))
			continue;
		if (hend && !digest_ok(href + 6, (size_t)(hend - href - 6))) {
			free(list);
			strbuf_addf(err, "the digest of %.*s is not a sha256", (int)(close - gt - 1), gt + 1);
			return -EINVAL;
		}
		note(&list, &n, &series, &py);
	}
	if (n == 0) {
		strbuf_addf(err, "lists no Linux x86_64 torch wheel of %s: not its index page", variant);
		return -EINVAL;
	}
	qsort(list, n, sizeof(*list), cmp_release);
	*ret = list;
	*ret_n = n;
	return 0;
}
