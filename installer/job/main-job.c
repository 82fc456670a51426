/*
 * main-job.c - `sudo gpu-setup` (install with no step named): detect,
 * resolve, show the plan, ask once, then run the steps in order:
 *
 *   preflight   room on disk; offline: the cache covers every pending step
 *   download    online: the runfile, cuDNN and Miniconda into the cache
 *   driver      apt (a reboot loads it)
 *   cuda, cudnn, miniconda, mirrors, framework
 *   hooks       enable the shipped apt and kernel hooks
 *   doctor      check the result (after the reboot, when one is pending)
 *
 * Each step first looks whether its result holds on the disk (the plan
 * does that) and is skipped then, so a re-run goes on where the last one
 * stopped and a run on a finished machine changes nothing.  What happened
 * is written to the state file (install-state.h) after every step; the
 * run holds the lock main.c takes and logs to /var/log/gpu-setup.log.
 *
 * A driver that needs a reboot does not stop the run: every step that
 * does not need the new module loaded goes on, doctor waits for the next
 * boot, and the exit status (9) says a reboot is needed; with
 * --resume-after-reboot a one-shot unit runs the rest at that boot.
 * Ctrl-C or SIGTERM ends the run after the current action (interrupt.h);
 * the state file says which step was cut and the next run does it again.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detect.h"
#include "exit-codes.h"
#include "fetch-plan.h"
#include "fileio.h"
#include "framework-env.h"
#include "install-state.h"
#include "interrupt.h"
#include "job-ctx.h"
#include "json-result.h"
#include "log.h"
#include "main-job.h"
#include "plan.h"
#include "prompt.h"
#include "resume-unit.h"
#include "steps.h"
#include "sysroot.h"
#include "target.h"
#include "user-hooks.h"
#include "util.h"

#define JOB_LOG_PATH "/var/log/gpu-setup.log"
#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"
#define MAX_STEPS 12

struct job_step {
	enum step_id id;
	char *title;
	bool done;            /* its result already holds */
	char *why_done;
	enum step_status status;
	char *detail;
};

struct job {
	struct job_ctx ctx;       /* detection, the resolution, the user and the tables, once: every step reads them */
	struct plan plan;
	struct install_state st;
	char *label, *boot_id, *log_path;
	struct job_step steps[MAX_STEPS];
	size_t nsteps;
	bool reboot_needed;       /* the driver is installed, its module loads at the next boot */
	bool rebooted_unloaded;   /* installed before a reboot, still not loaded after it */
	bool resume_unit;         /* the one-shot unit is in place for the next boot */
	bool json;                /* --json: the run prints one JSON result (the steps print text) */
	int saved_stdout;         /* --json: the real stdout while steps print */
};

static char *read_boot_id(void)
{
	_cleanup_free_ char *path = sysroot_path(BOOT_ID_PATH), *text = NULL;
	size_t len;

	if (read_file(path, 256, &text, &len) < 0)
		return xstrdup("unknown");
	return xstrdup(strstrip(text));
}

static struct job_step *add_step(struct job *j, enum step_id id, char *title)
{
	struct job_step *s = &j->steps[j->nsteps++];

	*s = (struct job_step){ .id = id, .title = title, .status = STEP_PENDING };
	return s;
}

static void mark_done(struct job_step *s, char *why)
{
	s->done = true;
	s->why_done = why;
}

/* The steps of this run, each marked done when its result holds (doctor
 * stays pending while the driver waits for a reboot). */
