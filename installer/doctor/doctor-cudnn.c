/*
 * doctor-cudnn.c - the cudnn checks, per toolkit that holds a cuDNN
 * header: its version (cudnn.version), the libraries present and
 * readable (cudnn.libraries), one release only (cudnn.lib-version), built
 * for the toolkit's CUDA major (cudnn.cuda-major); and whether
 * LD_LIBRARY_PATH puts a cuDNN before a framework's own
 * (cudnn.shadowing).
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <sys/stat.h>

#include "cudnn.h"
#include "cuda-env.h"
#include "doctor-toolkit.h"
#include "doctor.h"
#include "manifest.h"
#include "strbuf.h"
#include "sysroot.h"
#include "util.h"

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* X.Y for `gpu-setup install cudnn --cuda`. */
static const char *cuda_xy(const struct doctor_toolkit *tk)
{
	return tk->xy[0] ? tk->xy : "X.Y";
}

/* The full version a library file name carries after ".so." (at least
 * X.Y.Z: "libcudnn_ops.so.9.8.0"), in ret; false for "libcudnn.so.9". */
static bool lib_full_version(const char *name, unsigned ret[3])
{
	const char *so = strstr(name, ".so.");
	struct version v;

	if (!so || version_parse_n(so + 4, strlen(so + 4), 9, &v) < 0 || v.nparts < 3)
		return false;
	memcpy(ret, v.part, 3 * sizeof(unsigned));
	return true;
}

/* What a toolkit's lib64 holds of cuDNN. */
struct cudnn_libs {
	char *dir;                  /* lib64 resolved inside the root, or NULL */
	char **unreadable;          /* regular libcudnn* files not readable by all */
	size_t nunreadable;
	char **full;                /* regular libcudnn*.so.X.Y.Z files */
	unsigned (*fullv)[3];
	size_t nfull;
	size_t nfiles;              /* regular libcudnn* files */
};

