/*
 * compat.h - everything gpu-setup knows about which versions fit together,
 * loaded from the tables in compat/ (one table per file, each naming its
 * source): GPUs, architectures, driver branches, CUDA toolkits, cuDNN,
 * PyTorch and TensorFlow builds, distributions and their driver packages.
 *
 * compat_db_load() validates every table (columns, types, sorted versions)
 * and the references between them, and reports the first problem as
 * "file:line: message".  Pointers into the db live as long as the db.
 */
#ifndef GS_COMPAT_H
#define GS_COMPAT_H

#include <stdbool.h>
#include <stddef.h>

#include "gpus.h"
#include "strbuf.h"
#include "table.h"
#include "version.h"

enum open_modules {
	OPEN_NO,        /* pre-Turing: the open modules cannot drive it */
	OPEN_YES,       /* either flavour works */
	OPEN_REQUIRED,  /* Blackwell: only the open modules */
};

enum driver_flavour {
	FLAVOUR_UNKNOWN,
	FLAVOUR_PROPRIETARY,
	FLAVOUR_OPEN,
};

struct arch_info {
	const char *name;
	unsigned cc_min, cc_max;     /* compute capability * 10 */
	unsigned first_branch;       /* 0: no known lower bound */
	unsigned last_branch;        /* 0: still supported */
	enum open_modules open;
};

enum branch_open {
	BRANCH_OPEN_NONE,       /* no open kernel modules published */
	BRANCH_OPEN_AVAILABLE,  /* published, not NVIDIA's default */
	BRANCH_OPEN_DEFAULT,    /* NVIDIA's default flavour */
};

/* What NVIDIA calls a branch (releases.json's "type"): gpu-setup prefers
 * an LTS or production branch to a new-feature one. */
enum branch_type {
	BRANCH_TYPE_UNKNOWN,      /* "-": no source names it */
	BRANCH_TYPE_LEGACY,       /* the last branch for an architecture NVIDIA retired */
	BRANCH_TYPE_NEW_FEATURE,  /* short-lived, newest features */
	BRANCH_TYPE_PRODUCTION,
	BRANCH_TYPE_LTS,          /* long-term support */
};

/* Where a row came from: the shipped table, or an overlay that
 * `gpu-setup update` wrote (compat --explain says which). */
struct row_origin {
	const char *overlay;    /* the overlay file, or NULL: the shipped table */
	const char *from;       /* its "#@ from:" (the upstream document), or NULL */
	const char *inferred;   /* its "#@ inferred:", or NULL */
};

/* The origin of a table row (table.h's comments). */
void row_origin_set(struct row_origin *o, const struct table_row *row);

struct branch_info {
	unsigned branch;
	enum branch_open open;
	enum branch_type type;
	struct row_origin origin;
};

/* branches.tsv's open_modules cell: "no", "available", "default" */
const char *branch_open_name(enum branch_open o);
/* "lts", "production", "new-feature", "legacy", "unknown" */
const char *branch_type_name(enum branch_type t);
/* Whether gpu-setup chooses branches of type t before others. */
bool branch_type_preferred(enum branch_type t);

struct cuda_info {
	const char *version;         /* "12.8.1" */
	struct version v;
	const char *min_driver;      /* NV-RN Table 3 */
	struct version min_drv;
	const char *compat_floor;    /* minor-version compatibility floor, or NULL */
	struct version floor_drv;    /* parsed compat_floor; min_drv when NULL */
	unsigned *sm;                /* targets nvcc compiles, cc * 10, ascending */
	size_t nsm;
	const char *runfile, *bundled_driver, *url, *sha256;  /* bundled_driver NULL: none (13.4.1 on) */
	unsigned max_gcc;            /* 0: unknown */
	char **distros;              /* NULL: unknown */
	size_t ndistros;
	struct row_origin origin;
};

enum cudnn_layout {
	CUDNN_LAYOUT_TGZ,   /* cuda/include, cuda/lib64 (<= 8.2) */
	CUDNN_LAYOUT_TXZ,   /* <stem>/include, <stem>/lib (>= 8.3) */
};

struct cudnn_info {
	const char *version;
	struct version v;
	unsigned cuda_lo, cuda_hi;   /* version_key2 range the archive serves */
	const char *cuda_spec;       /* as written: "11.0-11.2", "12" */
	const char *archive, *url, *sha256;  /* sha256 NULL when unknown */
	unsigned long long size;     /* bytes, 0 when unknown */
	struct row_origin origin;
	enum cudnn_layout layout;
};

struct wheel_arch {
	unsigned cc;    /* * 10 */
	bool ptx;       /* PTX shipped too: JIT-compiles for newer GPUs */
};

enum framework {
	FW_NONE,
	FW_PYTORCH,
	FW_TENSORFLOW,
};

/* One installable framework build: a PyTorch release and wheel variant,
 * or a TensorFlow release (one variant, the CUDA it was tested with). */
struct fw_build {
	enum framework fw;
	const char *version;         /* release series, "2.7" */
	struct version v;
	const char *variant;         /* "cu128"; NULL for TensorFlow */
	struct version cuda;         /* X.Y the build uses */
	const char *cudnn;           /* bundled (PyTorch) or tested (TF); NULL unknown */
	struct version cudnn_v;
	const char *python_min, *python_max;   /* NULL when unknown */
	struct version py_min, py_max;
	struct wheel_arch *archs;    /* NULL: not known, infer from the toolkit */
	const char *archs_cell;      /* as the table writes them ("7.5,8.0,12.0+PTX", "-") */
	size_t narchs;
	const char *package;         /* pip requirement name */
	const char *index_url;       /* pip index, NULL for PyPI */
	bool on_pypi;                /* PyTorch: the variant PyPI's own torch wheel is (the one a
				      * PyPI mirror such as TUNA serves) */
	struct row_origin origin;
};

