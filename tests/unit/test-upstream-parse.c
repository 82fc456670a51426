/*
 * test-upstream-parse.c - the parsers of what `gpu-setup update` reads
 * upstream, over real upstream files where a public copy exists
 * (tests/fixtures/upstream, see its README) and over each way such an
 * answer goes wrong: cut short, an HTML page instead, a key missing or of
 * another type, a digest that does not parse, two shapes mixed.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "cudnn-manifest.h"
#include "driver-releases.h"
#include "fileio.h"
#include "md5sum-list.h"
#include "redist-listing.h"
#include "tap.h"
#include "torch-index.h"
#include "util.h"

static char *fixture(const char *rel, size_t *len)
{
	const char *top = getenv("top_srcdir");
	_cleanup_free_ char *path = xasprintf("%s/tests/fixtures/upstream/%s", top ? top : ".", rel);
	char *data = NULL;

	if (read_file(path, 1 << 20, &data, len) < 0) {
		printf("# cannot read %s\n", path);
		exit(1);
	}
	return data;
}

/* text with the first occurrence of from replaced by to. */
static char *replaced(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);

	if (!at)
		return NULL;
	return xasprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
}

static int parse_cudnn(const char *text, const char *label, struct cudnn_manifest *m, struct strbuf *err)
{
	strbuf_reset(err);
	return cudnn_manifest_parse(text, strlen(text), label, m, err);
}

static void refused_cudnn(const char *text, const char *label, const char *want, const char *what)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct cudnn_manifest m;
	int r = text ? parse_cudnn(text, label, &m, &err) : 0;

	if (!ok(text && r == -EINVAL && strstr(err.buf, want), "cuDNN manifest, %s: refused, saying '%s'", what, want))
		printf("# r=%d err='%s'%s\n", r, err.buf, text ? "" : " (the mutation did not apply)");
	if (r == 0)
		cudnn_manifest_free(&m);
}

static void test_cudnn_manifests(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	static const char *const labels[] = { "8.9.7", "9.13.0", "9.20.0", "9.22.0", "9.27.0" };
	struct cudnn_manifest m;
	size_t len;
	_cleanup_free_ char *text = fixture("cudnn/redistrib_9.27.0.json", &len);
	int r;

	for (size_t i = 0; i < ELEMENTSOF(labels); i++) {
		_cleanup_free_ char *rel = xasprintf("cudnn/redistrib_%s.json", labels[i]);
		_cleanup_free_ char *t = fixture(rel, &len);

		strbuf_reset(&err);
		r = cudnn_manifest_parse(t, len, labels[i], &m, &err);
		ok(r == 0 && m.narchives == 2 && startswith(m.version, labels[i]), "NVIDIA's redistrib_%s.json: %s, two linux-x86_64 archives",
		   labels[i], r == 0 ? m.version : err.buf);
		if (r == 0)
			cudnn_manifest_free(&m);
	}

	/* 9.27.0: its windows-arm64 object holds a cuda13 child and a flat
	 * archive side by side; linux-x86_64 is read as published. */
	r = parse_cudnn(text, "9.27.0", &m, &err);
	is_int(r, 0, "9.27.0 parses (%s)", err.buf);
	if (r == 0) {
		is_str(m.version, "9.27.0.42", "9.27.0: the component's version");
		is_str(m.release_date, "2026-09-29", "9.27.0: its release date");
		is_int(m.archives[0].cuda_major, 12, "first archive: CUDA 12");
		is_str(m.archives[0].sha256, "dc45f8c5fd44955c6e950c690ea92c28ea848ffb1fefbaabf3a9d175d961263a",
		       "CUDA 12 archive: the published sha256");
		is_int(m.archives[0].size, 1012666264, "CUDA 12 archive: the published size (a string in the JSON)");
		is_str(m.archives[1].relative_path, "cudnn/linux-x86_64/cudnn-linux-x86_64-9.27.0.42_cuda13-archive.tar.xz",
		       "CUDA 13 archive: its path under the redist folder");
		cudnn_manifest_free(&m);
	}

	{
		_cleanup_free_ char *cut = xstrndup(text, len / 2);
		_cleanup_free_ char *no_sha = replaced(text, "\"sha256\": \"dc45", "\"sha257\": \"dc45");
		_cleanup_free_ char *size_num = replaced(text, "\"size\": \"1012666264\"", "\"size\": 1012666264");
		_cleanup_free_ char *short_sha = replaced(text, "dc45f8c5fd", "dc45f8c5f");
		_cleanup_free_ char *upper_sha = replaced(text, "dc45f8c5fd", "DC45F8C5FD");
		_cleanup_free_ char *escape = replaced(text, "cudnn/linux-x86_64/cudnn-linux-x86_64-9.27.0.42_cuda12",
						       "cudnn/linux-x86_64/../../cudnn-linux-x86_64-9.27.0.42_cuda12");
		_cleanup_free_ char *plat_list = replaced(text, "\"linux-x86_64\": {", "\"linux-x86_64\": \"none\", \"linux-x86-64\": {");
		/* The windows-arm64 shape in linux-x86_64: a flat archive
		 * next to the cuda13 child, both for CUDA 13. */
		_cleanup_free_ char *mixed = replaced(text, "\"linux-x86_64\": {",
			"\"linux-x86_64\": {\"relative_path\": \"cudnn/linux-x86_64/cudnn-linux-x86_64-9.27.0.42_cuda13.4-archive.tar.xz\", "
			"\"sha256\": \"1fe473fc57095ac23ff39b2709edd5f8c3dec8376e6a6f3b812cf4aaaaaaaaaa\", \"size\": \"1000\", ");
		_cleanup_free_ char *no_version = replaced(text, "\"version\": \"9.27.0.42\"", "\"versio\": \"9.27.0.42\"");

		refused_cudnn(cut, "9.27.0", "not JSON", "cut short");
		refused_cudnn("<!DOCTYPE html><html><body>Access denied</body></html>\n", "9.27.0", "not JSON", "an HTML page");
		refused_cudnn("[]", "9.27.0", "not a JSON object", "an array");
		refused_cudnn(no_sha, "9.27.0", "'sha256' is missing", "an archive without sha256");
		refused_cudnn(size_num, "9.27.0", "'size' is missing or not a byte count", "a size that is a number, not NVIDIA's string");
		refused_cudnn(short_sha, "9.27.0", "not 64 lower-case hex digits", "a digest one digit short");
		refused_cudnn(upper_sha, "9.27.0", "not 64 lower-case hex digits", "a digest in upper case");
		refused_cudnn(escape, "9.27.0", "is not a cuDNN 9.27.0.42 archive", "a path that leaves the folder");
		refused_cudnn(plat_list, "9.27.0", "linux-x86_64 is missing or not an object", "the platform as an array");
		refused_cudnn(mixed, "9.27.0", "a second archive for CUDA 13", "flat and nested archives for one CUDA");
		refused_cudnn(no_version, "9.27.0", "cudnn.version is missing", "no component version");
		refused_cudnn(text, "9.28.0", "release_label is 9.27.0, but the listing named 9.28.0",
			      "another release than the listing named");
	}
}

