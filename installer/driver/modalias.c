/*
 * modalias.c - build PCI modaliases and match Modaliases fields.
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>

#include "modalias.h"
#include "util.h"

void modalias_build(const struct pci_gpu *g, char buf[MODALIAS_MAX])
{
	snprintf(buf, MODALIAS_MAX, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", g->vendor_id, g->device_id,
		 g->subsys_vendor_id, g->subsys_id, (g->class_id >> 8) & 0xff, g->class_id & 0xff,
		 g->prog_if & 0xff);
}

/* Match one glob, given as [start, end), against modalias. */
static bool glob_matches(const char *start, size_t len, const char *modalias)
{
	_cleanup_free_ char *glob = xmalloc(len + 1);

	memcpy(glob, start, len);
	glob[len] = '\0';
	return fnmatch(glob, modalias, FNM_CASEFOLD) == 0;
}

int modaliases_match(const char *field, const char *modalias)
{
	const char *p = field;
	int found = 0;

	for (;;) {
		const char *open, *close;

		p += strspn(p, " \t\n,");
		if (!*p)
			break;
		/* module name up to '(' */
		open = strchr(p, '(');
		if (!open || open == p || memchr(p, ')', (size_t)(open - p)) || memchr(p, ',', (size_t)(open - p)))
			return -EINVAL;
		close = strchr(open, ')');
		if (!close)
			return -EINVAL;
		for (const char *g = open + 1; g < close;) {
			const char *comma = memchr(g, ',', (size_t)(close - g));
			const char *end = comma ? comma : close;
			const char *s = g, *e = end;

			while (s < e && (*s == ' ' || *s == '\t' || *s == '\n'))
				s++;
			while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
				e--;
			if (s == e)
				return -EINVAL;
			if (!found && glob_matches(s, (size_t)(e - s), modalias))
				found = 1;
			g = comma ? comma + 1 : close;
		}
		p = close + 1;
	}
	return found;
}
