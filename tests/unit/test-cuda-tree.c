/* Unit tests: the four places a CUDA toolkit names its release (parsers on
 * NVIDIA's own formats and on damaged input), cuda_tree_inspect and
 * cuda_tree_complete on trees written into a scratch sysroot (each
 * disagreement in turn), cuda_trees_list, and the tree the runfile
 * stand-in (tests/fixtures/gen-cuda-runfile --tree-only) makes.  Runs as a
 * normal user. */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "cuda-tree.h"
#include "run.h"
#include "strbuf.h"
#include "sysroot.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

static char root[] = "/tmp/gs-cuda-tree-XXXXXX";

/* NVIDIA's version.json for 12.8.1 (components trimmed), as installed. */
static const char version_json_1281[] =
	"{\n"
	"   \"cuda\" : {\n"
	"      \"name\" : \"CUDA SDK\",\n"
	"      \"version\" : \"12.8.1\"\n"
	"   },\n"
	"   \"cuda_cccl\" : {\n"
	"      \"name\" : \"CUDA C++ Core Compute Libraries\",\n"
	"      \"version\" : \"12.8.90\"\n"
	"   },\n"
	"   \"cuda_cudart\" : {\n"
	"      \"name\" : \"CUDA Runtime (cudart)\",\n"
	"      \"version\" : \"12.8.90\"\n"
	"   },\n"
	"   \"cuda_nvcc\" : {\n"
	"      \"name\" : \"CUDA NVCC\",\n"
	"      \"version\" : \"12.8.93\"\n"
	"   }\n"
	"}\n";

static const char nvcc_1281[] =
	"nvcc: NVIDIA (R) Cuda compiler driver\n"
	"Copyright (c) 2005-2025 NVIDIA Corporation\n"
	"Built on Fri_Feb_21_20:23:50_PST_2025\n"
	"Cuda compilation tools, release 12.8, V12.8.93\n"
	"Build cuda_12.8.r12.8/compiler.35583870_0\n";

static const char nvcc_102[] =
	"nvcc: NVIDIA (R) Cuda compiler driver\n"
	"Copyright (c) 2005-2019 NVIDIA Corporation\n"
	"Built on Wed_Oct_23_19:24:38_PDT_2019\n"
	"Cuda compilation tools, release 10.2, V10.2.89\n";

/* The top of NVIDIA's cuda.h, shortened. */
static const char cuda_h_128[] =
	"/*\n"
	" * Copyright 1993-2025 NVIDIA Corporation.  All rights reserved"
	" */\n"
	"\n"
	"#ifndef __cuda_cuda_h__\n"
	"#define __cuda_cuda_h__\n"
	"\n"
	"#include <stdlib.h>\n"
	"/**\n"
	" * CUDA API version number\n"
	" */\n"
	"#define CUDA_VERSION 12080\n"
	"\n"
	"#ifdef __cplusplus\n"
	"extern \"C\" {\n"
	"#endif\n";

