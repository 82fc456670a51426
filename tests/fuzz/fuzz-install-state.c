/*
 * fuzz-install-state.c - libFuzzer target over the main job's state file
 * reader (install_state_parse).  Besides crashes, leaks and sanitizer
 * reports, these are findings:
 *   - a refusal other than -EINVAL, or without a "line N: " message;
 *   - an accepted state whose written text does not read back, or reads
 *     back to a state that writes other bytes.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "install-state.h"
#include "strbuf.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	struct install_state s, t;
	char *first, *second;
	int r;

	strbuf_init(&err);
	r = install_state_parse((const char *)data, size, &s, &err);
	if (r < 0) {
		if (r != -EINVAL || !startswith(err.buf, "line "))
			abort();
		strbuf_release(&err);
		return 0;
	}
	first = install_state_format(&s);
	strbuf_reset(&err);
	if (install_state_parse(first, strlen(first), &t, &err) < 0)
		abort();
	second = install_state_format(&t);
	if (!streq(first, second))
		abort();
	free(first);
	free(second);
	install_state_free(&s);
	install_state_free(&t);
	strbuf_release(&err);
	return 0;
}
