/*
 * job-ctx.h - what a run was asked, detected and chose, made once and read
 * by every step it runs: the options (struct job_options), the target
 * (detection, distribution, the compat tables), apt's driver offers and
 * the resolved versions.  The main job makes one
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

/* What the command line asks of a run, as plain fields: the cli fills them
 * (gs_job_options) and nothing under job/ or a step reads its global
 * options.  The main job changes its own copy: it asks once and then
 * answers yes for the steps, and under --json the steps print text to
 * stderr.  Strings are borrowed from the command line. */
struct job_options {
	struct target_options target;  /* detection, tables, constraints, --gpu-only, --for ... */
	bool json, yes, dry_run, quiet, offline;
	const char *user;              /* --user: the user Python is set up for */
	const char *mirror;            /* --mirror, NULL: MIRROR_DEFAULT */
	const char *conda_prefix;      /* --conda-prefix */
	enum framework framework;      /* --framework */
	const char *framework_version; /* --framework NAME=VERSION's version */
	/* Vendor files given by hand, and where files go. */
	const char *runfile, *cudnn_archive, *miniconda;
	const char *cache;             /* --cache (host path), NULL: the target's own */
	const char *tmpdir;            /* --tmpdir */
	bool no_shell_init;            /* --no-shell-init */
	bool wheels;                   /* fetch --wheels */
	unsigned parallel;             /* fetch --parallel */
	/* The driver step. */
	bool list;                     /* driver --list: show, change nothing */
	unsigned lock_wait_s;          /* --lock-wait */
	const char *log_path;          /* --log */
	/* The doctor step. */
	bool deep, online, strict;
	/* The main job. */
	const char *hooks_dir;         /* the shipped hooks' templates */
	bool ignore_hook_failures, resume_after_reboot;
	int argc;                      /* the command line as given: the resume unit repeats it */
	char **argv;
	/* The long option an argument names as getopt took it ("compat-dir"
	 * for "--compat"), or NULL: the cli's option table answers. */
	const char *(*option_name)(const char *arg);
};

struct plan;

struct job_ctx {
	struct job_options o;         /* the run's options (job_ctx_init) */
	struct target t;
	struct driver_offers offers;
	struct resolve_request req;   /* the request resolved (its constraints) */
	struct resolve_result res;    /* ok once job_ctx_load returned EXIT_OK; the reasons
					 with EXIT_CONFLICT */
	struct target_user u;         /* the user Python is set up for (job_ctx_load_user) */
	bool have_user;
	char *conda_prefix;           /* the user's conda (target path): the one found (or
					 --conda-prefix), else where Miniconda goes */
	/* The Python steps' tables (job_ctx_load_tables), read once a run. */
	struct miniconda_table mc;    /* compat/miniconda.tsv */
	struct mirror_table mirrors;  /* compat/mirrors.tsv */
	const struct mirror *mirror;  /* the chosen row of mirrors */
	bool have_tables;
	const struct plan *plan;      /* the main job's plan: preflight and the download read it */
};

/* A context holding only the options o (a step that reads no target:
 * install miniconda, install framework --framework none). */
void job_ctx_init(struct job_ctx *c, const struct job_options *o);
/* job_ctx_init, then detect, read the target and resolve
 * (target_resolve): an exit code; job_ctx_free in every case. */
int job_ctx_load(struct job_ctx *c, const struct job_options *o);
void job_ctx_free(struct job_ctx *c);
/* The user Python is set up for (--user, see job_user_resolve), once a
 * run: an exit code. */
int job_ctx_load_user(struct job_ctx *c);
/* The Miniconda and mirror tables, and --mirror's row (mirror_pick's
 * errors): an exit code. */
int job_ctx_load_tables(struct job_ctx *c);

/* name (--user), else SUDO_USER, else the user typed at the terminal, else the
 * user running gpu-setup (as_user_resolve), with its error logged: an
 * exit code, the same for every command (EXIT_USAGE when the name or the
 * terminal is the problem, EXIT_FAILED when passwd cannot be read). */
int job_user_resolve(const char *name, struct target_user *u);
/* The context's user when it has one, else job_user_resolve(--user): *u
 * is the caller's to free. */
int job_user_get(const struct job_ctx *job, struct target_user *u);

/* The steps that run over a context (step-cuda.c, step-cudnn.c,
 * step-miniconda.c, step-framework.c): each returns an exit code.
 * Miniconda's step reads only the context's options and user, and the
 * framework step with --framework none only its options. */
int install_cuda_step(const struct job_ctx *job);
int install_cudnn_step(const struct job_ctx *job);
int install_framework_step(const struct job_ctx *job);
int install_miniconda_step(const struct job_ctx *job);
/* The driver step (step-driver.c): the context's target; apt's offers are
 * read again after the step has changed the sources (a Debian machine's
 * non-free components), which is the step's own choice to make. */
int driver_step(struct job_ctx *job);
/* The download step (fetch-run.c): the vendor files of kinds (FETCH_KIND
 * bits) for the context's choices into the cache; no driver packages
 * (apt fetches those itself in the driver step). */
int download_step(const struct job_ctx *job, unsigned kinds);
/* The doctor step (step-doctor.c): every check over the context's
 * detection, tables and user; the exit code doctor gives. */
int doctor_step(const struct job_ctx *job);

/* What the commands run (the steps above are these over a context):
 * the driver step for the target t; fetch for o's target (job NULL) or
 * the main job's download (job's target and choices, no driver
 * packages); every doctor check over what the caller gathered (det NULL
 * with detect_error when detection failed, user NULL when there is none). */
int driver_run(const struct job_options *o, struct target *t);
int fetch_run(const struct job_options *o, const struct job_ctx *job, unsigned vendor_kinds);
struct compat_db;
int doctor_run(const struct job_options *o, const struct detect_report *det, const char *detect_error,
	       const struct compat_db *db, const struct target_user *user);

#endif