static void test_parsers(void)
{
	char *s = (char *)"untouched";
	unsigned major = 77, minor = 77;

	/* version.json */
	ok(cuda_parse_version_json(version_json_1281, &s) == 0, "version.json: NVIDIA's 12.8.1 file parses");
	is_str(s, "12.8.1", "version.json: cuda.version");
	free(s);
	ok(cuda_parse_version_json("{\"cuda\":{\"name\":\"CUDA SDK\",\"version\":\"11.8.0\"}}", &s) == 0 &&
	   streq(s, "11.8.0"), "version.json: compact JSON");
	free(s);
	ok(cuda_parse_version_json("{\"cuda\":{\"version\":\"12.6.20241114\"}}", &s) == 0 && streq(s, "12.6.20241114"),
	   "version.json: an eight-digit part (seen in the wild)");
	free(s);
	s = (char *)"untouched";
	ok(cuda_parse_version_json("", &s) == -EINVAL, "version.json: empty is -EINVAL");
	ok(cuda_parse_version_json("{ not json", &s) == -EINVAL, "version.json: not JSON is -EINVAL");
	ok(cuda_parse_version_json("{\"cuda\":{\"version\":\"12.8.1\"}", &s) == -EINVAL,
	   "version.json: truncated is -EINVAL");
	ok(cuda_parse_version_json("{\"cuda\":{\"version\":\"12.8.1\"}} x", &s) == -EINVAL,
	   "version.json: text after the object is -EINVAL");
	ok(cuda_parse_version_json("{\"cuda\":{\"version\":12.8}}", &s) == -EINVAL,
	   "version.json: a number, not a string, is -EINVAL");
	ok(cuda_parse_version_json("{\"cuda_cudart\":{\"version\":\"12.8.90\"}}", &s) == -EINVAL,
	   "version.json: no cuda object is -EINVAL");
	ok(cuda_parse_version_json("{\"cuda\":\"12.8.1\"}", &s) == -EINVAL, "version.json: cuda not an object is -EINVAL");
	ok(cuda_parse_version_json("[\"cuda\"]", &s) == -EINVAL, "version.json: an array is -EINVAL");
	ok(cuda_parse_version_json("{\"cuda\":{\"version\":\"12\"}}", &s) == -EINVAL,
	   "version.json: one part is -EINVAL");
	ok(cuda_parse_version_json("{\"cuda\":{\"version\":\"12.8.x\"}}", &s) == -EINVAL,
	   "version.json: a non-numeric part is -EINVAL");
	ok(cuda_parse_version_json("{\"cuda\":{\"version\":\"12.8.1 \"}}", &s) == -EINVAL,
	   "version.json: a trailing blank in the version is -EINVAL");
	ok(cuda_parse_version_json("{\"cuda\":{\"version\":\"1.2.3.4.5\"}}", &s) == -EINVAL,
	   "version.json: five parts is -EINVAL");
	ok(cuda_parse_version_json("{\"cuda\":{\"version\":\"12.8.1234567890\"}}", &s) == -EINVAL,
	   "version.json: a ten-digit part is -EINVAL");
	is_str(s, "untouched", "version.json: ret untouched on failure");

	/* version.txt */
	ok(cuda_parse_version_txt("CUDA Version 10.2.89\n", &s) == 0 && streq(s, "10.2.89"), "version.txt: 10.2's file");
	free(s);
	ok(cuda_parse_version_txt("CUDA Version 9.0.176", &s) == 0 && streq(s, "9.0.176"), "version.txt: no newline");
	free(s);
	ok(cuda_parse_version_txt("\nCUDA Version 11.0.228\r\nsomething else\n", &s) == 0 && streq(s, "11.0.228"),
	   "version.txt: CRLF, a blank line first, later lines ignored");
	free(s);
	s = (char *)"untouched";
	ok(cuda_parse_version_txt("", &s) == -EINVAL, "version.txt: empty is -EINVAL");
	ok(cuda_parse_version_txt("CUDA Version \n", &s) == -EINVAL, "version.txt: no version is -EINVAL");
	ok(cuda_parse_version_txt("Cuda version 10.2.89\n", &s) == -EINVAL, "version.txt: other words are -EINVAL");
	ok(cuda_parse_version_txt("CUDA Version 10.2.89 beta\n", &s) == -EINVAL,
	   "version.txt: more on the line is -EINVAL");
	ok(cuda_parse_version_txt("CUDA Version 10\n", &s) == -EINVAL, "version.txt: one part is -EINVAL");
	is_str(s, "untouched", "version.txt: ret untouched on failure");

	/* cuda.h */
	ok(cuda_parse_cuda_h(cuda_h_128, &major, &minor) == 0 && major == 12 && minor == 8,
	   "cuda.h: CUDA_VERSION 12080 is 12.8");
	ok(cuda_parse_cuda_h("# define CUDA_VERSION 11080 /* 11.8 */\n", &major, &minor) == 0 && major == 11 &&
	   minor == 8, "cuda.h: '# define' and a trailing comment");
	ok(cuda_parse_cuda_h("#define\tCUDA_VERSION\t9020\r\n", &major, &minor) == 0 && major == 9 && minor == 2,
	   "cuda.h: tabs, CRLF, 9020 is 9.2");
	ok(cuda_parse_cuda_h("#define CUDA_VERSION 13000", &major, &minor) == 0 && major == 13 && minor == 0,
	   "cuda.h: 13000 is 13.0, no newline at the end");
	major = minor = 77;
	ok(cuda_parse_cuda_h("", &major, &minor) == -EINVAL, "cuda.h: empty is -EINVAL");
	ok(cuda_parse_cuda_h("#define CUDA_VERSION_MAJOR 12\n#define CUDART_VERSION 12080\n", &major, &minor) == -EINVAL,
	   "cuda.h: other macros are not CUDA_VERSION");
	ok(cuda_parse_cuda_h("/* #define CUDA_VERSION 12080 */\n", &major, &minor) == -EINVAL,
	   "cuda.h: a define inside a comment line is not one");
	ok(cuda_parse_cuda_h("#define CUDA_VERSION abc\n#define CUDA_VERSION 12080\n", &major, &minor) == -EINVAL,
	   "cuda.h: a malformed first definition is -EINVAL, not the next one");
	ok(cuda_parse_cuda_h("#define CUDA_VERSION 12\n", &major, &minor) == -EINVAL, "cuda.h: below 1000 is -EINVAL");
	ok(cuda_parse_cuda_h("#define CUDA_VERSION 12080UL\n", &major, &minor) == -EINVAL, "cuda.h: a suffix is -EINVAL");
	ok(cuda_parse_cuda_h("#define CUDA_VERSION 1208000000000\n", &major, &minor) == -EINVAL,
	   "cuda.h: too many digits is -EINVAL");
	ok(major == 77 && minor == 77, "cuda.h: ret untouched on failure");

	/* nvcc --version */
	ok(cuda_parse_nvcc_version(nvcc_1281, &s) == 0 && streq(s, "12.8"), "nvcc: 12.8.1's output gives 12.8");
	free(s);
	ok(cuda_parse_nvcc_version(nvcc_102, &s) == 0 && streq(s, "10.2"), "nvcc: 10.2's, without a Build line");
	free(s);
	ok(cuda_parse_nvcc_version("Cuda compilation tools, release 11.5, V11.5.119\r\n", &s) == 0 && streq(s, "11.5"),
	   "nvcc: CRLF");
	free(s);
	s = (char *)"untouched";
	ok(cuda_parse_nvcc_version("", &s) == -EINVAL, "nvcc: no output is -EINVAL");
	ok(cuda_parse_nvcc_version("nvcc fatal   : No input files specified\n", &s) == -EINVAL,
	   "nvcc: an error message is -EINVAL");
	ok(cuda_parse_nvcc_version("Cuda compilation tools, release 12.8.1, V12.8.93\n", &s) == -EINVAL,
	   "nvcc: a three-part release is -EINVAL");
	ok(cuda_parse_nvcc_version("Cuda compilation tools, release 12.8\n", &s) == -EINVAL,
	   "nvcc: no comma after the release is -EINVAL");
	ok(cuda_parse_nvcc_version("x Cuda compilation tools, release 12.8, V12.8.93\n", &s) == -EINVAL,
	   "nvcc: only at the start of a line");
	is_str(s, "untouched", "nvcc: ret untouched on failure");
}

