/*
 * step-cuda.c - the CUDA step (`install cuda`, and the main job's): the
 * toolkit of the run's choice from NVIDIA's runfile, side by side in
 * /usr/local/cuda-X.Y, the one in use through /usr/local/cuda.  Keep a
 * complete toolkit of it; else find and check the runfile, run the
 * preflight checks (asking before --override or an unchecked file), run
 * it without its driver, and believe only the tree it leaves.  A failed
 * run that created the directory has it removed, and /usr/local/cuda is
 * put back.  `use cuda` and `uninstall cuda` (cli/cmd-cuda.c) switch and
 * remove toolkits with cuda_use_toolkit.
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "cuda-env.h"
#include "cuda-install.h"
#include "cuda-tree.h"
#include "exit-codes.h"
#include "fileio.h"
#include "job-ctx.h"
#include "json-result.h"
#include "log.h"
#include "prompt.h"
#include "step-cuda.h"
#include "step-done.h"
#include "sysroot.h"
#include "util.h"

struct cuda_ctx {
	const struct job_ctx *job;   /* the run's target and choices */
	const struct cuda_info *cuda;
	char *dir;                   /* /usr/local/cuda-X.Y */
	char *runfile;               /* real path */
	char *run_dir;               /* private temporary directory on the target */
	char sha256[SHA256_HEX_LEN + 1];
	bool override;
	const char *result;          /* installed, kept, dry-run, failed */
	int runfile_exit;            /* -1: not run */
	struct json_object *warnings, *problems;
};

static void warn(struct cuda_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct cuda_ctx *c, const char *fmt, ...)
{
	va_list ap;
	_cleanup_free_ char *msg = NULL;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	log_warning("%s", msg);
	json_object_array_add(c->warnings, json_object_new_string(msg));
}

/* Make dir the toolkit in use: link, PATH and ld.so files, ldconfig. */
int cuda_use_toolkit(const char *dir, bool *ret_changed)
{
	int r = cuda_link_set(dir), w;

	if (r == -EEXIST) {
		log_error("%s%s is a directory, not a link: gpu-setup leaves it alone; move it away to let "
			  "gpu-setup point it at %s", sysroot_get(), CUDA_LINK_PATH, dir);
		return EXIT_FAILED;
	}
	if (r < 0) {
		log_error("cannot point %s%s at %s: %s", sysroot_get(), CUDA_LINK_PATH, dir, strerror(-r));
		return EXIT_FAILED;
	}
	w = cuda_env_files_write();
	if (w < 0) {
		log_error("cannot write %s%s or %s%s: %s", sysroot_get(), CUDA_PROFILE_PATH, sysroot_get(),
			  CUDA_LDCONF_PATH, strerror(-w));
		return EXIT_FAILED;
	}
	*ret_changed = r > 0 || w > 0;
	return *ret_changed || !sysroot_get()[0] ? cuda_ldconfig_exit_code() : EXIT_OK;
}

