/*
 * compat.c - load all compat tables and check the references between them
 * (a GPU's architecture exists and covers its compute capability, a
 * framework build's CUDA has a toolkit row, a distribution's driver
 * branch is a known branch, ...).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "compat.h"
#include "log.h"
#include "sysroot.h"
#include "util.h"

char *compat_overlay_dir(void)
{
	const char *env = getenv("GPU_SETUP_COMPAT_OVERLAY");

	if (env)
		return *env ? xstrdup(env) : NULL;
	return sysroot_path("/var/lib/gpu-setup/compat");
}

const char *const compat_overlay_tables[] = { "branches.tsv", "cuda.tsv", "cudnn.tsv", "pytorch.tsv", NULL };

char *compat_overlay_in_cache(const char *cache_dir)
{
	return xasprintf("%s/compat", cache_dir);
}

size_t compat_overlay_key(const char *name)
{
	static const struct {
		const char *name;
		size_t nkey;
	} keys[] = {
		{ "branches.tsv", 1 },  /* branch */
		{ "cuda.tsv", 1 },      /* version */
		{ "cudnn.tsv", 2 },     /* version, cuda */
		{ "pytorch.tsv", 2 },   /* version, variant */
	};

	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		if (streq(keys[i].name, name))
			return keys[i].nkey;
	return 0;
}

/* Record table name's date: the shipped one first, an overlay's (which is
 * read only when not older) over it. */
static void note_date(struct compat_db *db, const char *name, const char *date, bool from_update)
{
	for (size_t i = 0; i < ELEMENTSOF(db->dates); i++) {
		struct compat_table_date *d = &db->dates[i];

		if (d->table[0] && !streq(d->table, name))
			continue;
		snprintf(d->table, sizeof(d->table), "%s", name);
		if (date) {
			snprintf(d->date, sizeof(d->date), "%s", date);
			d->from_update = from_update;
		}
		return;
	}
}

/* Merge the overlay of table t (named name), when there is one, into it
 * with the same columns; the loaders then check the result as they check
 * a shipped table. */
static int merge_overlay(struct compat_db *db, struct table *t, const char *name, const char *const *columns,
			 size_t ncols, struct strbuf *err)
{
	size_t nkey = compat_overlay_key(name);
	_cleanup_free_ char *path = NULL;
	struct table *over;

	if (!nkey || !db->overlay_dir)
		return 0;
	path = xasprintf("%s/%s", db->overlay_dir, name);
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (db->ntables == ELEMENTSOF(db->tables)) {
		strbuf_addf(err, "%s: too many compat tables", path);
		return -EINVAL;
	}
	over = &db->tables[db->ntables];
	if (table_load(path, columns, ncols, over, err) < 0)
		return -EINVAL;  /* compat_db_load_sharing then reads the shipped tables alone */
	db->ntables++;
	/* A shipped table reviewed after the overlay was written (a newer
	 * gpu-setup) knows at least as much: the overlay is superseded. */
	if (t->reviewed && (!over->reviewed || strcmp(t->reviewed, over->reviewed) > 0)) {
		log_info("%s is older than the shipped %s of this gpu-setup: not read ('sudo gpu-setup update' "
			 "refreshes it)", path, name);
		return 0;
	}
	table_merge(t, over, nkey);
	note_date(db, name, over->reviewed, true);
	return 0;
}

bool compat_overlay_in_use(const struct compat_db *db, const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(db->dates); i++)
		if (streq(db->dates[i].table, name))
			return db->dates[i].from_update;
	return false;
}

const char *compat_data_date(const struct compat_db *db, bool *from_update)
{
	const struct compat_table_date *oldest = NULL;

	/* The data is as old as its least recently checked table. */
	for (size_t i = 0; i < ELEMENTSOF(db->dates); i++) {
		const struct compat_table_date *d = &db->dates[i];

		if (d->date[0] && (!oldest || strcmp(d->date, oldest->date) < 0))
			oldest = d;
	}
	*from_update = oldest && oldest->from_update;
	return oldest ? oldest->date : NULL;
}

