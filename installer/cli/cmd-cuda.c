/*
 * cmd-cuda.c - `gpu-setup install cuda` (the CUDA step, job/step-cuda.c,
 * over a context of its own), `use cuda X.Y` and `uninstall cuda X.Y`.
 */
#include "config.h"

#include <errno.h>

#include "commands.h"
#include "cuda-env.h"
#include "cuda-install.h"
#include "cuda-tree.h"
#include "cudnn.h"
#include "exit-codes.h"
#include "job-ctx.h"
#include "log.h"
#include "options.h"
#include "step-cuda.h"
#include "sysroot.h"
#include "util.h"

int cmd_install_cuda(void)
{
	struct job_ctx job;
	int code = gs_job_ctx_load(&job);

	if (code == EXIT_OK)
		code = install_cuda_step(&job);
	job_ctx_free(&job);
	return code;
}

/* "12.8" (or "12.8.1") to its directory; logs and returns NULL when bad. */
static char *version_dir(const char *version)
{
	char *dir = cuda_toolkit_dir(version);

	if (!dir)
		log_error("'%s' is not a CUDA release: give MAJOR.MINOR, such as 12.8", version);
	return dir;
}

int cmd_use(int argc, char **argv)
{
	_cleanup_free_ char *dir = NULL, *before = NULL;
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	struct cuda_tree tree;
	bool complete, changed = false;
	int r, code;

	if (argc != 2 || !streq(argv[0], "cuda")) {
		log_error("use takes 'cuda X.Y' (the toolkit to switch to); see 'gpu-setup help use'");
		return EXIT_USAGE;
	}
	dir = version_dir(argv[1]);
	if (!dir)
		return EXIT_USAGE;
	r = cuda_tree_inspect(dir, &tree);
	if (r < 0) {
		log_error("no CUDA toolkit in %s%s: install it first ('sudo gpu-setup install cuda --cuda %s')",
			  sysroot_get(), dir, argv[1]);
		return EXIT_FAILED;
	}
	strbuf_init(&why);
	complete = cuda_tree_complete(&tree, argv[1], &why);
	cuda_tree_free(&tree);
	if (!complete) {
		log_error("%s%s is not a complete CUDA %s toolkit (%s): not switching to it", sysroot_get(), dir,
			  argv[1], why.buf);
		return EXIT_FAILED;
	}
	cuda_link_read(&before);
	if (gs_opts.dry_run) {
		printf("Would point %s at %s (now %s), then run ldconfig\n", CUDA_LINK_PATH, dir,
		       before ? before : "absent");
		return EXIT_OK;
	}
	code = cuda_use_toolkit(dir, &changed);
	if (code == EXIT_OK)
		printf(changed ? "%s now leads to %s (was %s)\n" : "%s already leads to %s%s\n", CUDA_LINK_PATH, dir,
		       changed ? (before ? before : "absent") : "");
	return code;
}

/* After a toolkit went: the link goes to the newest complete toolkit
 * left, or away with the two files when none is left. */
static int relink_after_removal(const char *removed)
{
	_cleanup_free_ char *now = NULL;
	char **dirs = NULL;
	size_t n = 0;
	const char *next = NULL;
	bool changed = false;
	int code = EXIT_OK;

	if (cuda_link_read(&now) == 0 && !streq(now, removed))
		return EXIT_OK;
	if (cuda_trees_list(&dirs, &n) == 0) {
		for (size_t i = n; i-- > 0 && !next;) {
			struct cuda_tree t;
			_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;

			strbuf_init(&why);
			if (streq(dirs[i], removed) || cuda_tree_inspect(dirs[i], &t) < 0)
				continue;
			if (cuda_tree_complete(&t, t.version ? t.version : "", &why))
				next = dirs[i];
			cuda_tree_free(&t);
		}
	}
	if (next) {
		code = cuda_use_toolkit(next, &changed);
		if (code == EXIT_OK)
			printf("%s now leads to %s\n", CUDA_LINK_PATH, next);
	} else if (cuda_link_remove() < 0 || cuda_env_files_remove() < 0) {
		log_error("cannot remove %s%s or gpu-setup's PATH and library files", sysroot_get(), CUDA_LINK_PATH);
		code = EXIT_FAILED;
	} else {
		code = cuda_ldconfig_exit_code();
	}
	for (size_t i = 0; i < n; i++)
		free(dirs[i]);
	free(dirs);
	return code;
}

int cmd_uninstall_cuda(const char *version)
{
	_cleanup_free_ char *dir = version_dir(version), *uninstaller = NULL;
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct cuda_tree tree;
	int r;

	if (!dir)
		return EXIT_USAGE;
	r = cuda_tree_inspect(dir, &tree);
	if (r < 0) {
		printf("No CUDA toolkit in %s%s: nothing to remove\n", sysroot_get(), dir);
		return EXIT_OK;
	}
	uninstaller = xasprintf("%s/bin/cuda-uninstaller", dir);
	if (!tree.uninstaller_present) {
		cuda_tree_free(&tree);
		log_error("%s%s has no bin/cuda-uninstaller, so it was not installed by NVIDIA's runfile: "
			  "gpu-setup removes only what it can remove exactly; nothing was changed", sysroot_get(), dir);
		return EXIT_FAILED;
	}
	cuda_tree_free(&tree);
	if (gs_opts.dry_run) {
		_cleanup_free_ char *m = cudnn_manifest_path(dir);

		if (sysroot_exists(m))
			printf("Would remove the cuDNN gpu-setup placed in %s (%s)\n", dir, m);
		printf("Would run: %s --silent\n", uninstaller);
		return EXIT_OK;
	}
	strbuf_init(&err);
	{
		struct cudnn_remove_result rm = { 0 };

		r = cudnn_remove(dir, &rm, &err);
		if (r < 0 && r != -ENOENT) {
			log_error("%s; the toolkit was left in place", err.buf);
			return EXIT_FAILED;
		}
		cudnn_remove_result_free(&rm);
		strbuf_reset(&err);
	}
	{
		const char *argv[] = { uninstaller, "--silent", NULL };

		if (run_step(argv, &err) < 0) {
			log_error("%s", err.buf);
			return EXIT_FAILED;
		}
	}
	if (cuda_tree_inspect(dir, &tree) == 0) {
		bool nvcc = tree.nvcc_present;

		cuda_tree_free(&tree);
		if (nvcc) {
			log_error("%s --silent exited 0, but %s%s/bin/nvcc is still there: the toolkit was not removed",
				  uninstaller, sysroot_get(), dir);
			return EXIT_FAILED;
		}
		log_warning("%s%s still holds files the runfile did not install: left in place", sysroot_get(), dir);
	}
	printf("CUDA %s removed from %s\n", version, dir);
	return relink_after_removal(dir);
}
