/*
 * options.h - global options, parsed once in main.c and read by handlers.
 */
#ifndef GS_OPTIONS_H
#define GS_OPTIONS_H

#include <stdbool.h>

#include "compat.h"
#include "detect.h"
#include "resolve.h"
#include "target.h"

struct gs_options {
	const char *root;        /* --root, NULL for / */
	const char *log_path;    /* --log */
	const char *pci_dump;    /* --pci-dump */
	const char *sysfs;       /* --sysfs */
	const char *compat_dir;  /* --compat-dir */
	bool json, yes, dry_run, verbose, quiet;
	unsigned psu_watts;      /* detect --psu-watts */
	/* Resolver constraints (compat, plan, install). */
	enum framework framework;          /* --framework, default PyTorch */
	const char *framework_version;     /* --framework NAME=VERSION */
	const char *cuda, *cudnn, *python; /* --cuda, --cudnn, --python */
	unsigned driver_branch;            /* --driver */
	const char *gpu_only[GS_MAX_GPU_ARGS];  /* --gpu-only ADDR */
	size_t ngpu_only;
	/* compat only. */
	unsigned gpu_ids[GS_MAX_GPU_ARGS]; /* --gpu 10de:XXXX */
	size_t ngpu_ids;
	const char *distro;                /* --distro */
	const char *installed_driver;      /* --installed-driver */
	bool explain, check;               /* --explain, --check */
	/* driver only. */
	bool list, server;                 /* --list, --server */
	unsigned lock_wait_s;              /* --lock-wait */
	const char *kernels[GS_MAX_GPU_ARGS];  /* --kernel REL: the target's kernels, the first its own */
	size_t nkernels;
	/* install cuda / cudnn. */
	const char *runfile;               /* --runfile */
	const char *tmpdir;                /* --tmpdir */
	const char *cudnn_archive;         /* --cudnn-archive */
	/* doctor. */
	bool deep, online, strict;         /* --deep, --online, --strict */
	const char *user;                  /* --user (doctor, mirror, install) */
	/* mirror. */
	bool speedtest, system, revert;    /* --speedtest, --system, --revert */
	/* install miniconda / framework. */
	const char *conda_prefix;          /* --conda-prefix */
	const char *miniconda;             /* --miniconda */
	bool no_shell_init;                /* --no-shell-init */
	const char *mirror;                /* --mirror */
	/* fetch, cache, offline install. */
	const char *cache;                 /* --cache DIR (host path), NULL: GS_CACHE_DIR on the target */
	const char *for_target;            /* fetch --for FILE (detect --json of another machine) */
	bool offline, wheels;              /* --offline, --wheels */
	unsigned parallel;                 /* fetch --parallel, 0: the default */
	/* the main job (install). */
	bool ignore_hook_failures;         /* --ignore-hook-failures */
	bool resume_after_reboot;          /* --resume-after-reboot */
	/* The command line as given (the resume unit repeats it). */
	int argc;
	char **argv;
};

extern struct gs_options gs_opts;

/* Where compat data is: --compat-dir, else the source tree when running
 * from the build directory, else $(pkgdatadir)/compat. */
const char *gs_compat_dir(void);
/* Where the templates of the shipped hooks are: the build tree's hooks/
 * when running from the build directory, else $(pkgdatadir)/hooks. */
const char *gs_hooks_dir(void);
/* The detection request the global options describe. */
void gs_detect_request(struct detect_request *req);
/* Run detection and log a failure; returns 0 or an exit code. */
int gs_detect_or_exit_code(struct detect_report *rep);
/* Load the compat data; logs a failure and returns NULL. */
struct compat_db *gs_compat_load(void);
/* What the command line says about the target (target.h), and the job
 * context loaded with it (job-ctx.h): the only way the options reach the
 * target and the context. */
struct target_options;
struct job_options;
struct job_ctx;
void gs_target_options(struct target_options *o);
void gs_job_options(struct job_options *o);
int gs_job_ctx_load(struct job_ctx *c);
/* A context with the options only (job_ctx_init). */
void gs_job_ctx_init(struct job_ctx *c);
/* The long option "--NAME[=VALUE]" (or a prefix of NAME) names, as
 * getopt_long matched it ("compat-dir" for "--compat"), or NULL. */
const char *gs_option_long_name(const char *arg);
/* The user's constraints from the options, into req (GPUs, distribution
 * and installed driver are the caller's; target_options carries them). */
void gs_resolve_constraints(struct resolve_request *req);
/* The constraints as JSON, for the "request" member of compat and plan. */
struct json_object *gs_request_to_json(const struct resolve_request *req);

#endif
