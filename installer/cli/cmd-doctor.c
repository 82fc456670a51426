/*
 * cmd-doctor.c - `gpu-setup doctor`: gather what the checks share
 * (detection, compat data, the user), run every group, print the report.
 * The main job's doctor step runs the same over its context.
 * A failed check never stops the run; the exit code says whether any
 * failed (or, with --strict, warned).
 */
#include "config.h"

#include <errno.h>

#include "commands.h"
#include "doctor.h"
#include "exit-codes.h"
#include "job-ctx.h"
#include "json-result.h"
#include "log.h"
#include "options.h"
#include "sysroot.h"
#include "util.h"

static void (*const groups[])(struct doctor_ctx *, struct doctor_report *) = {
	doctor_check_gpu,  doctor_check_driver, doctor_check_boot,   doctor_check_cuda,
	doctor_check_cudnn, doctor_check_python, doctor_check_sizing,
};

/* The user whose Python setup is checked: --user, else SUDO_USER, else
 * whoever runs doctor.  Only a --user that does not exist is an error; a
 * runner missing from a --root tree's passwd leaves the Python checks
 * without a user (they say so). */
static int find_user(struct target_user *ret, bool *ret_found)
{
	int r = target_user_find(gs_opts.user, ret);

	*ret_found = r == 0;
	if (r == 0 || !gs_opts.user)
		return 0;
	if (r == -ENOENT)
		log_error("--user %s: no such user in %s/etc/passwd", gs_opts.user, sysroot_get());
	else
		log_error("--user %s: cannot read %s/etc/passwd: %s", gs_opts.user, sysroot_get(), strerror(-r));
	return -EINVAL;
}

/* Run every group over what the caller gathered; print; the exit code. */
static int doctor_run(const struct job_options *o, const struct detect_report *det, const char *detect_error,
		      const struct compat_db *db, const struct target_user *user)
{
	struct doctor_report rep = { 0 };
	struct doctor_ctx ctx = {
		.det = det, .detect_error = detect_error, .db = db, .user = user, .deep = o->deep,
		.online = o->online, .live = !sysroot_get()[0], .is_root = geteuid() == 0,
	};
	int code;

	for (size_t i = 0; i < ELEMENTSOF(groups); i++)
		groups[i](&ctx, &rep);

	code = doctor_count(&rep, DOCTOR_FAIL) || (o->strict && doctor_count(&rep, DOCTOR_WARN))
		       ? EXIT_CHECKS_FAILED
		       : EXIT_OK;
	if (o->json) {
		struct json_object *j = doctor_to_json(&rep, code);
		json_result_set(j);
	} else {
		doctor_print_text(&rep, stdout);
	}
	doctor_report_free(&rep);
	doctor_ctx_release(&ctx);
	return code;
}

int doctor_step(const struct job_ctx *job)
{
	/* The run's detection, tables and user: the machine has not
	 * rebooted since they were read, so what they saw still holds; the
	 * checks read the rest (modules, files, the environments) now. */
	return doctor_run(&job->o, &job->t.rep, NULL, job->t.db, job->have_user ? &job->u : NULL);
}

int cmd_doctor(int argc, char **argv)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct detect_request req;
	struct job_options o;
	struct detect_report det;
	struct target_user user = { 0 };
	struct compat_db *db;
	bool have_user;
	int r, code;

	(void)argc;
	(void)argv;
	if (find_user(&user, &have_user) < 0)
		return EXIT_USAGE;
	db = gs_compat_load();
	if (!db) {
		target_user_free(&user);
		return EXIT_BAD_INPUT;
	}
	/* A dump or tree the user named that cannot be read is bad input, as
	 * for detect; the live bus failing is a finding of the gpu check. */
	gs_detect_request(&req);
	r = detect_run(&req, &det, &err);
	if (r < 0 && (gs_opts.pci_dump || gs_opts.sysfs)) {
		log_error("%s", err.buf);
		compat_db_free(db);
		target_user_free(&user);
		return exit_code_for_errno(r);
	}
	gs_job_options(&o);
	code = doctor_run(&o, r == 0 ? &det : NULL, err.buf, db, have_user ? &user : NULL);
	if (r == 0)
		detect_report_free(&det);
	compat_db_free(db);
	target_user_free(&user);
	return code;
}
