/*
 * steps.c - the step table (steps.h): each step of install with its
 * "done", its title, its changes and its run.  The runs of the steps that
 * have a single-step command of their own (driver, cuda, cudnn,
 * miniconda, framework, doctor, the download) are that command's step
 * function over the context (job-ctx.h); preflight, mirrors and hooks
 * run here.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "cache.h"
#include "conda-prefix.h"
#include "exit-codes.h"
#include "fetch-plan.h"
#include "framework-env.h"
#include "install-preflight.h"
#include "log.h"
#include "mirror-config.h"
#include "offline-check.h"
#include "resolve-output.h"
#include "shipped-hooks.h"
#include "step-done.h"
#include "steps.h"
#include "util.h"

void plan_step_add_change(struct plan_step *s, const char *fmt, ...)
{
	va_list ap;

	s->changes = xrealloc(s->changes, (s->nchanges + 1) * sizeof(char *));
	va_start(ap, fmt);
	s->changes[s->nchanges++] = xvasprintf(fmt, ap);
	va_end(ap);
}

#define add_change plan_step_add_change

static bool pending_besides(const struct plan *p, enum step_id a, enum step_id b)
{
	for (size_t i = 0; i < p->nsteps; i++)
		if (!p->steps[i].done && p->steps[i].id != a && p->steps[i].id != b)
			return true;
	return false;
}

/* /usr/local/cuda-X.Y for the chosen toolkit. */
static char *toolkit_dir(const struct job_ctx *c)
{
	const struct cuda_info *t = c->res.cuda;

	return xasprintf("/usr/local/cuda-%u.%u", t->v.part[0], t->v.part[1]);
}

/* ---- preflight: room on disk; offline, the cache covers the pending steps */

static bool step_preflight_done(const struct job_ctx *c, const struct plan *p, struct strbuf *why)
{
	(void)c;
	if (pending_besides(p, STEP_ID_PREFLIGHT, STEP_ID_DOCTOR))
		return false;
	strbuf_adds(why, "nothing else to do");
	return true;
}

static char *step_preflight_title(const struct job_ctx *c, const struct plan *p)
{
	(void)p;
	return xstrdup(c->o.offline ? "check the disk space and the cache" : "check the disk space");
}

static int offline_cache_check(const struct job_ctx *c)
{
	_cleanup_strbuf_ struct strbuf report = STRBUF_INIT, err = STRBUF_INIT;
	_cleanup_free_ char *dir = cache_dir_for(c->o.cache), *requirement = NULL, *project = NULL, *prefix = NULL;
	struct offline_need needs[8];
	struct cache_manifest m;
	int r = cache_manifest_load(dir, &m, &err);
	size_t problems;

	if (r < 0) {
		log_error("cannot read the cache %s: %s; nothing was changed", dir, err.buf);
		return exit_code_for_errno(r);
	}
	if (c->res.build) {
		requirement = fw_build_requirement(c->res.build, c->o.framework_version);
		project = pip_requirement_project(requirement);
		prefix = xasprintf("%s-", project);
	}
	problems = offline_check(&m, needs,
				 preflight_offline_needs(c->plan, &c->res, miniconda_newest(&c->mc), prefix, needs),
				 &report);
	cache_manifest_free(&m);
	if (problems) {
		log_error("the cache %s does not cover this machine's plan (%zu problem%s):\n%s"
			  "fill it on a machine with network: 'gpu-setup detect --json > target.json' here, then "
			  "'gpu-setup fetch --for target.json --wheels --cache DIR' there; nothing was changed",
			  dir, problems, problems == 1 ? "" : "s", report.buf);
		return EXIT_FAILED;
	}
	log_info("the cache %s holds every file the plan needs, each with its recorded sha256", dir);
	return EXIT_OK;
}

static int step_preflight_run(struct job_ctx *c)
{
	_cleanup_strbuf_ struct strbuf report = STRBUF_INIT;
	struct space_need space[8];

	if (preflight_space(space, preflight_space_needs(c->plan, c->conda_prefix, space), &report)) {
		log_error("not enough room on disk for the pending steps:\n%smake room and run again; nothing was changed",
			  report.buf);
		return EXIT_FAILED;
	}
	return c->o.offline ? offline_cache_check(c) : EXIT_OK;
}

/* ---- download: online, the vendor files the pending steps read */

static bool step_download_applies(const struct job_ctx *c)
{
	return !c->o.offline;
}

