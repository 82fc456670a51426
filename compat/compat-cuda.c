/*
 * compat-cuda.c - CUDA toolkits (cuda.tsv) and cuDNN archives (cudnn.tsv).
 */
#include "config.h"

#include <errno.h>

#include "compat.h"
#include "sha256.h"
#include "util.h"

#define NVIDIA_DOWNLOADS "https://developer.download.nvidia.com/"
#define NVIDIA_DEVELOPER "https://developer.nvidia.com/"

/* "-" or 64 lower-case hex digits; *ret is NULL for "-". */
static int parse_sha256(const char *cell, const char **ret)
{
	if (table_cell_unknown(cell)) {
		*ret = NULL;
		return 0;
	}
	if (!sha256_hex_canonical(cell))
		return -EINVAL;
	*ret = cell;
	return 0;
}

/* The URL must be NVIDIA's and end in "/" + file. */
static bool url_names_file(const char *url, const char *file)
{
	size_t lu = strlen(url), lf = strlen(file);

	/* 10.0 is served from developer.nvidia.com, everything else from
	 * developer.download.nvidia.com. */
	return (startswith(url, NVIDIA_DOWNLOADS) || startswith(url, NVIDIA_DEVELOPER)) && lu > lf + 1 && url[lu - lf - 1] == '/' &&
	       streq(url + lu - lf, file);
}

static int parse_sm_list(const char *cell, unsigned **ret, size_t *ret_n)
{
	_cleanup_free_ char **items = NULL;
	unsigned *sm;
	size_t n;

	if (table_split_list(cell, &items, &n) < 0)
		return -EINVAL;
	sm = xcalloc(n, sizeof(*sm));
	for (size_t i = 0; i < n; i++)
		if (table_parse_uint(items[i], 999, &sm[i]) < 0 || sm[i] < 10 ||
		    (i > 0 && sm[i] <= sm[i - 1])) {
			free(sm);
			return -EINVAL;
		}
	*ret = sm;
	*ret_n = n;
	return 0;
}

static const char *const cuda_cols[] = { "version", "min_driver", "compat_floor", "sm", "runfile",
					 "bundled_driver", "url", "sha256", "max_gcc", "distros" };

static int parse_cuda_row(const struct table *t, const struct table_row *row, struct cuda_info *c,
			  struct strbuf *err)
{
	const char *const *cols = cuda_cols;
	char **cell = row->cells;
	_cleanup_free_ char *prefix = NULL;
	struct version v;

	if (version_parse(cell[0], &c->v) < 0 || c->v.nparts != 3)
		return table_bad(err, t, row, cols[0], "expected a full version such as 12.8.1");
	c->version = cell[0];
	if (version_parse(cell[1], &c->min_drv) < 0 || c->min_drv.nparts < 2)
		return table_bad(err, t, row, cols[1], "expected a driver version such as 570.124.06");
	c->min_driver = cell[1];
	c->floor_drv = c->min_drv;
	if (!table_cell_unknown(cell[2]) &&
	    (version_parse(cell[2], &c->floor_drv) < 0 || version_cmp(&c->floor_drv, &c->min_drv) > 0))
		return table_bad(err, t, row, cols[2], "expected a driver version not above min_driver, or '-'");
	c->compat_floor = table_cell_unknown(cell[2]) ? NULL : cell[2];
	if (parse_sm_list(cell[3], &c->sm, &c->nsm) < 0)
		return table_bad(err, t, row, cols[3], "expected ascending SM numbers such as 75,80,86");
	prefix = xasprintf("cuda_%s_", c->version);
	if (!startswith(cell[4], prefix))
		return table_bad(err, t, row, cols[4], "expected NVIDIA's file name, starting '%s'", prefix);
	c->runfile = cell[4];
	/* From 13.4.1 on the runfile brings no driver. */
	if (!table_cell_unknown(cell[5]) && (version_parse(cell[5], &v) < 0 || version_cmp(&v, &c->min_drv) < 0))
		return table_bad(err, t, row, cols[5], "expected a driver version not below min_driver, or '-'");
	c->bundled_driver = table_cell_unknown(cell[5]) ? NULL : cell[5];
	if (!url_names_file(cell[6], c->runfile))
		return table_bad(err, t, row, cols[6], "expected an NVIDIA URL ending in /%s", c->runfile);
	c->url = cell[6];
	if (parse_sha256(cell[7], &c->sha256) < 0)
		return table_bad(err, t, row, cols[7], "expected 64 lower-case hex digits or '-'");
	if (table_cell_unknown(cell[8]))
		c->max_gcc = 0;
	else if (table_parse_uint(cell[8], 99, &c->max_gcc) < 0 || c->max_gcc == 0)
		return table_bad(err, t, row, cols[8], "expected a gcc major version or '-'");
	if (!table_cell_unknown(cell[9]) && table_split_list(cell[9], &c->distros, &c->ndistros) < 0)
		return table_bad(err, t, row, cols[9], "expected comma-separated distributions or '-'");
	return 0;
}

