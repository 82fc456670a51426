/*
 * fuzz-cache-manifest.c - libFuzzer target over the cache manifest reader
 * (cache_manifest_load on a file holding the input).  Besides crashes,
 * leaks and sanitizer reports, these are findings:
 *   - a refusal other than -EINVAL, or without a "line N: " message whose
 *     N is a line of the input;
 *   - an accepted manifest that cache_manifest_save refuses, or whose
 *     saved file loads back to other entries, or saves to other bytes.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cache.h"
#include "fileio.h"
#include "strbuf.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* On tmpfs when there is one: every run writes the manifest twice, and
 * each atomic write fsyncs. */
static char dir[64];

static void remove_dir(void)
{
	remove_tree(dir);
}

static bool same_entries(const struct cache_manifest *a, const struct cache_manifest *b)
{
	if (a->nentries != b->nentries)
		return false;
	for (size_t i = 0; i < a->nentries; i++) {
		const struct cache_entry *x = &a->entries[i];
		const struct cache_entry *y = cache_manifest_find(b, x->kind, x->name);

		if (!y || !streq(x->version, y->version) || x->size != y->size || !streq(x->sha256, y->sha256) ||
		    !streq(x->url, y->url) || !streq(x->plans, y->plans))
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool made;
	_cleanup_free_ char *path = NULL, *first = NULL, *second = NULL;
	struct strbuf err = STRBUF_INIT;
	struct cache_manifest m = { 0 }, m2 = { 0 };
	size_t lines = 1, len1 = 0, len2 = 0;
	int r;

	if (!made) {
		snprintf(dir, sizeof(dir), "%s/fuzz-cache-manifest.XXXXXX",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (!mkdtemp(dir))
			abort();
		atexit(remove_dir);
		made = true;
	}
	path = xasprintf("%s/%s", dir, CACHE_MANIFEST_NAME);
	if (write_file_atomic(path, data, size, 0644) < 0)
		abort();
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	strbuf_init(&err);
	r = cache_manifest_load(dir, &m, &err);
	if (r < 0) {
		unsigned long n = strtoul(err.buf + 5, NULL, 10);

		if (r != -EINVAL || !startswith(err.buf, "line ") || n < 1 || n > lines)
			abort();
		goto done;
	}
	if (cache_manifest_save(&m) < 0 || read_file(path, 1 << 24, &first, &len1) < 0)
		abort();
	if (cache_manifest_load(dir, &m2, &err) < 0 || !same_entries(&m, &m2) || !same_entries(&m2, &m))
		abort();
	if (cache_manifest_save(&m2) < 0 || read_file(path, 1 << 24, &second, &len2) < 0 || len1 != len2 ||
	    memcmp(first, second, len1) != 0)
		abort();
done:
	cache_manifest_free(&m);
	cache_manifest_free(&m2);
	strbuf_release(&err);
	return 0;
}
