/*
 * compat-frameworks.c - framework builds: PyTorch releases and their CUDA
 * wheel variants (pytorch.tsv), TensorFlow releases and the CUDA and cuDNN
 * they were tested with (tensorflow.tsv).
 */
#include "config.h"

#include <errno.h>

#include "compat.h"
#include "util.h"

/* "cu128" -> CUDA 12.8, "cu102" -> 10.2: the last digit is the minor. */
static int parse_variant(const char *cell, struct version *ret)
{
	unsigned n;

	if (!startswith(cell, "cu") || strlen(cell) < 4 || strlen(cell) > 5 ||
	    table_parse_uint(cell + 2, 999, &n) < 0 || cell[2] == '0')
		return -EINVAL;
	ret->nparts = 2;
	ret->part[0] = n / 10;
	ret->part[1] = n % 10;
	return 0;
}

/* "7.5,8.0,12.0+PTX" */
static int parse_archs(const char *cell, struct wheel_arch **ret, size_t *ret_n)
{
	_cleanup_free_ char **items = NULL;
	struct wheel_arch *a;
	size_t n;

	if (table_split_list(cell, &items, &n) < 0)
		return -EINVAL;
	a = xcalloc(n, sizeof(*a));
	for (size_t i = 0; i < n; i++) {
		char *plus = strchr(items[i], '+');

		if (plus) {
			if (!streq(plus, "+PTX"))
				goto bad;
			*plus = '\0';
			a[i].ptx = true;
		}
		if (table_parse_cc(items[i], &a[i].cc) < 0 || (i > 0 && a[i].cc <= a[i - 1].cc))
			goto bad;
	}
	*ret = a;
	*ret_n = n;
	return 0;
bad:
	free(a);
	return -EINVAL;
}

/* Python range: both "X.Y" or both "-". */
static int parse_python(const struct table *t, const struct table_row *row, const char *const *cols,
			size_t col, struct fw_build *b, struct strbuf *err)
{
	char **c = row->cells;

	if (table_cell_unknown(c[col]) && table_cell_unknown(c[col + 1]))
		return 0;
	if (version_parse(c[col], &b->py_min) < 0 || b->py_min.nparts != 2)
		return table_bad(err, t, row, cols[col], "expected a Python version such as 3.10");
	if (version_parse(c[col + 1], &b->py_max) < 0 || b->py_max.nparts != 2 ||
	    version_cmp(&b->py_max, &b->py_min) < 0)
		return table_bad(err, t, row, cols[col + 1], "expected a Python version not below %s",
				 cols[col]);
	b->python_min = c[col];
	b->python_max = c[col + 1];
	return 0;
}

static int parse_release(const struct table *t, const struct table_row *row, const char *col,
			 struct fw_build *b, struct strbuf *err)
{
	if (version_parse(row->cells[0], &b->v) < 0 || b->v.nparts != 2)
		return table_bad(err, t, row, col, "expected a release series such as 2.7");
	b->version = row->cells[0];
	return 0;
}

static int check_order(const struct table *t, const struct table_row *row, const struct fw_build *b,
		       const struct fw_build *prev, struct strbuf *err)
{
	int c;

	if (!prev || prev->fw != b->fw)
		return 0;
	c = version_cmp(&b->v, &prev->v);
	if (c < 0 || (c == 0 && version_cmp(&b->cuda, &prev->cuda) <= 0))
		return table_bad(err, t, row, "version",
				 "rows must be sorted by release, then by ascending CUDA, without repeats");
	return 0;
}

static const char *const pytorch_cols[] = { "version", "variant", "cudnn", "python_min",
					     "python_max", "archs", "index_url", "pypi" };
static const char *const tensorflow_cols[] = { "version", "python_min", "python_max", "cudnn", "cuda",
						"package" };

/* Another build of b's release that PyPI carries, or NULL. */
static const struct fw_build *first_pypi(const struct compat_db *db, const struct fw_build *b)
{
	for (const struct fw_build *p = db->builds; p < b; p++)
		if (p->fw == b->fw && p->on_pypi && streq(p->version, b->version))
			return p;
	return NULL;
}

