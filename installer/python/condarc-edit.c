/*
 * condarc-edit.c - set a mirror's channels in a .condarc by replacing the
 * lines of the keys gpu-setup manages and copying the rest (see
 * condarc-edit.h).
 *
 * libyaml's event stream gives each node with its marks, its style and
 * whether it carries an anchor or is an alias (its document API forgets
 * both).  From those this builds a small tree of the document, finds the
 * lines each top-level key spans (from the key to the end of the last
 * scalar or flow bracket of its value: a block collection "ends" only where
 * the next key starts, after any comments, which belong to the rest of the
 * file), and rewrites only the lines of managed keys that must change.  The
 * result is read back and checked before it is returned.
 */
#include "config.h"

#include <errno.h>
#include <strings.h>

#include <yaml.h>

#include "condarc-edit.h"
#include "condarc.h"
#include "util.h"

/* Deeper nesting than any configuration needs; a bound on the recursion. */
#define MAX_DEPTH 256

enum managed_key { KEY_CHANNELS, KEY_SHOW_URLS, KEY_DEFAULT_CHANNELS, KEY_CUSTOM_CHANNELS, KEY_COUNT };

static const char *const managed_names[KEY_COUNT] = {
	[KEY_CHANNELS] = "channels",
	[KEY_SHOW_URLS] = "show_channel_urls",
	[KEY_DEFAULT_CHANNELS] = "default_channels",
	[KEY_CUSTOM_CHANNELS] = "custom_channels",
};

/* ------------------------------------------------------------ the tree */

enum ynode_type { YN_SCALAR, YN_SEQUENCE, YN_MAPPING, YN_ALIAS };

struct ynode {
	enum ynode_type type;
	bool flow;              /* a collection in flow style ([...] or {...}) */
	bool plain;             /* a scalar in plain style */
	bool anchored;          /* it, or a node inside it, has an anchor or is an alias */
	char *value;            /* scalar */
	struct ynode *kids;     /* sequence: items; mapping: key, value, key, value, ... */
	size_t nkids;
	yaml_mark_t start;      /* where the node starts */
	yaml_mark_t end;        /* the end of its last scalar, alias or flow bracket */
};

struct reader {
	yaml_parser_t parser;
	yaml_event_t event;
	bool have_event;
};

static void ynode_free(struct ynode *n)
{
	for (size_t i = 0; i < n->nkids; i++)
		ynode_free(&n->kids[i]);
	free(n->kids);
	free(n->value);
	memset(n, 0, sizeof(*n));
}

static void reader_error(const yaml_parser_t *p, struct strbuf *err)
{
	if (p->error == YAML_READER_ERROR)
		strbuf_addf(err, "byte %zu: %s", p->problem_offset, p->problem ? p->problem : "cannot read");
	else
		strbuf_addf(err, "line %zu, column %zu: %s", p->problem_mark.line + 1, p->problem_mark.column + 1,
			    p->problem ? p->problem : "malformed YAML");
}

static int reader_next(struct reader *rd, struct strbuf *err)
{
	if (rd->have_event)
		yaml_event_delete(&rd->event);
	rd->have_event = yaml_parser_parse(&rd->parser, &rd->event);
	if (!rd->have_event) {
		reader_error(&rd->parser, err);
		return -EINVAL;
	}
	return 0;
}

static bool mark_after(yaml_mark_t a, yaml_mark_t b)
{
	return a.index > b.index;
}

/* The node starting at the current event; on return the current event is
 * its last (the scalar, the alias, the collection's end). */
