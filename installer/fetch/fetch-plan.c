/*
 * fetch-plan.c - the files a plan needs (see fetch-plan.h).
 */
#include "config.h"

#include <ctype.h>

#include "fetch-plan.h"
#include "strbuf.h"
#include "util.h"

char *fetch_plan_label(const char *distro, const struct resolve_result *res)
{
	struct strbuf s = STRBUF_INIT;

	strbuf_init(&s);
	strbuf_addf(&s, "%s", distro ? distro : "unknown");
	if (res->keep_installed)
		strbuf_addf(&s, " driver-installed");
	else if (res->branch)
		strbuf_addf(&s, " driver-%u", res->branch);
	if (res->cuda)
		strbuf_addf(&s, " cuda-%s", res->cuda->version);
	if (res->cudnn)
		strbuf_addf(&s, " cudnn-%s", res->cudnn->version);
	if (res->build)
		strbuf_addf(&s, " %s-%s%s%s", framework_name(res->build->fw), res->build->version,
			    res->build->variant ? "+" : "", res->build->variant ? res->build->variant : "");
	return strbuf_detach(&s, NULL);
}

void fetch_plan_add(struct fetch_plan *p, enum cache_kind kind, const char *name, const char *version,
		    const char *const *urls, const char *sha256, uint64_t size)
{
	struct fetch_artifact *a;
	size_t nurls = 0;

	while (urls && urls[nurls])
		nurls++;
	p->items = xrealloc(p->items, (p->n + 1) * sizeof(*p->items));
	a = &p->items[p->n++];
	*a = (struct fetch_artifact){
		.kind = kind, .name = xstrdup(name), .version = xstrdup(version ? version : "-"),
		.sha256 = sha256 ? xstrdup(sha256) : NULL, .size = size,
	};
	a->urls = xcalloc(nurls + 1, sizeof(*a->urls));
	for (size_t i = 0; i < nurls; i++)
		a->urls[i] = xstrdup(urls[i]);
}

char *mirror_url(const char *mirror, const char *url)
{
	const char *host = strstr(url, "://"), *path = host ? strchr(host + 3, '/') : NULL;
	size_t n = strlen(mirror);

	if (!path)
		return NULL;
	while (n > 0 && mirror[n - 1] == '/')
		n--;
	return xasprintf("%.*s%s", (int)n, mirror, path);
}

/* An NVIDIA file: the mirror's copy first when there is a mirror. */
static void add_nvidia_file(struct fetch_plan *p, enum cache_kind kind, const char *name, const char *version,
			    const char *url, const char *sha256, const char *nvidia_mirror)
{
	_cleanup_free_ char *copy = nvidia_mirror ? mirror_url(nvidia_mirror, url) : NULL;
	const char *urls[] = { copy ? copy : url, copy ? url : NULL, NULL };

	fetch_plan_add(p, kind, name, version, urls, sha256, 0);
}

void fetch_plan_add_vendor_files(struct fetch_plan *p, const struct resolve_result *res, unsigned kinds,
				 const struct miniconda_release *mc, bool tuna_first, const char *nvidia_mirror)
{
	if (res->cuda && res->cuda->runfile && (kinds & FETCH_KIND(CACHE_RUNFILE)))
		add_nvidia_file(p, CACHE_RUNFILE, res->cuda->runfile, res->cuda->version, res->cuda->url,
				res->cuda->sha256, nvidia_mirror);
	if (res->cudnn && (kinds & FETCH_KIND(CACHE_CUDNN)))
		add_nvidia_file(p, CACHE_CUDNN, res->cudnn->archive, res->cudnn->version, res->cudnn->url,
				res->cudnn->sha256, nvidia_mirror);
	if (mc && (kinds & FETCH_KIND(CACHE_MINICONDA))) {
		char **urls = miniconda_urls(mc, tuna_first);

		fetch_plan_add(p, CACHE_MINICONDA, mc->name, mc->conda, (const char *const *)urls, mc->sha256, 0);
		strv_free(urls);
	}
}

void fetch_plan_free(struct fetch_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct fetch_artifact *a = &p->items[i];

		free(a->name);
		free(a->version);
		free(a->sha256);
		strv_free(a->urls);
	}
	free(p->items);
	free(p->label);
	*p = (struct fetch_plan){ 0 };
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

char *url_file_name(const char *url)
{
	size_t end = strcspn(url, "?#"), start = end;
	char *name, *o;

	while (start > 0 && url[start - 1] != '/')
		start--;
	if (start == end)
		return NULL;
	name = o = xcalloc(end - start + 1, 1);
	for (size_t i = start; i < end; i++) {
		int hi, lo;

		if (url[i] == '%' && i + 2 < end && (hi = hex_value(url[i + 1])) >= 0 &&
		    (lo = hex_value(url[i + 2])) >= 0) {
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else {
			*o++ = url[i];
		}
	}
	*o = '\0';
	if ((size_t)(o - name) != strlen(name) || strchr(name, '/') || streq(name, ".") || streq(name, "..")) {
		free(name);
		return NULL;
	}
	return name;
}
