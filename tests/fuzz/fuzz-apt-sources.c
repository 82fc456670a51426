/*
 * fuzz-apt-sources.c - libFuzzer target over apt_sources_fix_text.  The
 * first input byte picks the format, the release and the components; the
 * rest is the sources text (up to its first NUL, as files holding one are
 * refused before the fixer sees them).  Besides crashes, leaks and
 * sanitizer reports, these are findings:
 *   - the output does not hold the input as a subsequence (the fixer may
 *     only insert text), or differs from it when nothing changed;
 *   - a second run over the output changes anything or counts the Debian
 *     entries differently (the fix is idempotent);
 *   - the change lines do not match the count of changed entries;
 *   - a refusal without a "line N: " message.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "apt-sources.h"
#include "strbuf.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const codenames[] = { "bookworm", "bullseye", "trixie", "buster" };

static bool subsequence(const char *in, const char *out)
{
	for (; *in; in++) {
		while (*out && *out != *in)
			out++;
		if (!*out)
			return false;
		out++;
	}
	return true;
}

static size_t count_lines(const struct strbuf *sb)
{
	size_t n = 0;

	for (size_t i = 0; i < sb->len; i++)
		n += sb->buf[i] == '\n';
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const two[] = { "contrib", "non-free", NULL };
	static const char *const three[] = { "contrib", "non-free", "non-free-firmware", NULL };
	struct strbuf changes = STRBUF_INIT, err = STRBUF_INIT, changes2 = STRBUF_INIT;
	enum apt_sources_format fmt;
	const char *const *comps;
	const char *codename;
	char *text, *out = NULL, *out2 = NULL;
	unsigned found = 0, found2 = 0;
	int r, r2;

	if (size < 1)
		return 0;
	fmt = data[0] & 1 ? APT_SOURCES_DEB822 : APT_SOURCES_ONE_LINE;
	comps = data[0] & 2 ? two : three;
	codename = codenames[(data[0] >> 2) % ELEMENTSOF(codenames)];
	text = xmalloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';

	strbuf_init(&changes);
	strbuf_init(&err);
	strbuf_init(&changes2);
	r = apt_sources_fix_text(text, fmt, codename, comps, &out, &found, &changes, &err);
	if (r < 0) {
		if (r != -EINVAL || !startswith(err.buf, "line ") || changes.len != 0)
			abort();
		goto done;
	}
	if (!subsequence(text, out) || (r == 0 && !streq(text, out)) || count_lines(&changes) != (size_t)r ||
	    (unsigned)r > found)
		abort();
	r2 = apt_sources_fix_text(out, fmt, codename, comps, &out2, &found2, &changes2, NULL);
	if (r2 != 0 || !streq(out, out2) || found2 != found || changes2.len != 0)
		abort();
done:
	free(text);
	free(out);
	free(out2);
	strbuf_release(&changes);
	strbuf_release(&err);
	strbuf_release(&changes2);
	return 0;
}