static int build_node(struct reader *rd, struct ynode *n, unsigned depth, struct strbuf *err)
{
	const yaml_event_t *ev = &rd->event;
	size_t alloc = 0;
	int r;

	n->start = ev->start_mark;
	n->end = ev->end_mark;
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		n->type = YN_ALIAS;
		n->anchored = true;
		return 0;
	case YAML_SCALAR_EVENT:
		n->type = YN_SCALAR;
		n->anchored = ev->data.scalar.anchor != NULL;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->value = xasprintf("%.*s", (int)ev->data.scalar.length, (const char *)ev->data.scalar.value);
		return 0;
	case YAML_SEQUENCE_START_EVENT:
		n->type = YN_SEQUENCE;
		n->anchored = ev->data.sequence_start.anchor != NULL;
		n->flow = ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
		break;
	case YAML_MAPPING_START_EVENT:
		n->type = YN_MAPPING;
		n->anchored = ev->data.mapping_start.anchor != NULL;
		n->flow = ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
		break;
	default:
		strbuf_addf(err, "line %zu: unexpected YAML event", ev->start_mark.line + 1);
		return -EINVAL;
	}
	if (depth >= MAX_DEPTH) {
		strbuf_addf(err, "line %zu, column %zu: nested deeper than %d levels", n->start.line + 1,
			    n->start.column + 1, MAX_DEPTH);
		return -EINVAL;
	}
	for (;;) {
		r = reader_next(rd, err);
		if (r < 0)
			return r;
		if (ev->type == YAML_SEQUENCE_END_EVENT || ev->type == YAML_MAPPING_END_EVENT)
			break;
		if (n->nkids == alloc) {
			alloc = alloc ? 2 * alloc : 8;
			n->kids = xrealloc(n->kids, alloc * sizeof(*n->kids));
		}
		memset(&n->kids[n->nkids], 0, sizeof(*n->kids));
		r = build_node(rd, &n->kids[n->nkids++], depth + 1, err);
		if (r < 0)
			return r;
		n->anchored |= n->kids[n->nkids - 1].anchored;
		if (mark_after(n->kids[n->nkids - 1].end, n->end))
			n->end = n->kids[n->nkids - 1].end;
	}
	/* A flow collection ends at its bracket; a block one at its last
	 * content, not at the end event (which sits where the next key
	 * starts). */
	if (n->flow)
		n->end = ev->end_mark;
	return 0;
}

/* The document's root node: *ret_root NULL for a stream with no document. */
static int build_document(const char *text, size_t len, struct ynode **ret_root, struct strbuf *err)
{
	struct reader rd = { 0 };
	struct ynode *root = NULL;
	int r;

	if (!yaml_parser_initialize(&rd.parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&rd.parser, (const unsigned char *)text, len);
	r = reader_next(&rd, err);                       /* stream start */
	if (r == 0)
		r = reader_next(&rd, err);               /* document start, or stream end */
	if (r == 0 && rd.event.type == YAML_DOCUMENT_START_EVENT) {
		r = reader_next(&rd, err);
		if (r == 0) {
			root = xcalloc(1, sizeof(*root));
			r = build_node(&rd, root, 0, err);
		}
	}
	if (rd.have_event)
		yaml_event_delete(&rd.event);
	yaml_parser_delete(&rd.parser);
	if (r < 0) {
		if (root)
			ynode_free(root);
		free(root);
		return r;
	}
	*ret_root = root;
	return 0;
}

static void document_free(struct ynode *root)
{
	if (root)
		ynode_free(root);
	free(root);
}

/* A plain null (empty, ~, null): conda's "not set". */
static bool is_null(const struct ynode *n)
{
	return n->type == YN_SCALAR && n->plain &&
	       (!*n->value || streq(n->value, "~") || streq(n->value, "null") || streq(n->value, "Null") ||
		streq(n->value, "NULL"));
}

/* ------------------------------------------------------------ lines */

struct line {
	size_t start, len, end_len;     /* byte offsets in the text; end_len: its line break */
};

/* The length of the line break at p (0: none), by libyaml's rules so that
 * line numbers agree with its marks: \r\n, \r, \n, NEL, LS and PS. */
static size_t break_len(const char *p, const char *end)
{
	if (*p == '\r')
		return p + 1 < end && p[1] == '\n' ? 2 : 1;
	if (*p == '\n')
		return 1;
	if ((unsigned char)*p == 0xc2 && p + 1 < end && (unsigned char)p[1] == 0x85)
		return 2;
	if ((unsigned char)*p == 0xe2 && p + 2 < end && (unsigned char)p[1] == 0x80 &&
	    ((unsigned char)p[2] == 0xa8 || (unsigned char)p[2] == 0xa9))
		return 3;
	return 0;
}

static struct line *split_lines(const char *text, size_t len, size_t *ret_n)
{
	struct line *lines = NULL;
	size_t n = 0, alloc = 0, i = 0;

	while (i < len) {
		size_t j = i, b = 0;

		while (j < len && !(b = break_len(text + j, text + len)))
			j++;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 32;
			lines = xrealloc(lines, alloc * sizeof(*lines));
		}
		lines[n++] = (struct line){ .start = i, .len = j - i, .end_len = b };
		i = j + b;
	}
	*ret_n = n;
	return lines;
}