/* A shell script at rel under root that prints text. */
static void put_script(const char *rel, const char *text)
{
	_cleanup_free_ char *body = xasprintf("#!/bin/sh\ncat <<'EOF'\n%sEOF\n", text);
	_cleanup_free_ char *path = xasprintf("%s%s", root, rel);

	testroot_puts(root, rel, body);
	chmod(path, 0755);
}

static void put_link(const char *target, const char *rel)
{
	_cleanup_free_ char *path = xasprintf("%s%s", root, rel);

	unlink(path);
	if (symlink(target, path) < 0)
		printf("# symlink %s: %s\n", path, strerror(errno));
}

/* Start again from an empty root. */
static void reset_root(void)
{
	testroot_remove(root);
	mkdir(root, 0700);
}

static void rm_in(const char *rel)
{
	_cleanup_free_ char *path = xasprintf("%s%s", root, rel);

	unlink(path);
}

#define TK "/usr/local/cuda-12.8"
#define TGT TK "/targets/x86_64-linux"

/* What the runfile leaves for 12.8.1: targets/x86_64-linux/{include,lib},
 * the include and lib64 links, nvcc, version.json, the uninstaller. */
static void make_tree(void)
{
	testroot_puts(root, TK "/version.json", version_json_1281);
	testroot_puts(root, TGT "/include/cuda.h", cuda_h_128);
	testroot_puts(root, TGT "/lib/libcudart.so.12.8.90", "\177ELF stand-in");
	put_link("libcudart.so.12.8.90", TGT "/lib/libcudart.so.12");
	put_link("libcudart.so.12", TGT "/lib/libcudart.so");
	put_link("targets/x86_64-linux/include", TK "/include");
	put_link("targets/x86_64-linux/lib", TK "/lib64");
	put_script(TK "/bin/nvcc", nvcc_1281);
	put_script(TK "/bin/cuda-uninstaller", "");
}

