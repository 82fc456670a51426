/*
 * cmd-python.c - `gpu-setup install miniconda` and `install framework`:
 * Python for the user gpu-setup acts for (as-user.h), never as root.
 *
 * install miniconda: reuse a conda the user has; else find the installer
 * (--miniconda FILE, the cache, or a download) and check its sha256; write
 * the mirror configuration first, so no conda command ever asks Anaconda's
 * channels (or shows their terms-of-service prompt); run the installer as
 * the user from a private copy; believe only what it left on disk; then
 * `conda init bash` as the user.
 *
 * install framework: the resolver's framework build goes into a conda
 * environment named after it (framework-env.h), created with the
 * resolver's Python and filled by pip with the exact pin, as the user; a
 * marker file records it for doctor and for the next run.  A failed run
 * removes the environment it made, so the next starts clean.
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <sys/stat.h>

#include "as-user.h"
#include "cache.h"
#include "commands.h"
#include "conda-prefix.h"
#include "cuda-install.h"
#include "detect.h"
#include "download.h"
#include "driver-offer.h"
#include "exit-codes.h"
#include "fileio.h"
#include "framework-env.h"
#include "job-ctx.h"
#include "log.h"
#include "miniconda.h"
#include "mirror-config.h"
#include "mirror-pick.h"
#include "offline-check.h"
#include "options.h"
#include "prompt.h"
#include "resolve-output.h"
#include "sysroot.h"
#include "target.h"
#include "util.h"

/* What an installer's or pip's failure shows of its output. */
#define TOOL_TAIL_LINES 15
#define CONDA_INIT_MARK "# >>> conda initialize >>>"
/* A marker or a .bashrc is small; anything past this is not one. */
#define SMALL_FILE_MAX (1024 * 1024)

/* ------------------------------------------------------------ shared */

static void log_command(const struct target_user *u, const char *const argv[])
{
	_cleanup_strbuf_ struct strbuf line = STRBUF_INIT;

	strbuf_init(&line);
	for (const char *const *a = argv; *a; a++)
		strbuf_addf(&line, "%s%s", a == argv ? "" : " ", *a);
	log_info("running as %s: %s", u->name, line.buf);
}

/* Run argv as u, logged; no time limit (an installer or a framework
 * download takes minutes).  Returns as as_user_run. */
static int run_as(const struct target_user *u, const char *const argv[], const char *path_prefix,
		  struct run_result *rr)
{
	log_command(u, argv);
	return as_user_run(u, argv, path_prefix, NULL, 0, rr);
}

/* What a tool said last: its stderr and stdout tails, labelled. */
static char *tool_tail(const struct run_result *rr)
{
	_cleanup_free_ char *out = last_lines(rr->out.buf, TOOL_TAIL_LINES),
			    *err = last_lines(rr->err.buf, TOOL_TAIL_LINES);

	return xasprintf("%s%s", out, err);
}

/* The links above the path are resolved inside the root: a home or
 * /home that is an absolute link must not lead to the host's files. */
static int remove_tree_fn(void *arg, struct strbuf *out)
{
	_cleanup_free_ char *host = NULL;
	int r = sysroot_host_path_parent(arg, &host);

	if (r == -ENOENT)
		return 0;
	if (r == 0)
		r = remove_tree(host);
	if (r < 0)
		strbuf_addf(out, "cannot remove %s%s: %s", sysroot_get(), (const char *)arg, strerror(-r));
	return r;
}

/* Remove what a failed step left (a target path), as the user: it is in
 * the user's home and the user's to remove. */
static void remove_as_user(const struct target_user *u, const char *path, const char *what)
{
	_cleanup_strbuf_ struct strbuf out = STRBUF_INIT;

	strbuf_init(&out);
	if (!sysroot_exists(path))
		return;
	if (as_user_call(u, remove_tree_fn, (void *)path, &out) < 0)
		log_error("%s; remove %s%s by hand before the next run", out.buf, sysroot_get(), path);
	else
		log_info("removed the %s %s%s, so the next run starts clean", what, sysroot_get(), path);
}

/* lstat a target path (the last component not followed). */
static bool target_path_present(const char *path)
{
	_cleanup_free_ char *host = NULL;
	struct stat st;

	return sysroot_host_path_parent(path, &host) == 0 && lstat(host, &st) == 0;
}

static struct json_object *json_string_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

/* ------------------------------------------------------------ install miniconda */

struct mc_ctx {
	struct target_user u;
	bool have_user;
	struct mirror_table mirrors;
	bool have_mirrors;
	const struct mirror *mirror;
	struct miniconda_table table;
	bool have_table;
	const struct miniconda_release *rel;   /* NULL: --miniconda names a file the table lacks */
	char *prefix;                          /* target path */
	bool reused;
	char *installer;                       /* real path of the checked file */
	char sha256[SHA256_HEX_LEN + 1];
	char *run_dir;                         /* target path of the private copy's directory */
	bool shell_init;                       /* conda init bash ran and the block is there */
	const char *result;                    /* installed, reused, dry-run, failed */
};