/* The last line a node's content is on: a mark at the start of a line (the
 * end of a block scalar, after its line break) belongs to the line before. */
static size_t last_line_of(yaml_mark_t end, size_t first_line)
{
	return end.column == 0 && end.line > first_line ? end.line - 1 : end.line;
}

/* ------------------------------------------------------------ values */

struct pair {
	char *name, *url;
};

struct settings {
	char **channels;            /* NULL-terminated; NULL: not set */
	char **default_channels;    /* NULL-terminated; NULL: not set */
	struct pair *custom;        /* ncustom entries */
	size_t ncustom;
};


static size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static void settings_release(struct settings *s)
{
	strv_free(s->channels);
	strv_free(s->default_channels);
	for (size_t i = 0; i < s->ncustom; i++) {
		free(s->custom[i].name);
		free(s->custom[i].url);
	}
	free(s->custom);
	memset(s, 0, sizeof(*s));
}

/* The items of a sequence of scalars; NULL for null.  (condarc_parse has
 * checked the type.) */
static char **read_strv(const struct ynode *n)
{
	char **v;

	if (is_null(n) || n->type != YN_SEQUENCE)
		return NULL;
	v = xcalloc(n->nkids + 1, sizeof(char *));
	for (size_t i = 0; i < n->nkids; i++)
		v[i] = xstrdup(n->kids[i].value ? n->kids[i].value : "");
	return v;
}

static bool has_item(char *const *v, const char *item)
{
	for (size_t i = 0; v && v[i]; i++)
		if (streq(v[i], item))
			return true;
	return false;
}

static bool strv_equal(char *const *a, char *const *b)
{
	size_t n = strv_len(a);

	if (!a || !b || n != strv_len(b))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!streq(a[i], b[i]))
			return false;
	return true;
}

static void read_custom(const struct ynode *n, struct pair **ret, size_t *ret_n)
{
	*ret = NULL;
	*ret_n = 0;
	if (is_null(n) || n->type != YN_MAPPING)
		return;
	*ret = xcalloc(n->nkids / 2 + 1, sizeof(**ret));
	for (size_t i = 0; i + 1 < n->nkids; i += 2) {
		(*ret)[*ret_n].name = xstrdup(n->kids[i].value ? n->kids[i].value : "");
		(*ret)[(*ret_n)++].url = xstrdup(n->kids[i + 1].value ? n->kids[i + 1].value : "");
	}
}

static bool custom_equal(const struct pair *a, size_t na, const struct pair *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!streq(a[i].name, b[i].name) || !streq(a[i].url, b[i].url))
			return false;
	return true;
}

static bool is_true(const struct ynode *n)
{
	return n->type == YN_SCALAR && n->plain &&
	       (streq(n->value, "true") || streq(n->value, "True") || streq(n->value, "TRUE"));
}

static int managed_index(const struct ynode *key)
{
	if (key->type != YN_SCALAR)
		return -1;
	for (int k = 0; k < KEY_COUNT; k++)
		if (streq(key->value, managed_names[k]))
			return k;
	return -1;
}

/* custom_channels as they become: the user's entries in their order,
 * those gpu-setup manages set to the cloud when it serves them and
 * dropped when it does not, the served ones that were missing added. */
