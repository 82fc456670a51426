/*
 * strbuf.c - growable string buffer.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "strbuf.h"
#include "util.h"

char strbuf_empty[1];

void strbuf_init(struct strbuf *sb)
{
	sb->alloc = 64;
	sb->len = 0;
	sb->buf = xmalloc(sb->alloc);
	sb->buf[0] = '\0';
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	sb->buf = strbuf_empty;
	sb->len = sb->alloc = 0;
}

char *strbuf_detach(struct strbuf *sb, size_t *ret_len)
{
	char *p = sb->alloc ? sb->buf : xstrdup("");

	if (ret_len)
		*ret_len = sb->alloc ? sb->len : 0;
	sb->buf = strbuf_empty;
	sb->len = sb->alloc = 0;
	return p;
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
	else
		sb->buf = strbuf_empty;
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need;

	if (!sb->alloc)
		strbuf_init(sb);
	need = sb->len + extra + 1;
	if (need < sb->len) {
		fputs("gpu-setup: buffer size overflow\n", stderr);
		abort();
	}
	if (need <= sb->alloc)
		return;
	while (sb->alloc < need)
		sb->alloc = sb->alloc * 2;
	sb->buf = xrealloc(sb->buf, sb->alloc);
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_adds(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, char c)
{
	strbuf_add(sb, &c, 1);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	strbuf_grow(sb, 64);
	va_copy(cp, ap);
	n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= sb->alloc - sb->len) {
		strbuf_grow(sb, (size_t)n);
		va_copy(cp, ap);
		n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
		va_end(cp);
	}
	sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

int strbuf_add_errno(struct strbuf *sb, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	strbuf_addf(sb, ": %s", strerror(-r));
	return r;
}
