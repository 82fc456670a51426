/*
 * doctor-cuda.c - the cuda checks: which toolkits there are and whether
 * each is whole (cuda.toolkits), /usr/local/cuda (cuda.link), whether a
 * login shell finds nvcc (cuda.path) and ld.so the libraries
 * (cuda.libraries), whether the driver runs each toolkit (cuda.driver) and
 * each toolkit compiles for each GPU (cuda.arch).
 *
 * The versions are judged against compat/cuda.tsv: NVIDIA's minimum
 * driver per release and update, the minor-version compatibility floor,
 * and the sm targets nvcc compiles.
 */
#include "config.h"

#include <errno.h>
#include <glob.h>
#include <sys/stat.h>

#include "cuda-env.h"
#include "doctor-toolkit.h"
#include "doctor.h"
#include "fileio.h"
#include "search-paths.h"
#include "strbuf.h"
#include "sysroot.h"
#include "util.h"

#define SHELL_FILE_MAX (1u << 20)

/* "12.8", for `gpu-setup install cuda --cuda` and `use cuda`: the
 * directory's own name when it is a cuda-X.Y, else the release. */
static const char *toolkit_xy(const struct doctor_toolkit *tk)
{
	const char *name = strrchr(tk->dir, '/') + 1;

	if (startswith(name, "cuda-") && strchr(name, '.'))
		return name + 5;
	return tk->xy[0] ? tk->xy : NULL;
}

static void fix_use_newest(struct doctor_check *c, const struct doctor_toolkits *tks)
{
	const struct doctor_toolkit *newest = doctor_toolkits_newest(tks);

	if (newest && newest->complete && toolkit_xy(newest))
		doctor_set_fix(c, "sudo gpu-setup use cuda %s", toolkit_xy(newest));
	else
		doctor_set_fix(c, "sudo gpu-setup install cuda --cuda X.Y, then sudo gpu-setup use cuda X.Y");
}

/* ---------------------------------------------------------------- cuda.toolkits */

static void check_toolkit(const struct doctor_toolkit *tk, struct doctor_report *rep)
{
	_cleanup_strbuf_ struct strbuf how = STRBUF_INIT;
	struct doctor_check *c;

	strbuf_init(&how);
	if (tk->from_path)
		strbuf_addf(&how, "; found as %s/bin/nvcc on PATH", tk->dir);
	if (tk->distro)
		strbuf_adds(&how, "; a distribution's package, not a toolkit tree (its files are spread over /usr)");

	if (tk->inspect_r < 0) {
		c = doctor_add(rep, "cuda.toolkits", DOCTOR_FAIL, "cannot read %s: %s%s", tk->dir,
			       strerror(-tk->inspect_r), how.buf);
	} else if (tk->complete) {
		c = doctor_add(rep, "cuda.toolkits", DOCTOR_OK, "CUDA %s (%s)%s", tk->tree.version,
			       cuda_tree_version_source(&tk->tree), how.buf);
	} else if (tk->tree.version) {
		c = doctor_add(rep, "cuda.toolkits", DOCTOR_FAIL, "CUDA %s (%s) is incomplete: %s%s", tk->tree.version,
			       cuda_tree_version_source(&tk->tree), tk->why, how.buf);
	} else {
		c = doctor_add(rep, "cuda.toolkits", DOCTOR_FAIL, "not a complete toolkit: %s%s", tk->why, how.buf);
	}
	doctor_set_subject(c, tk->dir);
	if (c->status == DOCTOR_OK)
		return;
	if (toolkit_xy(tk) && startswith(tk->dir, "/usr/local/cuda-"))
		doctor_set_fix(c, "reinstall it: sudo gpu-setup install cuda --cuda %s", toolkit_xy(tk));
	else if (toolkit_xy(tk))
		doctor_set_fix(c, "reinstall it where it came from, or install CUDA %s beside it: "
			       "sudo gpu-setup install cuda --cuda %s", toolkit_xy(tk), toolkit_xy(tk));
	else
		doctor_set_fix(c, "remove %s, or reinstall the toolkit it was: sudo gpu-setup install cuda --cuda X.Y",
			       tk->dir);
}

/* ---------------------------------------------------------------- cuda.link */

