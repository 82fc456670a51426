/*
 * install-state.h - what the main job (`sudo gpu-setup`) has done, kept in
 * INSTALL_STATE_PATH on the target so that a re-run, a run after a reboot
 * or an interrupted run knows where it stands.  A versioned text format,
 * documented in gpu-setup(8) under THE MAIN JOB:
 *
 *   gpu-setup-state 1                        first line: the format version
 *   plan<TAB>LABEL                           the plan the steps belong to
 *   result<TAB>RESULT                        running, done, reboot-needed, failed, interrupted
 *   started<TAB>TIME                         when the run that wrote it began (UTC, ISO 8601)
 *   updated<TAB>TIME                         its last write
 *   reboot-boot-id<TAB>ID                    optional: the boot the driver was installed in
 *   step<TAB>ID<TAB>STATUS<TAB>TIME<TAB>DETAIL   one per step, in run order
 *
 * STATUS is one of the step_status names below.  DETAIL is free text
 * without tabs or control characters ("-" when none).  The state says what
 * happened; whether a step's result holds is still checked on the disk
 * before it is skipped.
 */
#ifndef GS_INSTALL_STATE_H
#define GS_INSTALL_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

#define INSTALL_STATE_PATH "/var/lib/gpu-setup/state"
#define INSTALL_STATE_FORMAT 1

enum step_status {
	STEP_PENDING,          /* not started in this run */
	STEP_RUNNING,          /* started; still so after a crash or a kill -9 */
	STEP_DONE,             /* this run (or an earlier one) did it */
	STEP_ALREADY_DONE,     /* its result already held: skipped */
	STEP_REBOOT_PENDING,   /* done, takes effect at the next boot (the driver) */
	STEP_FAILED,
	STEP_INTERRUPTED,      /* stopped by a signal; left resumable or rolled back */
	STEP_STATUS_COUNT,
};

struct state_step {
	char *id;
	enum step_status status;
	char *when;            /* UTC, ISO 8601 */
	char *detail;          /* NULL: none */
};

struct install_state {
	char *plan;
	char *result;
	char *started, *updated;
	char *reboot_boot_id;  /* NULL: no reboot pending */
	struct state_step *steps;
	size_t nsteps;
};

const char *step_status_name(enum step_status s);

/* Parse the text of a state file into ret.  0, or -EINVAL with
 * "line N: what" in err (ret then empty). */
int install_state_parse(const char *text, size_t len, struct install_state *ret, struct strbuf *err);
/* The file's text for s (caller frees). */
char *install_state_format(const struct install_state *s);

/* Read INSTALL_STATE_PATH under the sysroot: 0, -ENOENT (no earlier run),
 * -EINVAL (malformed: err says where) or another negative errno. */
int install_state_load(struct install_state *ret, struct strbuf *err);
/* Write it atomically (stamping updated), making its directory. */
int install_state_save(struct install_state *s);

/* The step's record, NULL when it has none. */
const struct state_step *install_state_step(const struct install_state *s, const char *id);
/* Set (or add) the step's record, stamped now; detail may be NULL. */
void install_state_set_step(struct install_state *s, const char *id, enum step_status status, const char *detail);
void install_state_set_result(struct install_state *s, const char *result);
void install_state_free(struct install_state *s);

/* Now as the state writes times (UTC, ISO 8601). */
char *install_state_now(void);

#endif