/* Inspect TK directly (no sysroot: nvcc runs) and check against want;
 * the sentences in why. */
static bool direct(const char *want, struct strbuf *why)
{
	_cleanup_free_ char *dir = xasprintf("%s%s", root, TK);
	struct cuda_tree t;
	bool complete;

	strbuf_reset(why);
	sysroot_set(NULL);
	if (cuda_tree_inspect(dir, &t) < 0) {
		sysroot_set(root);
		strbuf_adds(why, "(cannot inspect)\n");
		return false;
	}
	complete = cuda_tree_complete(&t, want, why);
	cuda_tree_free(&t);
	sysroot_set(root);
	return complete;
}

/* The reasons in a why: clauses joined by "; ". */
static size_t count_reasons(const struct strbuf *sb)
{
	size_t n = sb->len ? 1 : 0;

	for (const char *p = sb->buf; sb->len && (p = strstr(p, "; ")); p += 2)
		n++;
	return n;
}

/* complete is false, and why is exactly the one sentence want. */
#define disagrees(got, why, sentence, desc)                                                          \
	do {                                                                                          \
		bool g_ = (got);                                                                      \
		if (!ok(!g_ && streq((why)->buf, sentence), "%s", desc))                              \
			printf("# complete %d, why: %s", g_, (why)->buf);                             \
	} while (0)

