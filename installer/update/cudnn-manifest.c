/*
 * cudnn-manifest.c - NVIDIA's cuDNN redist manifest (see cudnn-manifest.h).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cudnn-manifest.h"
#include "json-parse.h"
#include "table.h"
#include "upstream-check.h"
#include "util.h"
#include "version.h"

#define PLATFORM "linux-x86_64"
#define ARCHIVE_DIR "cudnn/" PLATFORM "/"

static int bad(struct strbuf *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct strbuf *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(err, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* "cudnn-linux-x86_64-9.27.0.42_cuda13-archive.tar.xz" under cudnn/linux-x86_64/
 * -> 13: the archive's own name says which CUDA major it serves. */
static int archive_major(const char *path, const char *version, unsigned *ret)
{
	_cleanup_free_ char *prefix = xasprintf(ARCHIVE_DIR "cudnn-" PLATFORM "-%s_cuda", version);
	const char *p;
	char *end;
	unsigned long v;

	if (!startswith(path, prefix) || !upstream_safe_path(path))
		return -EINVAL;
	p = path + strlen(prefix);
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	v = strtoul(p, &end, 10);
	/* "_cuda13-archive" or "_cuda13.4-archive" */
	if (*end == '.')
		for (end++; isdigit((unsigned char)*end); end++)
			;
	if (v == 0 || v > 99 || !streq(end, "-archive.tar.xz"))
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

static int read_archive(struct json_object *o, const char *where, const char *version,
			struct cudnn_manifest_archive *a, struct strbuf *err)
{
	const char *path, *sha, *size;

	if (!(path = upstream_string(o, "relative_path")))
		return bad(err, "%s: 'relative_path' is missing or not a string", where);
	if (archive_major(path, version, &a->cuda_major) < 0)
		return bad(err, "%s: relative_path '%s' is not a cuDNN %s archive under %s", where, path, version,
			   ARCHIVE_DIR);
	if (!(sha = upstream_string(o, "sha256")) || !upstream_is_hex(sha, 64))
		return bad(err, "%s: 'sha256' is missing or not 64 lower-case hex digits", where);
	if (!(size = upstream_string(o, "size")) || table_parse_size(size, &a->size) < 0 || a->size == 0)
		return bad(err, "%s: 'size' is missing or not a byte count", where);
	a->relative_path = xstrdup(path);
	a->sha256 = xstrdup(sha);
	return 0;
}

static int add_archive(struct cudnn_manifest *m, struct json_object *o, const char *where, struct strbuf *err)
{
	struct cudnn_manifest_archive a = { 0 };
	int r = read_archive(o, where, m->version, &a, err);

	if (r < 0)
		return r;
	for (size_t i = 0; i < m->narchives; i++)
		if (m->archives[i].cuda_major == a.cuda_major) {
			free(a.relative_path);
			free(a.sha256);
			return bad(err, "%s: a second archive for CUDA %u", where, a.cuda_major);
		}
	m->archives = xrealloc(m->archives, (m->narchives + 1) * sizeof(*m->archives));
	/* Keep them by CUDA major, ascending. */
	size_t at = m->narchives;
	while (at > 0 && m->archives[at - 1].cuda_major > a.cuda_major)
		at--;
	memmove(&m->archives[at + 1], &m->archives[at], (m->narchives - at) * sizeof(*m->archives));
	m->archives[at] = a;
	m->narchives++;
	return 0;
}

/* The platform object: archives nested per CUDA major ("cuda12": {...}),
 * one archive directly in it (relative_path at this level), or both, as
 * in cuDNN 9.27's windows-arm64: each shape is read where it is. */
static int read_platform(struct cudnn_manifest *m, struct json_object *plat, struct strbuf *err)
{
	if (json_object_object_get_ex(plat, "relative_path", NULL)) {
		int r = add_archive(m, plat, "cudnn." PLATFORM, err);

		if (r < 0)
			return r;
	}
	json_object_object_foreach(plat, key, val) {
		_cleanup_free_ char *where = NULL;
		int r;

		if (!startswith(key, "cuda") || !isdigit((unsigned char)key[4]))
			continue;
		where = xasprintf("cudnn." PLATFORM ".%s", key);
		if (!json_object_is_type(val, json_type_object))
			return bad(err, "%s: not an object", where);
		r = add_archive(m, val, where, err);
		if (r < 0)
			return r;
	}
	if (m->narchives == 0)
		return bad(err, "cudnn." PLATFORM ": no archive in it");
	return 0;
}

int cudnn_manifest_parse(const char *text, size_t len, const char *label, struct cudnn_manifest *ret,
			 struct strbuf *err)
{
	struct json_object *doc = NULL, *comp, *plat;
	struct cudnn_manifest m = { 0 };
	const char *s;
	struct version v, l;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = json_parse_document(text, len, &doc, err);
	if (r < 0)
		return r;
	r = -EINVAL;
	if (!json_object_is_type(doc, json_type_object)) {
		bad(err, "not a JSON object");
		goto out;
	}
	if (!(s = upstream_string(doc, "release_label")) || version_parse(s, &l) < 0 || l.nparts != 3) {
		bad(err, "'release_label' is missing or not a version X.Y.Z");
		goto out;
	}
	if (label && !streq(s, label)) {
		bad(err, "release_label is %s, but the listing named %s", s, label);
		goto out;
	}
	m.label = xstrdup(s);
	if ((s = upstream_string(doc, "release_date")) && !upstream_is_date(s)) {
		bad(err, "'release_date' '%s' is not a date YYYY-MM-DD", s);
		goto out;
	}
	m.release_date = s ? xstrdup(s) : NULL;
	if (!json_object_object_get_ex(doc, "cudnn", &comp) || !json_object_is_type(comp, json_type_object)) {
		bad(err, "'cudnn' is missing or not an object");
		goto out;
	}
	if (!(s = upstream_string(comp, "version")) || version_parse(s, &v) < 0 || v.nparts != 4 ||
	    !version_matches(&v, &l)) {
		bad(err, "cudnn.version is missing or not a version of release %s (X.Y.Z.N)", m.label);
		goto out;
	}
	m.version = xstrdup(s);
	if (!json_object_object_get_ex(comp, PLATFORM, &plat) || !json_object_is_type(plat, json_type_object)) {
		bad(err, "cudnn." PLATFORM " is missing or not an object");
		goto out;
	}
	r = read_platform(&m, plat, err);
out:
	json_object_put(doc);
	if (r < 0) {
		cudnn_manifest_free(&m);
		return r;
	}
	*ret = m;
	return 0;
}

void cudnn_manifest_free(struct cudnn_manifest *m)
{
	for (size_t i = 0; i < m->narchives; i++) {
		free(m->archives[i].relative_path);
		free(m->archives[i].sha256);
	}
	free(m->archives);
	free(m->label);
	free(m->version);
	free(m->release_date);
	memset(m, 0, sizeof(*m));
}