unsigned step_download_kinds(const struct job_ctx *c, const struct plan *p)
{
	static const struct { enum step_id step; enum cache_kind kind; } reads[] = {
		{ STEP_ID_CUDA, CACHE_RUNFILE }, { STEP_ID_CUDNN, CACHE_CUDNN }, { STEP_ID_MINICONDA, CACHE_MINICONDA },
	};
	unsigned kinds = 0;

	for (size_t i = 0; i < ELEMENTSOF(reads); i++) {
		const struct plan_step *r = plan_find((struct plan *)p, reads[i].step);

		/* Miniconda is installed for the framework only. */
		if (r && !r->done && (reads[i].step != STEP_ID_MINICONDA || c->res.build))
			kinds |= FETCH_KIND(reads[i].kind);
	}
	return kinds;
}

static bool step_download_done(const struct job_ctx *c, const struct plan *p, struct strbuf *why)
{
	if (step_download_kinds(c, p))
		return false;
	strbuf_adds(why, "no pending step needs a download");
	return true;
}

/* "download the CUDA runfile and cuDNN into the cache" */
static char *step_download_title(const struct job_ctx *c, const struct plan *p)
{
	static const struct { enum cache_kind kind; const char *what; } files[] = {
		{ CACHE_RUNFILE, "the CUDA runfile" },
		{ CACHE_CUDNN, "cuDNN" },
		{ CACHE_MINICONDA, "Miniconda" },
	};
	unsigned kinds = step_download_kinds(c, p);
	struct strbuf t = STRBUF_INIT;
	size_t n = 0, total = 0;

	if (!kinds)
		kinds = FETCH_VENDOR_ALL;
	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		total += (kinds & FETCH_KIND(files[i].kind)) != 0;
	strbuf_adds(&t, "download ");
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		if (!(kinds & FETCH_KIND(files[i].kind)))
			continue;
		if (n)
			strbuf_adds(&t, n + 1 == total ? " and " : ", ");
		strbuf_adds(&t, files[i].what);
		n++;
	}
	strbuf_adds(&t, " into the cache");
	return strbuf_detach(&t, NULL);
}

static void step_download_plan(const struct job_ctx *c, struct plan_step *s)
{
	(void)c;
	add_change(s, "files: into the cache, each checked against its sha256 (gpu-setup cache list shows them)");
}

static int step_download_run(struct job_ctx *c)
{
	return download_step(c, c->plan->download_kinds);
}

/* ---- driver */

static bool step_driver_done(const struct job_ctx *c, const struct plan *p, struct strbuf *why)
{
	(void)p;
	if (!c->res.keep_installed)
		return false;
	strbuf_adds(why, "the installed driver already fits: kept");
	return true;
}

static char *step_driver_title(const struct job_ctx *c, const struct plan *p)
{
	const struct resolve_result *r = &c->res;

	(void)p;
	if (r->keep_installed)
		return xasprintf("NVIDIA driver branch %u", r->branch);
	return xasprintf("install NVIDIA driver branch %u (%s kernel modules)", r->branch, flavour_name(r->flavour));
}

static void step_driver_plan(const struct job_ctx *c, struct plan_step *s)
{
	_cleanup_free_ char *pkgs = package_list_words(c->res.package->packages);
	bool debian = startswith(c->t.distro->id, "debian-");

	/* Replacing a driver that is loaded: say so, with the option that
	 * keeps it when there is one (the resolver's reason). */
	for (size_t i = 0; i < c->res.nwhy; i++)
		if (streq(c->res.why[i].topic, "driver") && strstr(c->res.why[i].text, "it will be replaced"))
			add_change(s, "replace: %s", c->res.why[i].text);
	if (debian)
		add_change(s, "apt: enable the contrib, non-free and non-free-firmware components");
	add_change(s, "apt: install %s", pkgs);
	if (debian)
		add_change(s, "apt: install linux-headers-amd64 (DKMS builds the module for the running kernel)");
	add_change(s, "file: /etc/modprobe.d/gpu-setup-blacklist-nouveau.conf (keeps nouveau off the card)");
	add_change(s, "run: update-initramfs -u (so the initramfs does not load nouveau)");
	add_change(s, "reboot: needed before the new driver is in use");
}

/* ---- cuda */

static bool step_cuda_done(const struct job_ctx *c, const struct plan *p, struct strbuf *why)
{
	_cleanup_free_ char *dir = toolkit_dir(c);

	(void)p;
	return step_done_cuda(dir, c->res.cuda->version, why);
}

static char *step_cuda_title(const struct job_ctx *c, const struct plan *p)
{
	(void)p;
	return xasprintf("install CUDA toolkit %s from NVIDIA's runfile, without its driver", c->res.cuda->version);
}

