/*
 * test-fetch-plan.c - the files fetch plans: names from URLs (percent
 * escapes decoded, nothing that leaves the directory), the plan label,
 * and the wheels read from pip's installation report (both digest forms,
 * and every malformed report refused whole).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "fetch-plan.h"
#include "pip-report.h"
#include "tap.h"
#include "util.h"

static void test_url_file_name(void)
{
	static const struct {
		const char *url, *want;
	} cases[] = {
		{ "https://download.pytorch.org/whl/cu128/torch-2.7.1%2Bcu128-cp312-cp312-manylinux_2_28_x86_64.whl",
		  "torch-2.7.1+cu128-cp312-cp312-manylinux_2_28_x86_64.whl" },
		{ "http://h/a/b.deb?x=1#frag", "b.deb" },
		{ "http://h/pool/nvidia-driver_535.183%3a1_amd64.deb", "nvidia-driver_535.183:1_amd64.deb" },
		{ "http://h/dir/", NULL },
		{ "http://h/a%2Fb.whl", NULL },
		{ "http://h/a%00b.whl", NULL },
		{ "http://h/..", NULL },
		{ "http://h/x%2", "x%2" },
		{ "http://h/x%zz", "x%zz" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char *got = url_file_name(cases[i].url);

		is_str(got, cases[i].want, "url_file_name(%s)", cases[i].url);
		free(got);
	}
}

static const char report_new[] =
	"{\"version\": \"1\", \"pip_version\": \"24.0\", \"install\": ["
	" {\"download_info\": {\"url\": \"http://i/simple/torch/torch-2.7.1%2Bcu128-cp312-cp312-manylinux_2_28_x86_64.whl\","
	"   \"archive_info\": {\"hashes\": {\"sha256\": \"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "\"}}},"
	"  \"metadata\": {\"name\": \"torch\", \"version\": \"2.7.1+cu128\"}},"
	" {\"download_info\": {\"url\": \"http://i/simple/filelock/filelock-3.13.1-py3-none-any.whl\","
	"   \"archive_info\": {\"hash\": \"sha256=" "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" "\"}},"
	"  \"metadata\": {\"name\": \"filelock\", \"version\": \"3.13.1\"}},"
	" {\"download_info\": {\"url\": \"http://i/simple/six/six-1.16.0-py2.py3-none-any.whl\", \"archive_info\": {}},"
	"  \"metadata\": {\"name\": \"six\", \"version\": \"1.16.0\"}}]}";

static void test_report(void)
{
	struct fetch_plan p = { 0 };
	struct strbuf err = STRBUF_INIT;
	int n;

	strbuf_init(&err);
	n = pip_report_add(report_new, &p, &err);
	is_int(n, 3, "three wheels from the report (%s)", err.buf);
	if (n == 3) {
		is_str(p.items[0].name, "torch-2.7.1+cu128-cp312-cp312-manylinux_2_28_x86_64.whl", "the wheel's real name");
		is_str(p.items[0].version, "2.7.1+cu128", "its version from the metadata");
		is_str(p.items[0].sha256, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "hashes.sha256 (pip >= 23.1)");
		is_str(p.items[1].sha256, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "hash: sha256=... (older pip)");
		ok(p.items[2].sha256 == NULL, "no digest in the report: none expected");
		ok(p.items[0].kind == CACHE_WHEEL && p.items[0].urls[0] && !p.items[0].urls[1], "a wheel with its one URL");
	}
	fetch_plan_free(&p);

	static const char *const bad[] = {
		"not json",
		"[]",
		"{\"version\": \"2\", \"install\": []}",
		"{\"version\": \"1\"}",
		"{\"version\": \"1\", \"install\": [{\"download_info\": {\"url\": \"http://i/x-1.0.tar.gz\"}, \"metadata\": {\"version\": \"1.0\"}}]}",
		"{\"version\": \"1\", \"install\": [{\"download_info\": {\"url\": \"file:///src/dir/\"}, \"metadata\": {\"version\": \"1.0\"}}]}",
		"{\"version\": \"1\", \"install\": [{\"download_info\": {\"url\": \"http://i/x-1.0-py3-none-any.whl\"}}]}",
		"{\"version\": \"1\", \"install\": [{\"download_info\": {\"url\": \"http://i/x-1.0-py3-none-any.whl\", \"archive_info\": {\"hash\": \"sha256=XYZ\"}}, \"metadata\": {\"version\": \"1.0\"}}]}",
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		strbuf_reset(&err);
		n = pip_report_add(bad[i], &p, &err);
		ok(n == -EINVAL && err.len > 0, "a malformed report is refused with a reason: %s", err.buf);
		fetch_plan_free(&p);
	}
	strbuf_release(&err);
}

static void test_argv(void)
{
	char **argv = pip_report_argv("3.12", "https://download.pytorch.org/whl/cu128", "torch==2.7.*", "/t/x", "/t/r.json");
	bool dry = false, abi = false, report = false, index = false;
	size_t n = 0;

	for (; argv[n]; n++) {
		dry |= streq(argv[n], "--dry-run");
		abi |= streq(argv[n], "--abi=cp312");
		report |= streq(argv[n], "--report") && argv[n + 1] && streq(argv[n + 1], "/t/r.json");
		index |= streq(argv[n], "--index-url") && argv[n + 1] && streq(argv[n + 1], "https://download.pytorch.org/whl/cu128");
	}
	ok(dry && abi && report && index, "pip resolves only (--dry-run), for cp312, with the index and a report");
	is_str(argv[n - 1], "torch==2.7.*", "the requirement comes last");
	strv_free(argv);
}

int main(void)
{
	test_url_file_name();
	test_report();
	test_argv();
	return done_testing();
}