static void test_md5sum(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct cuda_runfile_entry e;
	size_t len;
	_cleanup_free_ char *text = fixture("cuda/md5sum_13.4.2.txt", &len);
	_cleanup_free_ char *with_driver = NULL, *html = NULL;
	int r;

	r = md5sum_find_runfile(text, len, "13.4.2", &e, &err);
	is_int(r, 0, "md5sum.txt of 13.4.2 names its runfile (%s)", err.buf);
	if (r == 0) {
		is_str(e.name, "cuda_13.4.2_linux.run", "13.4.2: the x86_64 runfile, not the sbsa one, without a driver in its name");
		is_str(e.md5, "b712b790dfb5ca988d38cbed4d236488", "13.4.2: its published md5");
		ok(e.driver == NULL, "13.4.2: no bundled driver in the name");
		cuda_runfile_entry_free(&e);
	}
	is_int(md5sum_find_runfile(text, len, "13.4.1", &e, &err), -ENOENT, "another release's runfile is not there");

	/* Before 13.4.1 the name carried the bundled driver. */
	with_driver = xasprintf("%s0123456789abcdef0123456789abcdef  cuda_13.3.1_610.43.02_linux.run\r\n", text);
	r = md5sum_find_runfile(with_driver, strlen(with_driver), "13.3.1", &e, &err);
	ok(r == 0 && e.driver && streq(e.driver, "610.43.02"), "the older naming: the bundled driver read from the name");
	if (r == 0)
		cuda_runfile_entry_free(&e);

	html = xasprintf("<html><head><title>404 Not Found</title></head>\n%s", text);
	strbuf_reset(&err);
	r = md5sum_find_runfile(html, strlen(html), "13.4.2", &e, &err);
	ok(r == -EINVAL && strstr(err.buf, "line 1 is not"), "an HTML page is refused (%s)", err.buf);
	strbuf_reset(&err);
	r = md5sum_find_runfile(text, len - 20, "13.4.2", &e, &err);
	ok(r == -EINVAL && strstr(err.buf, "cut short"), "a list cut inside its last line is refused (%s)", err.buf);
	strbuf_reset(&err);
	r = md5sum_find_runfile("b712b790dfb5ca988d38cbed4d23648  cuda_13.4.2_linux.run\n", 55, "13.4.2", &e, &err);
	ok(r == -EINVAL, "a digest one digit short is refused (%s)", err.buf);
}