static void test_inspect(void)
{
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	struct cuda_tree t, untouched = { .version = (char *)"untouched" };

	strbuf_init(&why);
	t = untouched;
	ok(cuda_tree_inspect(TK, &t) == -ENOENT && t.version == untouched.version,
	   "no toolkit: -ENOENT, ret untouched");
	testroot_puts(root, "/usr/local/cuda-11.8", "a file\n");
	ok(cuda_tree_inspect("/usr/local/cuda-11.8", &t) == -ENOTDIR, "a file, not a directory: -ENOTDIR");
	rm_in("/usr/local/cuda-11.8");

	make_tree();
	ok(cuda_tree_inspect(TK, &t) == 0, "a complete 12.8.1 tree under the sysroot is inspected");
	is_str(t.version_json, "12.8.1", "version.json read");
	ok(t.header_major == 12 && t.header_minor == 8, "cuda.h read through the include link");
	ok(!t.version_txt && !t.version_json_bad, "no version.txt");
	ok(t.nvcc_present && !t.nvcc_ran && !t.nvcc_release,
	   "nvcc present, not run inside a sysroot that is no system (as root) or at all (as a user)");
	ok(t.lib64_present && t.cudart_present && t.uninstaller_present, "lib64, libcudart, uninstaller");
	is_str(t.version, "12.8.1", "the version is version.json's");
	is_str(cuda_tree_version_source(&t), "version.json", "and says so");
	ok(cuda_tree_complete(&t, "12.8.1", &why) && why.len == 0, "complete as 12.8.1 (nvcc not run: not held against it)");
	ok(cuda_tree_complete(&t, "12.8", &why) && why.len == 0, "complete as 12.8");
	ok(cuda_tree_complete(&t, "12.8.1", NULL), "why may be NULL");
	disagrees(cuda_tree_complete(&t, "12.6", &why), &why,
		  "version.json says 12.8.1, not 12.6; include/cuda.h says 12.8, not 12.6",
		  "as 12.6: version.json and cuda.h both disagree, one sentence each");
	strbuf_reset(&why);
	disagrees(cuda_tree_complete(&t, "12.8.0", &why), &why, "version.json says 12.8.1, not 12.8.0",
		  "as 12.8.0: the update differs");
	strbuf_reset(&why);
	disagrees(cuda_tree_complete(&t, "twelve", &why), &why, "'twelve' is not a CUDA release (X.Y or X.Y.Z)",
		  "a malformed want is refused");
	strbuf_reset(&why);
	ok(!cuda_tree_complete(&t, "12", NULL) && !cuda_tree_complete(&t, "12.8.1.0", NULL),
	   "want must be X.Y or X.Y.Z");
	cuda_tree_free(&t);

	/* The same tree on the running system: nvcc runs. */
	sysroot_set(NULL);
	{
		_cleanup_free_ char *dir = xasprintf("%s%s", root, TK);

		ok(cuda_tree_inspect(dir, &t) == 0 && t.nvcc_ran && t.nvcc_release && streq(t.nvcc_release, "12.8"),
		   "without a sysroot nvcc --version runs and says 12.8");
		cuda_tree_free(&t);
	}
	sysroot_set(root);
	ok(direct("12.8.1", &why) && why.len == 0, "and the tree is complete");

	/* Each disagreement alone. */
	put_script(TK "/bin/nvcc", "Cuda compilation tools, release 12.9, V12.9.41\n");
	disagrees(direct("12.8.1", &why), &why, "bin/nvcc reports release 12.9, not 12.8", "nvcc of another release");
	put_script(TK "/bin/nvcc", "Segmentation fault\n");
	disagrees(direct("12.8.1", &why), &why, "bin/nvcc --version names no release", "nvcc that names no release");
	rm_in(TK "/bin/nvcc");
	disagrees(direct("12.8.1", &why), &why, "bin/nvcc is missing", "nvcc missing");
	testroot_puts(root, TK "/bin/nvcc", "not executable\n");
	disagrees(direct("12.8.1", &why), &why, "bin/nvcc is missing", "nvcc not executable counts as missing");
	put_script(TK "/bin/nvcc", nvcc_1281);

	testroot_puts(root, TK "/version.json", "{\"cuda\":{\"name\":\"CUDA SDK\",\"version\":\"12.6.3\"}}");
	disagrees(direct("12.8.1", &why), &why, "version.json says 12.6.3, not 12.8.1",
		  "version.json of another release (cuda.h and nvcc say 12.8)");
	disagrees(direct("12.8", &why), &why, "version.json says 12.6.3, not 12.8", "the same against 12.8");
	testroot_puts(root, TK "/version.json", "{\"cuda\":");
	disagrees(direct("12.8.1", &why), &why, "version.json names no release (damaged)", "a damaged version.json");
	sysroot_set(root);
	ok(cuda_tree_inspect(TK, &t) == 0 && t.version_json_bad && streq(t.version, "12.8") &&
	   streq(cuda_tree_version_source(&t), "include/cuda.h"),
	   "a damaged version.json: the version falls back to cuda.h's 12.8");
	cuda_tree_free(&t);
	testroot_puts(root, TK "/version.json", version_json_1281);

	testroot_puts(root, TGT "/include/cuda.h", "#define CUDA_VERSION 12060\n");
	disagrees(direct("12.8.1", &why), &why, "include/cuda.h says 12.6, not 12.8",
		  "cuda.h of another release than version.json");
	rm_in(TGT "/include/cuda.h");
	disagrees(direct("12.8.1", &why), &why, "include/cuda.h is missing or defines no CUDA_VERSION",
		  "cuda.h missing");
	testroot_puts(root, TGT "/include/cuda.h", cuda_h_128);

	rm_in(TGT "/lib/libcudart.so.12.8.90");
	disagrees(direct("12.8.1", &why), &why, "lib64 holds no libcudart", "libcudart's links dangle");
	rm_in(TGT "/lib/libcudart.so.12");
	rm_in(TGT "/lib/libcudart.so");
	disagrees(direct("12.8.1", &why), &why, "lib64 holds no libcudart", "libcudart missing");
	rm_in(TK "/lib64");
	disagrees(direct("12.8.1", &why), &why, "lib64 is missing", "lib64 missing");
	make_tree();
	ok(direct("12.8.1", &why), "put back together, complete again");

	/* What the runfile's extraction failure leaves: bin/nvcc only. */
	reset_root();
	put_script(TK "/bin/nvcc", nvcc_1281);
	disagrees(direct("12.8.1", &why), &why,
		  "include/cuda.h is missing or defines no CUDA_VERSION; lib64 is missing",
		  "bin/ without lib64 (exit 15's tree): incomplete");
	sysroot_set(root);
	ok(cuda_tree_inspect(TK, &t) == 0 && !t.version && !cuda_tree_version_source(&t) && !t.uninstaller_present,
	   "inside the sysroot nvcc is not run: then nothing there names a release");
	cuda_tree_free(&t);

	/* An empty directory: every piece missing. */
	reset_root();
	testroot_puts(root, TK "/.keep", "");
	ok(cuda_tree_inspect(TK, &t) == 0 && !t.version && !t.nvcc_present && !t.lib64_present,
	   "an empty directory is inspected: nothing found");
	strbuf_reset(&why);
	ok(!cuda_tree_complete(&t, "12.8.1", &why) && count_reasons(&why) == 4 &&
	   startswith(why.buf, "nothing in it names a release"),
	   "and is incomplete for four reasons, the first that nothing names a release");
	cuda_tree_free(&t);

	/* 10.2: version.txt, no version.json. */
	reset_root();
	testroot_puts(root, "/usr/local/cuda-10.2/version.txt", "CUDA Version 10.2.89\n");
	testroot_puts(root, "/usr/local/cuda-10.2/targets/x86_64-linux/include/cuda.h", "#define CUDA_VERSION 10020\n");
	testroot_puts(root, "/usr/local/cuda-10.2/targets/x86_64-linux/lib/libcudart.so.10.2.89", "x");
	put_link("libcudart.so.10.2.89", "/usr/local/cuda-10.2/targets/x86_64-linux/lib/libcudart.so.10.2");
	put_link("targets/x86_64-linux/include", "/usr/local/cuda-10.2/include");
	put_link("targets/x86_64-linux/lib", "/usr/local/cuda-10.2/lib64");
	put_script("/usr/local/cuda-10.2/bin/nvcc", nvcc_102);
	testroot_puts(root, "/usr/local/cuda-10.2/bin/uninstall_cuda_10.2.pl", "#!/usr/bin/perl\n");
	ok(cuda_tree_inspect("/usr/local/cuda-10.2", &t) == 0 && t.version_txt && streq(t.version, "10.2.89") &&
	   streq(cuda_tree_version_source(&t), "version.txt") && t.uninstaller_present,
	   "10.2: version.txt gives 10.2.89; the old uninstall_cuda_10.2.pl counts");
	strbuf_reset(&why);
	ok(cuda_tree_complete(&t, "10.2.89", &why) && cuda_tree_complete(&t, "10.2", &why) && why.len == 0,
	   "10.2 is complete as 10.2.89 and as 10.2");
	disagrees(cuda_tree_complete(&t, "10.1", &why), &why,
		  "version.txt says 10.2.89, not 10.1; include/cuda.h says 10.2, not 10.1", "but not as 10.1");
	strbuf_reset(&why);
	cuda_tree_free(&t);

	/* A tree from NVIDIA's pip wheels: no version file, cuda.h names X.Y. */
	reset_root();
	make_tree();
	rm_in(TK "/version.json");
	rm_in(TK "/bin/cuda-uninstaller");
	ok(cuda_tree_inspect(TK, &t) == 0 && streq(t.version, "12.8") && !t.uninstaller_present,
	   "no version file: the version is cuda.h's 12.8, no uninstaller");
	strbuf_reset(&why);
	ok(cuda_tree_complete(&t, "12.8.1", &why) && why.len == 0,
	   "complete as 12.8.1: nothing there says otherwise");
	cuda_tree_free(&t);
	reset_root();
}

