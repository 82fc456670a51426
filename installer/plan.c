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
#include "resolve-output.h"
#include "sysroot.h"
#include "util.h"

static struct plan_step *add_step(struct plan *p, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static struct plan_step *add_step(struct plan *p, const char *id, const char *fmt, ...)
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

static void driver_step(struct plan *p, const struct plan_input *in)
{
	const struct resolve_result *r = in->res;
	bool debian = startswith(in->distro->id, "debian-");
	struct plan_step *s;

	if (r->keep_installed) {
		s = add_step(p, "driver", "NVIDIA driver branch %u", r->branch);
		s->done = true;
		s->status = xstrdup("the installed driver already fits: kept");
		return;
	}
	s = add_step(p, "driver", "install NVIDIA driver branch %u (%s kernel modules)", r->branch,
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

static void cuda_step(struct plan *p, const struct plan_input *in, const char *dir)
{
	const struct cuda_info *t = in->res->cuda;
	_cleanup_(cuda_tree_free) struct cuda_tree have = { 0 };
	struct plan_step *s = add_step(p, "cuda", "install CUDA toolkit %s from NVIDIA's runfile, without its driver",
				       t->version);

	/* The plan goes by the release the toolkit names (version.json, else
	 * the next best source); the step that runs the runfile must check
	 * the whole tree (cuda_tree_complete), not this. */
	if (cuda_tree_inspect(dir, &have) == 0 && have.version && streq(have.version, t->version)) {
		s->done = true;
		s->status = xasprintf("%s/%s says %s", dir, cuda_tree_version_source(&have), have.version);
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

static void cudnn_step(struct plan *p, const struct plan_input *in, const char *dir)
{
	const struct cudnn_info *n = in->res->cudnn;
	_cleanup_free_ char *have = NULL;
	struct plan_step *s;

	if (!n)
		return;
	s = add_step(p, "cudnn", "place cuDNN %s into %s", n->version, dir);
	if (cudnn_installed_version(dir, &have) == 0) {
		struct version hv, nv = n->v;

		nv.nparts = 3;
		if (version_parse(have, &hv) == 0 && version_cmp(&hv, &nv) == 0) {
			s->done = true;
			s->status = xasprintf("%s/include/cudnn_version.h says %s", dir, have);
			return;
		}
	}
	add_change(s, "download: %s (sha256 %s)", n->url, n->sha256 ? n->sha256 : "not in the data");
	add_change(s, "files: %s/include/cudnn*.h", dir);
	add_change(s, "files: %s/lib64/libcudnn* (symlink chain kept)", dir);
}

/* The environment's marker says it holds this build (install framework
 * keeps such an environment as it is). */
static bool env_holds_build(const char *env, const struct fw_build *b, const char *want)
{
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	struct env_marker m;
	bool holds;

	strbuf_init(&why);
	if (env_marker_read(env, &m) < 0)
		return false;
	holds = env_marker_matches(&m, b, want, &why);
	env_marker_free(&m);
	return holds;
}

static void python_steps(struct plan *p, const struct plan_input *in)
{
	const struct resolve_result *r = in->res;
	const struct target_user *u = in->user;
	_cleanup_free_ char *conda = NULL;
	struct plan_step *s;
	bool have_conda = conda_prefix_find(u, in->conda_prefix, &conda) == 0;

	s = add_step(p, "miniconda", "install Miniconda for %s", u->name);
	if (have_conda) {
		s->done = true;
		s->status = xasprintf("%s/bin/conda exists", conda);
	} else {
		conda = in->conda_prefix ? xstrdup(in->conda_prefix) : conda_prefix_default(u);
		add_change(s, "dir: %s (owned by %s)", conda, u->name);
		add_change(s, "file: %s/.bashrc (conda initialize block)", u->home);
	}
	s = add_step(p, "mirrors", "point pip and conda at the %s mirror", in->mirror);
	add_change(s, "file: %s/.config/pip/pip.conf (index-url; the old file is backed up)", u->home);
	add_change(s, "file: %s/.condarc (channels; the old file is backed up)", u->home);
	if (r->build) {
		_cleanup_free_ char *req = fw_build_requirement(r->build, in->framework_version);
		_cleanup_free_ char *name = framework_env_name(r->build);
		_cleanup_free_ char *env = xasprintf("%s/envs/%s", conda, name);

		s = add_step(p, "framework", "create the conda environment '%s' with Python %s and %s %s", name,
			     r->python[0] ? r->python : "(Miniconda's)", framework_title(r->build->fw),
			     r->build->version);
		if (env_holds_build(env, r->build, in->framework_version)) {
			s->done = true;
			s->status = xasprintf("%s/%s says %s %s", env, GS_ENV_MARKER, framework_title(r->build->fw),
					      r->build->version);
		} else {
			add_change(s, "dir: %s", env);
			add_change(s, "pip: %s%s%s", req, r->build->index_url ? " from " : "",
				   r->build->index_url ? r->build->index_url : "");
		}
	}
	s = add_step(p, "verify", "check the result (gpu-setup doctor)");
	add_change(s, "nothing: reads only");
}

void plan_build(const struct plan_input *in, struct plan *ret)
{
	const struct resolve_result *r = in->res;
	_cleanup_free_ char *dir = xasprintf("/usr/local/cuda-%u.%u", r->cuda->v.part[0], r->cuda->v.part[1]);

	memset(ret, 0, sizeof(*ret));
	driver_step(ret, in);
	cuda_step(ret, in, dir);
	cudnn_step(ret, in, dir);
	python_steps(ret, in);
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

		json_object_object_add(o, "id", json_object_new_string(s->id));
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
