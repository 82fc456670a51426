/*
 * gpus.c - load, validate and search the GPU and device-ID range tables.
 */
#include "config.h"

#include <errno.h>

#include "gpus.h"
#include "table.h"
#include "util.h"

struct gpu_db {
	struct table gpus_table, ranges_table;
	struct gpu_info *gpus;  /* sorted by device_id */
	size_t ngpus;
	struct gpu_range *ranges;  /* sorted, disjoint */
	size_t nranges;
};

static const char *const gpu_columns[] = {
	"device", "name", "chip", "arch", "cc", "board_w", "power_src", "psu_w", "mem_gib", "per_board",
};
static const char *const range_columns[] = { "first", "last", "chip", "arch", "cc" };

/* Architectures gpu-setup knows; a typo in a table must not invent one. */
static const char *const known_archs[] = {
	"Kepler", "Maxwell", "Pascal", "Volta", "Turing", "Ampere", "Ada", "Hopper", "Blackwell",
};

static int check_arch(const char *s)
{
	for (size_t i = 0; i < ELEMENTSOF(known_archs); i++)
		if (streq(s, known_archs[i]))
			return 0;
	return -EINVAL;
}

/* Optional unsigned cell: "-" gives GPU_UNKNOWN. */
static int parse_opt_uint(const char *cell, unsigned long max, unsigned *ret)
{
	if (table_cell_unknown(cell)) {
		*ret = GPU_UNKNOWN;
		return 0;
	}
	if (table_parse_uint(cell, max, ret) < 0 || *ret == 0)
		return -EINVAL;
	return 0;
}

static int parse_power_source(const char *cell, enum power_source *ret)
{
	static const struct { const char *name; enum power_source v; } map[] = {
		{ "-", POWER_UNKNOWN }, { "nvidia", POWER_NVIDIA },
		{ "spec", POWER_SPEC }, { "unconfirmed", POWER_UNCONFIRMED },
	};
	for (size_t i = 0; i < ELEMENTSOF(map); i++)
		if (streq(cell, map[i].name)) {
			*ret = map[i].v;
			return 0;
		}
	return -EINVAL;
}

const char *power_source_name(enum power_source s)
{
	switch (s) {
	case POWER_NVIDIA: return "nvidia";
	case POWER_SPEC: return "spec";
	case POWER_UNCONFIRMED: return "unconfirmed";
	default: return "unknown";
	}
}

#define BAD(col, why)                                                                   \
	do {                                                                            \
		strbuf_addf(err, "%s:%u: column '%s': %s", t->path, row->line, col, why); \
		return -EINVAL;                                                         \
	} while (0)

static int parse_gpu_row(const struct table *t, const struct table_row *row, struct gpu_info *g,
			 struct strbuf *err)
{
	char **c = row->cells;

	memset(g, 0, sizeof(*g));
	if (table_parse_hex16(c[0], &g->device_id) < 0)
		BAD("device", "expected 4 lower-case hex digits");
	if (table_cell_unknown(c[1]))
		BAD("name", "a listed GPU needs a name");
	g->name = c[1];
	g->chip = table_cell_unknown(c[2]) ? NULL : c[2];
	if (check_arch(c[3]) < 0)
		BAD("arch", "not a known architecture");
	g->arch = c[3];
	if (table_parse_cc(c[4], &g->cc) < 0)
		BAD("cc", "expected a compute capability such as 8.6");
	if (parse_opt_uint(c[5], 5000, &g->board_w) < 0)
		BAD("board_w", "expected watts (1-5000) or '-'");
	if (parse_power_source(c[6], &g->power_src) < 0)
		BAD("power_src", "expected nvidia, spec, unconfirmed or '-'");
	if ((g->board_w == GPU_UNKNOWN) != (g->power_src == POWER_UNKNOWN))
		BAD("power_src", "must be '-' exactly when board_w is '-'");
	if (parse_opt_uint(c[7], 5000, &g->psu_w) < 0)
		BAD("psu_w", "expected watts (1-5000) or '-'");
	if (parse_opt_uint(c[8], 4096, &g->mem_gib) < 0)
		BAD("mem_gib", "expected GiB (1-4096) or '-'");
	if (table_parse_uint(c[9], 16, &g->per_board) < 0 || g->per_board == 0)
		BAD("per_board", "expected 1-16");
	return 0;
}

static int parse_range_row(const struct table *t, const struct table_row *row, struct gpu_range *rg,
			   struct strbuf *err)
{
	char **c = row->cells;