int cuda_ldconfig_exit_code(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	int r;

	strbuf_init(&err);
	r = cuda_run_ldconfig(&err);
	if (r == -ENOENT) {
		log_warning("%s has no ldconfig: the library cache there is built when that system runs it",
			    sysroot_get());
		return EXIT_OK;
	}
	if (r < 0) {
		log_error("%s", err.buf);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static void print_result(struct cuda_ctx *c)
{
	if (c->job->o.json) {
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "schema_version", json_object_new_int(DETECT_SCHEMA_VERSION));
		json_object_object_add(j, "command", json_object_new_string("install cuda"));
		json_object_object_add(j, "result", json_object_new_string(c->result));
		json_object_object_add(j, "version", c->cuda ? json_object_new_string(c->cuda->version) : NULL);
		json_object_object_add(j, "toolkit", c->dir ? json_object_new_string(c->dir) : NULL);
		json_object_object_add(j, "runfile", c->runfile ? json_object_new_string(c->runfile) : NULL);
		json_object_object_add(j, "sha256", c->sha256[0] ? json_object_new_string(c->sha256) : NULL);
		json_object_object_add(j, "gcc_override", json_object_new_boolean(c->override));
		json_object_object_add(j, "runfile_exit_status",
				       c->runfile_exit >= 0 ? json_object_new_int(c->runfile_exit) : NULL);
		json_object_object_add(j, "warnings", json_object_get(c->warnings));
		json_object_object_add(j, "problems", json_object_get(c->problems));
		json_result_set(j);
	}
}

/* The driver: too old only warns (the toolkit installs; its programs
 * wait for a newer driver). */
static void check_driver(struct cuda_ctx *c)
{
	const struct cuda_info *t = c->cuda;
	struct version have;

	if (!c->job->t.installed) {
		warn(c, "no NVIDIA driver is loaded: CUDA %s installs, but its programs need a driver >= %s "
		     "('sudo gpu-setup driver')", t->version, t->min_driver);
		return;
	}
	if (version_parse(c->job->t.installed, &have) < 0 || version_cmp(&have, &t->min_drv) >= 0)
		return;
	warn(c, "the loaded driver %s is older than the %s CUDA %s needs: the toolkit installs, but its "
	     "programs will not run until the driver is updated ('sudo gpu-setup driver')",
	     c->job->t.installed, t->min_driver, t->version);
}

static int check_gcc(struct cuda_ctx *c)
{
	const struct cuda_info *t = c->cuda;
	unsigned major;
	int r = host_gcc_major(&major);

	if (r == -ENOENT) {
		log_error("no gcc on %s: NVIDIA's installer checks it and nvcc needs it as the host compiler; "
			  "install it first ('sudo apt-get install gcc')", sysroot_get()[0] ? sysroot_get() : "this machine");
		return EXIT_FAILED;
	}
	if (r < 0) {
		log_error("cannot tell the version of gcc ('gcc -dumpversion' failed): %s", strerror(-r));
		return EXIT_FAILED;
	}
	if (!t->max_gcc || major <= t->max_gcc)
		return EXIT_OK;
	warn(c, "gcc %u is newer than the gcc %u CUDA %s supports: the runfile refuses it unless run with "
	     "--override, and nvcc may then fail on some host code (install gcc-%u and pass -ccbin to nvcc if it "
	     "does)%s", major, t->max_gcc, t->version, t->max_gcc, c->job->o.yes ? "; installing with --override (--yes)" : "");
	if (!c->job->o.yes) {
		_cleanup_free_ char *q = xasprintf("Install CUDA %s with --override?", t->version);

		if (prompt_consent(q, c->job->o.yes) != 1)
			return EXIT_FAILED;
	}
	c->override = true;
	return EXIT_OK;
}

static int check_space(struct cuda_ctx *c, off_t size)
{
	unsigned long long avail, need_tk = cuda_toolkit_space_needed(size);
	unsigned long long need_tmp = cuda_tmp_space_needed(size) + (sysroot_get()[0] ? (unsigned long long)size : 0);
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	_cleanup_free_ char *tmp = NULL;
	dev_t tk_dev, tmp_dev;
	bool noexec;
	int r = target_fs_space(c->dir, &avail, &noexec, &tk_dev);

	if (r < 0) {
		log_error("cannot tell the free space for %s%s: %s", sysroot_get(), c->dir, strerror(-r));
		return EXIT_FAILED;
	}
	if (avail < need_tk) {
		log_error("not enough space for CUDA %s in %s%s: %.1f GiB free, about %.1f GiB needed; free some "
			  "space there and run again", c->cuda->version, sysroot_get(), c->dir,
			  (double)avail / (1 << 30), (double)need_tk / (1 << 30));
		return EXIT_FAILED;
	}
	strbuf_init(&why);
	r = cuda_pick_tmpdir(c->job->o.tmpdir, need_tmp, &tmp, &why);
	if (r < 0) {
		log_error("no temporary directory the runfile can unpack into: %s; give one with --tmpdir DIR "
			  "(on a disk with room, not mounted noexec)", why.buf);
		return EXIT_FAILED;
	}
	if (!c->job->o.tmpdir && why.len)
		log_info("unpacking in %s: %s", tmp, why.buf);
	r = target_fs_space(tmp, &avail, &noexec, &tmp_dev);
	if (r == 0 && tmp_dev == tk_dev && avail < need_tk + need_tmp) {
		log_error("not enough space for CUDA %s: %s and %s share a filesystem with %.1f GiB free, about "
			  "%.1f GiB needed; give another temporary directory with --tmpdir DIR",
			  c->cuda->version, tmp, c->dir, (double)avail / (1 << 30),
			  (double)(need_tk + need_tmp) / (1 << 30));
		return EXIT_FAILED;
	}
	{
		_cleanup_free_ char *tmpl_rel = xasprintf("%s/gpu-setup-cuda-XXXXXX", streq(tmp, "/") ? "" : tmp);
		_cleanup_free_ char *tmpl = sysroot_path(tmpl_rel);

		if (!mkdtemp(tmpl)) {
			log_error("cannot make a directory in %s%s: %s", sysroot_get(), tmp, strerror(errno));
			return EXIT_FAILED;
		}
		c->run_dir = xstrdup(tmpl + strlen(sysroot_get()));
	}
	return EXIT_OK;
}

/* Find and check the runfile; nothing has changed when this fails. */
static int get_runfile(struct cuda_ctx *c)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	const char *expected = c->cuda->sha256;
	_cleanup_free_ char *cache_dir = cache_dir_for(c->job->o.cache);
	int r = cuda_runfile_find(c->cuda, c->job->o.runfile, cache_dir, &c->runfile);

	if (r == -ENOENT && !c->job->o.runfile) {
		log_error("the CUDA %s runfile is not in %s: download %s (sha256 %s) and run again with "
			  "--runfile FILE, or fill the cache with 'gpu-setup fetch'", c->cuda->version, cache_dir,
			  c->cuda->url, expected ? expected : "not in the data");
		return EXIT_FAILED;
	}
	if (r < 0) {
		log_error("cannot read the runfile '%s': %s", c->job->o.runfile,
			  r == -EINVAL ? "not a regular file" : strerror(-r));
		return EXIT_BAD_INPUT;
	}
	strbuf_init(&err);
	r = cuda_runfile_verify(c->runfile, expected, c->sha256, &err);
	if (r < 0) {
		log_error("%s; nothing was changed", err.buf);
		json_object_array_add(c->problems, json_object_new_string(err.buf));
		return r == -EBADMSG ? EXIT_BAD_INPUT : EXIT_FAILED;
	}
	if (!expected) {
		_cleanup_free_ char *q = xasprintf("the compat data has no sha256 for CUDA %s, so '%s' cannot be "
						   "checked (its sha256 is %s). Run it anyway?",
						   c->cuda->version, c->runfile, c->sha256);

		if (c->job->o.yes)
			warn(c, "no sha256 in the data for CUDA %s: running '%s' unchecked (--yes)", c->cuda->version,
			     c->runfile);
		else if (prompt_consent(q, c->job->o.yes) != 1)
			return EXIT_FAILED;
	}
	return EXIT_OK;
}

