/*
 * job-ctx.h - what a run detected and chose, made once and read by every
 * step it runs: the target (detection, distribution, the compat tables),
 * apt's driver offers and the resolved versions.  The main job makes one
 * and hands it to each step, so a step after the driver step installs what
 * the user approved, not what a second resolution against the changed apt
 * state would pick; a single-step command (`install cuda`, `install
 * cudnn`, `install miniconda`, `install framework`) makes its own and runs
 * the same step code.  A step never calls another command.
 */
#ifndef GS_JOB_CTX_H
#define GS_JOB_CTX_H

#include "driver-offer.h"
#include "miniconda.h"
#include "mirror-config.h"
#include "resolve.h"
#include "target-user.h"
#include "target.h"

struct job_ctx {
	struct target t;
	struct driver_offers offers;
	struct resolve_result res;    /* ok once job_ctx_load returned EXIT_OK */
	struct target_user u;         /* the user Python is set up for (job_ctx_load_user) */
	bool have_user;
	/* The Python steps' tables (job_ctx_load_tables), read once a run. */
	struct miniconda_table mc;    /* compat/miniconda.tsv */
	struct mirror_table mirrors;  /* compat/mirrors.tsv */
	const struct mirror *mirror;  /* the chosen row of mirrors */
	bool have_tables;
};

/* Detect, read the target and resolve (target_resolve): an exit code;
 * job_ctx_free in every case. */
int job_ctx_load(struct job_ctx *c, const struct target_options *opts);
void job_ctx_free(struct job_ctx *c);
/* The user Python is set up for, once a run: an exit code. */
int job_ctx_load_user(struct job_ctx *c, const char *name);
/* The Miniconda and mirror tables from compat_dir, and mirror_name's row
 * (mirror_pick's errors): an exit code. */
int job_ctx_load_tables(struct job_ctx *c, const char *compat_dir, const char *mirror_name);

/* name (--user), else SUDO_USER, else the user typed at the terminal, else the
 * user running gpu-setup (as_user_resolve), with its error logged: an
 * exit code, the same for every command (EXIT_USAGE when the name or the
 * terminal is the problem, EXIT_FAILED when passwd cannot be read). */
int job_user_resolve(const char *name, struct target_user *u);
/* The context's user when it has one, else job_user_resolve: *u is the
 * caller's to free. */
int job_user_get(const struct job_ctx *job, const char *name, struct target_user *u);

/* The steps that run over a context (cmd-cuda.c, cmd-cudnn.c,
 * cmd-miniconda.c, cmd-framework.c): each returns an exit code.
 * Miniconda's step reads only the context's user (job may be NULL). */
int install_cuda_step(const struct job_ctx *job);
int install_cudnn_step(const struct job_ctx *job);
int install_framework_step(const struct job_ctx *job);
int install_miniconda_step(const struct job_ctx *job);
/* The driver step (cmd-driver.c): the context's target; apt's offers are
 * read again after the step has changed the sources (a Debian machine's
 * non-free components), which is the step's own choice to make. */
int driver_step(struct job_ctx *job);
/* The download step (cmd-fetch.c): the vendor files of kinds (FETCH_KIND
 * bits) for the context's choices into the cache; no driver packages
 * (apt fetches those itself in the driver step). */
int download_step(const struct job_ctx *job, unsigned kinds);
/* The doctor step (cmd-doctor.c): every check over the context's
 * detection, tables and user; the exit code doctor gives. */
int doctor_step(const struct job_ctx *job);

#endif
