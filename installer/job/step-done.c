/*
 * step-done.c - whether a step's result already holds (see step-done.h).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "conda-prefix.h"
#include "cuda-tree.h"
#include "cudnn.h"
#include "doctor-python.h"
#include "framework-env.h"
#include "manifest.h"
#include "shipped-hooks.h"
#include "step-done.h"
#include "sysroot.h"
#include "util.h"
#include "version.h"

static void say(struct strbuf *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct strbuf *why, const char *fmt, ...)
{
	va_list ap;

	if (!why)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(why, fmt, ap);
	va_end(ap);
}

/* have is a later X.Y.Z of want's X.Y. */
static bool newer_update(const char *have, const char *want)
{
	struct version h, w;

	return version_parse(have, &h) == 0 && version_parse(want, &w) == 0 && h.nparts == 3 && w.nparts == 3 &&
	       h.part[0] == w.part[0] && h.part[1] == w.part[1] && version_cmp(&h, &w) > 0;
}

bool step_done_cuda(const char *dir, const char *version, struct strbuf *why)
{
	_cleanup_strbuf_ struct strbuf missing = STRBUF_INIT;
	struct cuda_tree t;
	bool complete;
	int r;

	r = cuda_tree_inspect(dir, &t);
	if (r < 0) {
		say(why, "%s: %s", dir, r == -ENOENT ? "not there" : strerror(-r));
		return false;
	}
	strbuf_init(&missing);
	if (t.version && newer_update(t.version, version)) {
		/* A newer update of the planned X.Y serves the same code (one
		 * installed when a newer driver of the branch was expected, or
		 * by hand): kept rather than replaced by an older one. */
		complete = cuda_tree_complete(&t, t.version, &missing);
		if (complete)
			say(why, "%s holds a complete CUDA %s, a later update of the release than the %s planned: kept",
			    dir, t.version, version);
		else
			say(why, "%s exists but is not a complete CUDA %s: %s", dir, t.version, missing.buf);
		cuda_tree_free(&t);
		return complete;
	}
	complete = cuda_tree_complete(&t, version, &missing);
	if (complete)
		say(why, "%s holds a complete CUDA %s: %s says %s, and nvcc, headers and libraries agree", dir,
		    version, cuda_tree_version_source(&t), t.version);
	else
		say(why, "%s exists but is not a complete CUDA %s: %s", dir, version, missing.buf);
	cuda_tree_free(&t);
	return complete;
}

/* Every entry of gpu-setup's cuDNN manifest for dir is there (lstat: a
 * link is checked as a link).  No manifest (a cuDNN placed by hand or by
 * NVIDIA's packages) is no disagreement: the header decided. */
static bool cudnn_manifest_holds(const char *dir, struct strbuf *why)
{
	_cleanup_free_ char *resolved = NULL, *path = NULL;
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct manifest m = { 0 };
	bool holds = true;
	int r;

	if (sysroot_resolve(dir, &resolved) < 0)
		resolved = xstrdup(dir);
	path = cudnn_manifest_path(resolved);
	strbuf_init(&err);
	r = manifest_read(path, &m, &err);
	if (r == -ENOENT)
		return true;
	if (r < 0) {
		say(why, "%s", err.buf);
		return false;
	}
	if (!streq(m.kind, "cudnn") || !streq(m.base, resolved)) {
		manifest_free(&m);
		return true;   /* another toolkit's of the same name (see doctor-cudnn.c) */
	}
	for (size_t i = 0; i < m.nentries && holds; i++) {
		_cleanup_free_ char *rel = xasprintf("%s/%s", m.base, m.entries[i].relpath), *host = NULL;
		struct stat st;

		/* The links above the entry (the runfile's include and lib64
		 * may be absolute) are followed inside the root. */
		if (sysroot_host_path_parent(rel, &host) < 0 || lstat(host, &st) < 0) {
			say(why, "%s is missing (listed in %s)", rel, path);
			holds = false;
		}
	}
	manifest_free(&m);
	return holds;
}

bool step_done_cudnn(const char *dir, const struct cudnn_info *n, struct strbuf *why)
{
	_cleanup_free_ char *have = NULL;
	struct version hv, nv = n->v;
	int r = cudnn_installed_version(dir, &have);

	if (r < 0) {
		say(why, "%s/include has %s", dir, r == -ENOENT ? "no cuDNN header" : "a cuDNN header with no version");
		return false;
	}
	nv.nparts = 3;
	if (version_parse(have, &hv) < 0 || version_cmp(&hv, &nv) != 0) {
		say(why, "%s/include/cudnn_version.h says %s, not %s", dir, have, n->version);
		return false;
	}
	if (!cudnn_manifest_holds(dir, why))
		return false;
	say(why, "%s/include/cudnn_version.h says %s", dir, have);
	return true;
}

bool step_done_framework(const char *env_dir, const struct fw_build *b, const char *want, struct strbuf *why)
{
	_cleanup_strbuf_ struct strbuf differs = STRBUF_INIT;
	struct env_marker m;
	bool holds;
	int r = env_marker_read(env_dir, &m);

	if (r < 0) {
		say(why, "%s/%s: %s", env_dir, GS_ENV_MARKER,
		    r == -EINVAL ? "not gpu-setup's marker" : strerror(-r));
		return false;
	}
	strbuf_init(&differs);
	holds = env_marker_matches(&m, b, want, &differs);
	if (holds)
		say(why, "%s/%s says %s %s", env_dir, GS_ENV_MARKER, framework_title(b->fw), m.version);
	else
		say(why, "%s: %s", env_dir, differs.buf);
	env_marker_free(&m);
	return holds;
}

bool step_done_miniconda(const struct target_user *u, const char *given, char **ret_prefix, struct strbuf *why)
{
	*ret_prefix = NULL;
	if (conda_prefix_find(u, given, ret_prefix) < 0) {
		say(why, "no conda for %s%s%s", u->name, given ? " in " : "", given ? given : "");
		return false;
	}
	say(why, "%s/bin/conda exists", *ret_prefix);
	return true;
}

bool step_done_mirrors(const struct mirror *m, const struct target_user *u, struct strbuf *why)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct mirror_files f = { 0 };
	bool holds = true;

	if (mirror_apply_files(m, u, false, true, &f, &err) < 0) {
		say(why, "%s", err.buf);
		return false;
	}
	for (size_t i = 0; i < f.n; i++)
		holds = holds && f.files[i].action == MIRROR_UNCHANGED;
	mirror_files_free(&f);
	if (holds)
		say(why, "pip and conda use the %s mirror", m->name);
	else
		say(why, "pip's or conda's file for %s does not name the %s mirror yet", u->name, m->name);
	return holds;
}

bool step_done_hooks(struct strbuf *why)
{
	bool on = shipped_hooks_enabled();

	say(why, "%s", on ? "enabled" : "not all of gpu-setup's apt and kernel hooks are in place");
	return on;
}
