/*
 * update-sources.c - read each upstream source of `gpu-setup update` and
 * turn what is new into table rows (see update.h).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>

#include "cudnn-manifest.h"
#include "driver-releases.h"
#include "http-get.h"
#include "md5sum-list.h"
#include "redist-listing.h"
#include "torch-index.h"
#include "update-internal.h"
#include "util.h"

/* Where the rows point for downloads: NVIDIA's own hosts, whatever
 * mirror the update read (downloads try GPU_SETUP_NVIDIA_MIRROR first). */
#define NVIDIA_CUDNN_REDIST "https://developer.download.nvidia.com/compute/cudnn/redist/"
#define NVIDIA_CUDA "https://developer.download.nvidia.com/compute/cuda/"

static bool fail(struct update_source *src, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct update_source *src, const char *fmt, ...)
{
	va_list ap;

	free(src->error);
	va_start(ap, fmt);
	src->error = xvasprintf(fmt, ap);
	va_end(ap);
	return false;
}

static bool get(struct update_source *src, const char *url, struct http_doc *doc)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;

	if (!src->url)
		src->url = xstrdup(url);
	if (http_get(url, UPDATE_MAX_DOC, UPDATE_TIMEOUT_MS, doc, &err) < 0)
		return fail(src, "%s", err.buf);
	return true;
}

/* One row: "#@ from:" when it differs from the previous row's, "#@
 * inferred:" when given, then the cells; and a line for the report. */
