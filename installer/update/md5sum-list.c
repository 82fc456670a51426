/*
 * md5sum-list.c - a CUDA release's md5sum.txt (see md5sum-list.h).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "md5sum-list.h"
#include "upstream-check.h"
#include "util.h"
#include "version.h"

#define MD5_LEN 32

/* name is cuda_VERSION_linux.run or cuda_VERSION_DRIVER_linux.run (not
 * the sbsa or ppc64le ones); *driver gets DRIVER's length and start. */
static bool is_runfile(const char *name, size_t n, const char *version, const char **driver, size_t *dlen)
{
	_cleanup_free_ char *prefix = xasprintf("cuda_%s_", version);
	static const char suffix[] = "linux.run";
	const char *mid;
	size_t mlen;
	struct version v;

	if (n < strlen(prefix) + strlen(suffix) || memcmp(name, prefix, strlen(prefix)) != 0 ||
	    memcmp(name + n - strlen(suffix), suffix, strlen(suffix)) != 0)
		return false;
	mid = name + strlen(prefix);
	mlen = n - strlen(prefix) - strlen(suffix);
	*driver = NULL;
	*dlen = 0;
	if (mlen == 0)
		return true;
	/* "610.43.02_" */
	if (mid[mlen - 1] != '_' || version_parse_n(mid, mlen - 1, 9, &v) < 0 || v.nparts < 2)
		return false;
	*driver = mid;
	*dlen = mlen - 1;
	return true;
}

int md5sum_find_runfile(const char *text, size_t len, const char *version, struct cuda_runfile_entry *ret,
			struct strbuf *err)
{
	const char *p = text, *end = text + len;
	unsigned lineno = 0;
	bool found = false;

	memset(ret, 0, sizeof(*ret));
	/* NVIDIA's list ends with a newline; one that does not was cut, and
	 * its last name may be cut too. */
	if (len && text[len - 1] != '\n') {
		strbuf_adds(err, "cut short: the last line has no end");
		return -EINVAL;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *name, *drv;
		size_t n, dlen;

		lineno++;
		n = (size_t)(eol - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (strspn(p, " \t") >= n) {
			p = eol + (nl != NULL);
			continue;
		}
		/* "<md5><spaces><name>" */
		name = p + MD5_LEN;
		if (n <= MD5_LEN + 1 || !isspace((unsigned char)*name) || memchr(p, '\0', n))
			goto bad;
		for (size_t i = 0; i < MD5_LEN; i++)
			if (!isdigit((unsigned char)p[i]) && !(p[i] >= 'a' && p[i] <= 'f'))
				goto bad;
		while (name < p + n && (*name == ' ' || *name == '\t' || *name == '*'))
			name++;
		if (name == p + n || memchr(name, ' ', (size_t)(p + n - name)) || memchr(name, '/', (size_t)(p + n - name)))
			goto bad;
		if (!found && is_runfile(name, (size_t)(p + n - name), version, &drv, &dlen)) {
			ret->name = xstrndup(name, (size_t)(p + n - name));
			ret->md5 = xstrndup(p, MD5_LEN);
			ret->driver = drv ? xstrndup(drv, dlen) : NULL;
			found = true;
		}
		p = eol + (nl != NULL);
	}
	if (lineno == 0) {
		strbuf_adds(err, "empty: not a checksum list");
		return -EINVAL;
	}
	return found ? 0 : -ENOENT;
bad:
	cuda_runfile_entry_free(ret);
	strbuf_addf(err, "line %u is not '<md5> <file name>': not NVIDIA's checksum list", lineno);
	return -EINVAL;
}

void cuda_runfile_entry_free(struct cuda_runfile_entry *e)
{
	free(e->name);
	free(e->md5);
	free(e->driver);
	memset(e, 0, sizeof(*e));
}
