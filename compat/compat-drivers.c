/*
 * compat-drivers.c - the driver side of the compat data: architectures
 * (archs.tsv), driver branches (branches.tsv), distributions (distros.tsv)
 * and the packages each distribution ships per branch (distro-drivers.tsv).
 */
#include "config.h"

#include <errno.h>

#include "compat.h"
#include "util.h"

/* Optional driver branch cell: "-" gives 0. */
static int parse_branch(const char *cell, unsigned *ret)
{
	if (table_cell_unknown(cell)) {
		*ret = 0;
		return 0;
	}
	if (table_parse_uint(cell, 99999, ret) < 0 || *ret < 100)
		return -EINVAL;
	return 0;
}

int compat_load_archs(struct compat_db *db, const char *dir, struct strbuf *err)
{
	static const char *const cols[] = { "arch", "cc_min", "cc_max", "first_branch", "last_branch",
					    "open_modules" };
	struct table *t = compat_open_table(db, dir, "archs.tsv", cols, ELEMENTSOF(cols), err);

	if (!t)
		return -EINVAL;
	db->archs = xcalloc(t->nrows, sizeof(*db->archs));
	for (size_t i = 0; i < t->nrows; i++) {
		const struct table_row *row = &t->rows[i];
		struct arch_info *a = &db->archs[i];
		char **c = row->cells;

		a->name = c[0];
		if (table_parse_cc(c[1], &a->cc_min) < 0)
			return table_bad(err, t, row, cols[1], "expected a compute capability such as 8.6");
		if (table_parse_cc(c[2], &a->cc_max) < 0 || a->cc_max < a->cc_min)
			return table_bad(err, t, row, cols[2], "expected a compute capability >= cc_min");
		if (i > 0 && a->cc_min <= db->archs[i - 1].cc_max)
			return table_bad(err, t, row, cols[1],
					 "architectures must be sorted by compute capability and must not overlap");
		if (parse_branch(c[3], &a->first_branch) < 0)
			return table_bad(err, t, row, cols[3], "expected a driver branch such as 570, or '-'");
		if (parse_branch(c[4], &a->last_branch) < 0 ||
		    (a->last_branch && a->last_branch < a->first_branch))
			return table_bad(err, t, row, cols[4],
					 "expected a driver branch (not below first_branch), or '-'");
		if (streq(c[5], "no"))
			a->open = OPEN_NO;
		else if (streq(c[5], "yes"))
			a->open = OPEN_YES;
		else if (streq(c[5], "required"))
			a->open = OPEN_REQUIRED;
		else
			return table_bad(err, t, row, cols[5], "expected no, yes or required");
		db->narchs++;
	}
	return 0;
}

int compat_load_branches(struct compat_db *db, const char *dir, struct strbuf *err)
{
	static const char *const cols[] = { "branch", "open_modules", "type" };
	static const struct { const char *name; enum branch_type type; } types[] = {
		{ "lts", BRANCH_TYPE_LTS }, { "production", BRANCH_TYPE_PRODUCTION },
		{ "new-feature", BRANCH_TYPE_NEW_FEATURE }, { "legacy", BRANCH_TYPE_LEGACY },
	};
	struct table *t = compat_open_table(db, dir, "branches.tsv", cols, ELEMENTSOF(cols), err);

	if (!t)
		return -EINVAL;
	db->branches = xcalloc(t->nrows, sizeof(*db->branches));
	for (size_t i = 0; i < t->nrows; i++) {
		const struct table_row *row = &t->rows[i];
		struct branch_info *b = &db->branches[i];

		row_origin_set(&b->origin, &t->rows[i]);
		if (table_cell_unknown(row->cells[0]) || parse_branch(row->cells[0], &b->branch) < 0)
			return table_bad(err, t, row, cols[0], "expected a driver branch such as 580");
		if (i > 0 && b->branch <= db->branches[i - 1].branch)
			return table_bad(err, t, row, cols[0], "branches must be sorted and unique");
		if (streq(row->cells[1], "no"))
			b->open = BRANCH_OPEN_NONE;
		else if (streq(row->cells[1], "available"))
			b->open = BRANCH_OPEN_AVAILABLE;
		else if (streq(row->cells[1], "default"))
			b->open = BRANCH_OPEN_DEFAULT;
		else
			return table_bad(err, t, row, cols[1], "expected no, available or default");
		if (i > 0 && b->open < db->branches[i - 1].open)
			return table_bad(err, t, row, cols[1],
					 "open-module support does not go backwards in newer branches");
		b->type = BRANCH_TYPE_UNKNOWN;
		if (!table_cell_unknown(row->cells[2])) {
			size_t k = 0;

			while (k < ELEMENTSOF(types) && !streq(row->cells[2], types[k].name))
				k++;
			if (k == ELEMENTSOF(types))
				return table_bad(err, t, row, cols[2], "expected lts, production, new-feature, legacy or -");
			b->type = types[k].type;
		}
		db->nbranches++;
	}
	return 0;
}