/* Returns the toolkit /usr/local/cuda leads to, or NULL. */
static const struct doctor_toolkit *check_link(const struct doctor_toolkits *tks, struct doctor_report *rep)
{
	_cleanup_free_ char *target = NULL, *real = NULL;
	const struct doctor_toolkit *tk;
	bool any_local = false;
	struct doctor_check *c;
	int r;

	for (size_t i = 0; i < tks->n; i++)
		any_local |= startswith(tks->v[i].dir, "/usr/local/");
	r = cuda_link_read(&target);
	if (r == -ENOENT) {
		if (!any_local) {
			doctor_add(rep, "cuda.link", DOCTOR_SKIP,
				   "no %s, and no toolkit in /usr/local for it to lead to", CUDA_LINK_PATH);
			return NULL;
		}
		c = doctor_add(rep, "cuda.link", DOCTOR_FAIL,
			       "%s does not exist: build systems and scripts that look there (CUDA_HOME's usual "
			       "value, CMake's FindCUDAToolkit) find no toolkit", CUDA_LINK_PATH);
		fix_use_newest(c, tks);
		return NULL;
	}
	if (r < 0 && r != -EEXIST) {
		doctor_add(rep, "cuda.link", DOCTOR_SKIP, "cannot read %s: %s", CUDA_LINK_PATH, strerror(-r));
		return NULL;
	}
	real = doctor_resolve(CUDA_LINK_PATH);
	tk = doctor_toolkits_by_real(tks, real);
	if (!real || !tk) {
		c = doctor_add(rep, "cuda.link", DOCTOR_FAIL, "%s -> %s, which does not exist (a dangling link)",
			       CUDA_LINK_PATH, target ? target : "?");
		fix_use_newest(c, tks);
		return NULL;
	}
	if (!tk->complete) {
		c = doctor_add(rep, "cuda.link", DOCTOR_FAIL, "%s -> %s, an incomplete toolkit (see cuda.toolkits)",
			       CUDA_LINK_PATH, r == -EEXIST ? "itself" : target);
		fix_use_newest(c, tks);
		return tk;
	}
	if (r == -EEXIST)
		doctor_add(rep, "cuda.link", DOCTOR_OK,
			   "%s is a real directory: a toolkit installed into /usr/local/cuda itself (CUDA %s)",
			   CUDA_LINK_PATH, tk->tree.version);
	else
		doctor_add(rep, "cuda.link", DOCTOR_OK, "%s -> %s (CUDA %s)", CUDA_LINK_PATH, target, tk->tree.version);
	return tk;
}

/* ---------------------------------------------------------------- cuda.path */

/* A CUDA bin directory on PATH and where it was put there. */
struct path_origin {
	char *file;                 /* NULL: the process's PATH */
	unsigned line;
	char *dir;
};

struct path_sim {
	struct path_origin *v;      /* in PATH order, first wins */
	size_t n;
	char *reset;                /* "file:line" that last set PATH anew over CUDA entries */
	size_t nfiles;              /* files read */
};

static void origin_free(struct path_origin *o)
{
	free(o->file);
	free(o->dir);
}

static void sim_drop(struct path_sim *s, const char *dir)
{
	for (size_t i = 0; i < s->n; i++)
		if (streq(s->v[i].dir, dir)) {
			origin_free(&s->v[i]);
			memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
			s->n--;
			return;
		}
}

static void sim_insert(struct path_sim *s, size_t at, const char *file, unsigned line, const char *dir)
{
	sim_drop(s, dir);
	if (at > s->n)
		at = s->n;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	memmove(&s->v[at + 1], &s->v[at], (s->n - at) * sizeof(*s->v));
	s->v[at] = (struct path_origin){ xstrdup(file), line, xstrdup(dir) };
	s->n++;
}

/* Replay the PATH assignments of one start-up file on the list of CUDA
 * bin directories: a value without $PATH starts PATH anew, one with it
 * puts its directories before or after what was there. */
static void sim_file(struct path_sim *s, const char *file)
{
	_cleanup_free_ char *host = sysroot_path(file), *text = NULL;
	struct path_assignment *a = NULL;
	size_t len, n;

	if (read_file(host, SHELL_FILE_MAX, &text, &len) < 0)
		return;
	s->nfiles++;
	n = path_assignments_scan(text, &a);
	for (size_t i = 0; i < n; i++) {
		size_t front = 0;

		if (!a[i].keeps_path) {
			if (s->n && !a[i].nbins) {
				free(s->reset);
				s->reset = xasprintf("%s:%u", file, a[i].line);
			}
			while (s->n)
				sim_drop(s, s->v[0].dir);
		}
		for (size_t j = 0; j < a[i].nbins; j++) {
			if (a[i].bins[j].before)
				sim_insert(s, front++, file, a[i].line, a[i].bins[j].dir);
			else
				sim_insert(s, s->n, file, a[i].line, a[i].bins[j].dir);
		}
	}
	path_assignments_free(a, n);
}