static void mc_print_json(const struct mc_ctx *c)
{
	struct json_object *j = json_object_new_object();

	json_object_object_add(j, "schema_version", json_object_new_int(DETECT_SCHEMA_VERSION));
	json_object_object_add(j, "command", json_object_new_string("install miniconda"));
	json_object_object_add(j, "result", json_object_new_string(c->result));
	json_object_object_add(j, "user", c->have_user ? json_object_new_string(c->u.name) : NULL);
	json_object_object_add(j, "prefix", json_string_or_null(c->prefix));
	json_object_object_add(j, "reused", json_object_new_boolean(c->reused));
	json_object_object_add(j, "installer", json_string_or_null(c->installer));
	json_object_object_add(j, "sha256", json_string_or_null(c->sha256));
	json_object_object_add(j, "mirror", c->mirror ? json_object_new_string(c->mirror->name) : NULL);
	json_object_object_add(j, "shell_init", json_object_new_boolean(c->shell_init));
	gs_print_json(j);
	json_object_put(j);
}

/* The user's mirror, from the table; an unknown name is a usage error. */
static int mc_pick_mirror(struct mc_ctx *c)
{
	int code = mirror_pick(gs_compat_dir(), gs_opts.mirror ? gs_opts.mirror : MIRROR_DEFAULT, &c->mirrors,
			       &c->mirror);

	c->have_mirrors = code == EXIT_OK;
	return code;
}

/* Reuse a conda the user has, or settle where Miniconda goes; refuses a
 * prefix the installer cannot take before anything changes. */
static int mc_pick_prefix(struct mc_ctx *c)
{
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	const char *given = gs_opts.conda_prefix;

	strbuf_init(&why);
	if (given && miniconda_prefix_valid(given, &why) < 0) {
		log_error("--conda-prefix %s: %s", given, why.buf);
		return EXIT_USAGE;
	}
	if (conda_prefix_find(&c->u, given, &c->prefix) == 0) {
		c->reused = true;
		return EXIT_OK;
	}
	c->prefix = given ? xstrdup(given) : conda_prefix_default(&c->u);
	if (miniconda_prefix_valid(c->prefix, &why) < 0) {
		log_error("cannot install Miniconda into %s: %s; give another place with --conda-prefix DIR", c->prefix,
			  why.buf);
		return EXIT_FAILED;
	}
	if (target_path_present(c->prefix)) {
		log_error("%s%s exists but has no bin/conda: gpu-setup does not install over it; remove it, or give "
			  "another place with --conda-prefix DIR; nothing was changed",
			  sysroot_get(), c->prefix);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int mc_load_table(struct mc_ctx *c)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;

	strbuf_init(&err);
	if (miniconda_table_load(gs_compat_dir(), &c->table, &err) < 0) {
		log_error("%s", err.buf);
		return EXIT_BAD_INPUT;
	}
	c->have_table = true;
	return EXIT_OK;
}

/* Hash path and compare with the table; -EBADMSG logged. */
static int mc_verify(struct mc_ctx *c, const char *path)
{
	const char *expected = c->rel ? c->rel->sha256 : NULL;
	int r = sha256_file(path, c->sha256);

	if (r < 0) {
		log_error("cannot read the Miniconda installer '%s': %s", path, strerror(-r));
		c->sha256[0] = '\0';
		return EXIT_BAD_INPUT;
	}
	if (expected && !sha256_hex_equal(c->sha256, expected)) {
		log_error("'%s' is not Anaconda's %s: its sha256 is %s, the compat data says %s (a damaged or "
			  "unfinished download, or another file); nothing was changed",
			  path, c->rel->name, c->sha256, expected);
		return EXIT_BAD_INPUT;
	}
	return EXIT_OK;
}

/* A file the table cannot vouch for runs only with the user's consent. */
static int mc_consent_unchecked(struct mc_ctx *c)
{
	if (c->rel && c->rel->sha256)
		return EXIT_OK;
	log_warning("'%s' is not a Miniconda installer the compat data (miniconda.tsv) has a sha256 for, so it "
		    "cannot be checked; its sha256 is %s%s",
		    c->installer, c->sha256, gs_opts.yes ? ": running it unchecked (--yes)" : "");
	if (gs_opts.yes)
		return EXIT_OK;
	return prompt_consent("Run this Miniconda installer anyway?") == 1 ? EXIT_OK : EXIT_FAILED;
}

/* Fetch the release into the cache; only a file with the right sha256
 * ever appears there. */
static int mc_download(struct mc_ctx *c, const char *cache_host)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	_cleanup_free_ char *dir = xstrdup(cache_host);
	char **urls = miniconda_urls(c->rel, streq(c->mirror->name, "tuna"));
	int r, code = EXIT_OK;

	strbuf_init(&err);
	r = mkdir_p(dirname(dir), 0755);
	if (r == 0)
		r = download_verified((const char *const *)urls, cache_host, c->rel->sha256, c->sha256, &err);
	if (r == 0 && err.len)
		log_info("downloaded %s after: %s", c->rel->name, err.buf);
	if (r == -EBADMSG) {
		log_error("the download of %s is not Anaconda's file: %s; it was not kept, and nothing was changed",
			  c->rel->name, err.buf);
		code = EXIT_BAD_INPUT;
	} else if (r == -EHOSTUNREACH) {
		log_error("cannot download %s: %s; put the file in %s (or name it with --miniconda FILE) and run "
			  "again; nothing was changed",
			  c->rel->name, err.buf, dir);
		code = EXIT_FAILED;
	} else if (r < 0) {
		log_error("cannot write %s: %s; nothing was changed", cache_host, strerror(-r));
		code = EXIT_FAILED;
	}
	for (size_t i = 0; urls[i]; i++)
		free(urls[i]);
	free(urls);
	if (code == EXIT_OK)
		c->installer = xstrdup(cache_host);
	else
		c->sha256[0] = '\0';
	return code;
}