static void desired_custom(const struct ynode *value, const struct condarc_mirror *m, struct settings *ret)
{
	static const char *const managed_custom[] = CONDARC_MANAGED_CUSTOM;
	struct pair *have = NULL;
	size_t nhave = 0;

	if (value)
		read_custom(value, &have, &nhave);
	ret->custom = xcalloc(nhave + ELEMENTSOF(managed_custom) + 1, sizeof(*ret->custom));
	for (size_t i = 0; i < nhave; i++) {
		bool ours = false, served = m->cloud && has_item(m->cloud_channels, have[i].name);

		for (size_t j = 0; j < ELEMENTSOF(managed_custom); j++)
			ours |= streq(have[i].name, managed_custom[j]);
		if (ours && !served) {
			free(have[i].name);
			free(have[i].url);
			continue;
		}
		if (served) {
			free(have[i].url);
			have[i].url = xstrdup(m->cloud);
		}
		ret->custom[ret->ncustom++] = have[i];
	}
	for (size_t j = 0; m->cloud && m->cloud_channels && m->cloud_channels[j]; j++) {
		bool present = false;

		for (size_t i = 0; i < ret->ncustom; i++)
			present |= streq(ret->custom[i].name, m->cloud_channels[j]);
		if (!present && ret->ncustom < nhave + ELEMENTSOF(managed_custom)) {
			ret->custom[ret->ncustom].name = xstrdup(m->cloud_channels[j]);
			ret->custom[ret->ncustom++].url = xstrdup(m->cloud);
		}
	}
	free(have);
}

/* What the managed keys become, from what they are (values, indexed by
 * key, NULL when absent). */
static void desired_settings(const struct ynode *const values[KEY_COUNT], const struct condarc_mirror *m,
			     struct settings *ret)
{
	size_t n;

	memset(ret, 0, sizeof(*ret));
	ret->channels = values[KEY_CHANNELS] ? read_strv(values[KEY_CHANNELS]) : NULL;
	n = strv_len(ret->channels);
	if (!has_item(ret->channels, "defaults")) {
		ret->channels = xrealloc(ret->channels, (n + 2) * sizeof(char *));
		ret->channels[n] = xstrdup("defaults");
		ret->channels[n + 1] = NULL;
	}
	n = strv_len(m->default_channels);
	ret->default_channels = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		ret->default_channels[i] = xstrdup(m->default_channels[i]);
	desired_custom(values[KEY_CUSTOM_CHANNELS], m, ret);
}

/* ------------------------------------------------------------ writing */

/* Whether s can be written as a plain scalar and read back as the same
 * string: the characters channel names and URLs use, not starting with a
 * YAML indicator, no ": " or " #", and not something YAML would take for a
 * boolean, null or number. */
