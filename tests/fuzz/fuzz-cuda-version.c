/*
 * fuzz-cuda-version.c - libFuzzer target over the four parsers of a CUDA
 * toolkit's release (cuda-tree.h): version.json, version.txt, cuda.h and
 * nvcc --version.  Every input goes to all four (up to its first NUL, as
 * the files are read as text).  Besides crashes, leaks and sanitizer
 * reports, these are findings:
 *   - a failure other than -EINVAL, or one that touched the output;
 *   - a release that is not dotted decimal of 2 to 4 parts (nvcc: 2);
 *   - a release that does not survive a round trip through the format it
 *     came from written out again (version.txt, nvcc) or the others;
 *   - a cuda.h minor of 100 or more (CUDA_VERSION is major*1000 + minor*10).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "cuda-tree.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char sentinel[] = "untouched";

/* Dotted decimal, min_parts to max_parts parts. */
static bool well_formed(const char *s, unsigned min_parts, unsigned max_parts)
{
	unsigned parts = 1;
	bool digit = false;

	for (; *s; s++) {
		if (isdigit((unsigned char)*s)) {
			digit = true;
		} else if (*s == '.' && digit) {
			parts++;
			digit = false;
		} else {
			return false;
		}
	}
	return digit && parts >= min_parts && parts <= max_parts;
}

/* A release written in every format parses back to itself. */
static void round_trip(const char *rel)
{
	char *txt = xasprintf("CUDA Version %s\n", rel);
	char *json = xasprintf("{\"cuda\" : {\"name\" : \"CUDA SDK\", \"version\" : \"%s\"}}", rel);
	char *back = NULL;

	if (cuda_parse_version_txt(txt, &back) != 0 || !streq(back, rel))
		abort();
	free(back);
	back = NULL;
	if (cuda_parse_version_json(json, &back) != 0 || !streq(back, rel))
		abort();
	free(back);
	free(txt);
	free(json);
}

/* A release parser either returns a well-formed release that survives the
 * round trip, or -EINVAL with its output untouched. */
static void check_release_parser(int (*parse)(const char *, char **), const char *text)
{
	char *s = sentinel;
	int r = parse(text, &s);

	if (r == 0) {
		if (!well_formed(s, 2, 4))
			abort();
		round_trip(s);
		free(s);
	} else if (r != -EINVAL || s != sentinel) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size + 1), *s;
	unsigned major = 7, minor = 7;
	int r;

	memcpy(text, data, size);
	text[size] = '\0';

	check_release_parser(cuda_parse_version_json, text);
	check_release_parser(cuda_parse_version_txt, text);

	r = cuda_parse_cuda_h(text, &major, &minor);
	if (r == 0) {
		char *h = xasprintf("#define CUDA_VERSION %u\n", major * 1000 + minor * 10);
		unsigned m2, n2;

		if (major == 0 || minor >= 100 || cuda_parse_cuda_h(h, &m2, &n2) != 0 || m2 != major || n2 != minor)
			abort();
		free(h);
	} else if (r != -EINVAL || major != 7 || minor != 7) {
		abort();
	}

	s = sentinel;
	r = cuda_parse_nvcc_version(text, &s);
	if (r == 0) {
		char *out = xasprintf("Cuda compilation tools, release %s, V%s.0\n", s, s);
		char *back = NULL;

		if (!well_formed(s, 2, 2) || cuda_parse_nvcc_version(out, &back) != 0 || !streq(back, s))
			abort();
		round_trip(s);
		free(back);
		free(out);
		free(s);
	} else if (r != -EINVAL || s != sentinel) {
		abort();
	}

	free(text);
	return 0;
}