/* The installer: --miniconda FILE, else the cache's, else a download. */
static int mc_get_installer(struct mc_ctx *c)
{
	_cleanup_free_ char *cache_host = NULL;
	struct stat st;
	int code;

	if (gs_opts.miniconda) {
		_cleanup_free_ char *copy = xstrdup(gs_opts.miniconda);

		if (stat(gs_opts.miniconda, &st) < 0 || access(gs_opts.miniconda, R_OK) < 0) {
			log_error("cannot read the Miniconda installer '%s': %s", gs_opts.miniconda, strerror(errno));
			return EXIT_BAD_INPUT;
		}
		if (!S_ISREG(st.st_mode)) {
			log_error("the Miniconda installer '%s' is not a regular file", gs_opts.miniconda);
			return EXIT_BAD_INPUT;
		}
		c->rel = miniconda_find(&c->table, basename(copy));
		c->installer = xstrdup(gs_opts.miniconda);
		code = mc_verify(c, c->installer);
		return code == EXIT_OK ? mc_consent_unchecked(c) : code;
	}
	c->rel = miniconda_newest(&c->table);
	{
		_cleanup_free_ char *dir = cache_dir_default();

		cache_host = miniconda_cache_path(dir, c->rel);
	}
	if (stat(cache_host, &st) == 0 && S_ISREG(st.st_mode)) {
		c->installer = xstrdup(cache_host);
		code = mc_verify(c, c->installer);
	} else if (gs_opts.offline) {
		log_error("%s is not in the cache (%s) and --offline allows no download: fill the cache with "
			  "'gpu-setup fetch' on a machine with network; nothing was changed",
			  c->rel->name, cache_host);
		return EXIT_FAILED;
	} else {
		code = mc_download(c, cache_host);
	}
	return code == EXIT_OK ? mc_consent_unchecked(c) : code;
}

static int mc_apply_mirror(struct mc_ctx *c)
{
	_cleanup_strbuf_ struct strbuf report = STRBUF_INIT, err = STRBUF_INIT;

	strbuf_init(&report);
	strbuf_init(&err);
	if (mirror_apply(c->mirror, &c->u, false, &report, &err) < 0) {
		log_error("cannot point pip and conda at the %s mirror for %s: %s", c->mirror->name, c->u.name,
			  err.buf);
		return EXIT_FAILED;
	}
	/* One line per file: what was done to it. */
	for (char *line = report.buf, *end; *line; line = *end ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		if (end > line)
			log_info("mirror %s: %.*s", c->mirror->name, (int)(end - line), line);
	}
	return EXIT_OK;
}

/* A copy the user can read, in a fresh directory of the target's /tmp;
 * the copy is hashed again, so the file that runs is the file checked. */
