/*
 * fuzz-pip-conf-edit.c - libFuzzer target over pip_conf_set_index_url.
 * The input is the pip.conf's bytes.  Besides crashes, leaks and sanitizer
 * reports, these are findings:
 *   - a refusal other than -EINVAL, or with an empty message;
 *   - an accepted file whose result pip_conf_parse refuses or that does
 *     not give global.index-url the URL;
 *   - a result that a second merge changes (not idempotent).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "pip-conf-edit.h"
#include "pip-conf.h"
#include "strbuf.h"
#include "util.h"

#define URL "https://pypi.example/simple"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	char *out = NULL, *again = NULL;
	size_t len = 0, len2 = 0;
	struct pip_conf pc;
	const char *v;
	int r;

	strbuf_init(&err);
	r = pip_conf_set_index_url((const char *)data, size, URL, &out, &len, &err);
	if (r < 0) {
		if (r != -EINVAL || !err.len)
			abort();
		strbuf_release(&err);
		return 0;
	}
	if (strlen(out) != len || pip_conf_parse(out, &pc, NULL) < 0)
		abort();
	v = pip_conf_get(&pc, "global", "index-url");
	if (!v || !streq(v, URL))
		abort();
	pip_conf_free(&pc);
	strbuf_reset(&err);
	if (pip_conf_set_index_url(out, len, URL, &again, &len2, &err) < 0 || len2 != len || memcmp(out, again, len) != 0)
		abort();
	free(out);
	free(again);
	strbuf_release(&err);
	return 0;
}
