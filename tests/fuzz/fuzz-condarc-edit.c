/*
 * fuzz-condarc-edit.c - libFuzzer target over condarc_set_mirror.  The
 * first byte picks the mirror (TUNA-like with both custom channels,
 * USTC-like with conda-forge only, or official-like with none); the rest
 * is the .condarc.  Besides crashes, leaks and sanitizer reports, these are
 * findings:
 *   - a refusal other than -EINVAL, or with an empty message;
 *   - an accepted file whose result condarc_parse refuses, or that lacks
 *     `defaults` in channels or the mirror's default_channels;
 *   - a result that a second merge changes (not idempotent).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "condarc-edit.h"
#include "condarc.h"
#include "strbuf.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *const tuna_defaults[] = { "https://t.example/pkgs/main", "https://t.example/pkgs/r", NULL };
static char *const ustc_defaults[] = { "https://u.example/cloud/conda-forge", NULL };
static char *const both[] = { "conda-forge", "pytorch", NULL };
static char *const forge[] = { "conda-forge", NULL };
static const struct condarc_mirror mirrors[] = {
	{ tuna_defaults, "https://t.example/cloud", both },
	{ ustc_defaults, "https://u.example/cloud", forge },
	{ tuna_defaults, NULL, NULL },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	const struct condarc_mirror *m;
	char *out = NULL, *again = NULL;
	size_t len = 0, len2 = 0;
	struct condarc c;
	bool has_defaults = false;
	int r;

	if (size == 0)
		return 0;
	m = &mirrors[data[0] % ELEMENTSOF(mirrors)];
	strbuf_init(&err);
	r = condarc_set_mirror((const char *)data + 1, size - 1, m, &out, &len, &err);
	if (r < 0) {
		if (r != -EINVAL || !err.len)
			abort();
		strbuf_release(&err);
		return 0;
	}
	if (condarc_parse(out, len, &c, NULL) < 0 || c.ndefault_channels != (m->default_channels == tuna_defaults ? 2u : 1u))
		abort();
	for (size_t i = 0; i < c.nchannels; i++)
		has_defaults |= streq(c.channels[i], "defaults");
	if (!has_defaults)
		abort();
	condarc_free(&c);
	strbuf_reset(&err);
	if (condarc_set_mirror(out, len, m, &again, &len2, &err) < 0 || len2 != len || memcmp(out, again, len) != 0)
		abort();
	free(out);
	free(again);
	strbuf_release(&err);
	return 0;
}