static int mc_copy_installer(struct mc_ctx *c, char **ret_in_target)
{
	_cleanup_free_ char *tmpl = sysroot_path("/tmp/gpu-setup-miniconda-XXXXXX"), *copy_host = NULL;
	char hex[SHA256_HEX_LEN + 1];
	int r;

	if (!mkdtemp(tmpl)) {
		log_error("cannot make a directory in %s/tmp: %s", sysroot_get(), strerror(errno));
		return EXIT_FAILED;
	}
	c->run_dir = xstrdup(tmpl + strlen(sysroot_get()));
	if (chmod(tmpl, 0755) < 0) {
		log_error("cannot open %s to %s: %s", tmpl, c->u.name, strerror(errno));
		return EXIT_FAILED;
	}
	r = target_copy_in(c->installer, c->run_dir, ret_in_target, hex);
	if (r < 0) {
		log_error("cannot copy the installer into %s: %s", tmpl, strerror(-r));
		return EXIT_FAILED;
	}
	copy_host = sysroot_path(*ret_in_target);
	if (chmod(copy_host, 0644) < 0) {
		log_error("cannot let %s read %s: %s", c->u.name, copy_host, strerror(errno));
		return EXIT_FAILED;
	}
	if (!sha256_hex_equal(hex, c->sha256)) {
		log_error("'%s' changed while it was being copied: nothing was run", c->installer);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int mc_run_installer(struct mc_ctx *c)
{
	_cleanup_free_ char *in_target = NULL, *tail = NULL;
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	const char *argv[6];
	struct run_result rr;
	int r, code = mc_copy_installer(c, &in_target);

	if (code != EXIT_OK)
		return code;
	miniconda_argv(in_target, c->prefix, argv);
	r = run_as(&c->u, argv, NULL, &rr);
	if (r < 0) {
		log_error("cannot run the Miniconda installer as %s: %s", c->u.name, strerror(-r));
		return EXIT_FAILED;
	}
	strbuf_init(&why);
	if (miniconda_check(&c->u, c->prefix, &why) == 0) {
		if (rr.exit_status != 0)
			log_warning("the Miniconda installer exited with %d, but %s is complete (bin/conda, conda's "
				    "package record, owned by %s)",
				    rr.exit_status, c->prefix, c->u.name);
		run_result_release(&rr);
		return EXIT_OK;
	}
	tail = tool_tail(&rr);
	log_error("the Miniconda installer exited with %d and Miniconda is not installed: %s%s%s", rr.exit_status,
		  why.buf, *tail ? "; its last lines:\n" : "", tail);
	run_result_release(&rr);
	remove_as_user(&c->u, c->prefix, "partial installation");
	return EXIT_FAILED;
}

static bool bashrc_has_conda_block(const struct target_user *u)
{
	_cleanup_free_ char *rc = xasprintf("%s/.bashrc", u->home), *host = NULL, *text = NULL;
	size_t len;

	if (sysroot_host_path(rc, &host) < 0 || read_file(host, SMALL_FILE_MAX, &text, &len) < 0)
		return false;
	return strstr(text, CONDA_INIT_MARK) != NULL;
}

static int mc_shell_init(struct mc_ctx *c)
{
	_cleanup_free_ char *conda = xasprintf("%s/bin/conda", c->prefix), *bin = xasprintf("%s/bin", c->prefix);
	const char *argv[] = { conda, "init", "bash", NULL };
	struct run_result rr;
	int r = run_as(&c->u, argv, bin, &rr);

	if (r < 0) {
		log_error("cannot run %s init bash as %s: %s", conda, c->u.name, strerror(-r));
		return EXIT_FAILED;
	}
	if (rr.exit_status != 0) {
		_cleanup_free_ char *tail = tool_tail(&rr);

		log_error("'conda init bash' exited with %d%s%s", rr.exit_status, *tail ? "; its last lines:\n" : "",
			  tail);
		run_result_release(&rr);
		return EXIT_FAILED;
	}
	run_result_release(&rr);
	if (!bashrc_has_conda_block(&c->u)) {
		log_error("'conda init bash' exited 0, but %s%s/.bashrc has no conda initialize block", sysroot_get(),
			  c->u.home);
		return EXIT_FAILED;
	}
	c->shell_init = true;
	return EXIT_OK;
}

static void mc_print_dry_run(const struct mc_ctx *c)
{
	if (gs_opts.json)
		return;
	if (c->reused) {
		printf("Would reuse the conda in %s for %s\n", c->prefix, c->u.name);
	} else {
		const struct miniconda_release *rel = gs_opts.miniconda ? NULL : miniconda_newest(&c->table);
		_cleanup_free_ char *dir = cache_dir_default(), *cache = rel ? miniconda_cache_path(dir, rel) : NULL;

		printf("Would install Miniconda for %s into %s:\n", c->u.name, c->prefix);
		if (rel)
			printf("  installer: %s (from %s, else downloaded; sha256 %s)\n", rel->name, cache,
			       rel->sha256 ? rel->sha256 : "not in the data");
		else
			printf("  installer: %s (checked against compat/miniconda.tsv)\n", gs_opts.miniconda);
	}
	printf("  mirror: point pip and conda at %s (%s/.config/pip/pip.conf, %s/.condarc) before any conda "
	       "command\n",
	       c->mirror->name, c->u.home, c->u.home);
	if (!c->reused)
		printf("  run as %s: bash INSTALLER -b -p %s\n", c->u.name, c->prefix);
	if (!gs_opts.no_shell_init)
		printf("  run as %s: %s/bin/conda init bash (conda initialize block in %s/.bashrc)\n", c->u.name,
		       c->prefix, c->u.home);
}

int cmd_install_miniconda(void)
{
	return install_miniconda_step(NULL);
}

/* Miniconda reads neither detection nor the resolution: only the user,
 * the run's when there is a context (job may be NULL). */
int install_miniconda_step(const struct job_ctx *job)
{
	struct mc_ctx c = { .result = "failed" };
	int code;

	code = job_user_get(job, gs_opts.user, &c.u);
	c.have_user = code == EXIT_OK;
	if (code == EXIT_OK)
		code = mc_pick_mirror(&c);
	if (code == EXIT_OK)
		code = mc_pick_prefix(&c);
	if (code == EXIT_OK && !c.reused)
		code = mc_load_table(&c);
	if (code != EXIT_OK)
		goto out;
	if (gs_opts.dry_run) {
		mc_print_dry_run(&c);
		c.result = "dry-run";
		goto out;
	}
	if (c.reused) {
		log_info("%s%s has bin/conda: reusing it for %s", sysroot_get(), c.prefix, c.u.name);
	} else {
		code = mc_get_installer(&c);
		if (code != EXIT_OK)
			goto out;
	}
	/* Before the installer and every conda command: conda must never
	 * reach the defaults channels on Anaconda's servers. */
	code = mc_apply_mirror(&c);
	if (code == EXIT_OK && !c.reused)
		code = mc_run_installer(&c);
	if (code == EXIT_OK && !gs_opts.no_shell_init)
		code = mc_shell_init(&c);
	if (code != EXIT_OK)
		goto out;
	c.result = c.reused ? "reused" : "installed";
	if (!gs_opts.json) {
		if (c.reused)
			printf("Miniconda for %s: the conda in %s is kept and reused\n", c.u.name, c.prefix);
		else
			printf("Miniconda installed for %s in %s\n", c.u.name, c.prefix);
		printf("pip and conda use the %s mirror%s\n", c.mirror->name,
		       c.shell_init ? "; open a new shell (or run 'source ~/.bashrc') to have conda on PATH" : "");
	}
out:
	if (c.run_dir) {
		_cleanup_free_ char *path = sysroot_path(c.run_dir);

		remove_tree(path);
	}
	if (gs_opts.json && c.have_user)
		mc_print_json(&c);
	free(c.prefix);
	free(c.installer);
	free(c.run_dir);
	if (c.have_table)
		miniconda_table_free(&c.table);
	if (c.have_mirrors)
		mirror_table_free(&c.mirrors);
	if (c.have_user)
		target_user_free(&c.u);
	return code;
}

/* ------------------------------------------------------------ install framework */

struct fw_ctx {
	const struct resolve_result *res;   /* the run's choices (job-ctx.h) */
	struct target_user u;
	bool have_user;
	const struct fw_build *b;
	char *prefix, *name, *env, *requirement, *cuda;
	char *installed;          /* what pip installed, "2.7.1+cu128" */
	const char *result;       /* created, kept, dry-run, nothing, failed */
	char *wheels;             /* --offline: the cache's wheels as the target sees them */
	char *wheels_copy;        /* a copy made inside the root for pip (host path), removed after */
};

static void fw_print_json(const struct fw_ctx *c)
{
	struct json_object *j = json_object_new_object();
	const struct fw_build *b = c->b;

	json_object_object_add(j, "schema_version", json_object_new_int(DETECT_SCHEMA_VERSION));
	json_object_object_add(j, "command", json_object_new_string("install framework"));
	json_object_object_add(j, "result", json_object_new_string(c->result));
	json_object_object_add(j, "user", c->have_user ? json_object_new_string(c->u.name) : NULL);
	json_object_object_add(j, "framework", b ? json_object_new_string(framework_name(b->fw)) : NULL);
	json_object_object_add(j, "series", b ? json_object_new_string(b->version) : NULL);
	json_object_object_add(j, "variant", b ? json_string_or_null(b->variant) : NULL);
	json_object_object_add(j, "cuda", json_string_or_null(c->cuda));
	json_object_object_add(j, "python", json_string_or_null(c->res->python));
	json_object_object_add(j, "prefix", json_string_or_null(c->prefix));
	json_object_object_add(j, "env", json_string_or_null(c->name));
	json_object_object_add(j, "env_dir", json_string_or_null(c->env));
	json_object_object_add(j, "requirement", json_string_or_null(c->requirement));
	json_object_object_add(j, "index_url", b ? json_string_or_null(b->index_url) : NULL);
	json_object_object_add(j, "installed", json_string_or_null(c->installed));
	gs_print_json(j);
	json_object_put(j);
}

/* An environment that is already there: kept when its marker says this
 * build, refused otherwise (never changed: it may be the user's work). */
static int fw_existing_env(struct fw_ctx *c)
{
	_cleanup_free_ char *marker = xasprintf("%s/%s", c->env, GS_ENV_MARKER);
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	struct env_marker m;
	int r;

	strbuf_init(&why);
	r = env_marker_read(c->env, &m);
	if (r < 0 && r != -EINVAL) {
		log_error("%s%s exists and has no %s, so gpu-setup did not make it: it is left alone; remove it "
			  "('conda env remove -n %s') to let gpu-setup create it; nothing was changed",
			  sysroot_get(), c->env, GS_ENV_MARKER, c->name);
		return EXIT_FAILED;
	}
	if (r < 0) {
		log_error("%s%s is not the marker gpu-setup writes (a JSON object with framework, version and cuda): "
			  "remove %s ('conda env remove -n %s') to let gpu-setup create it again; nothing was changed",
			  sysroot_get(), marker, c->env, c->name);
		return EXIT_FAILED;
	}
	if (!env_marker_matches(&m, c->b, gs_opts.framework_version, &why)) {
		log_error("the conda environment %s (%s) is not the one this run would make: %s; remove it "
			  "('conda env remove -n %s') to have it made again; nothing was changed",
			  c->name, c->env, why.buf, c->name);
		env_marker_free(&m);
		return EXIT_FAILED;
	}
	c->installed = xstrdup(m.version);
	env_marker_free(&m);
	c->result = gs_opts.dry_run ? "dry-run" : "kept";
	if (!gs_opts.json)
		printf("The conda environment %s (%s) already holds %s %s for CUDA %s: already set up, nothing "
		       "changed\n",
		       c->name, c->env, framework_title(c->b->fw), c->installed, c->cuda);
	return EXIT_OK;
}

static void fw_print_dry_run(const struct fw_ctx *c)
{
	const struct fw_build *b = c->b;

	if (gs_opts.json)
		return;
	printf("Would create the conda environment %s for %s %s (CUDA %s) in %s:\n", c->name,
	       framework_title(b->fw), b->version, c->cuda, c->env);
	printf("  run as %s: %s/bin/conda create -y -n %s%s%s\n", c->u.name, c->prefix, c->name,
	       c->res->python[0] ? " python=" : "", c->res->python);
	printf("  run as %s: %s/bin/python -m pip install %s%s%s\n", c->u.name, c->env, c->requirement,
	       b->index_url ? " --index-url " : "", b->index_url ? b->index_url : "");
	printf("  file: %s/%s\n", c->env, GS_ENV_MARKER);
}

static int fw_create_env(struct fw_ctx *c)
{
	_cleanup_free_ char *conda = xasprintf("%s/bin/conda", c->prefix), *bin = xasprintf("%s/bin", c->prefix),
			    *python = c->res->python[0] ? xasprintf("python=%s", c->res->python) : NULL,
			    *env_python = xasprintf("%s/bin/python", c->env);
	/* Offline, conda takes the packages from its own package cache (what
	 * the Miniconda installer unpacked), never a channel. */
	const char *argv[] = { conda, "create", "-y", "-n", c->name, gs_opts.offline ? "--offline" : python,
			       gs_opts.offline ? python : NULL, NULL };
	struct run_result rr;
	int r = run_as(&c->u, argv, bin, &rr);

	if (r < 0) {
		log_error("cannot run %s as %s: %s", conda, c->u.name, strerror(-r));
		return EXIT_FAILED;
	}
	if (rr.exit_status != 0 || !sysroot_exists(env_python)) {
		_cleanup_free_ char *tail = tool_tail(&rr);

		if (rr.exit_status != 0)
			log_error("'conda create -n %s' exited with %d%s%s", c->name, rr.exit_status,
				  *tail ? "; its last lines:\n" : "", tail);
		else
			log_error("'conda create -n %s' exited 0, but %s%s is missing", c->name, sysroot_get(),
				  env_python);
		run_result_release(&rr);
		return EXIT_FAILED;
	}
	run_result_release(&rr);
	return EXIT_OK;
}

static int fw_pip_install(struct fw_ctx *c)
{
	_cleanup_free_ char *python = xasprintf("%s/bin/python", c->env), *bin = xasprintf("%s/bin", c->env);
	const char *online[] = { python, "-m", "pip", "install", c->requirement,
				 c->b->index_url ? "--index-url" : NULL, c->b->index_url, NULL };
	const char *offline[] = { python, "-m", "pip", "install", "--no-index", "--find-links", c->wheels,
				  c->requirement, NULL };
	const char *const *argv = c->wheels ? offline : online;
	struct run_result rr;
	int r = run_as(&c->u, (const char **)argv, bin, &rr);

	if (r < 0) {
		log_error("cannot run %s as %s: %s", python, c->u.name, strerror(-r));
		return EXIT_FAILED;
	}
	if (rr.exit_status != 0) {
		_cleanup_free_ char *tail = tool_tail(&rr);

		log_error("'pip install %s' exited with %d%s%s", c->requirement, rr.exit_status,
			  *tail ? "; its last lines:\n" : "", tail);
		run_result_release(&rr);
		return EXIT_FAILED;
	}
	run_result_release(&rr);
	return EXIT_OK;
}

struct read_version_args {
	const char *env;       /* target path */
	const char *project;
};

/* In a child running as the user: what pip left, not what it said. */
static int read_version_fn(void *arg, struct strbuf *out)
{
	const struct read_version_args *a = arg;
	_cleanup_free_ char *host = sysroot_path(a->env), *version = NULL;
	int r = env_installed_version(host, a->project, &version);

	if (r < 0)
		strbuf_addf(out, "no %s-*.dist-info in %s/lib/python*/site-packages", a->project, a->env);
	else
		strbuf_adds(out, version);
	return r;
}

static int fw_check_installed(struct fw_ctx *c)
{
	_cleanup_free_ char *project = pip_requirement_project(c->requirement), *release = NULL;
	_cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
	struct read_version_args a = { .env = c->env, .project = project };
	struct version have, want;
	const char *pin = gs_opts.framework_version;
	bool full = pin && version_parse(pin, &want) == 0 && want.nparts >= 3;

	strbuf_init(&out);
	if (as_user_call(&c->u, read_version_fn, &a, &out) < 0) {
		log_error("pip exited 0, but %s is not installed: %s", project, out.buf);
		return EXIT_FAILED;
	}
	release = public_version(out.buf);
	if (version_parse(release, &have) < 0 || !version_matches(&have, &c->b->v) ||
	    (full && version_cmp(&have, &want) != 0)) {
		log_error("pip installed %s %s, not the %s the pin %s asks for", project, out.buf,
			  full ? pin : c->b->version, c->requirement);
		return EXIT_FAILED;
	}
	c->installed = strbuf_detach(&out, NULL);
	return EXIT_OK;
}

struct marker_args {
	const char *path;      /* target path */
	const char *text;
};

static int write_marker_fn(void *arg, struct strbuf *out)
{
	const struct marker_args *a = arg;
	_cleanup_free_ char *host = NULL;
	int r = sysroot_host_path_parent(a->path, &host);

	if (r == 0)
		r = write_file_atomic(host, a->text, strlen(a->text), 0644);
	if (r < 0)
		strbuf_addf(out, "cannot write %s%s: %s", sysroot_get(), a->path, strerror(-r));
	return r;
}

static int fw_write_marker(struct fw_ctx *c)
{
	_cleanup_free_ char *release = public_version(c->installed),
			    *path = xasprintf("%s/%s", c->env, GS_ENV_MARKER), *text = NULL;
	_cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
	struct env_marker m = { .framework = (char *)framework_name(c->b->fw), .version = release,
				.cuda = c->cuda };
	struct marker_args a = { .path = path };

	/* doctor --deep compares the imported framework's version with the
	 * marker's as a prefix: 2.7.1+cu128 is a 2.7.1. */
	text = env_marker_format(&m, c->installed, c->requirement, c->b->index_url, c->res->python);
	a.text = text;
	strbuf_init(&out);
	if (as_user_call(&c->u, write_marker_fn, &a, &out) < 0) {
		log_error("%s", out.buf);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* --offline: the cache must hold the framework's wheels, each as
 * recorded; pip reads them where the target sees them (a copy inside the
 * root when the cache is outside it). */
static int fw_offline_wheels(struct fw_ctx *c)
{
	_cleanup_free_ char *project = pip_requirement_project(c->requirement), *prefix = NULL, *dir = NULL;
	_cleanup_strbuf_ struct strbuf report = STRBUF_INIT, err = STRBUF_INIT;
	struct cache_manifest m;
	const char *root = sysroot_get();
	size_t problems;
	int r, code = EXIT_OK;

	strbuf_init(&report);
	strbuf_init(&err);
	dir = cache_dir_default();
	r = cache_manifest_load(dir, &m, &err);
	if (r < 0) {
		log_error("cannot read the cache %s: %s; nothing was changed", dir, err.buf);
		return exit_code_for_errno(r);
	}
	prefix = xasprintf("%s-", project);
	{
		const struct offline_need need = { CACHE_WHEEL, NULL, prefix, "the framework's wheels" };

		problems = offline_check(&m, &need, 1, &report);
	}
	free(dir);
	dir = cache_kind_dir(&m, CACHE_WHEEL);
	if (problems) {
		log_error("the cache cannot install %s offline:\n%sfetch them on a machine with network: 'gpu-setup "
			  "fetch --wheels --for target.json --cache DIR'; nothing was changed",
			  c->requirement, report.buf);
		code = EXIT_FAILED;
	} else if (!root[0]) {
		c->wheels = TAKE_PTR(dir);
	} else if (startswith(dir, root) && dir[strlen(root)] == '/') {
		c->wheels = xstrdup(dir + strlen(root));
	} else {
		/* Copied in, each hashed as it is written: the wheel pip
		 * reads is the one checked against the manifest. */
		_cleanup_free_ char *tmpl = sysroot_path("/var/tmp/gpu-setup-wheels-XXXXXX");

		if (!mkdtemp(tmpl) || chmod(tmpl, 0755) < 0) {
			log_error("cannot make a directory for the wheels in %s/var/tmp: %s", root, strerror(errno));
			cache_manifest_free(&m);
			return EXIT_FAILED;
		}
		c->wheels_copy = xstrdup(tmpl);
		c->wheels = xstrdup(tmpl + strlen(root));
		for (size_t i = 0; i < m.nentries && code == EXIT_OK; i++) {
			const struct cache_entry *e = &m.entries[i];
			_cleanup_free_ char *src = NULL, *copied = NULL;
			char hex[SHA256_HEX_LEN + 1];

			if (e->kind != CACHE_WHEEL)
				continue;
			src = cache_entry_path(&m, e);
			r = target_copy_in(src, c->wheels, &copied, hex);
			if (r < 0 || !sha256_hex_equal(hex, e->sha256)) {
				log_error("cannot copy %s into %s%s: %s; nothing was changed", src, root, c->wheels,
					  r < 0 ? strerror(-r) : "it changed since it was checked");
				code = EXIT_FAILED;
			}
		}
	}
	cache_manifest_free(&m);
	return code;
}

int cmd_install_framework(void)
{
	struct job_ctx job;
	int code;

	if (gs_opts.framework == FW_NONE)
		return install_framework_step(NULL);
	code = gs_job_ctx_load(&job);
	if (code == EXIT_OK)
		code = install_framework_step(&job);
	job_ctx_free(&job);
	return code;
}

/* job may be NULL with --framework none only. */
int install_framework_step(const struct job_ctx *job)
{
	struct fw_ctx c = { .result = "failed" };
	int code;

	if (gs_opts.framework == FW_NONE) {
		c.result = "nothing";
		if (gs_opts.json)
			fw_print_json(&c);
		else
			printf("--framework none: no framework environment to set up, nothing to do\n");
		return EXIT_OK;
	}
	c.res = &job->res;
	code = job_user_get(job, gs_opts.user, &c.u);
	c.have_user = code == EXIT_OK;
	if (code != EXIT_OK)
		goto out;
	c.b = c.res->build;
	if (!c.b) {
		log_error("the resolver chose no %s build for this machine (see 'gpu-setup plan')",
			  framework_title(gs_opts.framework));
		code = EXIT_FAILED;
		goto out;
	}
	c.cuda = fw_build_cuda_text(c.b);
	c.name = framework_env_name(c.b);
	c.requirement = fw_build_requirement(c.b, gs_opts.framework_version);
	if (conda_prefix_find(&c.u, gs_opts.conda_prefix, &c.prefix) < 0) {
		log_error("no conda for %s in %s%s: install Miniconda first: sudo gpu-setup install miniconda",
			  c.u.name, sysroot_get(),
			  gs_opts.conda_prefix ? gs_opts.conda_prefix : "~/miniconda3, ~/anaconda3, ~/miniforge3 or ~/mambaforge");
		code = EXIT_FAILED;
		goto out;
	}
	c.env = xasprintf("%s/envs/%s", c.prefix, c.name);
	if (target_path_present(c.env)) {
		code = fw_existing_env(&c);
		goto out;
	}
	if (gs_opts.dry_run) {
		fw_print_dry_run(&c);
		c.result = "dry-run";
		goto out;
	}
	if (gs_opts.offline) {
		code = fw_offline_wheels(&c);
		if (code != EXIT_OK)
			goto out;
	}
	code = fw_create_env(&c);
	if (code == EXIT_OK)
		code = fw_pip_install(&c);
	if (code == EXIT_OK)
		code = fw_check_installed(&c);
	if (code == EXIT_OK)
		code = fw_write_marker(&c);
	if (code != EXIT_OK) {
		remove_as_user(&c.u, c.env, "unfinished environment");
		goto out;
	}
	c.result = "created";
	if (!gs_opts.json)
		printf("%s %s installed for %s in the conda environment %s (%s); use it with 'conda activate %s'\n",
		       framework_title(c.b->fw), c.installed, c.u.name, c.name, c.env, c.name);
out:
	if (gs_opts.json && c.b)
		fw_print_json(&c);
	free(c.prefix);
	free(c.name);
	free(c.env);
	free(c.requirement);
	free(c.cuda);
	free(c.installed);
	free(c.wheels);
	if (c.wheels_copy) {
		(void)remove_tree(c.wheels_copy);
		free(c.wheels_copy);
	}
	if (c.have_user)
		target_user_free(&c.u);
	return code;
}
