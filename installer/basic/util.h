/*
 * util.h - small helpers shared by every module: cleanup attributes,
 * ownership hand-over and string comparison.
 *
 * Functions in gpu-setup return 0 (or a count) on success and a negative
 * errno on failure; output parameters are named ret_* and are left untouched
 * when the function fails.
 */
#ifndef GS_UTIL_H
#define GS_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static inline bool startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static inline bool endswith(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && streq(s + ls - lx, suffix);
}

/* n bytes for people: "512 B", "1.5 KiB", "4.2 GiB" (powers of 1024, one
 * decimal); buf, for use in one printf. */
#define FORMAT_BYTES_MAX 32
const char *format_bytes(uint64_t n, char buf[FORMAT_BYTES_MAX]);

/* A space or a tab (a C header's or a version file's blanks). */
static inline bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_close_ _cleanup_(closep)

/* Hand ownership of a pointer to the caller: returns it and clears the
 * variable so the cleanup attribute does not free it. */
#define TAKE_PTR(p)                            \
	({                                     \
		__typeof__(p) _taken_ = (p);   \
		(p) = NULL;                    \
		_taken_;                       \
	})

/* Allocation failure is not something a command can recover from in a
 * useful way; these abort with a message instead of returning NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* A NULL-terminated vector of malloc'ed strings: append s (taken over)
 * to *v of *n entries, keeping it NULL-terminated; free it all. */
void strv_push(char ***v, size_t *n, char *s);
void strv_free(char **v);
char *xstrdup(const char *s);
/* Today at 00:00 UTC, or the day $GPU_SETUP_TODAY (YYYY-MM-DD) names: the
 * tests' fixed day, so that what dates its output does not age
 * (gpu-setup(8), ENVIRONMENT). */
time_t today_utc(void);
/* today_utc() as YYYY-MM-DD into buf (11 bytes). */
void today_utc_text(char buf[11]);
/* The n bytes at s (no NUL among them) as a new string. */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Strip leading and trailing white space in place; returns s advanced. */
char *strstrip(char *s);
/* The last line of text that is not blank, stripped, newly allocated; ""
 * when there is none (a program's last words). */
char *last_line(const char *text);
/* The last n lines of text that are not blank, each stripped and ended
 * with a newline, newly allocated; "" when there are none (what a failed
 * program said last, for a message). */
char *last_lines(const char *text, size_t n);

#endif