static void test_listing(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	/* The shape of NVIDIA's redist index page (an Apache-style listing,
	 * facts-2026-12.md B2); no byte-for-byte copy of it is public. */
	static const char page[] =
		"<html><head><title>Index of /compute/cudnn/redist</title></head><body><h1>Index of /compute/cudnn/redist</h1><pre>\n"
		"<a href=\"../\">../</a>\n<a href=\"cudnn/\">cudnn/</a>\n"
		"<a href=\"redistrib_9.13.0.json\">redistrib_9.13.0.json</a>  04-Sep-2025 10:00  5360\n"
		"<a href='./redistrib_9.27.0.json'>redistrib_9.27.0.json</a>  29-Sep-2026 10:00  5307\n"
		"<a href=\"redistrib_9.8.0.json\">redistrib_9.8.0.json</a>\n<a href=\"redistrib_9.8.0.json\">again</a>\n"
		"<a href=\"redistrib_9.x.json\">odd</a> <a href=\"redistrib_9.1.json\">two parts</a>\n</pre></body></html>\n";
	struct version *v = NULL;
	size_t n = 0;
	int r = redist_listing_parse(page, strlen(page), &v, &n, &err);

	ok(r == 0 && n == 3 && v[0].part[1] == 8 && v[1].part[1] == 13 && v[2].part[1] == 27,
	   "the listing's manifests, ascending, once each, odd names left out (%zu)", n);
	free(v);
	strbuf_reset(&err);
	ok(redist_listing_parse("{\"release_label\": \"9.27.0\"}", 27, &v, &n, &err) == -EINVAL &&
	   strstr(err.buf, "not NVIDIA's redist listing"), "a JSON answer is not a listing (%s)", err.buf);
	strbuf_reset(&err);
	ok(redist_listing_parse("", 0, &v, &n, &err) == -EINVAL, "an empty answer is not a listing");
}

static void test_driver_releases(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	/* The documented shape of releases.json (facts-2026-12.md C3). */
	static const char doc[] =
		"{\"595\": {\"type\": \"production branch\", \"driver_info\": [\n"
		"  {\"release_version\": \"595.58.03\", \"release_date\": \"2026-03-24\", \"runfile_url\": {\"x86_64\": \"https://us.download.nvidia.com/tesla/595.58.03/NVIDIA-Linux-x86_64-595.58.03.run\"}},\n"
		"  {\"release_version\": \"595.99.02\", \"release_date\": \"2026-09-10\"}]},\n"
		" \"580\": {\"type\": \"long term support branch\", \"driver_info\": [{\"release_version\": \"580.159.03\"}]},\n"
		" \"615\": {\"type\": \"new feature branch\", \"driver_info\": [{\"release_version\": \"615.71.09\"}]}}\n";
	struct driver_release_branch *b = NULL;
	size_t n = 0;
	int r = driver_releases_parse(doc, strlen(doc), &b, &n, &err);

	ok(r == 0 && n == 3, "three branches (%s)", err.buf);
	if (r == 0) {
		ok(b[0].branch == 580 && b[0].type == BRANCH_TYPE_LTS, "580: long term support");
		ok(b[1].branch == 595 && b[1].type == BRANCH_TYPE_PRODUCTION && streq(b[1].newest, "595.99.02"),
		   "595: production, newest 595.99.02");
		ok(b[2].branch == 615 && b[2].type == BRANCH_TYPE_NEW_FEATURE, "615: new feature");
		driver_releases_free(b, n);
	}
	static const char *const bad[][2] = {
		{ "{\"595\": {\"type\": 7, \"driver_info\": []}}", "branch 595: not an object with 'type'" },
		{ "{\"595\": {\"type\": \"production branch\", \"driver_info\": [{\"release_version\": \"580.1\"}]}}", "no release_version of branch 595" },
		{ "{\"595\": {\"type\": \"production branch\", \"driver_info\": []}}", "lists no release" },
		{ "{\"x95\": {}}", "not a driver branch number" },
		{ "{\"595\": {\"type\": \"production branch\", \"driver_info\": [{\"release_ver", "not JSON" },
		{ "{}", "not a JSON object of driver branches" },
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		strbuf_reset(&err);
		r = driver_releases_parse(bad[i][0], strlen(bad[i][0]), &b, &n, &err);
		if (!ok(r == -EINVAL && strstr(err.buf, bad[i][1]), "releases.json refused: %s", bad[i][1]))
			printf("# r=%d err='%s'\n", r, err.buf);
	}
}