static int parse_flavour(const char *cell, enum driver_flavour *ret)
{
	if (streq(cell, "open"))
		*ret = FLAVOUR_OPEN;
	else if (streq(cell, "proprietary"))
		*ret = FLAVOUR_PROPRIETARY;
	else
		return -EINVAL;
	return 0;
}

/* Debian package names: lower case letters, digits, + - . */
static bool valid_package_list(const char *s)
{
	bool start = true;

	for (const char *p = s; *p; p++) {
		if (*p == ',') {
			if (start)
				return false;
			start = true;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      (!start && (*p == '+' || *p == '-' || *p == '.'))))
			return false;
		start = false;
	}
	return !start;
}

static int load_distro_drivers(struct compat_db *db, const char *dir, struct strbuf *err)
{
	static const char *const cols[] = { "distro", "branch", "flavour", "packages" };
	struct table *t = compat_open_table(db, dir, "distro-drivers.tsv", cols, ELEMENTSOF(cols), err);

	if (!t)
		return -EINVAL;
	db->drivers = xcalloc(t->nrows, sizeof(*db->drivers));
	for (size_t i = 0; i < t->nrows; i++) {
		const struct table_row *row = &t->rows[i];
		struct distro_driver *d = &db->drivers[i];
		char **c = row->cells;

		if (!compat_find_distro(db, c[0]))
			return table_bad(err, t, row, cols[0], "'%s' is not in distros.tsv", c[0]);
		d->distro = c[0];
		if (table_cell_unknown(c[1]) || parse_branch(c[1], &d->branch) < 0)
			return table_bad(err, t, row, cols[1], "expected a driver branch such as 580");
		if (parse_flavour(c[2], &d->flavour) < 0)
			return table_bad(err, t, row, cols[2], "expected open or proprietary");
		if (!valid_package_list(c[3]))
			return table_bad(err, t, row, cols[3], "expected comma-separated package names");
		d->packages = c[3];
		if (compat_find_driver_package(db, d->distro, d->branch, d->flavour))
			return table_bad(err, t, row, cols[0], "%s %u %s is listed twice", d->distro, d->branch,
					 c[2]);
		db->ndrivers++;
	}
	return 0;
}

int compat_load_distros(struct compat_db *db, const char *dir, struct strbuf *err)
{
	static const char *const cols[] = { "distro", "name", "codename", "gcc", "python" };
	struct table *t = compat_open_table(db, dir, "distros.tsv", cols, ELEMENTSOF(cols), err);

	if (!t)
		return -EINVAL;
	db->distros = xcalloc(t->nrows, sizeof(*db->distros));
	for (size_t i = 0; i < t->nrows; i++) {
		const struct table_row *row = &t->rows[i];
		struct distro_info *d = &db->distros[i];
		char **c = row->cells;
		struct version v;
		const char *dash = strchr(c[0], '-');

		if (!dash || !(startswith(c[0], "ubuntu-") || startswith(c[0], "debian-")) ||
		    version_parse(dash + 1, &v) < 0)
			return table_bad(err, t, row, cols[0], "expected ubuntu-VERSION or debian-VERSION");
		if (compat_find_distro(db, c[0]))
			return table_bad(err, t, row, cols[0], "'%s' is listed twice", c[0]);
		d->id = c[0];
		d->name = c[1];
		d->codename = c[2];
		if (table_cell_unknown(c[3]))
			d->gcc = 0;
		else if (table_parse_uint(c[3], 99, &d->gcc) < 0 || d->gcc == 0)
			return table_bad(err, t, row, cols[3], "expected a gcc major version or '-'");
		if (!table_cell_unknown(c[4]) && (version_parse(c[4], &v) < 0 || v.nparts != 2))
			return table_bad(err, t, row, cols[4], "expected a Python version X.Y or '-'");
		d->python = table_cell_unknown(c[4]) ? NULL : c[4];
		db->ndistros++;
	}
	return load_distro_drivers(db, dir, err);
}

const char *branch_type_name(enum branch_type t)
{
	switch (t) {
	case BRANCH_TYPE_LTS:
		return "lts";
	case BRANCH_TYPE_PRODUCTION:
		return "production";
	case BRANCH_TYPE_NEW_FEATURE:
		return "new-feature";
	case BRANCH_TYPE_LEGACY:
		return "legacy";
	case BRANCH_TYPE_UNKNOWN:
		break;
	}
	return "unknown";
}

const char *branch_open_name(enum branch_open o)
{
	return o == BRANCH_OPEN_DEFAULT ? "default" : o == BRANCH_OPEN_AVAILABLE ? "available" : "no";
}

bool branch_type_preferred(enum branch_type t)
{
	return t == BRANCH_TYPE_LTS || t == BRANCH_TYPE_PRODUCTION;
}
