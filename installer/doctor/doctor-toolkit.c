/*
 * doctor-toolkit.c - find the CUDA toolkits doctor judges and inspect
 * each once per group.
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "cuda-env.h"
#include "doctor.h"
#include "doctor-toolkit.h"
#include "strbuf.h"
#include "sysroot.h"
#include "util.h"

char *doctor_resolve(const char *path)
{
	char *real = NULL;

	return sysroot_resolve(path, &real) == 0 ? real : NULL;
}

char *doctor_parent_of_bin(const char *real)
{
	const char *slash = strrchr(real, '/');

	if (!slash || !streq(slash + 1, "bin"))
		return NULL;
	return slash == real ? xstrdup("/") : xasprintf("%.*s", (int)(slash - real), real);
}

/* The toolkit of a resolved ".../bin/nvcc". */
static char *doctor_parent_of_bin_file(const char *file)
{
	_cleanup_free_ char *dir = xstrdup(file);
	char *slash = strrchr(dir, '/');

	if (!slash || slash == dir)
		return NULL;
	*slash = '\0';
	return doctor_parent_of_bin(dir);
}

/* What names a release in a toolkit (cuda-tree.h): a directory holding
 * none of them is no toolkit. */
static bool looks_like_toolkit(const char *real)
{
	static const char *const names[] = { "version.json", "version.txt", "include/cuda.h" };

	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", real, names[i]);

		if (sysroot_exists(p))
			return true;
	}
	return false;
}

static bool listed(const struct doctor_toolkits *t, const char *real)
{
	return doctor_toolkits_by_real(t, real) != NULL;
}

static void add(struct doctor_toolkits *t, const char *dir, char *real, bool from_path)
{
	struct doctor_toolkit *tk;
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	const char *name = strrchr(dir, '/') + 1;
	const char *want;

	t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	tk = &t->v[t->n++];
	memset(tk, 0, sizeof(*tk));
	tk->dir = xstrdup(dir);
	tk->real = real;
	tk->from_path = from_path;
	tk->distro = streq(real, "/usr");
	tk->inspect_r = cuda_tree_inspect(dir, &tk->tree);
	if (tk->inspect_r < 0)
		return;
	if (tk->tree.version && version_parse_n(tk->tree.version, strlen(tk->tree.version), 9, &tk->release) == 0 &&
	    tk->release.nparts >= 2)
		snprintf(tk->xy, sizeof(tk->xy), "%u.%u", tk->release.part[0], tk->release.part[1]);
	else
		memset(&tk->release, 0, sizeof(tk->release));
	/* A cuda-X.Y directory promises X.Y; any other is taken at its word. */
	want = startswith(name, "cuda-") && strchr(name, '.') ? name + 5 : tk->tree.version;
	strbuf_init(&why);
	if (tk->distro)
		tk->complete = tk->tree.version != NULL;
	else if (want)
		tk->complete = cuda_tree_complete(&tk->tree, want, &why);
	else
		strbuf_adds(&why, "nothing in it names a release: no version.json, version.txt, CUDA_VERSION in "
				  "include/cuda.h or nvcc release");
	if (!tk->complete)
		tk->why = why.len ? strbuf_detach(&why, NULL) : xstrdup("bin/nvcc names no release");
}

/* Toolkits whose nvcc the process's PATH reaches: PATH entries are paths
 * on the running system, which is the target when doctor runs live. */