static void build_steps(struct job *j)
{
	const struct state_step *sd = install_state_step(&j->st, step_id_name(STEP_ID_DRIVER));
	const struct state_step *sdoc = install_state_step(&j->st, step_id_name(STEP_ID_DOCTOR));
	bool same_plan = j->st.plan && streq(j->st.plan, j->label);
	bool anything = false;

	for (size_t i = 0; i < j->plan.nsteps && j->nsteps < MAX_STEPS; i++) {
		const struct plan_step *p = &j->plan.steps[i];
		struct job_step *s = add_step(j, p->id, xstrdup(p->title));

		if (p->done)
			mark_done(s, xstrdup(p->status ? p->status : "its result holds"));
	}
	for (size_t i = 0; i < j->nsteps; i++) {
		struct job_step *s = &j->steps[i];

		if (s->id == STEP_ID_DRIVER && !s->done && sd && sd->status == STEP_REBOOT_PENDING) {
			/* Installed by an earlier run; the module loads at a boot. */
			if (j->st.reboot_boot_id && streq(j->st.reboot_boot_id, j->boot_id)) {
				mark_done(s, xstrdup("installed; it loads at the next boot"));
				j->reboot_needed = true;
			} else {
				j->rebooted_unloaded = true;
			}
		}
	}
	/* doctor: after every run that changed something, and until it has
	 * passed once for this plan; never before the driver is loaded. */
	for (size_t i = 0; i < j->nsteps; i++)
		if (!j->steps[i].done && j->steps[i].id != STEP_ID_PREFLIGHT && j->steps[i].id != STEP_ID_DOCTOR)
			anything = true;
	if (!anything && same_plan && sdoc && (sdoc->status == STEP_DONE || sdoc->status == STEP_ALREADY_DONE))
		mark_done(&j->steps[j->nsteps - 1], xasprintf("passed on %s", sdoc->when));
	if (!anything && !j->steps[0].done)
		mark_done(&j->steps[0], xstrdup("nothing else to do"));
}

static size_t pending_count(const struct job *j)
{
	size_t n = 0;

	for (size_t i = 0; i < j->nsteps; i++)
		if (!j->steps[i].done && !(j->steps[i].id == STEP_ID_DOCTOR && j->reboot_needed))
			n++;
	return n;
}

static void print_plan(const struct job *j)
{
	printf("gpu-setup will set up %s:\n", j->label);
	for (size_t i = 0; i < j->nsteps; i++) {
		const struct job_step *s = &j->steps[i];
		const struct plan_step *p = plan_find((struct plan *)&j->plan, s->id);

		printf("  %zu. %s%s\n", i + 1, s->title, s->done ? ": already done" : "");
		if (s->done) {
			printf("       (%s)\n", s->why_done);
			continue;
		}
		for (size_t k = 0; p && k < p->nchanges; k++)
			printf("       %s\n", p->changes[k]);
		if (s->id == STEP_ID_DOCTOR && j->reboot_needed)
			printf("       after the reboot: the driver must be loaded for it\n");
	}
}

/* ---- the state file */

static int save_state(struct job *j)
{
	int r = install_state_save(&j->st);

	if (r < 0)
		log_warning("cannot write the state file %s%s: %s", sysroot_get(), INSTALL_STATE_PATH, strerror(-r));
	return r;
}

static void record(struct job *j, struct job_step *s, enum step_status status, const char *detail)
{
	s->status = status;
	free(s->detail);
	s->detail = detail ? xstrdup(detail) : NULL;
	install_state_set_step(&j->st, step_id_name(s->id), status, detail);
	save_state(j);
}

/* ---- hooks */

static char **hook_env(const struct job *j)
{
	const struct resolve_result *r = &j->ctx.res;
	_cleanup_free_ char *env_name = r->build ? framework_env_name(r->build) : NULL;
	_cleanup_free_ char *branch = xasprintf("%u", r->branch);
	_cleanup_free_ char *home = xasprintf("/usr/local/cuda-%u.%u", r->cuda->v.part[0], r->cuda->v.part[1]);
	struct user_hooks_vars v = {
		.driver = branch, .cuda = r->cuda->version, .cudnn = r->cudnn ? r->cudnn->version : NULL,
		.framework = r->build ? framework_name(r->build->fw) : NULL,
		.framework_version = r->build ? r->build->version : NULL,
		.python = r->python[0] ? r->python : NULL, .cuda_home = home, .user = j->ctx.u.name,
		.user_home = j->ctx.u.home, .conda_prefix = j->ctx.conda_prefix, .env_name = env_name,
		.log = j->log_path, .offline = j->ctx.o.offline,
	};

	return user_hooks_env(&v);
}

/* The hooks of one phase; false when one failed and the run must stop
 * (its name and output logged, and in *ret_detail). */