static bool plain_ok(const char *s)
{
	static const char *const words[] = { "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~" };
	size_t n = strlen(s);

	if (!n || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._/:~+%@=?&") != n)
		return false;
	if (strchr("-?:,[]{}#&*!|>'\"%@`~", s[0]) || s[n - 1] == ':')
		return false;
	if ((s[0] >= '0' && s[0] <= '9') || s[0] == '.' || s[0] == '+')
		return false;
	for (size_t i = 0; i < ELEMENTSOF(words); i++)
		if (strcasecmp(s, words[i]) == 0)
			return false;
	return true;
}

static void add_scalar(struct strbuf *out, const char *s)
{
	if (plain_ok(s)) {
		strbuf_adds(out, s);
		return;
	}
	strbuf_addch(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			strbuf_addf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			strbuf_addf(out, "\\x%02x", *p);
		else
			strbuf_addch(out, (char)*p);
	}
	strbuf_addch(out, '"');
}

struct writer {
	struct strbuf *out;
	const char *indent;         /* of the top-level keys */
	const char *eol;
};

static void write_key(const struct writer *w, enum managed_key k, const struct settings *s)
{
	struct strbuf *out = w->out;

	strbuf_addf(out, "%s%s:", w->indent, managed_names[k]);
	switch (k) {
	case KEY_SHOW_URLS:
		strbuf_addf(out, " true%s", w->eol);
		return;
	case KEY_CHANNELS:
	case KEY_DEFAULT_CHANNELS: {
		char *const *v = k == KEY_CHANNELS ? s->channels : s->default_channels;

		strbuf_adds(out, w->eol);
		for (size_t i = 0; v && v[i]; i++) {
			strbuf_addf(out, "%s  - ", w->indent);
			add_scalar(out, v[i]);
			strbuf_adds(out, w->eol);
		}
		return;
	}
	case KEY_CUSTOM_CHANNELS:
		strbuf_adds(out, w->eol);
		for (size_t i = 0; i < s->ncustom; i++) {
			strbuf_addf(out, "%s  ", w->indent);
			add_scalar(out, s->custom[i].name);
			strbuf_adds(out, ": ");
			add_scalar(out, s->custom[i].url);
			strbuf_adds(out, w->eol);
		}
		return;
	case KEY_COUNT:
		break;
	}
}

/* Whether key k, present with value v, already says what s says. */
static bool key_holds(enum managed_key k, const struct ynode *v, const struct settings *s)
{
	switch (k) {
	case KEY_SHOW_URLS:
		return is_true(v);
	case KEY_CHANNELS:
	case KEY_DEFAULT_CHANNELS: {
		char **have = read_strv(v);
		bool same = strv_equal(have, k == KEY_CHANNELS ? s->channels : s->default_channels);

		strv_free(have);
		return same;
	}
	case KEY_CUSTOM_CHANNELS: {
		struct pair *have;
		size_t n;
		bool same;

		read_custom(v, &have, &n);
		same = custom_equal(have, n, s->custom, s->ncustom);
		for (size_t i = 0; i < n; i++) {
			free(have[i].name);
			free(have[i].url);
		}
		free(have);
		return same;
	}
	case KEY_COUNT:
		break;
	}
	return false;
}

/* ------------------------------------------------------------ the file */

struct scan;
static bool only_defaults_missing(const struct ynode *v, const struct scan *sc, const struct settings *want);

/* A top-level key and the lines it spans. */
struct top_pair {
	const struct ynode *key, *value;
	int managed;                /* enum managed_key, or -1 */
	size_t first, last;         /* lines, counted from 0 */
};

/* What one parse of a .condarc gives. */
struct scan {
	struct ynode *root;         /* NULL: no document */
	struct top_pair *pairs;
	size_t npairs;
	const struct ynode *values[KEY_COUNT];   /* the managed keys' values; NULL: absent */
	int pair_of[KEY_COUNT];     /* their index in pairs; -1: absent */
	size_t indent;              /* column of the top-level keys */
};

static void scan_release(struct scan *sc)
{
	document_free(sc->root);
	free(sc->pairs);
	memset(sc, 0, sizeof(*sc));
}

/* Whether the bytes of line before column col are spaces (the key is the
 * first thing on its line). */
static bool starts_line(const char *text, const struct line *l, size_t skip, size_t col)
{
	if (l->len < skip + col)
		return false;
	for (size_t i = 0; i < col; i++)
		if (text[l->start + skip + i] != ' ')
			return false;
	return true;
}

/* Validate text as conda would (condarc.h) and find its top-level keys. */
static int scan_text(const char *text, size_t len, const struct line *lines, size_t nlines, size_t bom,
		     struct scan *ret, struct strbuf *err)
{
	struct scan sc = { 0 };
	struct condarc cr;
	int r;

	for (int k = 0; k < KEY_COUNT; k++)
		sc.pair_of[k] = -1;
	r = condarc_parse(text, len, &cr, err);
	if (r < 0)
		return r;
	condarc_free(&cr);
	r = build_document(text, len, &sc.root, err);
	if (r < 0)
		return r;
	if (!sc.root || is_null(sc.root)) {
		*ret = sc;
		return 0;
	}
	if (sc.root->type != YN_MAPPING || sc.root->flow) {
		strbuf_addf(err, "line %zu: the settings are not written as 'key: value' lines (a block mapping); "
				 "gpu-setup edits only those",
			    sc.root->start.line + 1);
		scan_release(&sc);
		return -EINVAL;
	}
	sc.npairs = sc.root->nkids / 2;
	sc.pairs = xcalloc(sc.npairs + 1, sizeof(*sc.pairs));
	for (size_t i = 0; i < sc.npairs; i++) {
		struct top_pair *p = &sc.pairs[i];
		yaml_mark_t end;

		p->key = &sc.root->kids[2 * i];
		p->value = &sc.root->kids[2 * i + 1];
		p->managed = managed_index(p->key);
		p->first = p->key->start.line;
		end = mark_after(p->value->end, p->key->end) ? p->value->end : p->key->end;
		p->last = last_line_of(end, p->first);
		if (i == 0)
			sc.indent = p->key->start.column;
		if (p->managed < 0)
			continue;
		if (p->key->anchored || p->value->anchored) {
			strbuf_addf(err, "line %zu: '%s' uses a YAML anchor or alias (& or *): gpu-setup does not edit "
					 "those; write its value out in full",
				    p->first + 1, p->key->value);
			r = -EINVAL;
			break;
		}
		if (p->last >= nlines || p->last < p->first ||
		    !starts_line(text, &lines[p->first], p->first == 0 ? bom : 0, p->key->start.column) ||
		    p->key->start.column != sc.indent || (i > 0 && p->first <= sc.pairs[i - 1].last)) {
			strbuf_addf(err, "line %zu: '%s' does not start a line of its own at the indentation of the "
					 "other settings: gpu-setup does not edit that layout",
				    p->first + 1, p->key->value);
			r = -EINVAL;
			break;
		}
		sc.values[p->managed] = p->value;
		sc.pair_of[p->managed] = (int)i;
	}
	if (r < 0) {
		scan_release(&sc);
		return r;
	}
	*ret = sc;
	return 0;
}

/* Whether the channels value v is a block list starting on a line after
 * the key's that needs nothing but `defaults` added: then the list stays
 * as the user wrote it (comments too) and gets one item more. */
static bool only_defaults_missing(const struct ynode *v, const struct scan *sc, const struct settings *want)
{
	size_t n = strv_len(want->channels);

	if (v->type != YN_SEQUENCE || v->flow || v->nkids == 0 || v->nkids + 1 != n ||
	    !streq(want->channels[n - 1], "defaults") || v->start.line <= sc->pairs[sc->pair_of[KEY_CHANNELS]].first)
		return false;
	for (size_t i = 0; i < v->nkids; i++)
		if (v->kids[i].type != YN_SCALAR || !streq(v->kids[i].value, want->channels[i]))
			return false;
	return true;
}

/* The line break of the file's first line, for the lines written: \r\n
 * files stay \r\n. */
static const char *line_end_of(const char *text, const struct line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *b = text + lines[i].start + lines[i].len;

		if (lines[i].end_len == 2 && b[0] == '\r')
			return "\r\n";
		if (lines[i].end_len == 1)
			return b[0] == '\r' ? "\r" : "\n";
		if (lines[i].end_len)
			break;
	}
	return "\n";
}

