/*
 * fuzz-condarc.c - libFuzzer target over condarc_parse.  The input is the
 * file's bytes (NULs included: libyaml is given the length).  Besides
 * crashes, leaks and sanitizer reports, these are findings:
 *   - a refusal other than -EINVAL, or without a "line L, column C: " or
 *     "byte N: " message;
 *   - an accepted file with a NULL channel, default channel, or custom
 *     channel name or URL;
 *   - a second parse of the same bytes that reads different settings.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "condarc.h"
#include "strbuf.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_list(char **a, size_t na, char **b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!a[i] || !b[i] || !streq(a[i], b[i]))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	struct condarc c, c2;
	int r;

	strbuf_init(&err);
	r = condarc_parse((const char *)data, size, &c, &err);
	if (r < 0) {
		if (r != -EINVAL || !(startswith(err.buf, "line ") || startswith(err.buf, "byte ")))
			abort();
		strbuf_release(&err);
		return 0;
	}
	if (condarc_parse((const char *)data, size, &c2, NULL) < 0 ||
	    !same_list(c.channels, c.nchannels, c2.channels, c2.nchannels) ||
	    !same_list(c.default_channels, c.ndefault_channels, c2.default_channels, c2.ndefault_channels) ||
	    c.ncustom_channels != c2.ncustom_channels || !c.channel_alias != !c2.channel_alias)
		abort();
	for (size_t i = 0; i < c.ncustom_channels; i++)
		if (!c.custom_channels[i].name || !c.custom_channels[i].url ||
		    !streq(c.custom_channels[i].url, c2.custom_channels[i].url))
			abort();
	condarc_free(&c);
	condarc_free(&c2);
	strbuf_release(&err);
	return 0;
}
