/*
 * pip-conf.c - pip.conf, read by configparser's rules (see pip-conf.h).
 */
#include "config.h"

#include <errno.h>

#include "pip-conf.h"
#include "util.h"

/* Python's str.isspace() over ASCII: configparser strips and measures
 * indentation with it, and it counts \v, \f and \x1c..\x1f as blanks. */
static bool py_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
	       (c >= 0x1c && c <= 0x1f);
}

/* [b, e) stripped of Python blanks at both ends. */
static void strip_range(const char **b, const char **e)
{
	while (*b < *e && py_space(**b))
		(*b)++;
	while (*e > *b && py_space((*e)[-1]))
		(*e)--;
}

static char *dup_range(const char *b, const char *e)
{
	char *s = xmalloc((size_t)(e - b) + 1);

	memcpy(s, b, (size_t)(e - b));
	s[e - b] = '\0';
	return s;
}

static bool is_default(const char *section)
{
	return streq(section, "DEFAULT");
}

static void add_error(struct strbuf *err, unsigned line, const char *b, const char *e, const char *why)
{
	if (err)
		strbuf_addf(err, "line %u: %s: '%.*s'", line, why, (int)(e - b), b);
}

static void append_part(struct pip_conf_item *it, const char *b, const char *e)
{
	char *v = xasprintf("%s\n%.*s", it->value, (int)(e - b), b);

	free(it->value);
	it->value = v;
}

int pip_conf_parse(const char *text, struct pip_conf *ret, struct strbuf *err)
{
	struct pip_conf c = { 0 };
	size_t items_alloc = 0, sections_alloc = 0;
	const char *cursect = NULL;     /* NULL before the first header */
	ssize_t optidx = -1;            /* the key continuation lines extend */
	size_t indent_level = 0;
	unsigned lineno = 0;
	const char *p = text;

	while (*p) {
		const char *line = p, *eol = p, *b, *e;
		size_t indent = 0;

		while (*eol && *eol != '\n' && *eol != '\r')
			eol++;
		p = eol;
		if (*p == '\r' && p[1] == '\n')
			p += 2;
		else if (*p)
			p++;
		lineno++;

		b = line;
		e = eol;
		strip_range(&b, &e);
		if (b < e && (*b == '#' || *b == ';'))
			continue;   /* a comment, even inside a value */
		if (b == e) {
			/* A blank line belongs to the value being read; the join
			 * below drops it again when nothing follows. */
			if (cursect && optidx >= 0)
				append_part(&c.items[optidx], b, b);
			continue;
		}
		while (line + indent < eol && py_space(line[indent]))
			indent++;
		if (cursect && optidx >= 0 && indent > indent_level) {
			append_part(&c.items[optidx], b, e);
			continue;
		}
		indent_level = indent;

		if (*b == '[') {
			const char *close = pip_conf_header_close(b, e);

			if (close) {
				_cleanup_free_ char *name = dup_range(b + 1, close);

				if (!is_default(name)) {
					for (size_t i = 0; i < c.nsections; i++)
						if (streq(c.sections[i], name)) {
							add_error(err, lineno, b, e,
								  "section appears twice in the file");
							goto fail;
						}
					if (c.nsections == sections_alloc) {
						sections_alloc = sections_alloc ? 2 * sections_alloc : 8;
						c.sections = xrealloc(c.sections, sections_alloc * sizeof(char *));
					}
					c.sections[c.nsections++] = xstrdup(name);
					cursect = c.sections[c.nsections - 1];
				} else {
					cursect = "DEFAULT";
				}
				optidx = -1;
				continue;
			}
		}
		if (!cursect) {
			add_error(err, lineno, b, e, "text before the first [section] header");
			goto fail;
		}

		const char *delim = b;
		while (delim < e && *delim != '=' && *delim != ':')
			delim++;
		if (delim == e) {
			add_error(err, lineno, b, e, "neither a [section] header nor 'key = value'");
			goto fail;
		}
		const char *kb = b, *ke = delim, *vb = delim + 1, *ve = e;
		strip_range(&kb, &ke);
		strip_range(&vb, &ve);
		if (kb == ke) {
			add_error(err, lineno, b, e, "empty key");
			goto fail;
		}
		_cleanup_free_ char *key = dup_range(kb, ke);
		for (char *k = key; *k; k++)
			if (*k >= 'A' && *k <= 'Z')
				*k = (char)(*k - 'A' + 'a');
		for (size_t i = 0; i < c.nitems; i++)
			if (streq(c.items[i].section, cursect) && streq(c.items[i].key, key)) {
				add_error(err, lineno, b, e, "key appears twice in the section");
				goto fail;
			}
		if (c.nitems == items_alloc) {
			items_alloc = items_alloc ? 2 * items_alloc : 16;
			c.items = xrealloc(c.items, items_alloc * sizeof(*c.items));
		}
		c.items[c.nitems] = (struct pip_conf_item){
			.section = xstrdup(cursect),
			.key = TAKE_PTR(key),
			.value = dup_range(vb, ve),
			.line = lineno,
		};
		optidx = (ssize_t)c.nitems++;
	}

	/* configparser joins a value's lines and strips the end of the whole. */
	for (size_t i = 0; i < c.nitems; i++) {
		char *v = c.items[i].value;
		size_t n = strlen(v);

		while (n && py_space(v[n - 1]))
			v[--n] = '\0';
	}
	*ret = c;
	return 0;

fail:
	pip_conf_free(&c);
	return -EINVAL;
}

/* pip's _normalize_name: lowercase, '_' is '-', no leading "--". */
bool pip_conf_same_key(const char *stored, const char *wanted)
{
	if (startswith(stored, "--"))
		stored += 2;
	if (startswith(wanted, "--"))
		wanted += 2;
	for (; *stored && *wanted; stored++, wanted++) {
		char a = *stored == '_' ? '-' : *stored, b = *wanted == '_' ? '-' : *wanted;

		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return !*stored && !*wanted;
}

static const char *lookup(const struct pip_conf *c, const char *section, const char *key)
{
	const char *found = NULL;

	for (size_t i = 0; i < c->nitems; i++)
		if (streq(c->items[i].section, section) && pip_conf_same_key(c->items[i].key, key))
			found = c->items[i].value;
	return found;
}

const char *pip_conf_get(const struct pip_conf *c, const char *section, const char *key)
{
	const char *v;

	for (size_t i = 0; i < c->nsections; i++)
		if (streq(c->sections[i], section)) {
			v = lookup(c, section, key);
			return v ? v : lookup(c, "DEFAULT", key);
		}
	return NULL;
}

void pip_conf_free(struct pip_conf *c)
{
	for (size_t i = 0; i < c->nitems; i++) {
		free(c->items[i].section);
		free(c->items[i].key);
		free(c->items[i].value);
	}
	free(c->items);
	for (size_t i = 0; i < c->nsections; i++)
		free(c->sections[i]);
	free(c->sections);
	memset(c, 0, sizeof(*c));
}

const char *pip_conf_header_close(const char *b, const char *e)
{
	const char *close = NULL;

	for (const char *q = b + 2; q < e; q++)
		if (*q == ']')
			close = q;
	return close;
}