/* What the result must say, read back: the other keys in their order, the
 * managed ones as desired. */
static int check_result(const struct scan *before, const char *text, size_t len, const struct settings *want,
			struct strbuf *err)
{
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	_cleanup_free_ struct line *lines = NULL;
	struct scan after;
	size_t nlines, j = 0;
	bool good = true;
	int r;

	strbuf_init(&why);
	lines = split_lines(text, len, &nlines);
	r = scan_text(text, len, lines, nlines, len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0, &after,
		      &why);
	if (r < 0) {
		strbuf_addf(err, "the merged file would not read back (%s): gpu-setup cannot edit this layout", why.buf);
		return -EINVAL;
	}
	for (size_t i = 0; i < before->npairs && good; i++) {
		if (before->pairs[i].managed >= 0)
			continue;
		while (j < after.npairs && after.pairs[j].managed >= 0)
			j++;
		good = j < after.npairs && after.pairs[j].key->type == before->pairs[i].key->type &&
		       (before->pairs[i].key->type != YN_SCALAR ||
			streq(after.pairs[j].key->value, before->pairs[i].key->value));
		j++;
	}
	while (good && j < after.npairs)
		good = after.pairs[j++].managed >= 0;
	for (int k = 0; k < KEY_COUNT && good; k++) {
		if (k == KEY_CUSTOM_CHANNELS && want->ncustom == 0 && !after.values[k])
			continue;
		good = after.values[k] && key_holds(k, after.values[k], want);
	}
	scan_release(&after);
	if (!good) {
		strbuf_adds(err, "the merged file would not say what was meant: gpu-setup cannot edit this layout");
		return -EINVAL;
	}
	return 0;
}

