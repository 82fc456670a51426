/*
 * test-install-state.c - the main job's state file: reading (strictly,
 * each error as "line N: ..."), writing, and a round trip through a
 * scratch target tree.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "install-state.h"
#include "sysroot.h"
#include "tap.h"
#include "testroot.h"

static const char good[] =
	"gpu-setup-state 1\n"
	"plan\tubuntu-24.04 driver-580 cuda-13.0.2 cudnn-9.13.0.50 pytorch-2.9\n"
	"result\treboot-needed\n"
	"started\t2026-11-22T10:00:00Z\n"
	"updated\t2026-11-22T10:05:00Z\n"
	"reboot-boot-id\t0d8f0f6e-4f37-4d0d-9a52-4e0b5c1c2f11\n"
	"step\tpreflight\tdone\t2026-11-22T10:00:01Z\t-\n"
	"step\tdriver\treboot-pending\t2026-11-22T10:03:00Z\tinstalled; it loads at the next boot\n"
	"step\tcudnn\tinterrupted\t2026-11-22T10:04:00Z\tstopped by a signal\n"
	"step\tdoctor\tpending\t2026-11-22T10:05:00Z\tafter the reboot\n";

/* Parse text; 0 or the error, with the message in msg (freed by caller). */
static int parse(const char *text, char **msg)
{
	struct strbuf err = STRBUF_INIT;
	struct install_state s;
	int r;

	strbuf_init(&err);
	r = install_state_parse(text, strlen(text), &s, &err);
	if (r == 0)
		install_state_free(&s);
	*msg = strbuf_detach(&err, NULL);
	return r;
}

static void bad(const char *text, const char *want, const char *name)
{
	char *msg;
	int r = parse(text, &msg);

	ok(r == -EINVAL && strstr(msg, want) != NULL, "refused: %s (%s)", name, msg);
	free(msg);
}

int main(void)
{
	struct strbuf err = STRBUF_INIT;
	struct install_state s, t;
	const struct state_step *st;
	char *text;
	char root[] = "/tmp/gs-state-XXXXXX";

	strbuf_init(&err);
	is_int(install_state_parse(good, strlen(good), &s, &err), 0, "a state file with every key reads");
	is_str(s.plan, "ubuntu-24.04 driver-580 cuda-13.0.2 cudnn-9.13.0.50 pytorch-2.9", "its plan");
	is_str(s.result, "reboot-needed", "its result");
	is_str(s.reboot_boot_id, "0d8f0f6e-4f37-4d0d-9a52-4e0b5c1c2f11", "the boot the driver was installed in");
	is_int((int)s.nsteps, 4, "four steps");
	st = install_state_step(&s, "driver");
	ok(st && st->status == STEP_REBOOT_PENDING && streq(st->detail, "installed; it loads at the next boot"),
	   "the driver's status and detail");
	st = install_state_step(&s, "preflight");
	ok(st && st->status == STEP_DONE && st->detail == NULL, "'-' reads as no detail");
	ok(install_state_step(&s, "cuda") == NULL, "a step not recorded is NULL");
	text = install_state_format(&s);
	is_str(text, good, "written back byte for byte");
	free(text);

	install_state_set_step(&s, "cudnn", STEP_DONE, "tab\there\nnewline");
	st = install_state_step(&s, "cudnn");
	ok(st->status == STEP_DONE && streq(st->detail, "tab here newline"), "a detail loses tabs and newlines");
	install_state_set_step(&s, "framework", STEP_RUNNING, NULL);
	is_int((int)s.nsteps, 5, "setting a new step adds it");
	ok(s.steps[4].when && strlen(s.steps[4].when) == 20 && s.steps[4].when[19] == 'Z', "stamped in UTC");
	text = install_state_format(&s);
	strbuf_reset(&err);
	is_int(install_state_parse(text, strlen(text), &t, &err), 0, "what is written reads back");
	ok(t.nsteps == 5 && install_state_step(&t, "framework")->status == STEP_RUNNING, "with the new step");
	install_state_free(&t);
	free(text);

	for (int k = 0; k < STEP_STATUS_COUNT; k++)
		ok(strcmp(step_status_name((enum step_status)k), "?") != 0, "status %d has a name: %s", k,
		   step_status_name((enum step_status)k));

	bad("", "empty", "an empty file");
	bad("gpu-setup-state 2\nplan\tx\nresult\tdone\n", "newer gpu-setup", "a newer format");
	bad("state 1\n", "not the format line", "no format line");
	bad("gpu-setup-state 1\nresult\tdone\n", "no 'plan' line", "no plan");
	bad("gpu-setup-state 1\nplan\tx\n", "no 'result' line", "no result");
	bad("gpu-setup-state 1\nplan\tx\nresult\tmaybe\n", "line 3: unknown result 'maybe'", "an unknown result");
	bad("gpu-setup-state 1\nplan\tx\nplan\ty\nresult\tdone\n", "line 3: 'plan' is given twice", "a key twice");
	bad("gpu-setup-state 1\nplan\tx\tz\nresult\tdone\n", "line 2: 'plan' takes one value", "two values");
	bad("gpu-setup-state 1\nplan\tx\nresult\tdone\ncolour\tblue\n", "line 4: unknown key 'colour'", "an unknown key");
	bad("gpu-setup-state 1\nplan\tx\nresult\tdone\nstep\tcuda\tdone\n", "line 4: a step has 5 fields",
	    "a short step line");
	bad("gpu-setup-state 1\nplan\tx\nresult\tdone\nstep\tcuda\thalf\tT\t-\n", "unknown step status 'half'",
	    "an unknown status");
	bad("gpu-setup-state 1\nplan\tx\nresult\tdone\nstep\tcuda\tdone\tT\t-\nstep\tcuda\tdone\tT\t-\n",
	    "line 5: step 'cuda' is listed twice", "a step twice");
	bad("gpu-setup-state 1\nplan\t\nresult\tdone\n", "line 2: field 2 is empty", "an empty field");
	bad("gpu-setup-state 1\nplan\tx\rx\nresult\tdone\n", "control character", "a carriage return");
	{
		static const char nul[] = "gpu-setup-state 1\nplan\tx\0y\nresult\tdone\n";

		int r;

		strbuf_reset(&err);
		r = install_state_parse(nul, sizeof(nul) - 1, &t, &err);
		ok(r == -EINVAL && strstr(err.buf, "line 2: a NUL"), "refused: a NUL byte");
	}

	/* Through the sysroot: save makes the directory and writes atomically. */
	if (!mkdtemp(root))
		return 1;
	sysroot_set(root);
	strbuf_reset(&err);
	is_int(install_state_load(&t, &err), -ENOENT, "no state file: -ENOENT (no earlier run)");
	is_int(install_state_save(&s), 0, "save under the sysroot");
	ok(s.updated && s.started && streq(s.started, "2026-11-22T10:00:00Z"), "save stamps updated, keeps started");
	strbuf_reset(&err);
	is_int(install_state_load(&t, &err), 0, "and load reads it back");
	ok(t.nsteps == s.nsteps && streq(t.result, s.result) && streq(t.updated, s.updated), "the same state");
	install_state_free(&t);
	testroot_puts(root, INSTALL_STATE_PATH, "gpu-setup-state 1\nplan\tx\n");
	strbuf_reset(&err);
	ok(install_state_load(&t, &err) == -EINVAL && strstr(err.buf, "no 'result' line"),
	   "a damaged file on disk is -EINVAL with the reason");
	sysroot_set(NULL);
	testroot_remove(root);

	install_state_free(&s);
	strbuf_release(&err);
	return done_testing();
}