static void test_torch_index(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	/* As pytorch/test-infra's to_simple_package_html writes a page
	 * (facts-2026-12.md B3): absolute hrefs to download-r2, a digest
	 * fragment, metadata attributes, wheels of every platform. */
	static const char page[] =
		"<!DOCTYPE html>\n<html>\n  <body>\n    <h1>Links for torch</h1>\n"
		"    <a href=\"https://download-r2.pytorch.org/whl/cu126/torch-2.13.0%2Bcu126-cp310-cp310-manylinux_2_28_x86_64.whl#sha256=0a0b0c0d0e0f0a0b0c0d0e0f0a0b0c0d0e0f0a0b0c0d0e0f0a0b0c0d0e0f0a0b\" data-dist-info-metadata=\"sha256=11\" data-core-metadata=\"sha256=11\">torch-2.13.0+cu126-cp310-cp310-manylinux_2_28_x86_64.whl</a><br/>\n"
		"    <a href=\"/whl/cu126/torch-2.14.0%2Bcu126-cp315-cp315-manylinux_2_28_x86_64.whl\">torch-2.14.0+cu126-cp315-cp315-manylinux_2_28_x86_64.whl</a><br/>\n"
		"    <a href=\"/whl/cu126/torch-2.14.0%2Bcu126-cp310-cp310-manylinux_2_28_x86_64.whl\">torch-2.14.0+cu126-cp310-cp310-manylinux_2_28_x86_64.whl</a><br/>\n"
		"    <a href=\"/whl/cu126/torch-2.14.0%2Bcu126-cp312-cp312-win_amd64.whl\">torch-2.14.0+cu126-cp312-cp312-win_amd64.whl</a><br/>\n"
		"    <a href=\"/whl/cu126/torch-2.14.0%2Bcu126-cp39-cp39-manylinux_2_28_aarch64.whl\">torch-2.14.0+cu126-cp39-cp39-manylinux_2_28_aarch64.whl</a><br/>\n"
		"    <a href=\"/whl/cu126/torch-2.14.0%2Bcu130-cp39-cp39-manylinux_2_28_x86_64.whl\">torch-2.14.0+cu130-cp39-cp39-manylinux_2_28_x86_64.whl</a><br/>\n"
		"  </body>\n</html>\n<!--TIMESTAMP 1788000000-->\n";
	struct torch_index_release *rel = NULL;
	size_t n = 0;
	int r = torch_index_parse(page, strlen(page), "cu126", &rel, &n, &err);

	ok(r == 0 && n == 2, "two releases of cu126 (%s)", err.buf);
	if (r == 0) {
		ok(rel[0].series.part[1] == 13 && rel[0].py_min.part[1] == 10 && rel[0].py_max.part[1] == 10,
		   "2.13: Python 3.10 only");
		ok(rel[1].series.part[1] == 14 && rel[1].py_min.part[1] == 10 && rel[1].py_max.part[1] == 15,
		   "2.14: Python 3.10-3.15 (Windows, aarch64 and other variants' wheels left out)");
		free(rel);
	}
	strbuf_reset(&err);
	r = torch_index_parse(page, strlen(page), "cu132", &rel, &n, &err);
	ok(r == -EINVAL && strstr(err.buf, "no Linux x86_64 torch wheel of cu132"), "a page without the variant is refused");
	{
		_cleanup_free_ char *bad_digest = replaced(page, "#sha256=0a0b", "#sha256=zz0b");

		strbuf_reset(&err);
		r = torch_index_parse(bad_digest, strlen(bad_digest), "cu126", &rel, &n, &err);
		ok(r == -EINVAL && strstr(err.buf, "is not a sha256"), "a digest that does not parse is refused (%s)", err.buf);
	}
	strbuf_reset(&err);
	r = torch_index_parse("{\"meta\": {\"api-version\": \"1.0\"}}", 33, "cu126", &rel, &n, &err);
	ok(r == -EINVAL, "a JSON answer is refused");
}

int main(void)
{
	test_cudnn_manifests();
	test_md5sum();
	test_listing();
	test_driver_releases();
	test_torch_index();
	return done_testing();
}