static void add_row(struct update_source *src, const char *from, const char *inferred, const char *said,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void add_row(struct update_source *src, const char *from, const char *inferred, const char *said,
		    const char *fmt, ...)
{
	_cleanup_free_ char *line = NULL;
	va_list ap;

	/* Rows read from one document share one "#@ from:". */
	if (!src->last_from || !streq(src->last_from, from)) {
		strbuf_addf(&src->rows, "#@ from: %s\n", from);
		free(src->last_from);
		src->last_from = xstrdup(from);
	}
	if (inferred)
		strbuf_addf(&src->rows, "#@ inferred: %s\n", inferred);
	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	strbuf_addf(&src->rows, "%s\n", line);
	src->added = xrealloc(src->added, (src->nadded + 1) * sizeof(*src->added));
	src->added[src->nadded++] = xstrdup(said);
}

static void add_source(struct update_source *src, const char *url)
{
	strbuf_addf(&src->sources, "#   %s\n", url);
}

/* The releases a redist listing at url names that are newer than known
 * (NULL: every one), ascending, into *ret.  A listing whose newest
 * release is older than known is a stale copy: refused. */
static bool new_releases(struct update_source *src, const char *url, const struct version *known,
			 struct version **ret, size_t *ret_n)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct version *list = NULL;
	struct http_doc doc;
	size_t n = 0, k = 0;

	*ret = NULL;
	*ret_n = 0;
	if (!get(src, url, &doc))
		return false;
	add_source(src, url);
	if (redist_listing_parse(doc.data, doc.len, &list, &n, &err) < 0) {
		http_doc_free(&doc);
		return fail(src, "%s: %s", url, err.buf);
	}
	http_doc_free(&doc);
	if (known && version_cmp(&list[n - 1], known) < 0) {
		fail(src, "%s: its newest release, %u.%u.%u, is older than %u.%u.%u already known: a stale copy?", url,
		     list[n - 1].part[0], list[n - 1].part[1], list[n - 1].part[2], known->part[0], known->part[1],
		     known->part[2]);
		free(list);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (!known || version_cmp(&list[i], known) > 0)
			list[k++] = list[i];
	/* Each new release is one more document: a listing that names more
	 * than a year of them is not believed (a broken or hostile mirror). */
	if (k > UPDATE_MAX_NEW_RELEASES) {
		free(list);
		return fail(src, "%s: it names %zu releases newer than the tables, more than the %d one update reads: "
			    "a broken copy?", url, k, UPDATE_MAX_NEW_RELEASES);
	}
	*ret = list;
	*ret_n = k;
	return true;
}

/* ------------------------------------------------------------------ cuDNN */

/* The newest release (X.Y.Z) the tables know: the last row's. */
static struct version newest_cudnn_label(const struct compat_db *db)
{
	struct version v = { 0 };

	if (db->ncudnns) {
		v = db->cudnns[db->ncudnns - 1].v;
		v.nparts = 3;
	}
	return v;
}

/* A cuda11 archive of cuDNN 9 serves 11.8 only; of 8.x, every 11.x. */
static void cudnn_cuda_spec(unsigned cudnn_major, unsigned cuda_major, char *buf, size_t size)
{
	if (cuda_major == 11 && cudnn_major >= 9)
		snprintf(buf, size, "11.8");
	else if (cuda_major == 10)
		snprintf(buf, size, "10.2");
	else
		snprintf(buf, size, "%u", cuda_major);
}

static bool read_cudnn_manifest(struct update_source *src, const struct update_urls *u, const struct version *label)
{
	_cleanup_free_ char *l = xasprintf("%u.%u.%u", label->part[0], label->part[1], label->part[2]);
	_cleanup_free_ char *url = xasprintf("%sredistrib_%s.json", u->cudnn_redist, l);
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct http_doc doc;
	struct cudnn_manifest m;
	bool done = false;

	if (!get(src, url, &doc))
		return false;
	if (cudnn_manifest_parse(doc.data, doc.len, l, &m, &err) < 0) {
		fail(src, "%s: %s", url, err.buf);
		goto out;
	}
	for (size_t i = 0; i < m.narchives; i++) {
		const struct cudnn_manifest_archive *a = &m.archives[i];
		const char *base = strrchr(a->relative_path, '/') + 1;  /* checked: under cudnn/linux-x86_64/ */
		_cleanup_free_ char *from = xasprintf("%s (released %s)", url, m.release_date ? m.release_date : "on a day not given");
		_cleanup_free_ char *said = NULL;
		char spec[16];

		cudnn_cuda_spec(label->part[0], a->cuda_major, spec, sizeof(spec));
		said = xasprintf("cuDNN %s for CUDA %s", m.version, spec);
		add_row(src, from, NULL, said, "%s\t%s\t%s\ttxz\t%s%s\t%s\t%llu", m.version, spec, base,
			NVIDIA_CUDNN_REDIST, a->relative_path, a->sha256, a->size);
	}
	done = true;
	cudnn_manifest_free(&m);
out:
	http_doc_free(&doc);
	return done;
}

bool update_read_cudnn(struct update_source *src, const struct compat_db *db, const struct update_urls *u)
{
	struct version known = newest_cudnn_label(db), *list = NULL;
	size_t n = 0;
	bool ok = new_releases(src, u->cudnn_redist, db->ncudnns ? &known : NULL, &list, &n);

	for (size_t i = 0; i < n && ok; i++)
		ok = read_cudnn_manifest(src, u, &list[i]);
	free(list);
	return ok;
}

/* ------------------------------------------------------------------- CUDA */

static const struct cuda_info *previous_of_major(const struct compat_db *db, unsigned major)
{
	for (size_t i = db->ncudas; i-- > 0;)
		if (db->cudas[i].v.part[0] == major)
			return &db->cudas[i];
	return NULL;
}

static void join_sm(const struct cuda_info *t, struct strbuf *sb)
{
	for (size_t i = 0; i < t->nsm; i++)
		strbuf_addf(sb, "%s%u", i ? "," : "", t->sm[i]);
}

static void join_distros(const struct cuda_info *t, struct strbuf *sb)
{
	if (!t->distros) {
		strbuf_adds(sb, "-");
		return;
	}
	for (size_t i = 0; i < t->ndistros; i++)
		strbuf_addf(sb, "%s%s", i ? "," : "", t->distros[i]);
}

/* One new CUDA release: its runfile from md5sum.txt, the rest inherited. */
static bool read_cuda_release(struct update_source *src, const struct compat_db *db, const struct update_urls *u,
			      const struct version *v)
{
	_cleanup_free_ char *ver = xasprintf("%u.%u.%u", v->part[0], v->part[1], v->part[2]);
	_cleanup_free_ char *url = xasprintf("%s%s/docs/sidebar/md5sum.txt", u->cuda, ver);
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT, sm = STRBUF_INIT, distros = STRBUF_INIT;
	const struct cuda_info *prev = previous_of_major(db, v->part[0]);
	struct cuda_runfile_entry e;
	struct http_doc doc;
	int r;

	if (!get(src, url, &doc))
		return false;
	r = md5sum_find_runfile(doc.data, doc.len, ver, &e, &err);
	http_doc_free(&doc);
	if (r == -ENOENT)
		return true;  /* no Linux x86_64 runfile in this release: nothing to install */
	if (r < 0)
		return fail(src, "%s: %s", url, err.buf);
	if (!prev) {
		/* A new major: nothing to take its minimum driver from. */
		_cleanup_free_ char *said = xasprintf("CUDA %s left out: a new major, whose minimum driver and GPU "
						      "architectures NVIDIA publishes only in prose", ver);

		src->added = xrealloc(src->added, (src->nadded + 1) * sizeof(*src->added));
		src->added[src->nadded++] = xstrdup(said);
		cuda_runfile_entry_free(&e);
		return true;
	}
	join_sm(prev, &sm);
	join_distros(prev, &distros);
	{
		_cleanup_free_ char *from = xasprintf("%s (%s, md5 %s: NVIDIA publishes no sha256)", url, e.name, e.md5);
		_cleanup_free_ char *inferred = xasprintf("min_driver, compat_floor, sm, max_gcc, distros from %s",
							  prev->version);
		_cleanup_free_ char *said = xasprintf("CUDA %s (%s; minimum driver %s inferred from %s)", ver, e.name,
						      prev->min_driver, prev->version);
		/* A name without a driver: the runfile brings none (13.4.1 on). */
		const char *bundled = e.driver ? e.driver : "-";
		_cleanup_free_ char *gcc = prev->max_gcc ? xasprintf("%u", prev->max_gcc) : xstrdup("-");

		add_row(src, from, inferred, said, "%s\t%s\t%s\t%s\t%s\t%s\t%s%s/local_installers/%s\t-\t%s\t%s", ver,
			prev->min_driver, prev->compat_floor ? prev->compat_floor : "-", sm.buf, e.name, bundled,
			NVIDIA_CUDA, ver, e.name, gcc, distros.buf);
	}
	cuda_runfile_entry_free(&e);
	return true;
}

bool update_read_cuda(struct update_source *src, const struct compat_db *db, const struct update_urls *u)
{
	struct version *list = NULL;
	size_t n = 0;
	bool ok = new_releases(src, u->cuda_redist, db->ncudas ? &db->cudas[db->ncudas - 1].v : NULL, &list, &n);

	for (size_t i = 0; i < n && ok; i++)
		ok = read_cuda_release(src, db, u, &list[i]);
	if (ok)
		strbuf_addf(&src->sources, "#   %s<X.Y.Z>/docs/sidebar/md5sum.txt\n", u->cuda);
	free(list);
	return ok;
}

/* ---------------------------------------------------------------- PyTorch */

/* The newest build of variant, or NULL. */
static const struct fw_build *newest_of_variant(const struct compat_db *db, const char *variant)
{
	for (size_t i = db->nbuilds; i-- > 0;)
		if (db->builds[i].fw == FW_PYTORCH && streq(db->builds[i].variant, variant))
			return &db->builds[i];
	return NULL;
}

static bool read_torch_variant(struct update_source *src, const struct update_urls *u, const struct fw_build *last)
{
	_cleanup_free_ char *url = xasprintf("%s%s/torch/", u->pytorch_index, last->variant);
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct torch_index_release *rel = NULL;
	struct http_doc doc;
	size_t n = 0;

	if (!get(src, url, &doc))
		return false;
	add_source(src, url);
	if (torch_index_parse(doc.data, doc.len, last->variant, &rel, &n, &err) < 0) {
		http_doc_free(&doc);
		return fail(src, "%s: %s", url, err.buf);
	}
	http_doc_free(&doc);
	if (version_cmp(&rel[n - 1].series, &last->v) < 0) {
		fail(src, "%s: its newest release, %u.%u, is older than %s %s already known: a stale copy?", url,
		     rel[n - 1].series.part[0], rel[n - 1].series.part[1], last->version, last->variant);
		free(rel);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		const struct torch_index_release *r = &rel[i];
		_cleanup_free_ char *series = NULL, *said = NULL, *inferred = NULL;

		if (version_cmp(&r->series, &last->v) <= 0)
			continue;
		series = xasprintf("%u.%u", r->series.part[0], r->series.part[1]);
		inferred = xasprintf("cudnn, archs from %s %s", last->version, last->variant);
		said = xasprintf("PyTorch %s %s (Python %u.%u-%u.%u; cuDNN and architectures inferred from %s)", series,
				 last->variant, r->py_min.part[0], r->py_min.part[1], r->py_max.part[0], r->py_max.part[1],
				 last->version);
		add_row(src, url, inferred, said, "%s\t%s\t%s\t%u.%u\t%u.%u\t%s\t%s\t-", series, last->variant,
			last->cudnn ? last->cudnn : "-", r->py_min.part[0], r->py_min.part[1], r->py_max.part[0],
			r->py_max.part[1], last->archs_cell, last->index_url);
	}
	free(rel);
	return true;
}

bool update_read_pytorch(struct update_source *src, const struct compat_db *db, const struct update_urls *u)
{
	const struct fw_build *newest = NULL;

	for (size_t i = db->nbuilds; i-- > 0 && !newest;)
		if (db->builds[i].fw == FW_PYTORCH)
			newest = &db->builds[i];
	if (!newest)
		return fail(src, "the tables know no PyTorch release to start from");
	/* The variants of the newest release known: a new variant has no
	 * row to inherit its architectures from. */
	for (size_t i = 0; i < db->nbuilds; i++) {
		const struct fw_build *b = &db->builds[i];

		if (b->fw == FW_PYTORCH && version_cmp(&b->v, &newest->v) == 0 &&
		    !read_torch_variant(src, u, newest_of_variant(db, b->variant)))
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------- drivers */

bool update_read_drivers(struct update_source *src, const struct compat_db *db, const struct update_urls *u)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct driver_release_branch *list = NULL;
	const struct branch_info *newest = db->nbranches ? &db->branches[db->nbranches - 1] : NULL;
	struct http_doc doc;
	size_t n = 0;

	if (!get(src, u->driver_releases, &doc))
		return false;
	add_source(src, u->driver_releases);
	if (driver_releases_parse(doc.data, doc.len, &list, &n, &err) < 0) {
		http_doc_free(&doc);
		return fail(src, "%s: %s", u->driver_releases, err.buf);
	}
	http_doc_free(&doc);
	/* A copy that lacks the newest branch the tables already know a type
	 * for is stale: its types may be too (580 was new-feature once). */
	for (size_t i = db->nbranches; i-- > 0;)
		if (db->branches[i].type != BRANCH_TYPE_UNKNOWN) {
			if (list[n - 1].branch < db->branches[i].branch) {
				fail(src, "%s: its newest branch, %u, is older than branch %u already known: a stale copy?",
				     u->driver_releases, list[n - 1].branch, db->branches[i].branch);
				driver_releases_free(list, n);
				return false;
			}
			break;
		}
	for (size_t i = 0; i < n; i++) {
		const struct driver_release_branch *b = &list[i];
		const struct branch_info *known = compat_find_branch(db, b->branch);
		_cleanup_free_ char *said = NULL, *from = NULL, *inferred = NULL;

		if (b->type == BRANCH_TYPE_UNKNOWN || (known && known->type == b->type))
			continue;
		from = xasprintf("%s (\"%s\", newest %s)", u->driver_releases, b->type_text, b->newest);
		if (known) {
			said = xasprintf("branch %u: %s, was %s", b->branch, branch_type_name(b->type),
					 branch_type_name(known->type));
		} else {
			if (!newest)
				continue;
			inferred = xasprintf("open_modules from %u", newest->branch);
			said = xasprintf("branch %u: %s (new; open modules inferred from %u)", b->branch,
					 branch_type_name(b->type), newest->branch);
		}
		add_row(src, from, inferred, said, "%u\t%s\t%s", b->branch,
			branch_open_name(known ? known->open : newest->open), branch_type_name(b->type));
	}
	driver_releases_free(list, n);
	return true;
}
