/*
 * plan.h - the ordered steps `install` takes for a resolver choice, each
 * with what it will change (packages, paths, files) and whether its result
 * already holds on the target system (then install skips it).  `plan`,
 * `install --dry-run` and the main job show and run this one list; the
 * main job adds only what its state file knows (a driver waiting for its
 * reboot, a doctor that passed).
 */
#ifndef GS_PLAN_H
#define GS_PLAN_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

/* The steps of install, in the order they run.  plan lists exactly these;
 * the state file and --json name them by step_id_name. */
enum step_id {
	STEP_ID_PREFLIGHT,   /* room on disk; offline: the cache covers the pending steps */
	STEP_ID_DOWNLOAD,    /* online: the pending steps' vendor files into the cache */
	STEP_ID_DRIVER,
	STEP_ID_CUDA,
	STEP_ID_CUDNN,
	STEP_ID_MINICONDA,
	STEP_ID_MIRRORS,
	STEP_ID_FRAMEWORK,
	STEP_ID_HOOKS,       /* the shipped apt and kernel hooks */
	STEP_ID_DOCTOR,      /* check the result */
	STEP_ID_COUNT,
};

/* "preflight", "download", "driver", ... */
const char *step_id_name(enum step_id id);

struct plan_step {
	enum step_id id;
	char *title;
	bool done;            /* the result already holds */
	char *status;         /* why it is done, or NULL */
	char **changes;       /* "apt: install X", "file: /etc/...", ... */
	size_t nchanges;
};

struct plan {
	struct plan_step *steps;
	size_t nsteps;
	unsigned download_kinds;  /* FETCH_KIND bits: the vendor files the pending steps read */
};

struct job_ctx;

/* The steps of the table (steps.h) the context's choice has, in order,
 * each decided: done with why, or with its changes.  The context has its
 * user and tables loaded (job_ctx_load_user, job_ctx_load_tables). */
void plan_build(const struct job_ctx *c, struct plan *ret);
/* The step with id, or NULL when the plan has none (cuDNN without a
 * release that fits, download when offline). */
struct plan_step *plan_find(struct plan *p, enum step_id id);
void plan_free(struct plan *p);
void plan_print_text(const struct plan *p, FILE *out);
struct json_object *plan_to_json(const struct plan *p);

#endif