static void print_dry_run(struct cuda_ctx *c)
{
	if (c->job->o.json)
		return;
	printf("Would install CUDA %s into %s from NVIDIA's runfile, without its driver:\n", c->cuda->version,
	       c->dir);
	printf("  run: sh %s --silent --toolkit --toolkitpath=%s --no-man-page --tmpdir=DIR\n",
	       c->runfile ? c->runfile : c->cuda->runfile, c->dir);
	printf("  link: %s -> %s\n", CUDA_LINK_PATH, c->dir + strlen("/usr/local/"));
	printf("  file: %s (PATH), %s (libraries), then ldconfig\n", CUDA_PROFILE_PATH, CUDA_LDCONF_PATH);
}

/* Run the runfile and judge the tree it left. */
static int run_and_verify(struct cuda_ctx *c, bool existed)
{
	_cleanup_free_ char *old_link = NULL, *installer_log = NULL, *in_target = NULL;
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	struct cuda_run_request rq = { .dir = c->dir, .tmpdir = c->run_dir, .override = c->override };
	struct cuda_tree tree;
	struct run_result rr;
	bool link_was = cuda_link_read(&old_link) == 0, complete;
	int r;

	if (sysroot_get()[0]) {
		/* The runfile must be inside the root to run there; copying it
		 * hashes it again, so the file that runs is the file checked. */
		char hex[SHA256_HEX_LEN + 1];

		r = target_copy_in(c->runfile, c->run_dir, &in_target, hex);
		if (r < 0) {
			log_error("cannot copy the runfile into %s%s: %s", sysroot_get(), c->run_dir, strerror(-r));
			return EXIT_FAILED;
		}
		if (!streq(hex, c->sha256)) {
			log_error("'%s' changed while it was being copied: nothing was run", c->runfile);
			return EXIT_FAILED;
		}
		rq.runfile = in_target;
	} else {
		rq.runfile = c->runfile;
	}
	r = cuda_runfile_run(&rq, &rr, &installer_log);
	if (r < 0) {
		log_error("cannot run the runfile: %s", strerror(-r));
		return EXIT_FAILED;
	}
	c->runfile_exit = rr.exit_status;
	run_result_release(&rr);

	strbuf_init(&why);
	r = cuda_tree_inspect(c->dir, &tree);
	complete = r == 0 && cuda_tree_complete(&tree, c->cuda->version, &why);
	if (r == 0)
		cuda_tree_free(&tree);
	else
		strbuf_addf(&why, "%s was not created", c->dir);
	if (complete) {
		if (c->runfile_exit != 0)
			warn(c, "the runfile exited with %d, but the toolkit in %s is complete (nvcc, headers and "
			     "libraries agree on %s)", c->runfile_exit, c->dir, c->cuda->version);
		return EXIT_OK;
	}
	{
		_cleanup_free_ char *errors = cuda_installer_errors(installer_log);

		json_object_array_add(c->problems, json_object_new_string(why.buf));
		log_error("the runfile exited with %d and CUDA %s is not installed: %s%s%s%s", c->runfile_exit,
			  c->cuda->version, why.buf, *errors ? "; " CUDA_INSTALLER_LOG " says:\n" : "", errors,
			  *errors ? "" : "");
	}
	/* Leave the machine as it was: no partial toolkit, the old link. */
	if (!existed && sysroot_exists(c->dir)) {
		_cleanup_free_ char *path = sysroot_path(c->dir);

		r = remove_tree(path);
		if (r < 0)
			log_error("cannot remove the partial toolkit %s%s: %s", sysroot_get(), c->dir, strerror(-r));
		else
			log_info("removed the partial toolkit %s%s", sysroot_get(), c->dir);
	}
	if (link_was)
		cuda_link_set(old_link);
	else {
		_cleanup_free_ char *now = NULL;

		if (cuda_link_read(&now) == 0 && streq(now, c->dir))
			cuda_link_remove();
	}
	return EXIT_FAILED;
}