struct table *compat_open_table(struct compat_db *db, const char *dir, const char *name,
				const char *const *columns, size_t ncols, struct strbuf *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	struct table *t;

	if (db->ntables == ELEMENTSOF(db->tables)) {
		strbuf_addf(err, "%s: too many compat tables", path);
		return NULL;
	}
	t = &db->tables[db->ntables];
	if (table_load(path, columns, ncols, t, err) < 0)
		return NULL;
	db->ntables++;
	if (compat_overlay_key(name))
		note_date(db, name, t->reviewed, false);
	if (merge_overlay(db, t, name, columns, ncols, err) < 0)
		return NULL;
	return t;
}

void row_origin_set(struct row_origin *o, const struct table_row *row)
{
	o->overlay = row->file;
	o->from = row->origin;
	o->inferred = row->inferred;
}

const struct arch_info *compat_find_arch(const struct compat_db *db, const char *name)
{
	for (size_t i = 0; i < db->narchs; i++)
		if (streq(db->archs[i].name, name))
			return &db->archs[i];
	return NULL;
}

const struct distro_info *compat_find_distro(const struct compat_db *db, const char *id)
{
	for (size_t i = 0; i < db->ndistros; i++)
		if (streq(db->distros[i].id, id))
			return &db->distros[i];
	return NULL;
}

const struct branch_info *compat_find_branch(const struct compat_db *db, unsigned branch)
{
	for (size_t i = 0; i < db->nbranches; i++)
		if (db->branches[i].branch == branch)
			return &db->branches[i];
	return NULL;
}

const struct distro_driver *compat_find_driver_package(const struct compat_db *db, const char *distro,
							unsigned branch, enum driver_flavour flavour)
{
	for (size_t i = 0; i < db->ndrivers; i++) {
		const struct distro_driver *d = &db->drivers[i];

		if (d->branch == branch && d->flavour == flavour && streq(d->distro, distro))
			return d;
	}
	return NULL;
}

const char *framework_name(enum framework f)
{
	return f == FW_PYTORCH ? "pytorch" : f == FW_TENSORFLOW ? "tensorflow" : "none";
}

const char *framework_title(enum framework f)
{
	return f == FW_PYTORCH ? "PyTorch" : f == FW_TENSORFLOW ? "TensorFlow" : "no framework";
}

const char *flavour_name(enum driver_flavour f)
{
	return f == FLAVOUR_OPEN ? "open" : f == FLAVOUR_PROPRIETARY ? "proprietary" : "unknown";
}

/* gpus.tsv and gpu-ranges.tsv name architectures and compute capabilities
 * that archs.tsv must know. */