static bool run_hooks(const struct job *j, const char *phase, const char *step, char **ret_detail)
{
	_cleanup_strbuf_ struct strbuf msg = STRBUF_INIT;
	char **env = hook_env(j);
	struct user_hook_failure f = { 0 };
	int r = user_hooks_run(phase, step, (const char *const *)env, j->ctx.o.ignore_hook_failures, &f);

	strv_free(env);
	strbuf_init(&msg);
	if (r < 0) {
		user_hook_failure_format(&f, &msg);
		free(*ret_detail);
		*ret_detail = xasprintf("%s-%s hooks: %s", phase, step, msg.buf);
		log_error("the %s%s (--ignore-hook-failures goes on past a failing hook)", *ret_detail,
			  r == -EIO ? "" : "; nothing in that directory ran");
	}
	user_hook_failure_release(&f);
	return r >= 0;
}

/* ---- the steps */

static int run_one(struct job *j, struct job_step *s)
{
	if (s->id == STEP_ID_DRIVER && j->rebooted_unloaded) {
		log_error("the driver was installed before the machine restarted, and it is still not loaded: "
			  "the check below (doctor) says why");
		(void)doctor_step(&j->ctx);
		return EXIT_FAILED;
	}
	return step_table[s->id].run(&j->ctx);
}

/* --json: the steps print text, as without it, and to stderr, so that
 * stdout holds the run's one JSON result. */
static void steps_output_begin(struct job *j)
{
	j->saved_stdout = -1;
	j->ctx.o.json = false;
	if (!j->json)
		return;
	fflush(stdout);
	j->saved_stdout = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (j->saved_stdout >= 0)
		dup2(STDERR_FILENO, STDOUT_FILENO);
}

static void steps_output_end(struct job *j)
{
	if (j->saved_stdout < 0)
		return;
	fflush(stdout);
	dup2(j->saved_stdout, STDOUT_FILENO);
	close(j->saved_stdout);
	j->saved_stdout = -1;
}

static void show_step(const struct job *j, size_t i)
{
	fprintf(stderr, "[%zu/%zu] %s\n", i + 1, j->nsteps, j->steps[i].title);
	log_msg(LOG_LEVEL_DEBUG, "step %zu of %zu: %s (%s)", i + 1, j->nsteps, step_id_name(j->steps[i].id),
		j->steps[i].title);
}

/* Preflight, with its hooks, before the state file is written: a run it
 * stops leaves no trace but the log.  The exit code. */
static int run_preflight(struct job *j)
{
	struct job_step *s = &j->steps[0];
	_cleanup_free_ char *detail = NULL;
	int code;

	if (s->done)
		return EXIT_OK;
	show_step(j, 0);
	if (!run_hooks(j, "pre", step_id_name(s->id), &detail))
		return EXIT_FAILED;
	code = run_one(j, s);
	if (code != EXIT_OK)
		return code;
	if (!run_hooks(j, "post", step_id_name(s->id), &detail))
		return EXIT_FAILED;
	s->status = STEP_DONE;
	return EXIT_OK;
}

