/*
 * cuda-install.h - NVIDIA's CUDA runfile, toolkit only: find it (the cache
 * or a file the user names), check its sha256 before anything runs, check
 * what it needs (space, an executable temporary directory, a host gcc it
 * accepts), run it without its driver, and keep its own log.
 *
 * The runfile is a makeself archive that unpacks itself into a temporary
 * directory and runs NVIDIA's installer with the options it was given
 * (CUDA Installation Guide for Linux, "Runfile Installation"):
 *   sh cuda_X.Y.Z_DRV_linux.run --silent --toolkit --toolkitpath=DIR
 *      --no-man-page [--tmpdir=DIR] [--override]
 * Leaving out --driver is what keeps its bundled driver off the machine.
 * Its exit status is not trusted: the caller verifies the tree (cuda-tree.h).
 */
#ifndef GS_CUDA_INSTALL_H
#define GS_CUDA_INSTALL_H

#include <stdbool.h>
#include <sys/types.h>

#include "cache.h"
#include "compat.h"
#include "run.h"
#include "sha256.h"
#include "strbuf.h"

#define CUDA_INSTALLER_LOG "/var/log/cuda-installer.log"

/* Where the runfile for c is: explicit (a path on this machine, --runfile)
 * or cache_dir/<NVIDIA's file name> (a host path: the cache, cache.h).
 * Returns the real path, -ENOENT when the cache has none, or -errno for
 * an explicit file that cannot be read. */
int cuda_runfile_find(const struct cuda_info *c, const char *explicit_path, const char *cache_dir, char **ret_path);

/* Hash the runfile at path (a real path) and compare with expected (NULL:
 * the data has no digest; only computed).  -EBADMSG on a mismatch, with
 * both digests in err. */
int cuda_runfile_verify(const char *path, const char *expected, char hex[SHA256_HEX_LEN + 1],
			struct strbuf *err);

/* Free space (bytes) and noexec of the filesystem holding abs_path on the
 * target, or of its nearest existing parent. */
int target_fs_space(const char *abs_path, unsigned long long *ret_avail, bool *ret_noexec, dev_t *ret_dev);

/* Estimates from the runfile's size, since NVIDIA publishes none per
 * release: it unpacks to about twice its size in the temporary directory,
 * and the installed toolkit takes about as much again. */
unsigned long long cuda_tmp_space_needed(off_t runfile_size);
unsigned long long cuda_toolkit_space_needed(off_t runfile_size);

/* The temporary directory the runfile unpacks into: the user's (--tmpdir),
 * else /tmp, else /var/tmp; one that is noexec (the unpacked installer
 * cannot run there) or smaller than need is passed over.  Returns the
 * directory (on the target) or -ENOSPC with every reason in err. */
int cuda_pick_tmpdir(const char *user_dir, unsigned long long need, char **ret_dir, struct strbuf *err);

/* The host compiler's major version, from `gcc -dumpversion` in the
 * target; -ENOENT when there is no gcc. */
int host_gcc_major(unsigned *ret);

struct cuda_run_request {
	const char *runfile;   /* as the target sees it */
	const char *dir;       /* --toolkitpath, /usr/local/cuda-X.Y */
	const char *tmpdir;    /* --tmpdir */
	bool override;         /* --override: the user agreed to an unsupported gcc */
};

/* The runfile's command line, never with --driver: a NULL-terminated
 * array of allocated strings (cuda_runfile_argv_free). */
char **cuda_runfile_argv(const struct cuda_run_request *rq);
void cuda_runfile_argv_free(char **argv);

/* Run it (no time limit: a toolkit takes minutes), its output going into
 * gpu-setup's log; then copy what it appended to its own
 * /var/log/cuda-installer.log into gpu-setup's log as well, and return
 * that part (the caller quotes its [ERROR] lines). */
int cuda_runfile_run(const struct cuda_run_request *rq, struct run_result *ret, char **ret_installer_log);

/* The "[ERROR]" lines of an installer log, one per line. */
char *cuda_installer_errors(const char *log_text);

/* Copy the file at src (a real path) into dir (on the target) under its
 * base name, hashing the bytes written; returns the path on the target. */
int target_copy_in(const char *src, const char *dir, char **ret_path, char hex[SHA256_HEX_LEN + 1]);

#endif