int condarc_set_mirror(const char *text, size_t len, const struct condarc_mirror *m, char **ret_text,
		       size_t *ret_len, struct strbuf *err)
{
	_cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
	_cleanup_free_ struct line *lines = NULL;
	_cleanup_free_ char *indent = NULL;
	enum { KEEP, REPLACE, REMOVE, ADD_DEFAULTS } action[KEY_COUNT];
	bool missing[KEY_COUNT], at_line_start = true, added = false, changed = false;
	size_t nlines, bom = len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0, insert_after;
	struct settings want;
	struct writer w;
	struct scan sc;
	int r;

	if (memchr(text, '\0', len)) {
		strbuf_adds(err, "the file holds a NUL byte: not YAML");
		return -EINVAL;
	}
	lines = split_lines(text, len, &nlines);
	r = scan_text(text, len, lines, nlines, bom, &sc, err);
	if (r < 0)
		return r;
	desired_settings(sc.values, m, &want);
	for (int k = 0; k < KEY_COUNT; k++) {
		bool wanted = k != KEY_CUSTOM_CHANNELS || want.ncustom > 0;

		missing[k] = !sc.values[k] && wanted;
		action[k] = KEEP;
		if (sc.values[k] && !key_holds(k, sc.values[k], &want))
			action[k] = wanted ? REPLACE : REMOVE;
		if (k == KEY_CHANNELS && action[k] == REPLACE && only_defaults_missing(sc.values[k], &sc, &want))
			action[k] = ADD_DEFAULTS;
		changed |= missing[k] || action[k] != KEEP;
	}
	if (!changed) {
		settings_release(&want);
		scan_release(&sc);
		*ret_text = xmalloc(len + 1);
		memcpy(*ret_text, text, len);
		(*ret_text)[len] = '\0';
		*ret_len = len;
		return 0;
	}

	indent = xasprintf("%*s", (int)sc.indent, "");
	w = (struct writer){ .out = &out, .indent = indent, .eol = line_end_of(text, lines, nlines) };
	insert_after = sc.npairs ? sc.pairs[sc.npairs - 1].last : nlines;
	strbuf_init(&out);
	for (size_t i = 0; i < nlines;) {
		const struct top_pair *p = NULL;
		size_t next = i + 1;

		for (int k = 0; k < KEY_COUNT && !p; k++)
			if (sc.pair_of[k] >= 0 && action[k] != KEEP && sc.pairs[sc.pair_of[k]].first == i)
				p = &sc.pairs[sc.pair_of[k]];
		if (p && action[p->managed] == ADD_DEFAULTS) {
			/* The user's list as written, comments and all, and
			 * one item more, at the column of its dashes. */
			for (size_t l = p->first; l <= p->last; l++)
				strbuf_add(&out, text + lines[l].start, lines[l].len + lines[l].end_len);
			if (!lines[p->last].end_len)
				strbuf_adds(&out, w.eol);
			strbuf_addf(&out, "%*s- defaults%s", (int)p->value->start.column, "", w.eol);
			at_line_start = true;
			next = p->last + 1;
		} else if (p) {
			if (i == 0 && bom)
				strbuf_add(&out, text, bom);
			if (action[p->managed] == REPLACE) {
				write_key(&w, (enum managed_key)p->managed, &want);
				at_line_start = true;
			}
			next = p->last + 1;
		} else {
			strbuf_add(&out, text + lines[i].start, lines[i].len + lines[i].end_len);
			at_line_start = lines[i].end_len > 0;
		}
		if (sc.npairs && !added && next > insert_after) {
			if (!at_line_start)
				strbuf_adds(&out, w.eol);
			for (int k = 0; k < KEY_COUNT; k++)
				if (missing[k])
					write_key(&w, (enum managed_key)k, &want);
			at_line_start = added = true;
		}
		i = next;
	}
	if (!added) {
		if (!at_line_start)
			strbuf_adds(&out, w.eol);
		for (int k = 0; k < KEY_COUNT; k++)
			if (missing[k])
				write_key(&w, (enum managed_key)k, &want);
	}

	r = check_result(&sc, out.buf, out.len, &want, err);
	settings_release(&want);
	scan_release(&sc);
	if (r < 0)
		return r;
	*ret_text = strbuf_detach(&out, ret_len);
	return 0;
}
