/*
 * cmd-doctor.c - `gpu-setup doctor`: gather what the checks share
 * (detection, compat data, the user) and run them (job/step-doctor.c).
 */
#include "config.h"

#include <errno.h>

#include "commands.h"
#include "exit-codes.h"
#include "job-ctx.h"
#include "log.h"
#include "options.h"
#include "sysroot.h"
#include "util.h"

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
