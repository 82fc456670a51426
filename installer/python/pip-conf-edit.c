/*
 * pip-conf-edit.c - set [global] index-url in a pip.conf, line by line,
 * keeping every other byte (see pip-conf-edit.h).
 *
 * The lines are classified with the state machine pip_conf_parse runs
 * (configparser's): which are comments, blank, section headers, keys, and
 * continuations of the key before; only then is it known which lines make
 * up an index-url of [global].  The input has passed pip_conf_parse, so
 * every line is one of those.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>

#include "pip-conf-edit.h"
#include "pip-conf.h"
#include "util.h"

/* Python's str.isspace() over ASCII, as pip-conf.c (configparser strips
 * and measures indentation with it). */
static bool py_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
	       (c >= 0x1c && c <= 0x1f);
}

enum line_kind { LINE_BLANK, LINE_COMMENT, LINE_HEADER, LINE_KEY, LINE_CONTINUATION };

struct line {
	const char *start;      /* first byte */
	size_t len;             /* without the line end */
	size_t end_len;         /* of the line end: 0 (last line), 1 or 2 */
	size_t indent;          /* leading blanks (bytes) */
	enum line_kind kind;
	bool global_header;     /* the header of [global] */
	bool in_global;         /* a key or continuation in [global] */
	bool is_index;          /* a key or continuation of an index-url in [global] */
};

/* Split text into lines at \n, \r\n and \r, as Python's universal
 * newlines do; *ret_n gets the count. */
static struct line *split_lines(const char *text, size_t len, size_t *ret_n)
{
	struct line *lines = NULL;
	size_t n = 0, alloc = 0;

	for (size_t i = 0; i < len;) {
		size_t j = i;

		while (j < len && text[j] != '\n' && text[j] != '\r')
			j++;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 32;
			lines = xrealloc(lines, alloc * sizeof(*lines));
		}
		lines[n] = (struct line){ .start = text + i, .len = j - i };
		if (j < len)
			lines[n].end_len = text[j] == '\r' && j + 1 < len && text[j + 1] == '\n' ? 2 : 1;
		i = j + lines[n].end_len;
		n++;
	}
	*ret_n = n;
	return lines;
}

/* Whether the key of a key line, as configparser splits it, is one pip
 * takes for index-url. */
static bool key_is_index_url(const struct line *l)
{
	const char *b = l->start + l->indent, *e = l->start + l->len, *d = b;
	_cleanup_free_ char *key = NULL;

	while (d < e && *d != '=' && *d != ':')
		d++;
	while (d > b && py_space(d[-1]))
		d--;
	key = xasprintf("%.*s", (int)(d - b), b);
	for (char *k = key; *k; k++)
		if (*k >= 'A' && *k <= 'Z')
			*k = (char)(*k - 'A' + 'a');
	return pip_conf_same_key(key, "index-url");
}

/* The kinds pip_conf_parse would give the lines (see pip-conf.c). */
static void classify(struct line *lines, size_t n)
{
	bool in_section = false, in_global = false, in_value = false, value_is_index = false;
	size_t indent_level = 0;

	for (size_t i = 0; i < n; i++) {
		struct line *l = &lines[i];
		const char *b = l->start, *e = l->start + l->len;

		while (b < e && py_space(*b))
			b++;
		while (e > b && py_space(e[-1]))
			e--;
		l->indent = 0;
		while (l->indent < l->len && py_space(l->start[l->indent]))
			l->indent++;
		if (b < e && (*b == '#' || *b == ';')) {
			l->kind = LINE_COMMENT;
			continue;
		}
		if (b == e) {
			l->kind = LINE_BLANK;
			continue;
		}
		if (in_section && in_value && l->indent > indent_level) {
			l->kind = LINE_CONTINUATION;
			l->in_global = in_global;
			l->is_index = value_is_index;
			continue;
		}
		indent_level = l->indent;
		if (*b == '[') {
			const char *close = pip_conf_header_close(b, e);

			if (close) {
				l->kind = LINE_HEADER;
				in_section = true;
				in_global = close - b - 1 == 6 && memcmp(b + 1, "global", 6) == 0;
				l->global_header = in_global;
				in_value = false;
				continue;
			}
		}
		l->kind = LINE_KEY;
		l->in_global = in_global;
		l->is_index = in_global && key_is_index_url(l);
		in_value = true;
		value_is_index = l->is_index;
	}
}