/* Run the pending steps; the exit code. */
static int run_steps(struct job *j)
{
	int code = EXIT_OK;

	for (size_t i = 0; i < j->nsteps; i++) {
		struct job_step *s = &j->steps[i];
		_cleanup_free_ char *detail = NULL;

		if (s->done) {
			/* The driver waiting for its boot stays so in the state. */
			record(j, s, s->id == STEP_ID_DRIVER && j->reboot_needed ? STEP_REBOOT_PENDING : STEP_ALREADY_DONE,
			       s->why_done);
			continue;
		}
		if (s->status == STEP_DONE) {   /* preflight, run before the state was written */
			record(j, s, STEP_DONE, NULL);
			continue;
		}
		if (s->id == STEP_ID_DOCTOR && j->reboot_needed) {
			record(j, s, STEP_PENDING, "after the reboot");
			continue;
		}
		if (interrupt_pending()) {
			code = EXIT_FAILED;
			break;
		}
		show_step(j, i);
		record(j, s, STEP_RUNNING, NULL);
		if (!run_hooks(j, "pre", step_id_name(s->id), &detail)) {
			record(j, s, STEP_FAILED, detail);
			code = EXIT_FAILED;
			break;
		}
		code = run_one(j, s);
		if (code != EXIT_OK && interrupt_pending()) {
			record(j, s, STEP_INTERRUPTED, "stopped by a signal; the step is undone or resumes on the next run");
			break;
		}
		if (code != EXIT_OK) {
			detail = xasprintf("exit status %d; the log has the whole output", code);
			record(j, s, STEP_FAILED, s->id == STEP_ID_DOCTOR && code == EXIT_CHECKS_FAILED
							  ? "a check failed" : detail);
			break;
		}
		if (s->id == STEP_ID_DRIVER) {
			j->reboot_needed = true;
			free(j->st.reboot_boot_id);
			j->st.reboot_boot_id = xstrdup(j->boot_id);
			record(j, s, STEP_REBOOT_PENDING, "installed; it loads at the next boot");
		} else {
			record(j, s, STEP_DONE, NULL);
		}
		if (!run_hooks(j, "post", step_id_name(s->id), &detail)) {
			code = EXIT_FAILED;
			break;
		}
	}
	if (code == EXIT_OK && interrupt_pending())
		code = EXIT_FAILED;
	return code;
}

/* ---- after the steps */

static const char *result_word(const struct job *j, int code)
{
	if (code == EXIT_OK && j->reboot_needed)
		return "reboot-needed";
	if (code == EXIT_OK)
		return "done";
	if (interrupt_pending())
		return "interrupted";
	return "failed";
}

/* Options whose value is a path on the machine gpu-setup runs on (under
 * --root: the host), not on the target. */
static const char *const host_path_options[] = {
	"log", "pci-dump", "sysfs", "compat-dir", "runfile", "cudnn-archive", "miniconda", "cache", NULL,
};

/* host_path as the target sees it: the same path without --root, the
 * part under the root with it; NULL when the target cannot reach it
 * (the resume unit runs inside the image, at its own boot). */
static char *image_path(const char *host_path)
{
	_cleanup_free_ char *real = realpath(host_path, NULL), *real_root = NULL;
	const char *p = real ? real : host_path, *root;
	size_t n;

	if (!sysroot_get()[0])
		return xstrdup(host_path);
	/* Both sides resolved: a root reached through a link, or written
	 * with "." or "..", is still the root. */
	real_root = realpath(sysroot_get(), NULL);
	root = real_root ? real_root : sysroot_get();
	n = strlen(root);
	if (strncmp(p, root, n) == 0 && p[n] == '/')
		return xstrdup(p + n);
	return NULL;
}

/* The host path option arg names (getopt takes any unambiguous prefix:
 * --compat DIR is --compat-dir DIR), or NULL; *ret_value_in_arg is set
 * when the value follows '=' in arg itself. */
static const char *host_path_option(const struct job_options *opts, const char *arg, bool *ret_value_in_arg)
{
	const char *name = opts->option_name(arg);

	*ret_value_in_arg = strchr(arg, '=') != NULL;
	for (const char *const *o = host_path_options; name && *o; o++)
		if (streq(*o, name))
			return *o;
	return NULL;
}

/* The program the unit starts: this one, or under --root the target's
 * own gpu-setup (the host's build cannot run at the image's boot). */
static char *resume_program(struct strbuf *why)
{
	static const char *const dirs[] = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin" };
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *in_image;

	if (len <= 0) {
		strbuf_adds(why, "cannot find this program (/proc/self/exe)");
		return NULL;
	}
	exe[len] = '\0';
	in_image = image_path(exe);
	if (in_image)
		return in_image;
	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		_cleanup_free_ char *path = xasprintf("%s/gpu-setup", dirs[i]);
		struct stat st;

		if (sysroot_stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
			return TAKE_PTR(path);
	}
	strbuf_addf(why, "%s has no gpu-setup of its own in /usr/local/sbin, /usr/local/bin, /usr/sbin or "
		    "/usr/bin to run at its boot (this one is %s, outside it): install gpu-setup there, or run "
		    "'sudo gpu-setup' on it after the reboot", sysroot_get(), exe);
	return NULL;
}

