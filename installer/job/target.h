/*
 * target.h - the machine a command works for, read once: detection, the
 * compatibility data, the NVIDIA GPUs selected (--gpu-only), the
 * distribution and the driver now loaded.  plan and driver start here.
 */
#ifndef GS_TARGET_H
#define GS_TARGET_H

#include <json-c/json.h>

#include "compat.h"
#include "detect.h"
#include "distro-match.h"
#include "osinfo.h"
#include "resolve.h"

/* The most GPUs, --gpu-only and --kernel arguments a target has. */
#define GS_MAX_GPU_ARGS 16

/* What the command line says about the target: the cli fills it
 * (gs_target_options) and the target carries it, so the target's own code
 * reads no global option.  The strings and arrays are borrowed and must
 * outlive the target. */
struct target_options {
	const char *described;                /* fetch --for FILE: another machine's detect --json;
						 NULL: this machine (or the tree under --root) */
	struct detect_request detect;         /* what detection reads (--pci-dump, --sysfs) */
	const char *compat_dir;               /* the compat tables */
	/* The user's constraints (--framework, --cuda, --driver, --cudnn,
	 * --python): only those members of a request are read. */
	struct resolve_request constraints;
	const char *const *gpu_only;          /* --gpu-only ADDR... */
	size_t ngpu_only;
	const char *const *kernels;           /* --kernel REL...: the first is its own */
	size_t nkernels;
	bool server;                          /* --server: prefer the -server packages */
	bool offline;                         /* --offline: apt sees only the cache */
	bool conflict_quiet;                  /* plan: the caller shows why no versions fit */
};

struct target {
	struct target_options opts;
	struct detect_report rep;
	bool have_rep;
	struct compat_db *db;
	struct os_release os;
	const struct distro_info *distro;     /* the release planned for (match.distro) */
	struct distro_match match;            /* how os was matched to it, and why */
	char *installed;                      /* loaded driver version, NULL: none */
	char *kernel;                         /* running kernel release when read from a
						 description (fetch --for) or named with --kernel;
						 NULL: read the target's own /proc when needed */
	const char *const *more_kernels;      /* --kernel's others: the driver is installed for
						 them too */
	size_t nmore_kernels;
	struct json_object *described;        /* fetch --for: the detect --json document the
						 target was read from; NULL: this machine */
	enum driver_flavour installed_flavour;
	/* The selected NVIDIA GPUs: the resolver's view and libpci's. */
	struct resolve_gpu gpus[GS_MAX_GPU_ARGS];
	const struct pci_gpu *pci[GS_MAX_GPU_ARGS];
	char addrs[GS_MAX_GPU_ARGS][16];
	char labels[GS_MAX_GPU_ARGS][128];
	size_t ngpus;
};

/* The one entry point for a target: this machine (or the tree under
 * --root), or with opts->described another machine's description
 * (target_load_json).  Detect, load compat data, select GPUs and read the
 * distribution and the loaded driver; logs what fails.  Returns an exit
 * code (EXIT_OK). */
int target_load(struct target *t, const struct target_options *opts);

/* Detection under req with its failure logged: an exit code (detect,
 * doctor and target_load share it). */
int target_detect(const struct detect_request *req, struct detect_report *rep);
/* The compat tables from dir (with gpus, the GPU table detection read:
 * borrowed, it must outlive the db), a failure logged with what to do:
 * NULL then. */
struct compat_db *target_compat_load(const char *dir, struct gpu_db *gpus);
void target_free(struct target *t);

/* What target_load and target_load_json share once t->rep and t->db are
 * filled: the GPUs --gpu-only selects (EXIT_USAGE for an address with no
 * NVIDIA GPU), and, with t->os filled, the check that the distribution is
 * one compat data knows (EXIT_FAILED, the known ones listed).  Log what
 * fails; return an exit code. */
int target_select_gpus(struct target *t);
/* The compat tables (sharing t->rep's GPU table) and target_select_gpus. */
int target_load_gpus(struct target *t);
int target_check_distro(struct target *t);

/* A resolver request for the target under the user's constraints; checks
 * the constraints (logs and returns EXIT_USAGE when one is malformed). */
int target_request(const struct target *t, struct resolve_request *req);

struct driver_offers;

/* --kernel: its first release becomes t->kernel (over a description's),
 * the others t->more_kernels. */
void target_take_kernels(struct target *t);

/* Whether the target is Ubuntu or one of its derivatives (else Debian or
 * one of its). */
bool target_is_ubuntu(const struct target *t);

/* The driver packages apt offers on the target, as `driver` reads them, so
 * plan, driver and install choose alike; with no apt state to read (a bare
 * tree), or apt knowing no driver package, the distribution's table
 * decides.  offers keeps what req points at. */
void target_read_apt_offers(const struct target *t, struct resolve_request *req, struct driver_offers *offers);

/* Resolve versions for the loaded target t under the user's constraints
 * (*req, kept for the caller): apt's driver offers from ac, or with ac
 * NULL from the target's own apt (target_read_apt_offers).  An
 * unsolvable request returns EXIT_CONFLICT with res holding the reasons,
 * printed unless t->opts.conflict_quiet.  Returns an exit code. */
struct apt_cache;
int target_resolve_loaded(struct target *t, struct apt_cache *ac, struct driver_offers *offers,
			  struct resolve_request *req, struct resolve_result *res);
/* target_load, then target_resolve_loaded with the target's own apt: what
 * plan, install and every single-step command resolve (job-ctx.h). */
int target_resolve(struct target *t, const struct target_options *opts, struct driver_offers *offers,
		   struct resolve_request *req, struct resolve_result *res);

struct json_object *target_gpus_json(const struct target *t);

/* target_load for another machine (opts->described): everything from path, a document
 * `gpu-setup detect --json` printed there (its "gpus" and "system"
 * members): the NVIDIA GPUs (looked up in this machine's compat data),
 * the distribution, the loaded driver and the kernel.  Nothing of this
 * machine is read but the compat data.  A file that is not such a
 * document, or lacks "system" (made by an older gpu-setup), is
 * EXIT_BAD_INPUT with the reason logged.  (target-json.c) */
int target_load_json(const char *path, struct target *t, const struct target_options *opts);

struct apt_target_spec;
/* The described machine's apt (sources, keys, architecture, installed
 * packages) from t->described; the spec points into t, valid while t is.
 * -ENODATA when t is not described or the document has no apt part. */
int target_apt_spec(const struct target *t, struct apt_target_spec *ret);
void target_apt_spec_release(struct apt_target_spec *spec);

#endif