static void test_list(void)
{
	static const char *const want[] = { "/usr/local/cuda-9.2", "/usr/local/cuda-11.8", "/usr/local/cuda-12.8",
					    "/usr/local/cuda-12.10" };
	char **dirs = NULL;
	size_t n = 99;
	bool same;

	ok(cuda_trees_list(&dirs, &n) == 0 && n == 0 && dirs && !dirs[0], "no /usr/local: no toolkits");
	free(dirs);
	testroot_puts(root, "/usr/local/cuda-12.10/version.json", "{}");
	testroot_puts(root, "/usr/local/cuda-12.8/.keep", "");
	testroot_puts(root, "/usr/local/cuda-9.2/.keep", "");
	testroot_puts(root, "/usr/local/cuda-11.8/.keep", "");
	testroot_puts(root, "/usr/local/cuda-13.0", "a file, not a toolkit\n");
	testroot_puts(root, "/usr/local/cuda-12/.keep", "");
	testroot_puts(root, "/usr/local/cuda-12.8.1/.keep", "");
	testroot_puts(root, "/usr/local/cuda-x.y/.keep", "");
	put_link("cuda-12.8", "/usr/local/cuda");
	ok(cuda_trees_list(&dirs, &n) == 0, "toolkits listed");
	same = n == ELEMENTSOF(want) && !dirs[n];
	for (size_t i = 0; same && i < n; i++)
		same = streq(dirs[i], want[i]);
	ok(same, "cuda-X.Y directories only, sorted by version (9.2, 11.8, 12.8, 12.10)");
	for (size_t i = 0; i < n; i++) {
		if (!same)
			printf("# %s\n", dirs[i]);
		free(dirs[i]);
	}
	free(dirs);
	reset_root();
}