static void push(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

static int is_libcudnn(const struct dirent *de)
{
	return startswith(de->d_name, "libcudnn");
}

/* Byte order, whatever the locale: the report names files in an order that
 * does not depend on the file system's (tmpfs lists newest first, ext4 by
 * hash) or on LC_COLLATE. */
static int name_order(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void libs_read(const char *toolkit, struct cudnn_libs *ret)
{
	_cleanup_free_ char *lib64 = xasprintf("%s/lib64", toolkit), *host = NULL;
	struct cudnn_libs l = { 0 };
	struct dirent **list = NULL;
	int n = -1;

	l.dir = doctor_resolve(lib64);
	if (l.dir) {
		host = sysroot_path(l.dir);
		n = scandir(host, &list, is_libcudnn, name_order);
	}
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *full = NULL;
		struct dirent *de = list[i];
		unsigned v[3];
		struct stat st;

		full = xasprintf("%s/%s", host, de->d_name);
		/* Links are judged by what they lead to, which is listed too. */
		if (lstat(full, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		l.nfiles++;
		if ((st.st_mode & 0444) != 0444)
			push(&l.unreadable, &l.nunreadable, de->d_name);
		if (strstr(de->d_name, ".so.") && lib_full_version(de->d_name, v)) {
			l.fullv = xrealloc(l.fullv, (l.nfull + 1) * sizeof(*l.fullv));
			memcpy(l.fullv[l.nfull], v, sizeof(v));
			push(&l.full, &l.nfull, de->d_name);
		}
	}
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	*ret = l;
}

static void libs_free(struct cudnn_libs *l)
{
	for (size_t i = 0; i < l->nunreadable; i++)
		free(l->unreadable[i]);
	for (size_t i = 0; i < l->nfull; i++)
		free(l->full[i]);
	free(l->unreadable);
	free(l->full);
	free(l->fullv);
	free(l->dir);
}

/* ---------------------------------------------------------------- cudnn.libraries */

static void check_libraries(const struct doctor_toolkit *tk, const unsigned hv[3], bool have_v,
			    const struct cudnn_libs *l, struct doctor_report *rep)
{
	_cleanup_strbuf_ struct strbuf ev = STRBUF_INIT, fix = STRBUF_INIT;
	_cleanup_free_ char *so = NULL, *real = NULL;
	bool missing = false;
	struct doctor_check *c;

	strbuf_init(&ev);
	strbuf_init(&fix);
	if (!l->dir) {
		c = doctor_add(rep, "cudnn.libraries", DOCTOR_FAIL, "%s/lib64 does not exist: the cuDNN header is there "
			       "but no library", tk->dir);
		doctor_set_fix(c, "sudo gpu-setup install cudnn --cuda %s", cuda_xy(tk));
		doctor_set_subject(c, tk->dir);
		return;
	}
	/* What a program linked with -lcudnn asks ld.so for. */
	so = have_v ? xasprintf("%s/libcudnn.so.%u", l->dir, hv[0]) : NULL;
	if (so) {
		struct stat st;
		_cleanup_free_ char *host = NULL;

		real = doctor_resolve(so);
		host = real ? sysroot_path(real) : NULL;
		missing = !host || stat(host, &st) < 0 || !S_ISREG(st.st_mode);
	} else {
		missing = l->nfiles == 0;
	}
	if (missing) {
		if (have_v)
			strbuf_addf(&ev, "%s/lib64/libcudnn.so.%u is missing (or leads nowhere), though the header says "
				    "cuDNN %u.%u.%u", tk->dir, hv[0], hv[0], hv[1], hv[2]);
		else
			strbuf_addf(&ev, "%s/lib64 holds no libcudnn file", tk->dir);
		strbuf_addf(&fix, "sudo gpu-setup install cudnn --cuda %s", cuda_xy(tk));
	}
	if (l->nunreadable) {
		strbuf_addf(&ev, "%snot readable by all users in %s/lib64:", ev.len ? "; " : "", tk->dir);
		for (size_t i = 0; i < l->nunreadable; i++)
			strbuf_addf(&ev, " %s", l->unreadable[i]);
		strbuf_addf(&fix, "%ssudo chmod a+r %s/lib64/libcudnn*", fix.len ? "; " : "", tk->dir);
	}
	if (ev.len) {
		c = doctor_add(rep, "cudnn.libraries", DOCTOR_FAIL, "%s", ev.buf);
		doctor_set_fix(c, "%s", fix.buf);
	} else if (so) {
		c = doctor_add(rep, "cudnn.libraries", DOCTOR_OK,
			       "%s/lib64/libcudnn.so.%u is there (%s); %zu libcudnn files, all readable by all", tk->dir,
			       hv[0], real, l->nfiles);
	} else {
		c = doctor_add(rep, "cudnn.libraries", DOCTOR_OK, "%zu libcudnn files in %s/lib64, all readable by all",
			       l->nfiles, tk->dir);
	}
	doctor_set_subject(c, tk->dir);
}

/* ---------------------------------------------------------------- cudnn.lib-version */

static void check_lib_version(const struct doctor_toolkit *tk, const char *version, const unsigned hv[3],
			      const struct cudnn_libs *l, struct doctor_report *rep)
{
	_cleanup_strbuf_ struct strbuf bad = STRBUF_INIT;
	size_t nbad = 0;
	struct doctor_check *c;

	strbuf_init(&bad);
	if (!version) {
		c = doctor_add(rep, "cudnn.lib-version", DOCTOR_SKIP, "the header names no version to compare with");
	} else if (!l->nfull) {
		c = doctor_add(rep, "cudnn.lib-version", DOCTOR_SKIP,
			       "%s/lib64 holds no libcudnn*.so.X.Y.Z file (%zu libcudnn files, named by their major "
			       "only, as in a tree assembled from NVIDIA's pip wheels): nothing to compare with the "
			       "header's %s", tk->dir, l->nfiles, version);
	} else {
		for (size_t i = 0; i < l->nfull; i++) {
			if (memcmp(l->fullv[i], hv, 3 * sizeof(unsigned)) == 0)
				continue;
			if (!nbad++)
				strbuf_addf(&bad, "lib64/%s is %u.%u.%u", l->full[i], l->fullv[i][0], l->fullv[i][1],
					    l->fullv[i][2]);
		}
		if (nbad > 1)
			strbuf_addf(&bad, " (and %zu more)", nbad - 1);
		if (nbad) {
			c = doctor_add(rep, "cudnn.lib-version", DOCTOR_FAIL,
				       "header says %s but %s: two cuDNN releases are mixed", version, bad.buf);
			doctor_set_fix(c, "sudo gpu-setup uninstall cudnn --cuda %s, remove the stray libcudnn files "
				       "left in %s/lib64, then sudo gpu-setup install cudnn --cuda %s",
				       cuda_xy(tk), tk->dir, cuda_xy(tk));
		} else {
			c = doctor_add(rep, "cudnn.lib-version", DOCTOR_OK,
				       "the %zu libcudnn*.so.X.Y.Z files in %s/lib64 are %s, as the header says",
				       l->nfull, tk->dir, version);
		}
	}
	doctor_set_subject(c, tk->dir);
}

/* ---------------------------------------------------------------- cudnn.cuda-major */

/* The CUDA major of gpu-setup's cuDNN from its manifest's source name. */
static bool major_from_manifest(const struct doctor_toolkit *tk, unsigned *ret, char **ret_how)
{
	_cleanup_free_ char *path = cudnn_manifest_path(tk->real), *version = NULL;
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct manifest m = { 0 };
	bool found = false;

	strbuf_init(&err);
	if (manifest_read(path, &m, &err) < 0)
		return false;
	/* Manifests are named by the toolkit's last component: one of
	 * another toolkit of that name says nothing about this one. */
	if (streq(m.kind, "cudnn") && streq(m.base, tk->real) && m.source &&
	    cudnn_archive_name_parse(m.source, &version, ret) == 0) {
		*ret_how = xasprintf("%s: source %s", path, m.source);
		found = true;
	}
	manifest_free(&m);
	return found;
}

/* The CUDA major from the dist-info directory NVIDIA's cuDNN wheel left
 * (nvidia_cudnn_cu13-9.19.0.56.dist-info), in a tree assembled from the
 * wheels. */
static bool major_from_dist_info(const struct doctor_toolkit *tk, unsigned *ret, char **ret_how)
{
	_cleanup_free_ char *pattern = xasprintf("%s/dist-info/nvidia_cudnn_cu*.dist-info", tk->real);
	_cleanup_free_ char *host = sysroot_path(pattern);
	bool found = false;
	glob_t g;

	if (glob(host, 0, NULL, &g) != 0)
		return false;
	for (size_t i = 0; i < g.gl_pathc && !found; i++) {
		const char *name = strrchr(g.gl_pathv[i], '/') + 1, *p = name + strlen("nvidia_cudnn_cu");
		unsigned v = 0;

		if (!isdigit((unsigned char)*p))
			continue;
		for (; isdigit((unsigned char)*p) && v < 1000; p++)
			v = v * 10 + (unsigned)(*p - '0');
		if (*p != '-')
			continue;
		*ret = v;
		*ret_how = xasprintf("%s/dist-info/%s", tk->dir, name);
		found = true;
	}
	globfree(&g);
	return found;
}

static void check_cuda_major(const struct doctor_toolkit *tk, struct doctor_report *rep)
{
	_cleanup_free_ char *how = NULL, *mpath = cudnn_manifest_path(tk->real);
	unsigned major = 0;
	bool from_manifest = false;
	struct doctor_check *c;

	if (!tk->xy[0]) {
		c = doctor_add(rep, "cudnn.cuda-major", DOCTOR_SKIP, "the toolkit names no release");
	} else if (!(from_manifest = major_from_manifest(tk, &major, &how)) && !major_from_dist_info(tk, &major, &how)) {
		c = doctor_add(rep, "cudnn.cuda-major", DOCTOR_SKIP,
			       "cannot tell which CUDA major the cuDNN was built for: no gpu-setup manifest (%s) naming "
			       "its archive, no nvidia_cudnn_cuN dist-info in the toolkit", mpath);
	} else if (major != tk->release.part[0]) {
		c = doctor_add(rep, "cudnn.cuda-major", DOCTOR_FAIL,
			       "the cuDNN is built for CUDA %u (%s), the toolkit is CUDA %s", major, how, tk->tree.version);
		if (from_manifest)
			doctor_set_fix(c, "sudo gpu-setup uninstall cudnn --cuda %s && sudo gpu-setup install cudnn --cuda %s",
				       tk->xy, tk->xy);
		else
			doctor_set_fix(c, "remove that cuDNN's files (include/cudnn*.h, lib64/libcudnn*) from %s, then "
				       "sudo gpu-setup install cudnn --cuda %s", tk->dir, tk->xy);
	} else {
		c = doctor_add(rep, "cudnn.cuda-major", DOCTOR_OK, "the cuDNN is built for CUDA %u (%s), as the toolkit is",
			       major, how);
	}
	doctor_set_subject(c, tk->dir);
}

/* ---------------------------------------------------------------- cudnn.shadowing */

/* The cuDNN a directory holds: "9.1.0 (from ../include/cudnn_version.h)"
 * or "9 (from libcudnn.so.9)"; NULL when it holds no libcudnn.so*. */
static char *dir_cudnn(const char *real)
{
	_cleanup_free_ char *host = sysroot_path(real), *parent = NULL, *best = NULL, *version = NULL;
	_cleanup_(closedirp) DIR *d = opendir(host);
	const char *slash;
	struct dirent *de;

	while (d && (de = readdir(d)))
		/* The longest name carries the most of the version. */
		if (startswith(de->d_name, "libcudnn.so") &&
		    (!best || strlen(de->d_name) > strlen(best) ||
		     /* of two as long, the same one whatever readdir's order */
		     (strlen(de->d_name) == strlen(best) && strcmp(de->d_name, best) < 0))) {
			free(best);
			best = xstrdup(de->d_name);
		}
	if (!best)
		return NULL;
	slash = strrchr(real, '/');
	parent = slash && slash != real ? xasprintf("%.*s", (int)(slash - real), real) : xstrdup("/");
	if (cudnn_installed_version(parent, &version) == 0)
		return xasprintf("%s (from %s/include)", version, parent);
	if (strlen(best) > strlen("libcudnn.so."))
		return xasprintf("%s (from %s)", best + strlen("libcudnn.so."), best);
	return xasprintf("of unknown version (only %s)", best);
}

static void check_shadowing(struct doctor_report *rep)
{
	const char *env = getenv("LD_LIBRARY_PATH");
	_cleanup_free_ char *copy = env ? xstrdup(env) : NULL;
	char *save = NULL;
	size_t nwarn = 0;

	for (char *e = copy ? strtok_r(copy, ":", &save) : NULL; e; e = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *real = e[0] == '/' ? doctor_resolve(e) : NULL, *what = NULL;
		struct doctor_check *c;

		if (!real || !(what = dir_cudnn(real)))
			continue;
		nwarn++;
		c = doctor_add(rep, "cudnn.shadowing", DOCTOR_WARN,
			       "LD_LIBRARY_PATH (of the environment doctor runs in: a login shell or a service may "
			       "differ) holds %s, with cuDNN %s: ld.so takes it before a framework's own cuDNN (PyTorch "
			       "wheels bring theirs), which then fails with \"LD_LIBRARY_PATH contains incompatible "
			       "version of cudnn\" or runs with the wrong one", e, what);
		doctor_set_fix(c, "take %s out of LD_LIBRARY_PATH where it is set (~/.bashrc, /etc/environment); "
			       "%s already lets ld.so reach the toolkit's libraries (see cuda.libraries)", e,
			       CUDA_LDCONF_PATH);
		doctor_set_subject(c, e);
	}
	if (nwarn)
		return;
	if (!env || !*env)
		doctor_add(rep, "cudnn.shadowing", DOCTOR_OK,
			   "LD_LIBRARY_PATH is not set in the environment doctor runs in: nothing goes before a "
			   "framework's own cuDNN");
	else
		doctor_add(rep, "cudnn.shadowing", DOCTOR_OK,
			   "no directory on LD_LIBRARY_PATH (%s, in the environment doctor runs in) holds a libcudnn", env);
}

/* ---------------------------------------------------------------- the group */

void doctor_check_cudnn(struct doctor_ctx *ctx, struct doctor_report *rep)
{
	static const struct doctor_toolkits none;
	const struct doctor_toolkits *tks = &none;
	size_t nwith = 0;

	/* /usr/local unreadable: cuda.toolkits says so; shadowing still counts. */
	(void)doctor_ctx_toolkits(ctx, &tks);
	for (size_t i = 0; i < tks->n; i++) {
		const struct doctor_toolkit *tk = &tks->v[i];
		_cleanup_free_ char *version = NULL, *vh = NULL, *vh_real = NULL;
		const char *header;
		struct cudnn_libs libs;
		struct doctor_check *c;
		unsigned hv[3] = { 0 };
		int r;

		/* A distribution's cuDNN is its packages' business. */
		if (tk->distro || tk->inspect_r < 0)
			continue;
		r = cudnn_installed_version(tk->dir, &version);
		if (r == -ENOENT)
			continue;
		nwith++;
		vh = xasprintf("%s/include/cudnn_version.h", tk->dir);
		vh_real = doctor_resolve(vh);
		header = vh_real ? "include/cudnn_version.h" : "include/cudnn.h";
		if (r == 0) {
			sscanf(version, "%u.%u.%u", &hv[0], &hv[1], &hv[2]);
			c = doctor_add(rep, "cudnn.version", DOCTOR_OK, "cuDNN %s (%s)", version, header);
		} else if (r == -EINVAL) {
			c = doctor_add(rep, "cudnn.version", DOCTOR_FAIL,
				       "%s/%s defines no CUDNN_MAJOR, CUDNN_MINOR and CUDNN_PATCHLEVEL: a damaged header",
				       tk->dir, header);
			doctor_set_fix(c, "sudo gpu-setup install cudnn --cuda %s", cuda_xy(tk));
		} else {
			c = doctor_add(rep, "cudnn.version", DOCTOR_SKIP, "cannot read %s/%s: %s", tk->dir, header,
				       strerror(-r));
		}
		doctor_set_subject(c, tk->dir);

		libs_read(tk->dir, &libs);
		check_libraries(tk, hv, r == 0, &libs, rep);
		check_lib_version(tk, r == 0 ? version : NULL, hv, &libs, rep);
		libs_free(&libs);
		check_cuda_major(tk, rep);
	}
	if (!nwith)
		doctor_add(rep, "cudnn.version", DOCTOR_SKIP,
			   "no cuDNN in any toolkit; framework wheels bring their own");
	check_shadowing(rep);
}
