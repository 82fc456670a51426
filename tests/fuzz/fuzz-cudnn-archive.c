/*
 * fuzz-cudnn-archive.c - libFuzzer target over the cuDNN archive reader.
 * The first input byte picks the file name the rest is written under (the
 * .tgz layout takes its CUDA release from the name) and, with its top bit,
 * whether to place the archive into a scratch toolkit and remove it again
 * instead of only inspecting it.  Besides crashes, leaks and sanitizer
 * reports, these are findings:
 *   - an accepted archive whose digest is not the file's, or that reports
 *     no version or no files;
 *   - a refusal without a message;
 *   - a placement that the manifest does not account for file by file (the
 *     removal after it must take every placed file, nothing kept, nothing
 *     missing), or any file left in the toolkit after a refusal.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cudnn.h"
#include "fileio.h"
#include "sha256.h"
#include "strbuf.h"
#include "sysroot.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"cudnn-linux-x86_64-9.8.0.87_cuda12-archive.tar.xz",
	"cudnn-11.4-linux-x64-v8.2.4.15.tgz",
	"cudnn-10.2-linux-x64-v7.6.5.32.tgz",
	"archive.bin",
};

static char *scratch;   /* the archives */
static char *root;      /* the sysroot, with a toolkit at /cuda */

static void cleanup(void)
{
	remove_tree(scratch);
}

static void setup(void)
{
	char tmpl[] = "/tmp/fuzz-cudnn-XXXXXX";
	_cleanup_free_ char *inc = NULL, *lib = NULL;

	if (scratch)
		return;
	if (!mkdtemp(tmpl))
		abort();
	scratch = xstrdup(tmpl);
	root = xasprintf("%s/root", scratch);
	inc = xasprintf("%s/cuda/include", root);
	lib = xasprintf("%s/cuda/lib64", root);
	if (mkdir_p(inc, 0755) < 0 || mkdir_p(lib, 0755) < 0)
		abort();
	sysroot_set(root);
	atexit(cleanup);
}

/* Entries in dir other than "." and "..". */
static size_t count_entries(const char *rel)
{
	_cleanup_free_ char *p = sysroot_path(rel);
	DIR *d = opendir(p);
	struct dirent *de;
	size_t n = 0;

	if (!d)
		abort();
	while ((de = readdir(d)))
		n += !streq(de->d_name, ".") && !streq(de->d_name, "..");
	closedir(d);
	return n;
}

static void place_and_remove(const char *path)
{
	struct cudnn_place_request req = { .archive_path = path, .toolkit_dir = "/cuda" };
	struct cudnn_place_result res;
	struct cudnn_remove_result rem;
	struct strbuf err = STRBUF_INIT;
	struct cudnn_archive a;

	strbuf_init(&err);
	/* The CUDA major the archive names, so that it gets past -EXDEV. */
	if (cudnn_inspect(path, &a, NULL) == 0) {
		req.toolkit_cuda_major = a.cuda_major;
		cudnn_archive_free(&a);
	} else {
		req.toolkit_cuda_major = 12;
	}
	if (cudnn_place(&req, &res, &err) == 0) {
		strbuf_reset(&err);
		if (cudnn_remove("/cuda", &rem, &err) != 0 || rem.nremoved != res.nfiles || rem.nkept || rem.nmissing)
			abort();
		cudnn_remove_result_free(&rem);
		cudnn_place_result_free(&res);
	} else if (err.len == 0) {
		abort();
	}
	/* Refused or removed: the toolkit is empty again (two staging
	 * names would show up here too). */
	if (count_entries("/cuda") != 2 || count_entries("/cuda/include") || count_entries("/cuda/lib64"))
		abort();
	strbuf_release(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *path = NULL;
	struct strbuf err = STRBUF_INIT;
	struct cudnn_archive a;
	char hex[SHA256_HEX_LEN + 1];
	int fd, r;

	if (size < 1)
		return 0;
	setup();
	path = xasprintf("%s/%s", scratch, names[(data[0] & 0x7f) % ELEMENTSOF(names)]);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, data + 1, size - 1) < 0 || close(fd) < 0)
		abort();
	if (data[0] & 0x80) {
		place_and_remove(path);
		return 0;
	}
	strbuf_init(&err);
	r = cudnn_inspect(path, &a, &err);
	if (r == 0) {
		struct sha256_ctx *c = sha256_new();

		sha256_update(c, data + 1, size - 1);
		sha256_finish(c, hex);
		if (!streq(hex, a.sha256) || !a.name_version || !a.header_version || a.nfiles == 0)
			abort();
		cudnn_archive_free(&a);
	} else if (err.len == 0) {
		abort();
	}
	strbuf_release(&err);
	return 0;
}
