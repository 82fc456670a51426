/*
 * step-miniconda.c - the Miniconda step (`install miniconda`, and the
 * main job's): reuse a conda the user has; else find the installer
 * (--miniconda FILE, the cache, or a download) and check its sha256; write
 * the mirror configuration first, so no conda command ever asks Anaconda's
 * channels (or shows their terms-of-service prompt); run the installer as
 * the user from a private copy; believe only what it left on disk; then
 * `conda init bash` as the user.  Never as root (as-user.h).
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <sys/stat.h>

#include "conda-prefix.h"
#include "cuda-install.h"
#include "download.h"
#include "exit-codes.h"
#include "fileio.h"
#include "job-ctx.h"
#include "json-result.h"
#include "log.h"
#include "mirror-config.h"
#include "mirror-pick.h"
#include "prompt.h"
#include "step-python.h"
#include "sysroot.h"
#include "util.h"

#define CONDA_INIT_MARK "# >>> conda initialize >>>"
/* A .bashrc is small; anything past this is not one. */
#define SMALL_FILE_MAX (1024 * 1024)

struct mc_ctx {
	struct target_user u;
	bool have_user;
	const struct job_ctx *job;             /* the run's options; its tables when it has them */
	struct mirror_table mirrors;           /* own (have_mirrors) */
	bool have_mirrors;
	const struct mirror *mirror;
	struct miniconda_table own_table;      /* own (have_table) */
	bool have_table;
	const struct miniconda_table *table;
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
	json_result_set(j);
}

/* The user's mirror, from the table; an unknown name is a usage error. */
static int mc_pick_mirror(struct mc_ctx *c)
{
	int code;

	if (c->job->have_tables) {
		c->mirror = c->job->mirror;
		return EXIT_OK;
	}
	code = mirror_pick(c->job->o.target.compat_dir, c->job->o.mirror ? c->job->o.mirror : MIRROR_DEFAULT, &c->mirrors,
			       &c->mirror);

	c->have_mirrors = code == EXIT_OK;
	return code;
}

/* Reuse a conda the user has, or settle where Miniconda goes; refuses a
 * prefix the installer cannot take before anything changes. */
static int mc_pick_prefix(struct mc_ctx *c)
{
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	const char *given = c->job->o.conda_prefix;

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

	if (c->job->have_tables) {
		c->table = &c->job->mc;
		return EXIT_OK;
	}
	if (miniconda_table_load(c->job->o.target.compat_dir, &c->own_table, &err) < 0) {
		log_error("%s", err.buf);
		return EXIT_BAD_INPUT;
	}
	c->have_table = true;
	c->table = &c->own_table;
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
		    c->installer, c->sha256, c->job->o.yes ? ": running it unchecked (--yes)" : "");
	if (c->job->o.yes)
		return EXIT_OK;
	return prompt_consent("Run this Miniconda installer anyway?", c->job->o.yes) == 1 ? EXIT_OK : EXIT_FAILED;
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

	if (c->job->o.miniconda) {
		_cleanup_free_ char *copy = xstrdup(c->job->o.miniconda);

		if (stat(c->job->o.miniconda, &st) < 0 || access(c->job->o.miniconda, R_OK) < 0) {
			log_error("cannot read the Miniconda installer '%s': %s", c->job->o.miniconda, strerror(errno));
			return EXIT_BAD_INPUT;
		}
		if (!S_ISREG(st.st_mode)) {
			log_error("the Miniconda installer '%s' is not a regular file", c->job->o.miniconda);
			return EXIT_BAD_INPUT;
		}
		c->rel = miniconda_find(c->table, basename(copy));
		c->installer = xstrdup(c->job->o.miniconda);
		code = mc_verify(c, c->installer);
		return code == EXIT_OK ? mc_consent_unchecked(c) : code;
	}
	c->rel = miniconda_newest(c->table);
	{
		_cleanup_free_ char *dir = cache_dir_for(c->job->o.cache);

		cache_host = miniconda_cache_path(dir, c->rel);
	}
	if (stat(cache_host, &st) == 0 && S_ISREG(st.st_mode)) {
		c->installer = xstrdup(cache_host);
		code = mc_verify(c, c->installer);
	} else if (c->job->o.offline) {
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
	if (c->job->o.json)
		return;
	if (c->reused) {
		printf("Would reuse the conda in %s for %s\n", c->prefix, c->u.name);
	} else {
		const struct miniconda_release *rel = c->job->o.miniconda ? NULL : miniconda_newest(c->table);
		_cleanup_free_ char *dir = cache_dir_for(c->job->o.cache), *cache = rel ? miniconda_cache_path(dir, rel) : NULL;

		printf("Would install Miniconda for %s into %s:\n", c->u.name, c->prefix);
		if (rel)
			printf("  installer: %s (from %s, else downloaded; sha256 %s)\n", rel->name, cache,
			       rel->sha256 ? rel->sha256 : "not in the data");
		else
			printf("  installer: %s (checked against compat/miniconda.tsv)\n", c->job->o.miniconda);
	}
	printf("  mirror: point pip and conda at %s (%s/.config/pip/pip.conf, %s/.condarc) before any conda "
	       "command\n",
	       c->mirror->name, c->u.home, c->u.home);
	if (!c->reused)
		printf("  run as %s: bash INSTALLER -b -p %s\n", c->u.name, c->prefix);
	if (!c->job->o.no_shell_init)
		printf("  run as %s: %s/bin/conda init bash (conda initialize block in %s/.bashrc)\n", c->u.name,
		       c->prefix, c->u.home);
}

/* Miniconda reads neither detection nor the resolution: only the
 * options, and the user and tables when the context has them. */
int install_miniconda_step(const struct job_ctx *job)
{
	struct mc_ctx c = { .job = job, .result = "failed" };
	int code;

	code = job_user_get(job, &c.u);
	c.have_user = code == EXIT_OK;
	if (code == EXIT_OK)
		code = mc_pick_mirror(&c);
	if (code == EXIT_OK)
		code = mc_pick_prefix(&c);
	if (code == EXIT_OK && !c.reused)
		code = mc_load_table(&c);
	if (code != EXIT_OK)
		goto out;
	if (job->o.dry_run) {
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
	if (code == EXIT_OK && !job->o.no_shell_init)
		code = mc_shell_init(&c);
	if (code != EXIT_OK)
		goto out;
	c.result = c.reused ? "reused" : "installed";
	if (!job->o.json) {
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
	if (job->o.json && c.have_user)
		mc_print_json(&c);
	free(c.prefix);
	free(c.installer);
	free(c.run_dir);
	if (c.have_table)
		miniconda_table_free(&c.own_table);
	if (c.have_mirrors)
		mirror_table_free(&c.mirrors);
	if (c.have_user)
		target_user_free(&c.u);
	return code;
}
