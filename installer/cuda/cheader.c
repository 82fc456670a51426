/*
 * cheader.c - numeric #define lines; see cheader.h.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>

#include "cheader.h"
#include "util.h"

#define DEFINE_DIGITS 9

static const char *skip_blanks(const char *p)
{
	while (is_blank(*p))
		p++;
	return p;
}

int cheader_define(const char *text, const char *name, unsigned *ret)
{
	size_t n = strlen(name);

	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *p = skip_blanks(line);
		unsigned v = 0;
		size_t digits = 0;

		if (*p != '#')
			continue;
		p = skip_blanks(p + 1);
		if (!startswith(p, "define") || !is_blank(p[6]))
			continue;
		p = skip_blanks(p + 6);
		if (strncmp(p, name, n) != 0 || !is_blank(p[n]))
			continue;
		for (p = skip_blanks(p + n); isdigit((unsigned char)*p) && digits < DEFINE_DIGITS; p++, digits++)
			v = v * 10 + (unsigned)(*p - '0');
		if (digits == 0 || !(*p == '\0' || *p == '\n' || *p == '\r' || is_blank(*p) || *p == '/'))
			return -EINVAL;
		*ret = v;
		return 0;
	}
	return -ENOENT;
}