static void step_cuda_plan(const struct job_ctx *c, struct plan_step *s)
{
	const struct cuda_info *t = c->res.cuda;
	_cleanup_free_ char *dir = toolkit_dir(c);

	add_change(s, "download: %s (sha256 %s)", t->url, t->sha256 ? t->sha256 : "not in the data: size and layout checked");
	add_change(s, "run: sh %s --silent --toolkit --toolkitpath=%s --no-man-page%s", t->runfile, dir,
		   c->res.gcc_override ? " --override" : "");
	add_change(s, "dir: %s", dir);
	add_change(s, "link: /usr/local/cuda -> %s", dir + strlen("/usr/local/"));
	add_change(s, "file: /etc/ld.so.conf.d/gpu-setup-cuda.conf (%s/lib64), then ldconfig", dir);
	add_change(s, "file: /etc/profile.d/gpu-setup-cuda.sh (PATH += %s/bin)", dir);
}

static int step_cuda_run(struct job_ctx *c)
{
	return install_cuda_step(c);
}

/* ---- cudnn */

static bool step_cudnn_applies(const struct job_ctx *c)
{
	return c->res.cudnn != NULL;
}

static bool step_cudnn_done(const struct job_ctx *c, const struct plan *p, struct strbuf *why)
{
	_cleanup_free_ char *dir = toolkit_dir(c);

	(void)p;
	return step_done_cudnn(dir, c->res.cudnn, why);
}

static char *step_cudnn_title(const struct job_ctx *c, const struct plan *p)
{
	_cleanup_free_ char *dir = toolkit_dir(c);

	(void)p;
	return xasprintf("place cuDNN %s into %s", c->res.cudnn->version, dir);
}

static void step_cudnn_plan(const struct job_ctx *c, struct plan_step *s)
{
	const struct cudnn_info *n = c->res.cudnn;
	_cleanup_free_ char *dir = toolkit_dir(c);

	add_change(s, "download: %s (sha256 %s)", n->url, n->sha256 ? n->sha256 : "not in the data");
	add_change(s, "files: %s/include/cudnn*.h", dir);
	add_change(s, "files: %s/lib64/libcudnn* (symlink chain kept)", dir);
}

static int step_cudnn_run(struct job_ctx *c)
{
	return install_cudnn_step(c);
}

/* ---- miniconda */

static bool step_miniconda_done(const struct job_ctx *c, const struct plan *p, struct strbuf *why)
{
	_cleanup_free_ char *found = NULL;

	(void)p;
	return step_done_miniconda(&c->u, c->o.conda_prefix, &found, why);
}

static char *step_miniconda_title(const struct job_ctx *c, const struct plan *p)
{
	(void)p;
	return xasprintf("install Miniconda for %s", c->u.name);
}

static void step_miniconda_plan(const struct job_ctx *c, struct plan_step *s)
{
	add_change(s, "dir: %s (owned by %s)", c->conda_prefix, c->u.name);
	add_change(s, "file: %s/.bashrc (conda initialize block)", c->u.home);
}

static int step_miniconda_run(struct job_ctx *c)
{
	return install_miniconda_step(c);
}

/* ---- mirrors */

static bool step_mirrors_done(const struct job_ctx *c, const struct plan *p, struct strbuf *why)
{
	(void)p;
	return step_done_mirrors(c->mirror, &c->u, why);
}

static char *step_mirrors_title(const struct job_ctx *c, const struct plan *p)
{
	(void)p;
	return xasprintf("point pip and conda at the %s mirror", c->mirror->name);
}

static void step_mirrors_plan(const struct job_ctx *c, struct plan_step *s)
{
	add_change(s, "file: %s/.config/pip/pip.conf (index-url; the old file is backed up)", c->u.home);
	add_change(s, "file: %s/.condarc (channels; the old file is backed up)", c->u.home);
}

static int step_mirrors_run(struct job_ctx *c)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT, report = STRBUF_INIT;

	if (mirror_apply(c->mirror, &c->u, false, &report, &err) < 0) {
		log_error("cannot point pip and conda at the %s mirror for %s: %s", c->mirror->name, c->u.name, err.buf);
		return EXIT_FAILED;
	}
	log_info("%s", report.buf);
	return EXIT_OK;
}

/* ---- framework */

static bool step_framework_applies(const struct job_ctx *c)
{
	return c->res.build != NULL;
}

/* The environment's path on the target. */
static char *framework_env(const struct job_ctx *c)
{
	_cleanup_free_ char *name = framework_env_name(c->res.build);

	return xasprintf("%s/envs/%s", c->conda_prefix, name);
}