static int load_pytorch(struct compat_db *db, const struct table *t, struct strbuf *err)
{
	const char *const *cols = pytorch_cols;
	const struct fw_build *pypi_default;

	for (size_t i = 0; i < t->nrows; i++) {
		const struct table_row *row = &t->rows[i];
		struct fw_build *b = &db->builds[db->nbuilds];
		char **c = row->cells;
		int r;

		row_origin_set(&b->origin, row);
		b->fw = FW_PYTORCH;
		b->package = "torch";
		db->nbuilds++;  /* counted first so a partly parsed row is freed */
		r = parse_release(t, row, cols[0], b, err);
		if (r < 0)
			return r;
		if (parse_variant(c[1], &b->cuda) < 0)
			return table_bad(err, t, row, cols[1], "expected a CUDA wheel variant such as cu128");
		b->variant = c[1];
		if (!table_cell_unknown(c[2])) {
			if (version_parse(c[2], &b->cudnn_v) < 0)
				return table_bad(err, t, row, cols[2], "expected a cuDNN version or '-'");
			b->cudnn = c[2];
		}
		r = parse_python(t, row, cols, 3, b, err);
		if (r < 0)
			return r;
		b->archs_cell = c[5];
		if (!table_cell_unknown(c[5]) && parse_archs(c[5], &b->archs, &b->narchs) < 0)
			return table_bad(err, t, row, cols[5],
					 "expected ascending compute capabilities such as 7.5,8.0,12.0+PTX, or '-'");
		if (!startswith(c[6], "https://") || strlen(c[6]) <= strlen(c[1]) ||
		    !streq(c[6] + strlen(c[6]) - strlen(c[1]), c[1]) || c[6][strlen(c[6]) - strlen(c[1]) - 1] != '/')
			return table_bad(err, t, row, cols[6], "expected an https:// index URL ending in /%s", c[1]);
		b->index_url = c[6];
		if (!streq(c[7], "yes") && !streq(c[7], "no") && !table_cell_unknown(c[7]))
			return table_bad(err, t, row, cols[7], "expected yes (PyPI's torch is this variant), no or '-'");
		b->on_pypi = streq(c[7], "yes");
		r = check_order(t, row, b, i ? b - 1 : NULL, err);
		if (r < 0)
			return r;
		if (b->on_pypi && (pypi_default = first_pypi(db, b)))
			return table_bad(err, t, row, cols[7], "release %s already names %s as PyPI's variant", b->version,
					 pypi_default->variant);
	}
	return 0;
}

static int load_tensorflow(struct compat_db *db, const struct table *t, struct strbuf *err)
{
	const char *const *cols = tensorflow_cols;
	size_t first = db->nbuilds;

	for (size_t i = 0; i < t->nrows; i++) {
		const struct table_row *row = &t->rows[i];
		struct fw_build *b = &db->builds[db->nbuilds];
		char **c = row->cells;
		int r;

		row_origin_set(&b->origin, row);
		b->fw = FW_TENSORFLOW;
		db->nbuilds++;
		r = parse_release(t, row, cols[0], b, err);
		if (r < 0)
			return r;
		r = parse_python(t, row, cols, 1, b, err);
		if (r < 0)
			return r;
		if (version_parse(c[3], &b->cudnn_v) < 0 || b->cudnn_v.nparts > 2)
			return table_bad(err, t, row, cols[3], "expected the tested cuDNN as X or X.Y");
		b->cudnn = c[3];
		if (version_parse(c[4], &b->cuda) < 0 || b->cuda.nparts != 2)
			return table_bad(err, t, row, cols[4], "expected the tested CUDA as X.Y");
		if (!streq(c[5], "tensorflow") && !streq(c[5], "tensorflow-gpu") &&
		    !streq(c[5], "tensorflow[and-cuda]"))
			return table_bad(err, t, row, cols[5],
					 "expected tensorflow, tensorflow-gpu or tensorflow[and-cuda]");
		b->package = c[5];
		r = check_order(t, row, b, db->nbuilds - 1 > first ? b - 1 : NULL, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int compat_load_frameworks(struct compat_db *db, const char *dir, struct strbuf *err)
{
	struct table *pt, *tf;
	int r;

	pt = compat_open_table(db, dir, "pytorch.tsv", pytorch_cols, ELEMENTSOF(pytorch_cols), err);
	if (!pt)
		return -EINVAL;
	tf = compat_open_table(db, dir, "tensorflow.tsv", tensorflow_cols, ELEMENTSOF(tensorflow_cols), err);
	if (!tf)
		return -EINVAL;
	/* Both tables' rows in one array that never moves: builds are
	 * referenced by pointer later. */
	db->builds = xcalloc(pt->nrows + tf->nrows + 1, sizeof(*db->builds));
	r = load_pytorch(db, pt, err);
	if (r < 0)
		return r;
	return load_tensorflow(db, tf, err);
}
