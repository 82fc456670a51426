/*
 * offline-check.c - the cache checked against a plan (see offline-check.h).
 */
#include "config.h"

#include "offline-check.h"
#include "util.h"

static size_t check_entry(const struct cache_manifest *m, const struct cache_entry *e, const char *what,
			  struct strbuf *report)
{
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;

	strbuf_init(&why);
	if (cache_entry_verify(m, e, &why) == 0)
		return 0;
	strbuf_addf(report, "damaged: %s %s (%s): %s\n", cache_kind_name(e->kind), e->name, what, why.buf);
	return 1;
}

size_t offline_check(const struct cache_manifest *m, const struct offline_need *needs, size_t n,
		     struct strbuf *report)
{
	size_t problems = 0;

	for (size_t i = 0; i < n; i++) {
		const struct offline_need *need = &needs[i];
		size_t found = 0;

		if (need->name) {
			const struct cache_entry *e = cache_manifest_find(m, need->kind, need->name);

			if (!e) {
				strbuf_addf(report, "missing: %s %s (%s)\n", cache_kind_name(need->kind), need->name,
					    need->what);
				problems++;
			} else {
				problems += check_entry(m, e, need->what, report);
			}
			continue;
		}
		for (size_t j = 0; j < m->nentries; j++) {
			const struct cache_entry *e = &m->entries[j];

			if (e->kind != need->kind)
				continue;
			problems += check_entry(m, e, need->what, report);
			if (!need->prefix || startswith(e->name, need->prefix))
				found++;
		}
		if (!found) {
			strbuf_addf(report, "missing: %s %s* (%s)\n", cache_kind_name(need->kind),
				    need->prefix ? need->prefix : "", need->what);
			problems++;
		}
	}
	return problems;
}
