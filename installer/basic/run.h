/*
 * run.h - the one process spawner.  Programs are started from an argv array
 * with posix_spawn (never system() or popen()), with an environment the
 * caller spells out, stdin from /dev/null, and stdout/stderr captured.
 * Captured output is copied into the log file.
 */
#ifndef GS_RUN_H
#define GS_RUN_H

#include "strbuf.h"

struct run_result {
	int exit_status;      /* exit code, or -1 when killed by a signal */
	int term_signal;      /* signal that ended it, 0 when it exited */
	int timed_out;        /* 1 when the timeout killed it */
	struct strbuf out;    /* captured stdout */
	struct strbuf err;    /* captured stderr */
};

/* The environment every spawned program gets unless the caller adds more:
 * a fixed PATH, LC_ALL=C and DEBIAN_FRONTEND=noninteractive. */
extern const char *const run_default_env[];

/* Run argv[0] (looked up in the PATH of envp when it has no slash) and
 * wait for it, at most timeout_ms milliseconds when timeout_ms > 0 (then
 * SIGKILL).  envp NULL means run_default_env.  Returns 0 when the program
 * ran (whatever its exit status, see res), or a negative errno when it
 * could not be started (-ENOENT: no such program). */
int run_command(const char *const argv[], const char *const envp[], long timeout_ms,
		struct run_result *res);
/* run_command inside the target system: through chroot(8) when --root
 * names one (that needs root), directly otherwise. */
int run_in_target(const char *const argv[], long timeout_ms, struct run_result *res);
/* run_in_target with the environment envp (NULL: run_default_env); under
 * --root, chroot(8) passes it on to the program. */
int run_in_target_env(const char *const argv[], const char *const envp[], long timeout_ms,
		      struct run_result *res);

void run_result_release(struct run_result *res);

/* Run one command in the target as a step of a change (logged as
 * "running: ...", output into the log): 0 when it exited 0, else -1 with
 * its last words in err. */
int run_step(const char *const argv[], struct strbuf *err);

#endif
