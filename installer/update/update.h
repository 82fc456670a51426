/*
 * update.h - `gpu-setup update`: refresh the version tables from what
 * NVIDIA and PyTorch publish in machine-readable form, without a new
 * gpu-setup.  Each source adds rows to one table:
 *   cudnn     the redist listing and its redistrib_X.Y.Z.json manifests
 *             -> cudnn.tsv (archive, sha256, size)
 *   cuda      the CUDA redist listing and each new release's md5sum.txt
 *             -> cuda.tsv (the runfile's exact name and published md5)
 *   pytorch   the per-variant index pages /whl/cuXYZ/torch/
 *             -> pytorch.tsv (which releases exist, their Python range)
 *   drivers   releases.json -> branches.tsv (branches and their type)
 * What a source cannot say (a new CUDA's minimum driver and SM list, a new
 * PyTorch release's architectures and cuDNN) is inherited from the
 * previous row of the same series and marked "#@ inferred:".
 *
 * The rows go to an overlay, one file per table in the overlay folder
 * (/var/lib/gpu-setup/compat), with the sources and the date in its
 * header, merged over the shipped tables by the loader (compat.h).  The
 * new overlay is loaded with every check before it replaces the old one;
 * a source that fails (no answer, a malformed, truncated or HTML answer,
 * an older release than one known) changes nothing of its table.
 */
#ifndef GS_UPDATE_H
#define GS_UPDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/* Where each source is read; a mirror can serve any of them
 * (GPU_SETUP_*_URL, gpu-setup(8)). */
struct update_urls {
	const char *cudnn_redist;     /* .../compute/cudnn/redist/ */
	const char *cuda_redist;      /* .../compute/cuda/redist/ */
	const char *cuda;             /* .../compute/cuda/ (X.Y.Z/docs/sidebar/md5sum.txt) */
	const char *pytorch_index;    /* https://download.pytorch.org/whl/ */
	const char *driver_releases;  /* .../releases.json */
};

/* The defaults, each replaced by its environment variable when set. */
void update_urls_from_env(struct update_urls *u);

enum update_source_id { UPDATE_CUDNN, UPDATE_CUDA, UPDATE_PYTORCH, UPDATE_DRIVERS, UPDATE_NSOURCES };

struct update_source {
	const char *name;           /* "cudnn" */
	const char *table;          /* "cudnn.tsv" */
	char *url;                  /* the first document read */
	bool ok;                    /* read and parsed; the table is refreshed */
	char *error;                /* why not, naming the document */
	char **added;               /* one line per row added or changed */
	size_t nadded;
	struct strbuf rows;         /* the rows, with their #@ comments */
	struct strbuf sources;      /* "#   URL" lines for the header */
	char *last_from;            /* the last row's "#@ from:" */
	bool keep_old;              /* the overlay's rows of this table were read: keep them */
};

struct update_report {
	struct update_source src[UPDATE_NSOURCES];
	char *overlay_dir;
	char date[11];
	bool written;               /* the overlay was replaced (not --dry-run, something refreshed) */
	char *error;                /* the whole update failed (the data, the overlay): why */
};

/* Read every source and write the overlay into overlay_dir (not with
 * dry_run) over the tables in compat_dir and the overlay there now.
 * Returns 0 when every source was read, 1 when some failed (the others
 * are written), or a negative errno when nothing could be done
 * (rep->error says why). */
int update_run(const char *compat_dir, const char *overlay_dir, const struct update_urls *urls, bool dry_run,
	       struct update_report *rep);
void update_report_free(struct update_report *rep);

#endif
