/*
 * fuzz-manifest.c - libFuzzer target over manifest_parse and
 * manifest_format.  Besides crashes, leaks and sanitizer reports, these
 * are findings:
 *   - a refusal that is not -EINVAL with a "line N: " message;
 *   - a manifest that parses but does not format (format must accept
 *     whatever parse accepts);
 *   - parse(format(parse(x))) differs from parse(x), or formatting that
 *     again gives other text (the round trip is exact).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "manifest.h"
#include "strbuf.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_str(const char *a, const char *b)
{
	return a && b ? streq(a, b) : a == b;
}

static bool same(const struct manifest *a, const struct manifest *b)
{
	if (!same_str(a->kind, b->kind) || !same_str(a->version, b->version) || !same_str(a->source, b->source) ||
	    !same_str(a->sha256, b->sha256) || !same_str(a->base, b->base) || a->nentries != b->nentries)
		return false;
	for (size_t i = 0; i < a->nentries; i++) {
		const struct manifest_entry *x = &a->entries[i], *y = &b->entries[i];

		if (x->type != y->type || x->mode != y->mode || !same_str(x->sha256, y->sha256) ||
		    !same_str(x->target, y->target) || !same_str(x->relpath, y->relpath))
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT, out2 = STRBUF_INIT;
	struct manifest a = { 0 }, b = { 0 };
	int r;

	strbuf_init(&err);
	strbuf_init(&out);
	strbuf_init(&out2);
	r = manifest_parse((const char *)data, size, &a, &err);
	if (r < 0) {
		if (r != -EINVAL || !startswith(err.buf, "line "))
			abort();
		goto done;
	}
	if (manifest_format(&a, &out, NULL) != 0)
		abort();
	if (manifest_parse(out.buf, out.len, &b, NULL) != 0 || !same(&a, &b))
		abort();
	if (manifest_format(&b, &out2, NULL) != 0 || !streq(out.buf, out2.buf))
		abort();
done:
	manifest_free(&a);
	manifest_free(&b);
	strbuf_release(&err);
	strbuf_release(&out);
	strbuf_release(&out2);
	return 0;
}