/* The line end new lines get: the first line's, else \n. */
static const char *line_end_of(const struct line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lines[i].end_len == 2)
			return "\r\n";
		else if (lines[i].end_len == 1)
			return lines[i].start[lines[i].len] == '\r' ? "\r" : "\n";
	return "\n";
}

static void add_line(struct strbuf *out, const struct line *l)
{
	strbuf_add(out, l->start, l->len + l->end_len);
}

/* "index-url = URL" after indent_len bytes of indent, ending with the
 * line end of like (when it has one) or eol. */
static void add_index_line(struct strbuf *out, const char *indent, size_t indent_len, const char *url,
			   const struct line *like, const char *eol)
{
	strbuf_add(out, indent, indent_len);
	strbuf_addf(out, "index-url = %s", url);
	if (like && like->end_len)
		strbuf_add(out, like->start + like->len, like->end_len);
	else
		strbuf_adds(out, eol);
}

static bool url_fits(const char *url)
{
	size_t n = strlen(url);

	return n > 0 && !py_space(url[0]) && !py_space(url[n - 1]) && !strpbrk(url, "\r\n");
}

int pip_conf_set_index_url(const char *text, size_t len, const char *url, char **ret_text, size_t *ret_len,
			   struct strbuf *err)
{
	_cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
	_cleanup_free_ struct line *lines = NULL;
	_cleanup_free_ char *whole = NULL;
	struct pip_conf pc;
	const char *eol, *seen;
	size_t n, header = SIZE_MAX;
	bool have_index = false, placed = false;
	int r;

	if (!url_fits(url)) {
		strbuf_adds(err, "an index URL that is empty, has blanks at its ends or holds a line break cannot be "
				 "a pip.conf value");
		return -EINVAL;
	}
	if (memchr(text, '\0', len)) {
		strbuf_adds(err, "the file holds a NUL byte: not a pip.conf");
		return -EINVAL;
	}
	/* pip_conf_parse reads to a NUL; text need not end in one. */
	whole = xmalloc(len + 1);
	memcpy(whole, text, len);
	whole[len] = '\0';
	r = pip_conf_parse(whole, &pc, err);
	if (r < 0)
		return r;
	seen = pip_conf_get(&pc, "global", "index-url");
	if (seen && streq(seen, url)) {
		pip_conf_free(&pc);
		*ret_text = TAKE_PTR(whole);
		*ret_len = len;
		return 0;
	}
	pip_conf_free(&pc);

	lines = split_lines(text, len, &n);
	classify(lines, n);
	eol = line_end_of(lines, n);
	for (size_t i = 0; i < n; i++) {
		if (lines[i].global_header && header == SIZE_MAX)
			header = i;
		have_index |= lines[i].is_index;
	}

	strbuf_init(&out);
	for (size_t i = 0; i < n; i++) {
		const struct line *l = &lines[i];

		if (l->is_index) {
			/* The first index-url line becomes ours, in its place;
			 * the rest of it and any other spelling go. */
			if (!placed && l->kind == LINE_KEY) {
				add_index_line(&out, l->start, l->indent, url, l, eol);
				placed = true;
			}
			continue;
		}
		add_line(&out, l);
		if (i == header && !have_index) {
			const struct line *next = NULL;

			for (size_t j = i + 1; j < n && !next; j++)
				if (lines[j].kind != LINE_BLANK && lines[j].kind != LINE_COMMENT)
					next = &lines[j];
			if (!l->end_len)
				strbuf_adds(&out, eol);
			add_index_line(&out, next ? next->start : "", next ? next->indent : 0, url, NULL, eol);
			placed = true;
		}
	}
	if (!placed) {
		if (out.len && !lines[n - 1].end_len)
			strbuf_adds(&out, eol);
		if (out.len && lines[n - 1].kind != LINE_BLANK)
			strbuf_adds(&out, eol);
		strbuf_addf(&out, "[global]%s", eol);
		add_index_line(&out, "", 0, url, NULL, eol);
	}

	/* What was written must read back as meant. */
	r = pip_conf_parse(out.buf, &pc, NULL);
	seen = r == 0 ? pip_conf_get(&pc, "global", "index-url") : NULL;
	if (!seen || !streq(seen, url)) {
		if (r == 0)
			pip_conf_free(&pc);
		strbuf_adds(err, "the merged file would not give pip this index-url (a layout gpu-setup cannot edit)");
		return -EINVAL;
	}
	pip_conf_free(&pc);
	*ret_text = strbuf_detach(&out, ret_len);
	return 0;
}