/* The command the resume unit runs: this run's, answering yes; NULL with
 * why when the target could not run it. */
static char **resume_argv(const struct job_options *opts, const char *user, struct strbuf *why)
{
	char *exe = resume_program(why);
	char **v = NULL;
	size_t n = 0;

	if (!exe)
		return NULL;
	strv_push(&v, &n, exe);
	strv_push(&v, &n, xstrdup("--yes"));
	/* At boot there is no SUDO_USER to name the user, and the target
	 * is / itself. */
	if (!opts->user) {
		strv_push(&v, &n, xstrdup("--user"));
		strv_push(&v, &n, xstrdup(user));
	}
	for (int i = 1; i < opts->argc; i++) {
		const char *a = opts->argv[i], *o, *name = opts->option_name(a);
		bool inline_value;

		/* As getopt read them: "--ro DIR" is --root too. */
		if (name && streq(name, "root")) {
			if (!strchr(a, '=') && i + 1 < opts->argc)
				i++;
			continue;
		}
		if (streq(a, "-y") || (name && (streq(name, "yes") || streq(name, "resume-after-reboot"))))
			continue;
		o = host_path_option(opts, a, &inline_value);
		if (o) {
			const char *value = inline_value ? strchr(a, '=') + 1
					    : i + 1 < opts->argc ? opts->argv[++i] : "";
			_cleanup_free_ char *there = image_path(value);

			if (!there) {
				strbuf_addf(why, "--%s %s is outside %s, so the image cannot reach it at its boot: put it "
					    "inside the image, or run 'sudo gpu-setup' on it after the reboot", o, value,
					    sysroot_get());
				strv_free(v);
				return NULL;
			}
			strv_push(&v, &n, xasprintf("--%s", o));
			strv_push(&v, &n, TAKE_PTR(there));
			continue;
		}
		strv_push(&v, &n, xstrdup(a));
	}
	return v;
}

static void reboot_advice(struct job *j)
{
	if (j->ctx.o.resume_after_reboot && !j->ctx.o.dry_run) {
		_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
		char **argv = resume_argv(&j->ctx.o, j->ctx.u.name, &err);

		if (argv && resume_unit_install((const char *const *)argv, &err) == 0)
			j->resume_unit = true;
		else
			log_warning("cannot set up the run after the reboot: %s", err.buf);
		strv_free(argv);
	}
	if (j->json)
		return;
	printf("\nThe NVIDIA driver is installed; its kernel module loads at the next boot.\n"
	       "Every step that does not need it is done. To finish:\n"
	       "  1. sudo reboot\n");
	if (j->resume_unit)
		printf("  2. nothing more: at that boot %s runs the check (gpu-setup doctor) and removes itself;\n"
		       "     'journalctl -u %s' shows what it did, and 'gpu-setup doctor' checks again at any time.\n",
		       RESUME_UNIT_NAME, RESUME_UNIT_NAME);
	else
		printf("  2. sudo gpu-setup   (the same command: it runs the check, gpu-setup doctor)\n"
		       "     or give --resume-after-reboot now, and it runs by itself at the next boot.\n");
}

static void print_json_result(const struct job *j, const char *result, int code)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	json_object_object_add(o, "schema_version", json_object_new_int(DETECT_SCHEMA_VERSION));
	json_object_object_add(o, "command", json_object_new_string("install"));
	json_object_object_add(o, "result", json_object_new_string(result));
	json_object_object_add(o, "exit_code", json_object_new_int(code));
	json_object_object_add(o, "plan", json_object_new_string(j->label));
	for (size_t i = 0; i < j->nsteps; i++) {
		const struct job_step *s = &j->steps[i];
		struct json_object *so = json_object_new_object();

		json_object_object_add(so, "id", json_object_new_string(step_id_name(s->id)));
		json_object_object_add(so, "title", json_object_new_string(s->title));
		json_object_object_add(so, "status", json_object_new_string(step_status_name(s->status)));
		json_object_object_add(so, "detail", s->detail ? json_object_new_string(s->detail)
							       : s->done ? json_object_new_string(s->why_done) : NULL);
		json_object_array_add(a, so);
	}
	json_object_object_add(o, "steps", a);
	json_object_object_add(o, "reboot_needed", json_object_new_boolean(j->reboot_needed));
	json_object_object_add(o, "resume_unit", json_object_new_boolean(j->resume_unit));
	json_object_object_add(o, "state", json_object_new_string(INSTALL_STATE_PATH));
	json_object_object_add(o, "log", j->log_path ? json_object_new_string(j->log_path) : NULL);
	json_result_set(o);
}

