/*
 * condarc.c - the channel settings of a .condarc, through libyaml's
 * document API (see condarc.h).
 */
#include "config.h"

#include <errno.h>

#include <yaml.h>

#include "condarc.h"
#include "util.h"

static void parser_error(const yaml_parser_t *p, struct strbuf *err)
{
	if (!err)
		return;
	if (p->error == YAML_READER_ERROR) {
		/* The reader has no line yet: it failed on the bytes (bad
		 * UTF-8, a control character). */
		strbuf_addf(err, "byte %zu: %s", p->problem_offset, p->problem ? p->problem : "cannot read");
		return;
	}
	if (p->error == YAML_MEMORY_ERROR) {
		strbuf_adds(err, "out of memory reading YAML");
		return;
	}
	strbuf_addf(err, "line %zu, column %zu: %s", p->problem_mark.line + 1, p->problem_mark.column + 1,
		    p->problem ? p->problem : "malformed YAML");
	if (p->context)
		strbuf_addf(err, " (%s at line %zu)", p->context, p->context_mark.line + 1);
}

static void node_error(const yaml_node_t *n, struct strbuf *err, const char *fmt, const char *key)
{
	if (!err)
		return;
	strbuf_addf(err, "line %zu, column %zu: ", n->start_mark.line + 1, n->start_mark.column + 1);
	strbuf_addf(err, fmt, key);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A plain empty, ~ or null scalar: YAML's null, which conda takes as
 * "not set". */
static bool is_null(const yaml_node_t *n)
{
	const char *s = scalar(n);

	return s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*s || streq(s, "~") || streq(s, "null") || streq(s, "Null") || streq(s, "NULL"));
}

/* A list of strings into *ret and *ret_n. */
static int read_list(yaml_document_t *doc, yaml_node_t *n, const char *key, char ***ret, size_t *ret_n,
		     struct strbuf *err)
{
	size_t count;

	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		node_error(n, err, "%s must be a list", key);
		return -EINVAL;
	}
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	*ret = xcalloc(count ? count : 1, sizeof(char *));
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = yaml_document_get_node(doc, n->data.sequence.items.start[i]);
		const char *s = scalar(item);

		if (!s) {
			node_error(item ? item : n, err, "the entries of %s must be strings", key);
			return -EINVAL;
		}
		(*ret)[(*ret_n)++] = xstrdup(s);
	}
	return 0;
}

static int read_custom(yaml_document_t *doc, yaml_node_t *n, struct condarc *c, struct strbuf *err)
{
	size_t count;

	if (is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE) {
		node_error(n, err, "%s must be a mapping of channel name to URL", "custom_channels");
		return -EINVAL;
	}
	count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	c->custom_channels = xcalloc(count ? count : 1, sizeof(*c->custom_channels));
	for (size_t i = 0; i < count; i++) {
		yaml_node_pair_t *pair = &n->data.mapping.pairs.start[i];
		yaml_node_t *k = yaml_document_get_node(doc, pair->key), *v = yaml_document_get_node(doc, pair->value);

		if (!scalar(k) || !scalar(v)) {
			node_error(scalar(k) ? v : k, err, "the entries of %s must be 'name: URL'",
				   "custom_channels");
			return -EINVAL;
		}
		c->custom_channels[c->ncustom_channels].name = xstrdup(scalar(k));
		c->custom_channels[c->ncustom_channels++].url = xstrdup(scalar(v));
	}
	return 0;
}

static int read_top(yaml_document_t *doc, struct condarc *c, struct strbuf *err)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	yaml_node_pair_t *pairs;
	size_t count;
	int r;

	if (!root || is_null(root))
		return 0;   /* an empty file: an empty configuration */
	if (root->type != YAML_MAPPING_NODE) {
		node_error(root, err, "%s", "the top level must be a mapping of settings ('key: value')");
		return -EINVAL;
	}
	pairs = root->data.mapping.pairs.start;
	count = (size_t)(root->data.mapping.pairs.top - pairs);
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *k = yaml_document_get_node(doc, pairs[i].key),
			    *v = yaml_document_get_node(doc, pairs[i].value);
		const char *key = scalar(k);

		if (!key || !v)
			continue;
		for (size_t j = 0; j < i; j++) {
			const char *other = scalar(yaml_document_get_node(doc, pairs[j].key));

			if (other && streq(other, key)) {
				node_error(k, err, "'%s' is set twice", key);
				return -EINVAL;
			}
		}
		r = 0;
		if (streq(key, "channels"))
			r = read_list(doc, v, key, &c->channels, &c->nchannels, err);
		else if (streq(key, "default_channels"))
			r = read_list(doc, v, key, &c->default_channels, &c->ndefault_channels, err);
		else if (streq(key, "custom_channels"))
			r = read_custom(doc, v, c, err);
		else if (streq(key, "channel_alias") && !is_null(v)) {
			if (!scalar(v)) {
				node_error(v, err, "%s must be a URL", key);
				return -EINVAL;
			}
			c->channel_alias = xstrdup(scalar(v));
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int condarc_parse(const char *text, size_t len, struct condarc *ret, struct strbuf *err)
{
	struct condarc c = { 0 };
	yaml_parser_t parser;
	yaml_document_t doc;
	int r;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		parser_error(&parser, err);
		yaml_parser_delete(&parser);
		return -EINVAL;
	}
	r = read_top(&doc, &c, err);
	yaml_document_delete(&doc);
	if (r == 0) {
		/* conda loads exactly one document: a second is an error. */
		if (!yaml_parser_load(&parser, &doc)) {
			parser_error(&parser, err);
			r = -EINVAL;
		} else {
			yaml_node_t *second = yaml_document_get_root_node(&doc);

			if (second) {
				node_error(second, err, "%s", "a second YAML document: conda reads one per file");
				r = -EINVAL;
			}
			yaml_document_delete(&doc);
		}
	}
	yaml_parser_delete(&parser);
	if (r < 0) {
		condarc_free(&c);
		return r;
	}
	*ret = c;
	return 0;
}

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void condarc_free(struct condarc *c)
{
	free_list(c->channels, c->nchannels);
	free_list(c->default_channels, c->ndefault_channels);
	for (size_t i = 0; i < c->ncustom_channels; i++) {
		free(c->custom_channels[i].name);
		free(c->custom_channels[i].url);
	}
	free(c->custom_channels);
	free(c->channel_alias);
	memset(c, 0, sizeof(*c));
}
