/*
 * util.c - allocation wrappers and tiny string helpers.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>

#include "util.h"

static void oom(void)
{
	fputs("gpu-setup: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

void strv_push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		oom();
	return p;
}

time_t today_utc(void)
{
	const char *env = getenv("GPU_SETUP_TODAY");
	struct tm tm = { 0 };
	const char *end;
	time_t now;

	if (env && (end = strptime(env, "%Y-%m-%d", &tm)) && !*end)
		return timegm(&tm);
	now = time(NULL);
	return now - now % 86400;
}

void today_utc_text(char buf[11])
{
	time_t t = today_utc();
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 11, "%Y-%m-%d", &tm);
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

char *strstrip(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

char *last_line(const char *text)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char *save = NULL, *last = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (*strstrip(l))
			last = l;
	return xstrdup(last ? last : "");
}

char *last_lines(const char *text, size_t n)
{
	_cleanup_free_ char *copy = xstrdup(text);
	_cleanup_free_ char **lines = NULL;
	char *save = NULL, *out;
	size_t count = 0, len = 0, start;

	lines = xcalloc(strlen(text) / 2 + 2, sizeof(*lines));
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (*(l = strstrip(l)))
			lines[count++] = l;
	start = count > n ? count - n : 0;
	for (size_t i = start; i < count; i++)
		len += strlen(lines[i]) + 1;
	out = xmalloc(len + 1);
	out[0] = '\0';
	for (size_t i = start, at = 0; i < count; i++)
		at += (size_t)sprintf(out + at, "%s\n", lines[i]);
	return out;
}

const char *format_bytes(uint64_t n, char buf[FORMAT_BYTES_MAX])
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)n;
	size_t u = 0;

	while (v >= 1024 && u + 1 < ELEMENTSOF(units)) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, FORMAT_BYTES_MAX, "%llu B", (unsigned long long)n);
	else
		snprintf(buf, FORMAT_BYTES_MAX, "%.1f %s", v, units[u]);
	return buf;
}