/* ---- setting up */

static int open_log(struct job *j)
{
	int r;

	if (j->ctx.o.log_path) {
		j->log_path = xstrdup(j->ctx.o.log_path);
		return 0;
	}
	{
		_cleanup_free_ char *host = sysroot_path(JOB_LOG_PATH), *dir = sysroot_path("/var/log");

		r = mkdir_p(dir, 0755);
		if (r == 0)
			r = log_open_file(host);
	}
	if (r < 0) {
		log_warning("cannot open the log %s%s: %s (going on without it)", sysroot_get(), JOB_LOG_PATH,
			    strerror(-r));
		return 0;
	}
	j->log_path = xstrdup(JOB_LOG_PATH);
	return 0;
}

static int load_state(struct job *j)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	int r;

	strbuf_init(&err);
	r = install_state_load(&j->st, &err);
	if (r == -ENOENT)
		return EXIT_OK;
	if (r < 0) {
		log_error("the state file %s%s cannot be read: %s; remove it to start over (each step checks the "
			  "disk itself) and run again; nothing was changed", sysroot_get(), INSTALL_STATE_PATH,
			  r == -EINVAL ? err.buf : strerror(-r));
		return exit_code_for_errno(r);
	}
	return EXIT_OK;
}

/* Detect, resolve, the user, the plan and the state. */
static int job_load(struct job *j, const struct job_options *o)
{
	int code = job_ctx_load(&j->ctx, o);

	j->json = o->json;
	if (code != EXIT_OK)
		return code;
	code = job_ctx_load_user(&j->ctx);
	if (code != EXIT_OK)
		return code;
	code = job_ctx_load_tables(&j->ctx);
	if (code != EXIT_OK)
		return code;
	plan_build(&j->ctx, &j->plan);
	j->ctx.plan = &j->plan;
	j->label = fetch_plan_label(j->ctx.t.distro->id, &j->ctx.res);
	j->boot_id = read_boot_id();
	return load_state(j);
}

static void job_free(struct job *j)
{
	for (size_t i = 0; i < j->nsteps; i++) {
		free(j->steps[i].title);
		free(j->steps[i].why_done);
		free(j->steps[i].detail);
	}
	install_state_free(&j->st);
	plan_free(&j->plan);
	job_ctx_free(&j->ctx);
	free(j->label);
	free(j->boot_id);
	free(j->log_path);
}

/* A new state for this run, keeping the boot the driver was installed
 * in while that boot goes on. */
static void state_begin(struct job *j)
{
	char *boot = j->reboot_needed ? TAKE_PTR(j->st.reboot_boot_id) : NULL;
	struct install_state fresh = { 0 };

	install_state_free(&j->st);
	j->st = fresh;
	j->st.plan = xstrdup(j->label);
	j->st.result = xstrdup("running");
	j->st.reboot_boot_id = boot;
	for (size_t i = 0; i < j->nsteps; i++)
		install_state_set_step(&j->st, step_id_name(j->steps[i].id), STEP_PENDING, NULL);
}

/* No NVIDIA GPU: what detection saw, as the one result of the run. */
static void no_nvidia_report(const struct detect_report *rep, bool json)
{
	if (json) {
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "schema_version", json_object_new_int(DETECT_SCHEMA_VERSION));
		json_object_object_add(j, "command", json_object_new_string("install"));
		json_object_object_add(j, "result", json_object_new_string("no-nvidia-gpu"));
		json_object_object_add(j, "detect", detect_to_json(rep));
		json_result_set(j);
	} else {
		detect_print_text(rep, stdout);
	}
}