static bool step_framework_done(const struct job_ctx *c, const struct plan *p, struct strbuf *why)
{
	_cleanup_free_ char *env = framework_env(c);

	(void)p;
	return step_done_framework(env, c->res.build, c->o.framework_version, why);
}

static char *step_framework_title(const struct job_ctx *c, const struct plan *p)
{
	const struct resolve_result *r = &c->res;
	_cleanup_free_ char *name = framework_env_name(r->build);

	(void)p;
	return xasprintf("create the conda environment '%s' with Python %s and %s %s", name,
			 r->python[0] ? r->python : "(Miniconda's)", framework_title(r->build->fw), r->build->version);
}

static void step_framework_plan(const struct job_ctx *c, struct plan_step *s)
{
	const struct fw_build *b = c->res.build;
	_cleanup_free_ char *req = fw_build_requirement(b, c->o.framework_version), *env = framework_env(c);

	add_change(s, "dir: %s", env);
	add_change(s, "pip: %s%s%s", req, b->index_url ? " from " : "", b->index_url ? b->index_url : "");
}

static int step_framework_run(struct job_ctx *c)
{
	return install_framework_step(c);
}

/* ---- hooks: the shipped apt and kernel hooks */

static bool step_hooks_done(const struct job_ctx *c, const struct plan *p, struct strbuf *why)
{
	(void)c;
	(void)p;
	if (!step_done_hooks(NULL))
		return false;
	strbuf_adds(why, "enabled");
	return true;
}

static char *step_hooks_title(const struct job_ctx *c, const struct plan *p)
{
	(void)c;
	(void)p;
	return xstrdup("enable the apt and kernel hooks that run 'gpu-setup doctor' after changes");
}

static void step_hooks_plan(const struct job_ctx *c, struct plan_step *s)
{
	(void)c;
	for (size_t i = 0; i < SHIPPED_HOOKS_N; i++)
		add_change(s, "file: %s", shipped_hooks[i].target);
}

static int step_hooks_run(struct job_ctx *c)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;

	if (shipped_hooks_enable(c->o.hooks_dir, &err) < 0) {
		log_error("cannot enable gpu-setup's apt and kernel hooks: %s", err.buf);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* ---- doctor: check the result */

static char *step_doctor_title(const struct job_ctx *c, const struct plan *p)
{
	(void)c;
	(void)p;
	return xstrdup("check the result (gpu-setup doctor)");
}

static void step_doctor_plan(const struct job_ctx *c, struct plan_step *s)
{
	(void)c;
	add_change(s, "nothing: reads only");
}

static int step_doctor_run(struct job_ctx *c)
{
	return doctor_step(c);
}

const struct step_def step_table[STEP_ID_COUNT] = {
	[STEP_ID_PREFLIGHT] = { STEP_ID_PREFLIGHT, "preflight", NULL, step_preflight_done, step_preflight_title, NULL,
				step_preflight_run, true },
	[STEP_ID_DOWNLOAD] = { STEP_ID_DOWNLOAD, "download", step_download_applies, step_download_done, step_download_title,
			       step_download_plan, step_download_run, true },
	[STEP_ID_DRIVER] = { STEP_ID_DRIVER, "driver", NULL, step_driver_done, step_driver_title, step_driver_plan, driver_step, false },
	[STEP_ID_CUDA] = { STEP_ID_CUDA, "cuda", NULL, step_cuda_done, step_cuda_title, step_cuda_plan, step_cuda_run, false },
	[STEP_ID_CUDNN] = { STEP_ID_CUDNN, "cudnn", step_cudnn_applies, step_cudnn_done, step_cudnn_title, step_cudnn_plan, step_cudnn_run,
			    false },
	[STEP_ID_MINICONDA] = { STEP_ID_MINICONDA, "miniconda", NULL, step_miniconda_done, step_miniconda_title, step_miniconda_plan,
				step_miniconda_run, false },
	[STEP_ID_MIRRORS] = { STEP_ID_MIRRORS, "mirrors", NULL, step_mirrors_done, step_mirrors_title, step_mirrors_plan, step_mirrors_run,
			      false },
	[STEP_ID_FRAMEWORK] = { STEP_ID_FRAMEWORK, "framework", step_framework_applies, step_framework_done, step_framework_title,
				step_framework_plan, step_framework_run, false },
	[STEP_ID_HOOKS] = { STEP_ID_HOOKS, "hooks", NULL, step_hooks_done, step_hooks_title, step_hooks_plan, step_hooks_run, false },
	[STEP_ID_DOCTOR] = { STEP_ID_DOCTOR, "doctor", NULL, NULL, step_doctor_title, step_doctor_plan, step_doctor_run, false },
};
