/*
 * fuzz-pip-conf.c - libFuzzer target over pip_conf_parse.  The input is
 * the file's text (up to its first NUL).  Besides crashes, leaks and
 * sanitizer reports, these are findings:
 *   - a refusal other than -EINVAL, or without a "line N: " message whose
 *     N is a line of the input;
 *   - an accepted file whose items do not read back through pip_conf_get
 *     (a key of a section, or of DEFAULT, that the lookup does not find);
 *   - writing the parsed items out again ([section], "key = value", value
 *     lines indented) and parsing that gives different items.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "pip-conf.h"
#include "strbuf.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_section(struct strbuf *sb, const struct pip_conf *c, const char *section)
{
	strbuf_addf(sb, "[%s]\n", section);
	for (size_t i = 0; i < c->nitems; i++) {
		const char *v = c->items[i].value, *nl;

		if (!streq(c->items[i].section, section))
			continue;
		nl = strchr(v, '\n');
		strbuf_addf(sb, "%s = %.*s\n", c->items[i].key, (int)(nl ? nl - v : (ptrdiff_t)strlen(v)), v);
		while (nl) {
			v = nl + 1;
			nl = strchr(v, '\n');
			strbuf_addf(sb, "%s%.*s\n", *v && *v != '\n' ? "\t" : "",
				    (int)(nl ? nl - v : (ptrdiff_t)strlen(v)), v);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct pip_conf c, c2;
	char *text = xmalloc(size + 1);
	size_t lines = 1;
	int r;

	memcpy(text, data, size);
	text[size] = '\0';
	for (const char *p = text; *p; p++)
		lines += *p == '\n' || (*p == '\r' && p[1] != '\n');
	strbuf_init(&err);
	strbuf_init(&out);
	r = pip_conf_parse(text, &c, &err);
	if (r < 0) {
		unsigned long n = strtoul(err.buf + 5, NULL, 10);

		if (r != -EINVAL || !startswith(err.buf, "line ") || n < 1 || n > lines)
			abort();
		goto done;
	}
	for (size_t i = 0; i < c.nitems; i++) {
		const char *sect = c.items[i].section;

		if (!streq(sect, "DEFAULT") && !pip_conf_get(&c, sect, c.items[i].key))
			abort();
		if (streq(sect, "DEFAULT") && c.nsections && !pip_conf_get(&c, c.sections[0], c.items[i].key))
			abort();
	}
	write_section(&out, &c, "DEFAULT");
	for (size_t i = 0; i < c.nsections; i++)
		write_section(&out, &c, c.sections[i]);
	if (pip_conf_parse(out.buf, &c2, NULL) < 0 || c2.nitems != c.nitems || c2.nsections != c.nsections)
		abort();
	for (size_t i = 0; i < c.nitems; i++) {
		bool found = false;

		for (size_t j = 0; j < c2.nitems && !found; j++)
			found = streq(c.items[i].section, c2.items[j].section) &&
				streq(c.items[i].key, c2.items[j].key) && streq(c.items[i].value, c2.items[j].value);
		if (!found)
			abort();
	}
	pip_conf_free(&c2);
	pip_conf_free(&c);
done:
	free(text);
	strbuf_release(&err);
	strbuf_release(&out);
	return 0;
}