int main_job(const struct job_options *o)
{
	struct job j = { .saved_stdout = -1 };
	int code, r;
	bool nothing;

	code = job_load(&j, o);
	if (code == EXIT_NO_NVIDIA && j.ctx.t.have_rep)
		no_nvidia_report(&j.ctx.t.rep, j.ctx.o.json);
	if (code != EXIT_OK)
		goto out;
	if (!j.ctx.o.dry_run) {
		_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;

		/* One-shot: whatever this run finds, the unit has done its job. */
		strbuf_init(&err);
		if (resume_unit_installed() && resume_unit_remove(&err) < 0)
			log_warning("cannot remove %s: %s", RESUME_UNIT_NAME, err.buf);
	}
	build_steps(&j);
	nothing = pending_count(&j) == 0;
	if (nothing) {
		code = j.reboot_needed ? EXIT_REBOOT_NEEDED : EXIT_OK;
		for (size_t i = 0; i < j.nsteps; i++)
			j.steps[i].status = !j.steps[i].done ? STEP_PENDING     /* doctor, after the reboot */
					    : j.steps[i].id == STEP_ID_DRIVER && j.reboot_needed ? STEP_REBOOT_PENDING
					    : STEP_ALREADY_DONE;
		if (j.reboot_needed && !j.json)
			printf("Nothing to do before the reboot.\n");
		if (j.reboot_needed)
			reboot_advice(&j);
		if (j.json) {
			print_json_result(&j, j.reboot_needed ? "reboot-needed" : "nothing-to-do", code);
		} else if (!j.reboot_needed) {
			printf("Nothing to do: %s is set up (each step's result holds; 'gpu-setup doctor' checks it "
			       "again).\n", j.label);
		}
		goto out;
	}
	if (!j.json)
		print_plan(&j);
	if (j.ctx.o.dry_run) {
		if (j.json)
			print_json_result(&j, "dry-run", EXIT_OK);
		goto out;
	}
	r = prompt_consent("Go ahead?", j.ctx.o.yes);
	if (r <= 0) {
		code = r == -ENOTTY ? EXIT_USAGE : EXIT_FAILED;
		goto out;
	}
	j.ctx.o.yes = true;   /* asked once: the steps do not ask again */
	open_log(&j);
	log_msg(LOG_LEVEL_DEBUG, "gpu-setup %s: the main job starts (pid %ld) for %s", PACKAGE_VERSION,
		(long)getpid(), j.label);
	r = interrupt_catch();
	if (r < 0)
		log_warning("cannot catch Ctrl-C: %s", strerror(-r));
	steps_output_begin(&j);
	code = run_preflight(&j);
	if (code != EXIT_OK) {
		steps_output_end(&j);
		if (j.json)
			print_json_result(&j, "failed", code);
		goto out;
	}
	state_begin(&j);
	save_state(&j);
	code = run_steps(&j);
	steps_output_end(&j);
	if (code == EXIT_OK && j.reboot_needed)
		reboot_advice(&j);
	install_state_set_result(&j.st, result_word(&j, code));
	save_state(&j);
	if (interrupt_pending())
		log_error("stopped by signal %d after the current action; the state file %s says where: run "
			  "'sudo gpu-setup' again to go on", interrupt_signal(), INSTALL_STATE_PATH);
	if (code == EXIT_OK && j.reboot_needed)
		code = EXIT_REBOOT_NEEDED;
	else if (code == EXIT_CHECKS_FAILED)
		log_error("every step is done, but doctor found a problem (above)");
	else if (code != EXIT_OK && !interrupt_pending())
		log_error("the run stopped at a failed step; the steps before it are done and kept: fix what the "
			  "message says and run 'sudo gpu-setup' again");
	else if (code == EXIT_OK && !j.json)
		printf("Done: %s is set up.\n", j.label);
	if (j.json)
		print_json_result(&j, result_word(&j, code == EXIT_REBOOT_NEEDED ? EXIT_OK : code), code);
out:
	job_free(&j);
	return code;
}