	if (table_parse_hex16(c[0], &rg->first) < 0)
		BAD("first", "expected 4 lower-case hex digits");
	if (table_parse_hex16(c[1], &rg->last) < 0)
		BAD("last", "expected 4 lower-case hex digits");
	if (rg->last < rg->first)
		BAD("last", "range ends before it starts");
	if (table_cell_unknown(c[2]))
		BAD("chip", "a range needs a chip");
	rg->chip = c[2];
	if (check_arch(c[3]) < 0)
		BAD("arch", "not a known architecture");
	rg->arch = c[3];
	if (table_parse_cc(c[4], &rg->cc) < 0)
		BAD("cc", "expected a compute capability such as 8.6");
	return 0;
}

#undef BAD

static int load_gpus(struct gpu_db *db, const char *dir, struct strbuf *err)
{
	_cleanup_free_ char *path = xasprintf("%s/gpus.tsv", dir);
	struct table *t = &db->gpus_table;
	int r;

	r = table_load(path, gpu_columns, ELEMENTSOF(gpu_columns), t, err);
	if (r < 0)
		return r;
	db->gpus = xcalloc(t->nrows, sizeof(*db->gpus));
	for (size_t i = 0; i < t->nrows; i++) {
		r = parse_gpu_row(t, &t->rows[i], &db->gpus[i], err);
		if (r < 0)
			return r;
		if (i > 0 && db->gpus[i].device_id <= db->gpus[i - 1].device_id) {
			strbuf_addf(err, "%s:%u: device IDs must be sorted and unique", path,
				    t->rows[i].line);
			return -EINVAL;
		}
		db->ngpus++;
	}
	return 0;
}

static int load_ranges(struct gpu_db *db, const char *dir, struct strbuf *err)
{
	_cleanup_free_ char *path = xasprintf("%s/gpu-ranges.tsv", dir);
	struct table *t = &db->ranges_table;
	int r;

	r = table_load(path, range_columns, ELEMENTSOF(range_columns), t, err);
	if (r < 0)
		return r;
	db->ranges = xcalloc(t->nrows, sizeof(*db->ranges));
	for (size_t i = 0; i < t->nrows; i++) {
		r = parse_range_row(t, &t->rows[i], &db->ranges[i], err);
		if (r < 0)
			return r;
		if (i > 0 && db->ranges[i].first <= db->ranges[i - 1].last) {
			strbuf_addf(err, "%s:%u: ranges must be sorted and must not overlap", path,
				    t->rows[i].line);
			return -EINVAL;
		}
		db->nranges++;
	}
	return 0;
}

int gpu_db_load(const char *compat_dir, struct gpu_db **ret, struct strbuf *err)
{
	struct gpu_db *db = xcalloc(1, sizeof(*db));
	int r;

	r = load_gpus(db, compat_dir, err);
	if (r >= 0)
		r = load_ranges(db, compat_dir, err);
	if (r < 0) {
		gpu_db_free(db);
		return r;
	}
	*ret = db;
	return 0;
}

void gpu_db_free(struct gpu_db *db)
{
	if (!db)
		return;
	table_free(&db->gpus_table);
	table_free(&db->ranges_table);
	free(db->gpus);
	free(db->ranges);
	free(db);
}

const struct gpu_range *gpu_db_find_range(const struct gpu_db *db, unsigned device_id)
{
	size_t lo = 0, hi = db->nranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct gpu_range *rg = &db->ranges[mid];

		if (device_id < rg->first)
			hi = mid;
		else if (device_id > rg->last)
			lo = mid + 1;
		else
			return rg;
	}
	return NULL;
}

int gpu_db_lookup(const struct gpu_db *db, unsigned device_id, struct gpu_info *ret)
{
	size_t lo = 0, hi = db->ngpus;
	const struct gpu_range *rg;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (device_id < db->gpus[mid].device_id)
			hi = mid;
		else if (device_id > db->gpus[mid].device_id)
			lo = mid + 1;
		else {
			*ret = db->gpus[mid];
			return 0;
		}
	}
	rg = gpu_db_find_range(db, device_id);
	if (!rg)
		return -ENOENT;
	memset(ret, 0, sizeof(*ret));
	ret->device_id = device_id;
	ret->chip = rg->chip;
	ret->arch = rg->arch;
	ret->cc = rg->cc;
	ret->per_board = 1;
	ret->inferred = true;
	return 0;
}