static int check_gpu_archs(const struct compat_db *db, const char *dir, struct strbuf *err)
{
	for (unsigned id = 0; id <= 0xffff; id++) {
		struct gpu_info g;
		const struct arch_info *a;

		if (gpu_db_lookup(db->gpus, id, &g) < 0)
			continue;
		a = compat_find_arch(db, g.arch);
		if (!a || g.cc < a->cc_min || g.cc > a->cc_max) {
			strbuf_addf(err, "%s/%s: device %04x: %s %u.%u is not in %s/archs.tsv",
				    dir, g.inferred ? "gpu-ranges.tsv" : "gpus.tsv", id, g.arch, g.cc / 10,
				    g.cc % 10, dir);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_branch_refs(const struct compat_db *db, const char *dir, struct strbuf *err)
{
	for (size_t i = 0; i < db->narchs; i++) {
		const struct arch_info *a = &db->archs[i];

		if ((a->first_branch && !compat_find_branch(db, a->first_branch)) ||
		    (a->last_branch && !compat_find_branch(db, a->last_branch))) {
			strbuf_addf(err, "%s/archs.tsv: %s: driver branch not listed in %s/branches.tsv",
				    dir, a->name, dir);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < db->ndrivers; i++) {
		const struct distro_driver *d = &db->drivers[i];
		const struct branch_info *b = compat_find_branch(db, d->branch);

		if (!b) {
			strbuf_addf(err, "%s/distro-drivers.tsv: %s: branch %u not listed in %s/branches.tsv",
				    dir, d->distro, d->branch, dir);
			return -EINVAL;
		}
		if (d->flavour == FLAVOUR_OPEN && b->open == BRANCH_OPEN_NONE) {
			strbuf_addf(err, "%s/distro-drivers.tsv: %s: branch %u has no open kernel modules (%s/branches.tsv)",
				    dir, d->distro, d->branch, dir);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_build_refs(const struct compat_db *db, const char *dir, struct strbuf *err)
{
	for (size_t i = 0; i < db->nbuilds; i++) {
		const struct fw_build *b = &db->builds[i];
		bool found = false;

		for (size_t j = 0; j < db->ncudas && !found; j++)
			found = version_matches(&db->cudas[j].v, &b->cuda);
		if (!found) {
			strbuf_addf(err, "%s/%s.tsv: %s %s%s%s: CUDA %u.%u has no toolkit in %s/cuda.tsv", dir,
				    framework_name(b->fw), framework_title(b->fw), b->version,
				    b->variant ? " " : "", b->variant ? b->variant : "", b->cuda.part[0],
				    b->cuda.part[1], dir);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < db->ncudas; i++)
		for (size_t j = 0; j < db->cudas[i].ndistros; j++)
			if (!compat_find_distro(db, db->cudas[i].distros[j])) {
				strbuf_addf(err, "%s/cuda.tsv: CUDA %s: distribution '%s' is not in %s/distros.tsv",
					    dir, db->cudas[i].version, db->cudas[i].distros[j], dir);
				return -EINVAL;
			}
	return 0;
}

int compat_db_load(const char *dir, struct compat_db **ret, struct strbuf *err)
{
	return compat_db_load_sharing(dir, NULL, ret, err);
}

static int load_db(const char *dir, char *overlay_dir, struct gpu_db *gpus, struct compat_db **ret,
		   struct strbuf *err)
{
	struct compat_db *db = xcalloc(1, sizeof(*db));
	int r = 0;

	db->overlay_dir = overlay_dir;
	if (gpus) {
		db->gpus = gpus;
		db->gpus_borrowed = true;
	} else {
		r = gpu_db_load(dir, &db->gpus, err);
	}
	if (r >= 0)
		r = compat_load_archs(db, dir, err);
	if (r >= 0)
		r = compat_load_branches(db, dir, err);
	if (r >= 0)
		r = compat_load_distros(db, dir, err);
	if (r >= 0)
		r = compat_load_cuda(db, dir, err);
	if (r >= 0)
		r = compat_load_cudnn(db, dir, err);
	if (r >= 0)
		r = compat_load_frameworks(db, dir, err);
	if (r >= 0)
		r = check_gpu_archs(db, dir, err);
	if (r >= 0)
		r = check_branch_refs(db, dir, err);
	if (r >= 0)
		r = check_build_refs(db, dir, err);
	if (r < 0) {
		compat_db_free(db);
		return r;
	}
	*ret = db;
	return 0;
}

int compat_db_load_sharing(const char *dir, struct gpu_db *gpus, struct compat_db **ret, struct strbuf *err)
{
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	char *overlay = compat_overlay_dir();
	int r;

	if (!overlay)
		return load_db(dir, NULL, gpus, ret, err);
	r = load_db(dir, overlay, gpus, ret, &why);
	if (r >= 0)
		return r;
	/* The shipped tables still hold: an overlay that no longer fits them
	 * (written for other columns, or damaged) is set aside, said once. */
	r = load_db(dir, NULL, gpus, ret, err);
	if (r >= 0)
		log_warning("gpu-setup update's tables do not load with these (%s): read without them; "
			    "'sudo gpu-setup update' writes them afresh", why.buf);
	return r;
}

int compat_db_load_overlay(const char *dir, const char *overlay_dir, struct compat_db **ret, struct strbuf *err)
{
	return load_db(dir, overlay_dir ? xstrdup(overlay_dir) : NULL, NULL, ret, err);
}

void compat_db_free(struct compat_db *db)
{
	if (!db)
		return;
	if (!db->gpus_borrowed)
		gpu_db_free(db->gpus);
	for (size_t i = 0; i < db->ncudas; i++) {
		free(db->cudas[i].sm);
		free(db->cudas[i].distros);
	}
	for (size_t i = 0; i < db->nbuilds; i++)
		free(db->builds[i].archs);
	free(db->archs);
	free(db->branches);
	free(db->cudas);
	free(db->cudnns);
	free(db->builds);
	free(db->distros);
	free(db->drivers);
	for (size_t i = 0; i < db->ntables; i++)
		table_free(&db->tables[i]);
	free(db->overlay_dir);
	free(db);
}
