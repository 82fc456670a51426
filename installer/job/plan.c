/*
 * plan.c - turn a resolver choice into install's ordered steps, and look
 * at the target system (under the sysroot) to mark steps already done.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "conda-prefix.h"
#include "cuda-tree.h"
#include "cudnn.h"
#include "doctor-python.h"
#include "fileio.h"
#include "framework-env.h"
#include "plan.h"
#include "fetch-plan.h"
#include "resolve-output.h"
#include "shipped-hooks.h"
#include "step-done.h"
#include "sysroot.h"
#include "util.h"

static const char *const step_names[STEP_ID_COUNT] = {
	[STEP_ID_PREFLIGHT] = "preflight", [STEP_ID_DOWNLOAD] = "download", [STEP_ID_DRIVER] = "driver",
	[STEP_ID_CUDA] = "cuda", [STEP_ID_CUDNN] = "cudnn", [STEP_ID_MINICONDA] = "miniconda",
	[STEP_ID_MIRRORS] = "mirrors", [STEP_ID_FRAMEWORK] = "framework", [STEP_ID_HOOKS] = "hooks",
	[STEP_ID_DOCTOR] = "doctor",
};

const char *step_id_name(enum step_id id)
{
	return (unsigned)id < STEP_ID_COUNT ? step_names[id] : "unknown";
}

struct plan_step *plan_find(struct plan *p, enum step_id id)
{
	for (size_t i = 0; i < p->nsteps; i++)
		if (p->steps[i].id == id)
			return &p->steps[i];
	return NULL;
}

static struct plan_step *add_step(struct plan *p, enum step_id id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static struct plan_step *add_step(struct plan *p, enum step_id id, const char *fmt, ...)
{
	struct plan_step *s;
	va_list ap;

	p->steps = xrealloc(p->steps, (p->nsteps + 1) * sizeof(*p->steps));
	s = &p->steps[p->nsteps++];
	memset(s, 0, sizeof(*s));
	s->id = id;
	va_start(ap, fmt);
	s->title = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

static void add_change(struct plan_step *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_change(struct plan_step *s, const char *fmt, ...)
{
	va_list ap;

	s->changes = xrealloc(s->changes, (s->nchanges + 1) * sizeof(char *));
	va_start(ap, fmt);
	s->changes[s->nchanges++] = xvasprintf(fmt, ap);
	va_end(ap);
}

static void plan_driver(struct plan *p, const struct plan_input *in)
{
	const struct resolve_result *r = in->res;
	bool debian = startswith(in->distro->id, "debian-");
	struct plan_step *s;

	if (r->keep_installed) {
		s = add_step(p, STEP_ID_DRIVER, "NVIDIA driver branch %u", r->branch);
		s->done = true;
		s->status = xstrdup("the installed driver already fits: kept");
		return;
	}
	s = add_step(p, STEP_ID_DRIVER, "install NVIDIA driver branch %u (%s kernel modules)", r->branch,
		     flavour_name(r->flavour));
	if (debian)
		add_change(s, "apt: enable the contrib, non-free and non-free-firmware components");
	{
		_cleanup_free_ char *pkgs = package_list_words(r->package->packages);

		add_change(s, "apt: install %s", pkgs);
	}
	if (debian)
		add_change(s, "apt: install linux-headers-amd64 (DKMS builds the module for the running kernel)");
	add_change(s, "file: /etc/modprobe.d/gpu-setup-blacklist-nouveau.conf (keeps nouveau off the card)");
	add_change(s, "run: update-initramfs -u (so the initramfs does not load nouveau)");
	add_change(s, "reboot: needed before the new driver is in use");
}

static void plan_cuda(struct plan *p, const struct plan_input *in, const char *dir)
{
	const struct cuda_info *t = in->res->cuda;
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	struct plan_step *s = add_step(p, STEP_ID_CUDA, "install CUDA toolkit %s from NVIDIA's runfile, without its driver",
				       t->version);

	if (step_done_cuda(dir, t->version, &why)) {
		s->done = true;
		s->status = strbuf_detach(&why, NULL);
		return;
	}
	add_change(s, "download: %s (sha256 %s)", t->url, t->sha256 ? t->sha256 : "not in the data: size and layout checked");
	add_change(s, "run: sh %s --silent --toolkit --toolkitpath=%s --no-man-page%s", t->runfile, dir,
		   in->res->gcc_override ? " --override" : "");
	add_change(s, "dir: %s", dir);
	add_change(s, "link: /usr/local/cuda -> %s", dir + strlen("/usr/local/"));
	add_change(s, "file: /etc/ld.so.conf.d/gpu-setup-cuda.conf (%s/lib64), then ldconfig", dir);
	add_change(s, "file: /etc/profile.d/gpu-setup-cuda.sh (PATH += %s/bin)", dir);
}

static void plan_cudnn(struct plan *p, const struct plan_input *in, const char *dir)
{
	const struct cudnn_info *n = in->res->cudnn;
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	struct plan_step *s;

	if (!n)
		return;
	s = add_step(p, STEP_ID_CUDNN, "place cuDNN %s into %s", n->version, dir);
	if (step_done_cudnn(dir, n, &why)) {
		s->done = true;
		s->status = strbuf_detach(&why, NULL);
		return;
	}
	add_change(s, "download: %s (sha256 %s)", n->url, n->sha256 ? n->sha256 : "not in the data");
	add_change(s, "files: %s/include/cudnn*.h", dir);
	add_change(s, "files: %s/lib64/libcudnn* (symlink chain kept)", dir);
}

static void plan_python(struct plan *p, const struct plan_input *in)
{
	const struct resolve_result *r = in->res;
	const struct target_user *u = in->user;
	_cleanup_free_ char *conda = NULL;
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	struct plan_step *s;

	s = add_step(p, STEP_ID_MINICONDA, "install Miniconda for %s", u->name);
	if (step_done_miniconda(u, in->conda_prefix, &conda, &why)) {
		s->done = true;
		s->status = strbuf_detach(&why, NULL);
	} else {
		conda = in->conda_prefix ? xstrdup(in->conda_prefix) : conda_prefix_default(u);
		add_change(s, "dir: %s (owned by %s)", conda, u->name);
		add_change(s, "file: %s/.bashrc (conda initialize block)", u->home);
	}
	s = add_step(p, STEP_ID_MIRRORS, "point pip and conda at the %s mirror", in->mirror->name);
	strbuf_reset(&why);
	if (step_done_mirrors(in->mirror, u, &why)) {
		s->done = true;
		s->status = strbuf_detach(&why, NULL);
	} else {
		add_change(s, "file: %s/.config/pip/pip.conf (index-url; the old file is backed up)", u->home);
		add_change(s, "file: %s/.condarc (channels; the old file is backed up)", u->home);
	}
	if (r->build) {
		_cleanup_free_ char *req = fw_build_requirement(r->build, in->framework_version);
		_cleanup_free_ char *name = framework_env_name(r->build);
		_cleanup_free_ char *env = xasprintf("%s/envs/%s", conda, name);

		s = add_step(p, STEP_ID_FRAMEWORK, "create the conda environment '%s' with Python %s and %s %s", name,
			     r->python[0] ? r->python : "(Miniconda's)", framework_title(r->build->fw),
			     r->build->version);
		strbuf_reset(&why);
		if (step_done_framework(env, r->build, in->framework_version, &why)) {
			s->done = true;
			s->status = strbuf_detach(&why, NULL);
		} else {
			add_change(s, "dir: %s", env);
			add_change(s, "pip: %s%s%s", req, r->build->index_url ? " from " : "",
				   r->build->index_url ? r->build->index_url : "");
		}
	}
}

/* "download the CUDA runfile and cuDNN into the cache": the files of kinds. */
static char *download_title(unsigned kinds)
{
	static const struct { enum cache_kind kind; const char *what; } files[] = {
		{ CACHE_RUNFILE, "the CUDA runfile" },
		{ CACHE_CUDNN, "cuDNN" },
		{ CACHE_MINICONDA, "Miniconda" },
	};
	struct strbuf t = STRBUF_INIT;
	size_t n = 0, total = 0;

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

/* The download step (online): the vendor files of the pending steps. */
static void plan_download(struct plan *p, size_t at, const struct plan_input *in)
{
	static const struct { enum step_id step; enum cache_kind kind; } reads[] = {
		{ STEP_ID_CUDA, CACHE_RUNFILE }, { STEP_ID_CUDNN, CACHE_CUDNN }, { STEP_ID_MINICONDA, CACHE_MINICONDA },
	};
	struct plan_step *s;

	for (size_t i = 0; i < ELEMENTSOF(reads); i++) {
		const struct plan_step *r = plan_find(p, reads[i].step);

		if (r && !r->done && (reads[i].step != STEP_ID_MINICONDA || in->res->build))
			p->download_kinds |= FETCH_KIND(reads[i].kind);
	}
	s = add_step(p, STEP_ID_DOWNLOAD, "%s", "");
	free(s->title);
	s->title = download_title(p->download_kinds ? p->download_kinds : FETCH_VENDOR_ALL);
	if (!p->download_kinds) {
		s->done = true;
		s->status = xstrdup("no pending step needs a download");
	} else {
		add_change(s, "files: into the cache, each checked against its sha256 (gpu-setup cache list shows them)");
	}
	/* Its place is right after preflight: move it there. */
	{
		struct plan_step moved = p->steps[p->nsteps - 1];

		memmove(&p->steps[at + 1], &p->steps[at], (p->nsteps - 1 - at) * sizeof(*p->steps));
		p->steps[at] = moved;
	}
}

void plan_build(const struct plan_input *in, struct plan *ret)
{
	const struct resolve_result *r = in->res;
	_cleanup_free_ char *dir = xasprintf("/usr/local/cuda-%u.%u", r->cuda->v.part[0], r->cuda->v.part[1]);
	struct plan_step *s, *pre;
	bool anything = false;

	memset(ret, 0, sizeof(*ret));
	add_step(ret, STEP_ID_PREFLIGHT, "%s",
		 in->offline ? "check the disk space and the cache" : "check the disk space");
	plan_driver(ret, in);
	plan_cuda(ret, in, dir);
	plan_cudnn(ret, in, dir);
	plan_python(ret, in);
	s = add_step(ret, STEP_ID_HOOKS, "enable the apt and kernel hooks that run 'gpu-setup doctor' after changes");
	if (step_done_hooks(NULL)) {
		s->done = true;
		s->status = xstrdup("enabled");
	} else {
		for (size_t i = 0; i < SHIPPED_HOOKS_N; i++)
			add_change(s, "file: %s", shipped_hooks[i].target);
	}
	s = add_step(ret, STEP_ID_DOCTOR, "check the result (gpu-setup doctor)");
	add_change(s, "nothing: reads only");
	if (!in->offline)
		plan_download(ret, 1, in);
	/* With nothing else to do, preflight has nothing to check. */
	for (size_t i = 0; i < ret->nsteps; i++)
		if (!ret->steps[i].done && ret->steps[i].id != STEP_ID_PREFLIGHT && ret->steps[i].id != STEP_ID_DOCTOR)
			anything = true;
	pre = plan_find(ret, STEP_ID_PREFLIGHT);
	if (!anything) {
		pre->done = true;
		pre->status = xstrdup("nothing else to do");
	}
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->nsteps; i++) {
		struct plan_step *s = &p->steps[i];

		free(s->title);
		free(s->status);
		for (size_t j = 0; j < s->nchanges; j++)
			free(s->changes[j]);
		free(s->changes);
	}
	free(p->steps);
	memset(p, 0, sizeof(*p));
}

void plan_print_text(const struct plan *p, FILE *out)
{
	for (size_t i = 0; i < p->nsteps; i++) {
		const struct plan_step *s = &p->steps[i];

		fprintf(out, "  %zu. %s%s\n", i + 1, s->title, s->done ? ": already done" : "");
		if (s->done)
			fprintf(out, "       (%s)\n", s->status);
		for (size_t j = 0; j < s->nchanges; j++)
			fprintf(out, "       %s\n", s->changes[j]);
	}
}

struct json_object *plan_to_json(const struct plan *p)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < p->nsteps; i++) {
		const struct plan_step *s = &p->steps[i];
		struct json_object *o = json_object_new_object(), *ch = json_object_new_array();

		json_object_object_add(o, "id", json_object_new_string(step_id_name(s->id)));
		json_object_object_add(o, "title", json_object_new_string(s->title));
		json_object_object_add(o, "done", json_object_new_boolean(s->done));
		json_object_object_add(o, "status", s->status ? json_object_new_string(s->status) : NULL);
		for (size_t j = 0; j < s->nchanges; j++)
			json_object_array_add(ch, json_object_new_string(s->changes[j]));
		json_object_object_add(o, "changes", ch);
		json_object_array_add(a, o);
	}
	return a;
}
