/*
 * strbuf.h - a growable, always NUL-terminated byte buffer (git's strbuf
 * idea): used instead of fixed-size char arrays wherever a length is not
 * known in advance.
 */
#ifndef GS_STRBUF_H
#define GS_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;    /* always valid and NUL-terminated (STRBUF_INIT or strbuf_init) */
	size_t len;   /* bytes used, not counting the NUL */
	size_t alloc; /* bytes allocated; 0: buf is the shared empty string, not owned */
};

/* An empty buffer that is ready as it is: buf reads as "" until the first
 * addition allocates (git's slopbuf idea), so no strbuf_init is needed. */
extern char strbuf_empty[1];
#define STRBUF_INIT { strbuf_empty, 0, 0 }

/* Allocates an empty buffer.  Not needed after STRBUF_INIT (harmless
 * there), and never on a buffer that holds text: that text would leak
 * (strbuf_reset empties one). */
void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
/* Returns the buffer, which the caller now owns; sb is reset. */
char *strbuf_detach(struct strbuf *sb, size_t *ret_len);
void strbuf_reset(struct strbuf *sb);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Append the message and ": " and strerror(-r); returns r (a negative
 * errno), so that a failure is said and returned in one statement, with
 * the errno taken before anything else can change it:
 *   if (stat(p, &st) < 0)
 *           return strbuf_add_errno(err, -errno, "cannot read %s", p); */
int strbuf_add_errno(struct strbuf *sb, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static inline void strbuf_releasep(struct strbuf *sb)
{
	strbuf_release(sb);
}
#define _cleanup_strbuf_ __attribute__((cleanup(strbuf_releasep)))

#endif
