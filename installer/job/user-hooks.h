/*
 * user-hooks.h - the administrator's own hooks around each step of the
 * main job: executables in /etc/gpu-setup/hooks.d/PHASE-STEP.d/ on the
 * target (PHASE "pre" or "post"), run in name order the way run-parts(8)
 * runs a directory, inside the target, with GPU_SETUP_* variables that say
 * what the run is doing (gpu-setup(8), HOOKS).
 *
 * Hooks are code that runs as root, so a directory or a hook that someone
 * other than root could change is refused rather than run.
 */
#ifndef GS_USER_HOOKS_H
#define GS_USER_HOOKS_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/* Where the step directories are, on the target. */
#define USER_HOOKS_DIR "/etc/gpu-setup/hooks.d"

/* What went wrong with a hook (or, when the hooks were refused, with the
 * directory).  Filled by user_hooks_run; release with
 * user_hook_failure_release. */
struct user_hook_failure {
	char *hook;       /* path on the target of the hook (or directory) at fault */
	char *reason;     /* "exited with status 3", "was killed by signal 9", "cannot be started: ...",
			   * "is writable by group or others", ... */
	char *output;     /* its last lines of output (stdout, then stderr), "" when none */
	size_t nfailed;   /* hooks that failed in this run (keep_going counts them all) */
};

void user_hook_failure_release(struct user_hook_failure *f);
/* One message for a log line: "hook HOOK REASON" and, when it said
 * something, its last lines after a colon. */
void user_hook_failure_format(const struct user_hook_failure *f, struct strbuf *out);

/* Run the executables in USER_HOOKS_DIR/PHASE-STEP.d/ (under the sysroot)
 * in byte order of their names (the C locale's), as run-parts does: names
 * starting with '.', ending in '~' or in a packaging leftover suffix
 * (.dpkg-old, .dpkg-new, .dpkg-dist, .dpkg-tmp, .dpkg-bak, .ucf-*), and
 * anything not an executable regular file (a symlink counts as what it
 * leads to, inside the root) are skipped, at debug level.
 *
 * Each hook runs inside the target (run_in_target_env: through chroot(8)
 * under --root) with run_default_env, then env (NULL-terminated
 * "GPU_SETUP_X=..." strings, may be NULL), then GPU_SETUP_PHASE,
 * GPU_SETUP_STEP, GPU_SETUP_ROOT and GPU_SETUP_VERSION; stdin is
 * /dev/null and its output goes into the log.
 *
 * USER_HOOKS_DIR and the step directory must be owned by root (or by the
 * user running gpu-setup) and not writable by group or others; so must
 * each hook.  Otherwise nothing runs and -EPERM is returned.
 *
 * Returns the number of hooks run (0 when the directory does not exist),
 * or a negative errno: -EIO when a hook failed (exited non-zero, was
 * killed, or could not be started) and keep_going is false: the hooks
 * after it do not run.  With keep_going a failure is logged as a warning
 * and the run goes on; the count is returned and ret_failure->nfailed says
 * how many failed.  ret_failure (may be NULL) is always reset, and names
 * the first failure (or the refusal) when there is one. */
int user_hooks_run(const char *phase, const char *step, const char *const *env, bool keep_going,
		   struct user_hook_failure *ret_failure);

/* The values the main job hands its hooks; NULL fields are left out of the
 * environment.  Versions as the plan has them ("570", "12.8", "9.8.0",
 * "2.7.1", "3.12"); paths as they are on the target. */
struct user_hooks_vars {
	const char *driver;            /* GPU_SETUP_DRIVER: driver branch */
	const char *cuda;              /* GPU_SETUP_CUDA: CUDA release */
	const char *cudnn;             /* GPU_SETUP_CUDNN: cuDNN version */
	const char *framework;         /* GPU_SETUP_FRAMEWORK: "pytorch" or "tensorflow" */
	const char *framework_version; /* GPU_SETUP_FRAMEWORK_VERSION */
	const char *python;            /* GPU_SETUP_PYTHON: Python of the framework environment */
	const char *cuda_home;         /* GPU_SETUP_CUDA_HOME: the toolkit, /usr/local/cuda-X.Y */
	const char *user;              /* GPU_SETUP_USER: the user the Python setup is for */
	const char *user_home;         /* GPU_SETUP_USER_HOME */
	const char *conda_prefix;      /* GPU_SETUP_CONDA_PREFIX: the user's Miniconda */
	const char *env_name;          /* GPU_SETUP_ENV_NAME: the framework environment */
	const char *log;               /* GPU_SETUP_LOG: the --log file (a host path) */
	bool offline;                  /* GPU_SETUP_OFFLINE: "1" with --offline, else "0" */
};

/* The environment vector for user_hooks_run's env: "GPU_SETUP_X=value"
 * for each field set, NULL-terminated; free it with strv_free. */
char **user_hooks_env(const struct user_hooks_vars *v);

#endif