static off_t runfile_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : 0;
}

int install_cuda_step(const struct job_ctx *job)
{
	struct cuda_ctx c = { .job = job, .result = "failed", .runfile_exit = -1 };
	bool existed = false, changed = false;
	int code = EXIT_OK;

	c.warnings = json_object_new_array();
	c.problems = json_object_new_array();
	c.cuda = job->res.cuda;
	c.dir = cuda_toolkit_dir(c.cuda->version);
	if (sysroot_exists(c.dir)) {
		_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;

		existed = true;
		if (step_done_cuda(c.dir, c.cuda->version, &why)) {
			c.result = job->o.dry_run ? "dry-run" : "kept";
			if (!job->o.json)
				printf("CUDA %s is already installed in %s: kept\n", c.cuda->version, c.dir);
			if (!job->o.dry_run)
				code = cuda_use_toolkit(c.dir, &changed);
			goto out;
		}
		log_info("%s%s; the runfile installs over it", sysroot_get(), why.buf);
	}
	if (job->o.dry_run) {
		{
			_cleanup_free_ char *cache_dir = cache_dir_for(job->o.cache);

			cuda_runfile_find(c.cuda, job->o.runfile, cache_dir, &c.runfile);
		}
		print_dry_run(&c);
		c.result = "dry-run";
		goto out;
	}
	code = get_runfile(&c);
	if (code == EXIT_OK) {
		check_driver(&c);
		code = check_gcc(&c);
	}
	if (code == EXIT_OK)
		code = check_space(&c, runfile_size(c.runfile));
	if (code == EXIT_OK)
		code = run_and_verify(&c, existed);
	if (code == EXIT_OK)
		code = cuda_use_toolkit(c.dir, &changed);
	if (code == EXIT_OK) {
		c.result = "installed";
		if (!job->o.json)
			printf("CUDA %s installed in %s; %s leads to it. Open a new login shell (or run '. %s') to "
			       "have nvcc on PATH.\n", c.cuda->version, c.dir, CUDA_LINK_PATH, CUDA_PROFILE_PATH);
	}
out:
	if (c.run_dir) {
		_cleanup_free_ char *path = sysroot_path(c.run_dir);

		remove_tree(path);
	}
	if (c.cuda)
		print_result(&c);
	json_object_put(c.warnings);
	json_object_put(c.problems);
	free(c.dir);
	free(c.runfile);
	free(c.run_dir);
	return code;
}