static void add_from_path(struct doctor_toolkits *t)
{
	const char *env = getenv("PATH");
	_cleanup_free_ char *copy = env ? xstrdup(env) : NULL;
	char *save = NULL;

	for (char *e = copy ? strtok_r(copy, ":", &save) : NULL; e; e = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *nvcc = NULL, *bin = NULL, *host = NULL;
		char *real;
		struct stat st;

		if (e[0] != '/')
			continue;
		nvcc = xasprintf("%s/nvcc", e);
		host = sysroot_path(nvcc);
		if (stat(host, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
			continue;
		/* The toolkit is the directory above bin/, after the links
		 * (/usr/local/bin/nvcc -> /usr/local/cuda/bin/nvcc). */
		bin = doctor_resolve(nvcc);
		real = bin ? doctor_parent_of_bin_file(bin) : NULL;
		if (!real)
			continue;
		/* A wrapper script (/usr/local/bin/nvcc running a toolkit's)
		 * has no toolkit around it: nothing to judge there. */
		if (!listed(t, real) && !looks_like_toolkit(real)) {
			free(real);
			continue;
		}
		if (listed(t, real)) {
			free(real);
			continue;
		}
		add(t, real, real, true);
	}
}

int doctor_toolkits_find(bool live, struct doctor_toolkits *ret)
{
	struct doctor_toolkits t = { 0 };
	_cleanup_free_ char *link = NULL;
	char **dirs = NULL;
	size_t n = 0;
	int r;

	r = cuda_trees_list(&dirs, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		char *real = doctor_resolve(dirs[i]);

		if (real && !listed(&t, real))
			add(&t, dirs[i], real, false);
		else
			free(real);
		free(dirs[i]);
	}
	free(dirs);

	/* /usr/local/cuda as a real directory, or a link to a toolkit
	 * outside /usr/local/cuda-X.Y (/opt/cuda). */
	r = cuda_link_read(&link);
	if (r == 0 || r == -EEXIST) {
		char *real = doctor_resolve(CUDA_LINK_PATH);
		struct stat st;
		_cleanup_free_ char *host = real ? sysroot_path(real) : NULL;

		if (real && !listed(&t, real) && stat(host, &st) == 0 && S_ISDIR(st.st_mode))
			add(&t, r == -EEXIST ? CUDA_LINK_PATH : real, real, false);
		else
			free(real);
	}
	if (live)
		add_from_path(&t);
	*ret = t;
	return 0;
}

void doctor_toolkits_free(struct doctor_toolkits *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].dir);
		free(t->v[i].real);
		free(t->v[i].why);
		if (t->v[i].inspect_r == 0)
			cuda_tree_free(&t->v[i].tree);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

const struct doctor_toolkit *doctor_toolkits_by_real(const struct doctor_toolkits *t, const char *real)
{
	for (size_t i = 0; real && i < t->n; i++)
		if (streq(t->v[i].real, real))
			return &t->v[i];
	return NULL;
}

const struct doctor_toolkit *doctor_toolkits_newest(const struct doctor_toolkits *t)
{
	const struct doctor_toolkit *best = NULL;

	for (size_t pass = 0; pass < 2 && !best; pass++)
		for (size_t i = 0; i < t->n; i++) {
			const struct doctor_toolkit *tk = &t->v[i];

			if (!tk->xy[0] || (pass == 0 && (!tk->complete || !startswith(tk->dir, "/usr/local/cuda-"))))
				continue;
			if (!best || version_cmp(&tk->release, &best->release) > 0)
				best = tk;
		}
	return best;
}

const struct cuda_info *doctor_cuda_row(const struct compat_db *db, const struct version *release,
					bool *ret_exact)
{
	const struct cuda_info *ga = NULL;

	if (!db || release->nparts < 2)
		return NULL;
	for (size_t i = 0; i < db->ncudas; i++) {
		const struct cuda_info *c = &db->cudas[i];

		if (c->v.part[0] != release->part[0] || c->v.part[1] != release->part[1])
			continue;
		if (release->nparts >= 3 && c->v.part[2] == release->part[2]) {
			*ret_exact = true;
			return c;
		}
		if (!ga)
			ga = c;
	}
	*ret_exact = false;
	return ga;
}

bool doctor_cuda_has_sm(const struct cuda_info *c, unsigned cc)
{
	for (size_t i = 0; i < c->nsm; i++)
		if (c->sm[i] == cc)
			return true;
	return false;
}

int doctor_ctx_toolkits(struct doctor_ctx *ctx, const struct doctor_toolkits **ret)
{
	if (!ctx->toolkits) {
		struct doctor_toolkits *t = xcalloc(1, sizeof(*t));
		int r = doctor_toolkits_find(ctx->live, t);

		if (r < 0) {
			free(t);
			return r;
		}
		ctx->toolkits = t;
	}
	*ret = ctx->toolkits;
	return 0;
}