/* The runfile stand-in's own tree (tree-only mode) is what inspect calls
 * complete, and its --fail badnvcc tree is not. */
static void test_standin(void)
{
	_cleanup_free_ char *gen = xasprintf("%s/tests/fixtures/gen-cuda-runfile", ABS_TOP_SRCDIR);
	_cleanup_free_ char *dir = xasprintf("%s/cuda-12.8", root);
	_cleanup_free_ char *olddir = xasprintf("%s/cuda-10.2", root);
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	const char *const argv[] = { "sh", gen, "--version", "12.8.1", "--tree-only", dir, NULL };
	const char *const bad[] = { "sh", gen, "--version", "12.8.1", "--tree-only", dir, "--fail", "badnvcc", NULL };
	const char *const old[] = { "sh", gen, "--version", "10.2.89", "--tree-only", olddir, NULL };
	struct run_result rr;
	struct cuda_tree t;
	int r;

	strbuf_init(&why);
	sysroot_set(NULL);
	r = run_command(argv, NULL, 60000, &rr);
	if (r < 0 || rr.exit_status != 0) {
		/* No C compiler here for the libcudart stub: nothing to check. */
		printf("ok %d - the stand-in's tree # SKIP gen-cuda-runfile --tree-only failed: %s\n", ++tap_count,
		       r < 0 ? strerror(-r) : rr.err.buf);
		if (r == 0)
			run_result_release(&rr);
		return;
	}
	run_result_release(&rr);
	ok(cuda_tree_inspect(dir, &t) == 0 && cuda_tree_complete(&t, "12.8.1", &why) && t.nvcc_ran &&
	   t.uninstaller_present,
	   "gen-cuda-runfile's 12.8.1 tree is complete, its nvcc ran");
	if (why.len)
		printf("# %s", why.buf);
	cuda_tree_free(&t);
	testroot_remove(dir);

	ok(run_command(bad, NULL, 60000, &rr) == 0 && rr.exit_status == 0, "a --fail badnvcc tree is made");
	run_result_release(&rr);
	strbuf_reset(&why);
	ok(cuda_tree_inspect(dir, &t) == 0 && !cuda_tree_complete(&t, "12.8.1", &why) &&
	   streq(why.buf, "bin/nvcc reports release 12.9, not 12.8"),
	   "and found out by its nvcc alone");
	cuda_tree_free(&t);

	ok(run_command(old, NULL, 60000, &rr) == 0 && rr.exit_status == 0, "a 10.2.89 tree is made");
	run_result_release(&rr);
	strbuf_reset(&why);
	ok(cuda_tree_inspect(olddir, &t) == 0 && streq(t.version, "10.2.89") && !t.version_json &&
	   cuda_tree_complete(&t, "10.2.89", &why),
	   "its version.txt read, complete as 10.2.89");
	cuda_tree_free(&t);
	sysroot_set(root);
}

int main(void)
{
	test_parsers();
	if (!mkdtemp(root))
		return done_testing();
	sysroot_set(root);
	test_inspect();
	test_list();
	test_standin();
	testroot_remove(root);
	return done_testing();
}