struct distro_info {
	const char *id;              /* "ubuntu-24.04", os-release ID-VERSION_ID */
	const char *name;            /* "Ubuntu 24.04 LTS" */
	const char *codename;
	unsigned gcc;                /* default gcc major, 0 unknown */
	const char *python;          /* default python3, NULL unknown */
};

struct distro_driver {
	const char *distro;
	unsigned branch;
	enum driver_flavour flavour;
	const char *packages;        /* comma-separated apt packages */
};

struct compat_db {
	struct gpu_db *gpus;
	bool gpus_borrowed;             /* gpus is another's (detection's): not freed with the db */
	struct table tables[16];         /* the shipped tables, then the overlays merged into them */
	size_t ntables;
	char *overlay_dir;               /* `gpu-setup update`'s tables, or NULL (compat_overlay_dir) */
	/* When each table an update refreshes was last checked against
	 * upstream: its "# reviewed:", the overlay's when one was read. */
	struct compat_table_date {
		char table[16];
		char date[16];          /* "" when the table does not say */
		bool from_update;       /* the overlay's */
	} dates[4];
	struct arch_info *archs;        size_t narchs;
	struct branch_info *branches;   size_t nbranches;
	struct cuda_info *cudas;        size_t ncudas;       /* ascending */
	struct cudnn_info *cudnns;      size_t ncudnns;      /* ascending */
	struct fw_build *builds;        size_t nbuilds;      /* PyTorch then TF, ascending */
	struct distro_info *distros;    size_t ndistros;
	struct distro_driver *drivers;  size_t ndrivers;
};

/* Where `gpu-setup update` keeps the tables it refreshed, merged over the
 * shipped ones (row by row: compat_open_table): $GPU_SETUP_COMPAT_OVERLAY
 * when set (empty: none), else /var/lib/gpu-setup/compat on the target.
 * Newly allocated, or NULL for none. */
char *compat_overlay_dir(void);
/* The overlaid tables and the row key of each (how many leading cells
 * name a row); 0 for a table no overlay may touch. */
size_t compat_overlay_key(const char *name);

/* The date the data was last checked against its sources, YYYY-MM-DD:
 * that of the least recently checked table an update refreshes (the
 * overlay's date where one was read).  NULL when no table says;
 * *from_update tells whether that date is an overlay's. */
const char *compat_data_date(const struct compat_db *db, bool *from_update);
/* The tables an overlay may refresh, NULL-terminated. */
extern const char *const compat_overlay_tables[];
/* Where an offline run finds the overlay that `fetch` carried with the
 * files: DIR/compat of the cache DIR.  Newly allocated. */
char *compat_overlay_in_cache(const char *cache_dir);
/* Whether db read `gpu-setup update`'s overlay of table name. */
bool compat_overlay_in_use(const struct compat_db *db, const char *name);

int compat_db_load(const char *dir, struct compat_db **ret, struct strbuf *err);
/* The same with gpus (when not NULL) as the GPU table, already loaded
 * from dir by detection: borrowed, so each table is read once a run; it
 * must outlive the db. */
int compat_db_load_sharing(const char *dir, struct gpu_db *gpus, struct compat_db **ret, struct strbuf *err);
/* The same with overlay_dir (NULL: none) instead of compat_overlay_dir():
 * `gpu-setup update` checks the overlay it is about to write so. */
int compat_db_load_overlay(const char *dir, const char *overlay_dir, struct compat_db **ret, struct strbuf *err);
void compat_db_free(struct compat_db *db);

const struct arch_info *compat_find_arch(const struct compat_db *db, const char *name);
const struct distro_info *compat_find_distro(const struct compat_db *db, const char *id);
const struct branch_info *compat_find_branch(const struct compat_db *db, unsigned branch);
const struct distro_driver *compat_find_driver_package(const struct compat_db *db, const char *distro,
							unsigned branch, enum driver_flavour flavour);

const char *framework_name(enum framework f);       /* "pytorch" */
const char *framework_title(enum framework f);      /* "PyTorch" */
const char *flavour_name(enum driver_flavour f);    /* "open", "proprietary" */

/* Per-table loaders (compat-*.c), called by compat_db_load in order. */
int compat_load_archs(struct compat_db *db, const char *dir, struct strbuf *err);
int compat_load_branches(struct compat_db *db, const char *dir, struct strbuf *err);
int compat_load_cuda(struct compat_db *db, const char *dir, struct strbuf *err);
int compat_load_cudnn(struct compat_db *db, const char *dir, struct strbuf *err);
int compat_load_frameworks(struct compat_db *db, const char *dir, struct strbuf *err);
int compat_load_distros(struct compat_db *db, const char *dir, struct strbuf *err);

/* Open dir/name as one of db's tables; returns the table or NULL with err set. */
struct table *compat_open_table(struct compat_db *db, const char *dir, const char *name,
				const char *const *columns, size_t ncols, struct strbuf *err);

#endif
