/*
 * step-doctor.c - every doctor check group over what the caller gathered
 * (detection, compat data, the user): `gpu-setup doctor` gathers its own
 * (cli/cmd-doctor.c), the main job's doctor step passes its context.
 * A failed check never stops the run; the exit code says whether any
 * failed (or, with --strict, warned).
 */
#include "config.h"

#include "doctor.h"
#include "exit-codes.h"
#include "job-ctx.h"
#include "json-result.h"
#include "sysroot.h"
#include "util.h"

static void (*const groups[])(struct doctor_ctx *, struct doctor_report *) = {
	doctor_check_gpu,  doctor_check_driver, doctor_check_boot,   doctor_check_cuda,
	doctor_check_cudnn, doctor_check_python, doctor_check_sizing, doctor_check_data,
};

int doctor_run(const struct job_options *o, const struct detect_report *det, const char *detect_error,
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