int compat_load_cuda(struct compat_db *db, const char *dir, struct strbuf *err)
{
	const char *const *cols = cuda_cols;
	struct table *t = compat_open_table(db, dir, "cuda.tsv", cols, ELEMENTSOF(cuda_cols), err);

	if (!t)
		return -EINVAL;
	db->cudas = xcalloc(t->nrows, sizeof(*db->cudas));
	for (size_t i = 0; i < t->nrows; i++) {
		struct cuda_info *c = &db->cudas[i];
		int r = parse_cuda_row(t, &t->rows[i], c, err);

		row_origin_set(&c->origin, &t->rows[i]);
		db->ncudas++;  /* counted before checks so its lists are freed */
		if (r < 0)
			return r;
		if (i > 0 && version_cmp(&c->v, &db->cudas[i - 1].v) <= 0)
			return table_bad(err, t, &t->rows[i], cols[0], "versions must be ascending and unique");
		if (i > 0 && version_cmp(&c->min_drv, &db->cudas[i - 1].min_drv) < 0)
			return table_bad(err, t, &t->rows[i], cols[1],
					 "a newer toolkit cannot need an older driver than %s", db->cudas[i - 1].version);
	}
	return 0;
}

/* "A.B-C.D", "A.B" or "A" (every A.x) -> [lo, hi] as version_key2. */
static int parse_cuda_range(const char *spec, unsigned *lo, unsigned *hi)
{
	_cleanup_free_ char *copy = xstrdup(spec);
	char *dash = strchr(copy, '-');
	struct version a, b;

	if (dash)
		*dash = '\0';
	if (version_parse(copy, &a) < 0 || a.nparts > 2)
		return -EINVAL;
	if (dash) {
		if (version_parse(dash + 1, &b) < 0 || b.nparts != 2 || a.nparts != 2 ||
		    version_cmp(&b, &a) < 0)
			return -EINVAL;
	} else {
		b = a;
	}
	*lo = version_key2(&a);
	*hi = b.nparts == 1 ? b.part[0] * 100 + 99 : version_key2(&b);
	return 0;
}

static const char *const cudnn_cols[] = { "version", "cuda", "archive", "layout", "url", "sha256", "size" };

static int parse_cudnn_row(const struct table *t, const struct table_row *row, struct cudnn_info *c,
			   struct strbuf *err)
{
	const char *const *cols = cudnn_cols;
	char **cell = row->cells;

	if (version_parse(cell[0], &c->v) < 0 || c->v.nparts != 4)
		return table_bad(err, t, row, cols[0], "expected a full cuDNN version such as 9.1.0.70");
	c->version = cell[0];
	if (parse_cuda_range(cell[1], &c->cuda_lo, &c->cuda_hi) < 0)
		return table_bad(err, t, row, cols[1], "expected CUDA versions as 11.0-11.2, 11.8 or 12");
	c->cuda_spec = cell[1];
	if (!strstr(cell[2], c->version))
		return table_bad(err, t, row, cols[2], "the archive name must contain the version %s",
				 c->version);
	c->archive = cell[2];
	if (streq(cell[3], "tgz") && endswith(c->archive, ".tgz"))
		c->layout = CUDNN_LAYOUT_TGZ;
	else if (streq(cell[3], "txz") && endswith(c->archive, "-archive.tar.xz"))
		c->layout = CUDNN_LAYOUT_TXZ;
	else
		return table_bad(err, t, row, cols[3],
				 "expected tgz (a .tgz archive) or txz (a -archive.tar.xz archive)");
	if (!url_names_file(cell[4], c->archive))
		return table_bad(err, t, row, cols[4], "expected an NVIDIA URL ending in /%s", c->archive);
	c->url = cell[4];
	if (parse_sha256(cell[5], &c->sha256) < 0)
		return table_bad(err, t, row, cols[5], "expected 64 lower-case hex digits or '-'");
	if (!table_cell_unknown(cell[6]) && (table_parse_size(cell[6], &c->size) < 0 || c->size == 0))
		return table_bad(err, t, row, cols[6], "expected the archive's size in bytes or '-'");
	return 0;
}

int compat_load_cudnn(struct compat_db *db, const char *dir, struct strbuf *err)
{
	const char *const *cols = cudnn_cols;
	struct table *t = compat_open_table(db, dir, "cudnn.tsv", cols, ELEMENTSOF(cudnn_cols), err);

	if (!t)
		return -EINVAL;
	db->cudnns = xcalloc(t->nrows, sizeof(*db->cudnns));
	for (size_t i = 0; i < t->nrows; i++) {
		struct cudnn_info *c = &db->cudnns[i], *prev = i ? &db->cudnns[i - 1] : NULL;
		int r = parse_cudnn_row(t, &t->rows[i], c, err);

		row_origin_set(&c->origin, &t->rows[i]);
		if (r < 0)
			return r;
		if (prev && (version_cmp(&c->v, &prev->v) < 0 ||
			     (version_cmp(&c->v, &prev->v) == 0 && c->cuda_lo <= prev->cuda_hi)))
			return table_bad(err, t, &t->rows[i], cols[0],
					 "rows must be sorted by version, then by non-overlapping CUDA ranges");
		db->ncudnns++;
	}
	return 0;
}
