/*
 * doctor.h - `gpu-setup doctor`: judge the installed stack, one check at a
 * time, and say how to fix what is wrong.
 *
 * A check has a stable id ("driver.libraries"), a status, the evidence it
 * judged by (what it read, with the path) and, unless it passed, the fix
 * (a command or a step a person can take).  Checks never stop the run: a
 * failed check is recorded and the next one runs, so one run shows
 * everything (bsdtar's habit of counting errors and reporting at the end).
 *
 * The checks come in groups, one file each (doctor-*.c), run in this order
 * because later groups use what earlier ones found (struct doctor_ctx):
 *   gpu      GPU present, driver bound to it        doctor-gpu.c
 *   driver   module loaded, libraries, flavour, /dev, nvidia-smi
 *                                                   doctor-driver.c
 *   boot     a module for every kernel, nouveau, Secure Boot
 *                                                   doctor-boot.c
 *   cuda     toolkits, link, PATH, ld.so, driver, architecture
 *                                                   doctor-cuda.c
 *   cudnn    header, libraries, CUDA major, shadowing
 *                                                   doctor-cudnn.c
 *   python   Miniconda, pip and conda mirrors, framework environments
 *                                                   doctor-python.c
 *   sizing   detect's power, CPU, memory and PCIe hints, as warnings
 *                                                   doctor-gpu.c
 *   data     the compat data's age (gpu-setup update)
 *                                                   doctor-data.c
 *
 * Without --deep and --online a check reads files and runs nothing slow
 * (a program it runs is bounded by a timeout).  Everything is read through
 * the sysroot, so every state can be built as a directory tree.
 */
#ifndef GS_DOCTOR_H
#define GS_DOCTOR_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "compat.h"
#include "detect.h"
#include "target-user.h"

/* Bumped whenever a field of the JSON changes meaning or goes away; new
 * fields and new check ids may come without a bump.  gpu-setup(8). */
#define DOCTOR_SCHEMA_VERSION 2   /* 2: exit_status became the envelope's exit_code */

/* How long a program doctor runs may take (nvidia-smi, nvcc --version);
 * --deep's framework import and --online's mirror probes have their own. */
#define DOCTOR_PROBE_TIMEOUT_MS 10000L
#define DOCTOR_DEEP_TIMEOUT_MS 120000L
#define DOCTOR_ONLINE_TIMEOUT_MS 5000L

enum doctor_status {
	DOCTOR_OK,
	DOCTOR_WARN,
	DOCTOR_FAIL,
	DOCTOR_SKIP,    /* could not be judged here: evidence says why */
};

struct doctor_check {
	char *id;          /* stable: "cuda.driver" */
	char *subject;     /* what it is about when a check repeats per item
			    * ("/usr/local/cuda-12.8", "0000:01:00.0"), or NULL */
	enum doctor_status status;
	char *evidence;    /* one or more sentences: what was read, and where */
	char *fix;         /* NULL for ok; what to do, for warn and fail;
			    * optional for skip (how to make it judgeable) */
};

struct doctor_report {
	struct doctor_check *checks;
	size_t nchecks, alloc;
};

/* What the checks share.  The caller (step-doctor.c) fills the
 * first block; the groups fill the second for the groups after them. */
struct doctor_ctx {
	const struct detect_report *det;  /* NULL when detection failed */
	const char *detect_error;         /* then: why */
	const struct compat_db *db;       /* NULL when the compat data could not be loaded */
	const struct target_user *user;   /* the user whose Python setup is checked, or NULL */
	bool deep, online;
	bool live;        /* the running system (no --root, or --root /) */
	bool is_root;     /* euid 0: root-only files can be read */

	/* Filled by doctor-driver.c. */
	char *driver_version;             /* the loaded module's version, else the
					   * user-space libcuda's; NULL: no driver */
	enum driver_flavour driver_flavour;  /* of the loaded (else installed) module */
	bool driver_installed;            /* an NVIDIA module or libcuda is on the system */
	char *kernel;                     /* the running kernel's release, or NULL */
	char *kernel_module;              /* its nvidia.ko on the target, or NULL */
	int kernel_module_r;              /* kmod_find_nvidia's result for it */

	/* The toolkits, found and inspected once for the cuda and cudnn
	 * groups (doctor_ctx_toolkits in doctor-toolkit.h). */
	struct doctor_toolkits *toolkits;
};

/* Record a check; evidence is printf-formatted.  Returns the check so the
 * caller can add a fix and a subject. */
struct doctor_check *doctor_add(struct doctor_report *rep, const char *id, enum doctor_status status,
				const char *evidence_fmt, ...) __attribute__((format(printf, 4, 5)));
void doctor_set_fix(struct doctor_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void doctor_set_subject(struct doctor_check *c, const char *subject);
void doctor_report_free(struct doctor_report *rep);
void doctor_ctx_release(struct doctor_ctx *ctx);

/* Whether r says a normal user may not read something root may: the
 * check then skips with DOCTOR_NEEDS_ROOT instead of judging. */
bool doctor_needs_root(int r);
#define DOCTOR_NEEDS_ROOT "needs root to read %s: run 'sudo gpu-setup doctor'"

const char *doctor_status_name(enum doctor_status s);   /* "ok", "warn", "fail", "skip" */
/* How many checks have status s. */
size_t doctor_count(const struct doctor_report *rep, enum doctor_status s);

/* Output (doctor.c). */
void doctor_print_text(const struct doctor_report *rep, FILE *out);
/* result: "passed" for exit_status 0, else "failed" (the exit code is the
 * --json envelope's, json-result.h). */
struct json_object *doctor_to_json(const struct doctor_report *rep, int exit_status);

/* The check groups, in the order they run. */
void doctor_check_gpu(struct doctor_ctx *ctx, struct doctor_report *rep);
void doctor_check_driver(struct doctor_ctx *ctx, struct doctor_report *rep);
void doctor_check_boot(struct doctor_ctx *ctx, struct doctor_report *rep);
void doctor_check_cuda(struct doctor_ctx *ctx, struct doctor_report *rep);
void doctor_check_cudnn(struct doctor_ctx *ctx, struct doctor_report *rep);
void doctor_check_python(struct doctor_ctx *ctx, struct doctor_report *rep);
void doctor_check_sizing(struct doctor_ctx *ctx, struct doctor_report *rep);
void doctor_check_data(struct doctor_ctx *ctx, struct doctor_report *rep);

#endif
