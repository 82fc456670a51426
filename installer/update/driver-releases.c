/*
 * driver-releases.c - NVIDIA's driver branch list (see driver-releases.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "driver-releases.h"
#include "json-parse.h"
#include "upstream-check.h"
#include "util.h"
#include "version.h"

/* NVIDIA's words for a branch type: "production branch", "long term
 * support branch", "new feature branch", "legacy branch". */
static enum branch_type type_from_text(const char *s)
{
	if (strstr(s, "long term") || strstr(s, "lts") || strstr(s, "LTS"))
		return BRANCH_TYPE_LTS;
	if (strstr(s, "production"))
		return BRANCH_TYPE_PRODUCTION;
	if (strstr(s, "feature"))
		return BRANCH_TYPE_NEW_FEATURE;
	if (strstr(s, "legacy"))
		return BRANCH_TYPE_LEGACY;
	return BRANCH_TYPE_UNKNOWN;
}

static int cmp_branch(const void *a, const void *b)
{
	const struct driver_release_branch *x = a, *y = b;

	return x->branch < y->branch ? -1 : x->branch > y->branch;
}

static int read_branch(const char *key, struct json_object *o, struct driver_release_branch *b, struct strbuf *err)
{
	struct json_object *info;
	struct version newest = { 0 };
	const char *type, *newest_text = NULL;
	char *end;
	unsigned long n = strtoul(key, &end, 10);

	if (!*key || *end || n < 100 || n > 9999) {
		strbuf_addf(err, "'%s': not a driver branch number", key);
		return -EINVAL;
	}
	b->branch = (unsigned)n;
	if (!json_object_is_type(o, json_type_object) || !(type = upstream_string(o, "type")) ||
	    !json_object_object_get_ex(o, "driver_info", &info) || !json_object_is_type(info, json_type_array)) {
		strbuf_addf(err, "branch %s: not an object with 'type' (a string) and 'driver_info' (an array)", key);
		return -EINVAL;
	}
	for (size_t i = 0; i < json_object_array_length(info); i++) {
		struct json_object *d = json_object_array_get_idx(info, i);
		const char *rv = json_object_is_type(d, json_type_object) ? upstream_string(d, "release_version") : NULL;
		struct version v;

		if (!rv || version_parse(rv, &v) < 0 || v.nparts < 2 || v.part[0] != b->branch) {
			strbuf_addf(err, "branch %s: driver_info[%zu] has no release_version of branch %s", key, i, key);
			return -EINVAL;
		}
		if (!newest_text || version_cmp(&v, &newest) > 0) {
			newest = v;
			newest_text = rv;
		}
	}
	if (!newest_text) {
		strbuf_addf(err, "branch %s: driver_info lists no release", key);
		return -EINVAL;
	}
	b->type = type_from_text(type);
	b->type_text = xstrdup(type);
	b->newest = xstrdup(newest_text);
	return 0;
}

int driver_releases_parse(const char *text, size_t len, struct driver_release_branch **ret, size_t *ret_n,
			  struct strbuf *err)
{
	struct json_object *doc;
	struct driver_release_branch *list = NULL;
	size_t n = 0;
	int r = json_parse_document(text, len, &doc, err);

	if (r < 0)
		return r;
	if (!json_object_is_type(doc, json_type_object) || json_object_object_length(doc) == 0) {
		json_object_put(doc);
		strbuf_adds(err, "not a JSON object of driver branches");
		return -EINVAL;
	}
	list = xcalloc((size_t)json_object_object_length(doc), sizeof(*list));
	json_object_object_foreach(doc, key, val) {
		r = read_branch(key, val, &list[n], err);
		n++;
		if (r < 0)
			break;
	}
	json_object_put(doc);
	if (r < 0) {
		driver_releases_free(list, n);
		return r;
	}
	qsort(list, n, sizeof(*list), cmp_branch);
	*ret = list;
	*ret_n = n;
	return 0;
}

void driver_releases_free(struct driver_release_branch *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(b[i].type_text);
		free(b[i].newest);
	}
	free(b);
}