static void sim_free(struct path_sim *s)
{
	for (size_t i = 0; i < s->n; i++)
		origin_free(&s->v[i]);
	free(s->v);
	free(s->reset);
}

/* The toolkit (resolved) whose bin/ dir is, or NULL when dir does not
 * lead to one. */
static char *toolkit_of_bin(const char *dir)
{
	_cleanup_free_ char *real = doctor_resolve(dir);

	return real ? doctor_parent_of_bin(real) : NULL;
}

/* The first entry of the process's PATH holding an executable nvcc. */
static char *live_nvcc_dir(unsigned *ret_index)
{
	const char *env = getenv("PATH");
	_cleanup_free_ char *copy = env ? xstrdup(env) : NULL;
	char *save = NULL;
	unsigned idx = 0;

	for (char *e = copy ? strtok_r(copy, ":", &save) : NULL; e; e = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *nvcc = xasprintf("%s/nvcc", e), *host = sysroot_path(nvcc);
		struct stat st;

		idx++;
		if (e[0] == '/' && stat(host, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
			*ret_index = idx;
			return xstrdup(e);
		}
	}
	return NULL;
}

static const char *toolkit_name(const struct doctor_toolkits *tks, const char *real)
{
	const struct doctor_toolkit *tk = doctor_toolkits_by_real(tks, real);

	return tk && tk->tree.version ? tk->tree.version : "?";
}

static void check_path(const struct doctor_ctx *ctx, const struct doctor_toolkits *tks,
		       const struct doctor_toolkit *linked, struct doctor_report *rep)
{
	static const char *const user_files[] = { ".bash_profile", ".profile", ".bashrc" };
	_cleanup_strbuf_ struct strbuf ev = STRBUF_INIT;
	_cleanup_free_ char *text_tk = NULL, *live_tk = NULL, *live_dir = NULL, *profile_d = NULL;
	const struct path_origin *eff = NULL;
	struct path_sim sim = { 0 };
	const struct doctor_toolkit *want = linked ? linked : doctor_toolkits_newest(tks);
	const char *xy = want ? toolkit_xy(want) : NULL;
	unsigned live_idx = 0;
	struct doctor_check *c;
	glob_t g;

	strbuf_init(&ev);
	/* A login shell's order: pam_env's /etc/environment, then
	 * /etc/profile (which on Debian sets PATH anew, sources
	 * /etc/bash.bashrc, then the .sh files of /etc/profile.d), then the
	 * user's. */
	sim_file(&sim, "/etc/environment");
	sim_file(&sim, "/etc/profile");
	sim_file(&sim, "/etc/bash.bashrc");
	profile_d = sysroot_path("/etc/profile.d/*.sh");
	if (glob(profile_d, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			sim_file(&sim, g.gl_pathv[i] + strlen(sysroot_get()));
		globfree(&g);
	}
	for (size_t i = 0; ctx->user && ctx->user->home && i < ELEMENTSOF(user_files); i++) {
		_cleanup_free_ char *f = xasprintf("%s/%s", ctx->user->home, user_files[i]);

		sim_file(&sim, f);
	}
	for (size_t i = 0; i < sim.n && !eff; i++) {
		text_tk = toolkit_of_bin(sim.v[i].dir);
		if (text_tk)
			eff = &sim.v[i];
	}
	if (ctx->live && (live_dir = live_nvcc_dir(&live_idx))) {
		_cleanup_free_ char *nvcc = xasprintf("%s/nvcc", live_dir), *real = doctor_resolve(nvcc);
		char *slash = real ? strrchr(real, '/') : NULL;

		/* Through links to the nvcc itself; a wrapper script's
		 * toolkit cannot be told, and is not held against the link. */
		if (slash && slash != real) {
			*slash = '\0';
			live_tk = toolkit_of_bin(real);
		}
		if (live_tk && !doctor_toolkits_by_real(tks, live_tk)) {
			free(live_tk);
			live_tk = NULL;
		}
	}

	if (eff)
		strbuf_addf(&ev, "%s:%u puts %s on PATH (CUDA %s)", eff->file, eff->line, eff->dir,
			    toolkit_name(tks, text_tk));
	else if (sim.n)
		strbuf_addf(&ev, "%s:%u puts %s on PATH, which leads to no toolkit", sim.v[0].file, sim.v[0].line,
			    sim.v[0].dir);
	else if (sim.reset)
		strbuf_addf(&ev, "a CUDA bin directory is put on PATH, but %s sets PATH anew after it", sim.reset);
	else
		strbuf_addf(&ev, "no PATH assignment in /etc/environment, /etc/profile, /etc/bash.bashrc, "
			    "/etc/profile.d/*.sh%s names /usr/local/cuda/bin or /usr/local/cuda-X.Y/bin (%zu files read; "
			    "a text check, conditions not evaluated)", ctx->user ? ", ~/.bash_profile, ~/.profile, ~/.bashrc" : "",
			    sim.nfiles);
	if (ctx->live) {
		if (live_dir)
			strbuf_addf(&ev, "; the current PATH reaches nvcc in %s (entry %u)", live_dir, live_idx);
		else
			strbuf_adds(&ev, "; the current PATH reaches no nvcc");
	}

	if (!eff && !live_dir) {
		c = doctor_add(rep, "cuda.path", DOCTOR_FAIL, "%s", ev.buf);
		doctor_set_fix(c, "sudo gpu-setup use cuda %s (writes %s), or add to ~/.bashrc: "
			       "export PATH=/usr/local/cuda/bin${PATH:+:${PATH}}", xy ? xy : "X.Y", CUDA_PROFILE_PATH);
	} else if (linked && ((text_tk && !streq(text_tk, linked->real)) || (live_tk && !streq(live_tk, linked->real)))) {
		const char *other = text_tk && !streq(text_tk, linked->real) ? text_tk : live_tk;

		c = doctor_add(rep, "cuda.path", DOCTOR_WARN, "%s: nvcc is CUDA %s's (%s), not that of %s (CUDA %s)",
			       ev.buf, toolkit_name(tks, other), other, CUDA_LINK_PATH, linked->tree.version);
		doctor_set_fix(c, "take %s/bin out of PATH%s%s, so /usr/local/cuda/bin decides; or make it the linked "
			       "one: sudo gpu-setup use cuda %s", other, eff && other == text_tk ? " in " : "",
			       eff && other == text_tk ? eff->file : "",
			       doctor_toolkits_by_real(tks, other) && toolkit_xy(doctor_toolkits_by_real(tks, other))
				       ? toolkit_xy(doctor_toolkits_by_real(tks, other)) : "X.Y");
	} else {
		doctor_add(rep, "cuda.path", DOCTOR_OK, "%s", ev.buf);
	}
	sim_free(&sim);
}

/* ---------------------------------------------------------------- cuda.libraries */

/* The toolkit whose library directory dir is (resolved), or NULL. */
static const struct doctor_toolkit *toolkit_of_libdir(const struct doctor_toolkits *tks, const char *dir)
{
	static const char *const libdirs[] = { "lib64", "lib", "targets/x86_64-linux/lib" };
	_cleanup_free_ char *real = doctor_resolve(dir);

	for (size_t i = 0; real && i < tks->n; i++) {
		if (tks->v[i].distro)
			continue;
		for (size_t j = 0; j < ELEMENTSOF(libdirs); j++) {
			_cleanup_free_ char *p = xasprintf("%s/%s", tks->v[i].real, libdirs[j]);
			_cleanup_free_ char *r = doctor_resolve(p);

			if (r && streq(r, real))
				return &tks->v[i];
		}
	}
	return NULL;
}

static void check_libraries(const struct doctor_ctx *ctx, const struct doctor_toolkits *tks,
			    const struct doctor_toolkit *linked, struct doctor_report *rep)
{
	_cleanup_strbuf_ struct strbuf hit = STRBUF_INIT, other = STRBUF_INIT;
	const struct doctor_toolkit *want = linked ? linked : doctor_toolkits_newest(tks);
	const char *xy = want ? toolkit_xy(want) : NULL;
	struct ldconf_dir *dirs = NULL;
	size_t n;
	bool any_tree = false;
	struct doctor_check *c;

	for (size_t i = 0; i < tks->n; i++)
		any_tree |= !tks->v[i].distro;
	if (!any_tree) {
		doctor_add(rep, "cuda.libraries", DOCTOR_SKIP,
			   "only a distribution's toolkit (/usr): its libraries are in ld.so's default directories");
		return;
	}
	strbuf_init(&hit);
	strbuf_init(&other);
	n = ldconf_dirs_read(&dirs);
	for (size_t i = 0; i < n; i++) {
		const struct doctor_toolkit *tk = toolkit_of_libdir(tks, dirs[i].dir);
		struct strbuf *sb = tk && (!linked || tk == linked) ? &hit : &other;

		if (!tk || sb->len)
			continue;
		strbuf_addf(sb, "%s:%u lists %s, CUDA %s's libraries (%s)", dirs[i].file, dirs[i].line, dirs[i].dir,
			    tk->tree.version ? tk->tree.version : "?", tk->dir);
	}
	if (ctx->live && getenv("LD_LIBRARY_PATH")) {
		_cleanup_free_ char *copy = xstrdup(getenv("LD_LIBRARY_PATH"));
		char *save = NULL;

		for (char *e = strtok_r(copy, ":", &save); e; e = strtok_r(NULL, ":", &save)) {
			const struct doctor_toolkit *tk = e[0] == '/' ? toolkit_of_libdir(tks, e) : NULL;
			struct strbuf *sb = tk && (!linked || tk == linked) ? &hit : &other;

			if (!tk || sb->len)
				continue;
			strbuf_addf(sb, "LD_LIBRARY_PATH (of the environment doctor runs in) has %s, CUDA %s's libraries",
				    e, tk->tree.version ? tk->tree.version : "?");
		}
	}
	if (hit.len) {
		doctor_add(rep, "cuda.libraries", DOCTOR_OK, "%s", hit.buf);
	} else if (other.len) {
		c = doctor_add(rep, "cuda.libraries", DOCTOR_WARN, "%s, but nothing lists those of %s (CUDA %s)", other.buf,
			       CUDA_LINK_PATH, linked->tree.version);
		doctor_set_fix(c, "sudo gpu-setup use cuda %s (writes %s and runs ldconfig)", xy ? xy : "X.Y",
			       CUDA_LDCONF_PATH);
	} else {
		c = doctor_add(rep, "cuda.libraries", DOCTOR_FAIL,
			       "no directory in /etc/ld.so.conf or /etc/ld.so.conf.d/*.conf (%zu listed) leads to a "
			       "toolkit's lib64%s: programs built with nvcc cannot find libcudart", n,
			       ctx->live ? ", nor does LD_LIBRARY_PATH" : "");
		doctor_set_fix(c, "sudo gpu-setup use cuda %s (writes %s and runs ldconfig)", xy ? xy : "X.Y",
			       CUDA_LDCONF_PATH);
	}
	ldconf_dirs_free(dirs, n);
}

/* ---------------------------------------------------------------- cuda.driver */

static void check_driver(const struct doctor_ctx *ctx, const struct doctor_toolkit *tk, struct doctor_report *rep)
{
	const struct cuda_info *row, *runs = NULL;
	struct version drv, floor;
	_cleanup_free_ char *label = NULL;
	struct doctor_check *c;
	bool exact;

	if (!tk->xy[0]) {
		c = doctor_add(rep, "cuda.driver", DOCTOR_SKIP, "the toolkit names no release");
	} else if (!ctx->driver_version) {
		c = doctor_add(rep, "cuda.driver", DOCTOR_SKIP, "no NVIDIA driver found (see the driver checks)");
	} else if (version_parse(ctx->driver_version, &drv) < 0) {
		c = doctor_add(rep, "cuda.driver", DOCTOR_SKIP, "the driver's version '%s' is not one", ctx->driver_version);
	} else if (!ctx->db) {
		c = doctor_add(rep, "cuda.driver", DOCTOR_SKIP, "no compat data loaded");
	} else if (!(row = doctor_cuda_row(ctx->db, &tk->release, &exact))) {
		c = doctor_add(rep, "cuda.driver", DOCTOR_SKIP, "CUDA %s is not in the compat data (cuda.tsv)", tk->xy);
	} else {
		/* A release that names its update is held to that update's
		 * minimum; one known only as X.Y (cuda.h, nvcc) to X.Y's
		 * first release's, the least any X.Y needs. */
		label = exact ? xstrdup(row->version) : xstrdup(tk->xy);
		if (version_cmp(&drv, &row->min_drv) >= 0) {
			c = doctor_add(rep, "cuda.driver", DOCTOR_OK, "driver %s meets CUDA %s's minimum, %s%s",
				       ctx->driver_version, label, row->min_driver, exact ? "" : " (that of its first release)");
		} else {
			for (size_t i = ctx->db->ncudas; i-- > 0;)
				if (version_cmp(&drv, &ctx->db->cudas[i].min_drv) >= 0) {
					runs = &ctx->db->cudas[i];
					break;
				}
			if (row->compat_floor && version_parse(row->compat_floor, &floor) == 0 &&
			    version_cmp(&drv, &floor) >= 0) {
				c = doctor_add(rep, "cuda.driver", DOCTOR_WARN,
					       "driver %s is older than CUDA %s needs (%s) but not than %s, the floor of "
					       "CUDA %u minor-version compatibility: its programs run, but code whose PTX "
					       "is newer than the driver cannot be JIT-compiled",
					       ctx->driver_version, label, row->min_driver, row->compat_floor, row->v.part[0]);
			} else {
				c = doctor_add(rep, "cuda.driver", DOCTOR_FAIL, "driver %s is older than CUDA %s needs (%s)%s%s%s",
					       ctx->driver_version, label, row->min_driver,
					       runs ? "; CUDA " : "", runs ? runs->version : "",
					       runs ? " is the newest it runs" : "");
			}
			if (runs)
				doctor_set_fix(c, "sudo gpu-setup driver (a driver >= %s), or use an older toolkit: "
					       "sudo gpu-setup install cuda --cuda %u.%u && sudo gpu-setup use cuda %u.%u",
					       row->min_driver, runs->v.part[0], runs->v.part[1], runs->v.part[0], runs->v.part[1]);
			else
				doctor_set_fix(c, "sudo gpu-setup driver (a driver >= %s)", row->min_driver);
		}
	}
	doctor_set_subject(c, tk->dir);
}

/* ---------------------------------------------------------------- cuda.arch */

static const char *gpu_name(const struct pci_gpu *g)
{
	if (g->has_info && g->info.name)
		return g->info.name;
	return g->name ? g->name : "an NVIDIA GPU";
}

/* The newest (newest true) or oldest release whose nvcc compiles for cc. */
static const struct cuda_info *release_for(const struct compat_db *db, unsigned cc, bool newest)
{
	for (size_t k = 0; k < db->ncudas; k++) {
		const struct cuda_info *c = &db->cudas[newest ? db->ncudas - 1 - k : k];

		if (doctor_cuda_has_sm(c, cc))
			return c;
	}
	return NULL;
}

/* The fix for a toolkit that cannot compile for sm_cc: install and use
 * other, the release that can. */
static void fix_switch_to(struct doctor_check *c, const struct cuda_info *other, unsigned cc)
{
	if (other)
		doctor_set_fix(c, "sudo gpu-setup install cuda --cuda %u.%u && sudo gpu-setup use cuda %u.%u",
			       other->v.part[0], other->v.part[1], other->v.part[0], other->v.part[1]);
	else
		doctor_set_fix(c, "no CUDA release in the compat data compiles for sm_%u", cc);
}

static void check_arch_gpu(const struct doctor_ctx *ctx, const struct doctor_toolkit *tk, const struct cuda_info *row,
			   const struct pci_gpu *g, struct doctor_report *rep)
{
	unsigned cc = g->info.cc;
	_cleanup_free_ char *subject = xasprintf("%s sm_%u", tk->dir, cc);
	_cleanup_free_ char *what = g->info.arch ? xasprintf("%s, %s", gpu_name(g), g->info.arch) : xstrdup(gpu_name(g));
	const struct cuda_info *other;
	struct doctor_check *c;

	if (doctor_cuda_has_sm(row, cc)) {
		c = doctor_add(rep, "cuda.arch", DOCTOR_OK, "nvcc %s compiles for sm_%u (%s)", tk->xy, cc, what);
	} else if (cc < row->sm[0]) {
		other = release_for(ctx->db, cc, true);
		c = doctor_add(rep, "cuda.arch", DOCTOR_FAIL, "CUDA %s cannot compile for sm_%u (%s): its oldest target is sm_%u%s%u.%u%s",
			       tk->xy, cc, what, row->sm[0], other ? "; CUDA " : "", other ? other->v.part[0] : 0,
			       other ? other->v.part[1] : 0, other ? " is the newest that can" : "");
		fix_switch_to(c, other, cc);
	} else {
		other = release_for(ctx->db, cc, false);
		c = doctor_add(rep, "cuda.arch", DOCTOR_WARN,
			       "CUDA %s has no sm_%u target (%s): its code runs there only through PTX JIT, when built "
			       "with PTX for an older target%s%u.%u%s",
			       tk->xy, cc, what, other ? "; CUDA " : "", other ? other->v.part[0] : 0,
			       other ? other->v.part[1] : 0, other ? " is the first that compiles for it" : "");
		fix_switch_to(c, other, cc);
	}
	doctor_set_subject(c, subject);
}

static void check_arch(const struct doctor_ctx *ctx, const struct doctor_toolkit *tk, struct doctor_report *rep)
{
	const struct cuda_info *row;
	struct doctor_check *c;
	bool exact;

	if (!tk->xy[0] || !ctx->db || !(row = doctor_cuda_row(ctx->db, &tk->release, &exact)) || !row->nsm) {
		c = doctor_add(rep, "cuda.arch", DOCTOR_SKIP, "%s",
			       !tk->xy[0] ? "the toolkit names no release" :
			       !ctx->db ? "no compat data loaded" : "the release is not in the compat data (cuda.tsv)");
		doctor_set_subject(c, tk->dir);
		return;
	}
	for (size_t i = 0; i < ctx->det->pci.ngpus; i++) {
		const struct pci_gpu *g = &ctx->det->pci.gpus[i];
		bool seen = false;

		if (g->vendor_id != PCI_VENDOR_NVIDIA)
			continue;
		if (!g->has_info || !g->info.cc) {
			_cleanup_free_ char *addr = pci_gpu_address(g), *subject = xasprintf("%s %s", tk->dir, addr);

			c = doctor_add(rep, "cuda.arch", DOCTOR_SKIP,
				       "the compute capability of %s (10de:%04x) is not in the compat data", gpu_name(g),
				       g->device_id);
			doctor_set_subject(c, subject);
			continue;
		}
		/* Two cards of one kind are one question. */
		for (size_t j = 0; j < i && !seen; j++)
			seen = ctx->det->pci.gpus[j].vendor_id == PCI_VENDOR_NVIDIA && ctx->det->pci.gpus[j].has_info &&
			       ctx->det->pci.gpus[j].info.cc == g->info.cc;
		if (!seen)
			check_arch_gpu(ctx, tk, row, g, rep);
	}
}

/* ---------------------------------------------------------------- the group */

void doctor_check_cuda(struct doctor_ctx *ctx, struct doctor_report *rep)
{
	const struct doctor_toolkits *tks;
	const struct doctor_toolkit *linked;
	size_t nvidia = 0;
	struct doctor_check *c;
	int r;

	r = doctor_ctx_toolkits(ctx, &tks);
	if (r < 0) {
		doctor_add(rep, "cuda.toolkits", DOCTOR_SKIP, "cannot read /usr/local: %s", strerror(-r));
		return;
	}
	if (tks->n == 0) {
		c = doctor_add(rep, "cuda.toolkits", DOCTOR_SKIP,
			       "no CUDA toolkit in /usr/local%s; PyTorch and TensorFlow wheels bring their own CUDA runtime",
			       ctx->live ? " and no nvcc on PATH" : "");
		doctor_set_fix(c, "to build CUDA code: sudo gpu-setup install cuda --cuda X.Y (gpu-setup plan says which)");
		return;
	}
	for (size_t i = 0; i < tks->n; i++)
		check_toolkit(&tks->v[i], rep);
	linked = check_link(tks, rep);
	check_path(ctx, tks, linked, rep);
	check_libraries(ctx, tks, linked, rep);
	for (size_t i = 0; i < tks->n; i++)
		check_driver(ctx, &tks->v[i], rep);

	for (size_t i = 0; ctx->det && i < ctx->det->pci.ngpus; i++)
		nvidia += ctx->det->pci.gpus[i].vendor_id == PCI_VENDOR_NVIDIA;
	if (!ctx->det)
		doctor_add(rep, "cuda.arch", DOCTOR_SKIP, "GPU detection failed: the architectures cannot be judged");
	else if (!nvidia)
		doctor_add(rep, "cuda.arch", DOCTOR_SKIP, "no NVIDIA GPU found");
	else
		for (size_t i = 0; i < tks->n; i++)
			check_arch(ctx, &tks->v[i], rep);
}
