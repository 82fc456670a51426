/*
 * pci-ids.c - find a vendor's or a device's line in pci.ids.
 *
 * The format (pci.ids' own header): a vendor line is four lowercase hex
 * digits, two spaces and the name, at the start of a line; its devices
 * follow, each a tab, four hex digits, two spaces and the name; a line
 * with two tabs is a subsystem, "C " starts the class list, '#' a comment.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "pci-ids.h"
#include "util.h"

/* Larger than any pci.ids there is (1.4 MB in 2026) by a wide margin. */
#define PCI_IDS_MAX (64u << 20)

/* Read path whole: 0, -ENOENT, another negative errno, or -EINVAL when it
 * is not plain text (a gzip'ed pci.ids is libpci's to read). */
static int ids_read(struct pci_ids *ids, const char *path)
{
	int r = read_file(path, PCI_IDS_MAX, &ids->text, &ids->len);

	if (r == 0 && !memchr(ids->text, '\0', ids->len))
		return 0;
	free(ids->text);
	ids->text = NULL;
	return r < 0 ? r : -EINVAL;
}

static bool ids_load(struct pci_ids *ids)
{
	size_t n;

	if (ids->text)
		return true;
	if (ids->read_failed || !ids->path)
		return false;
	/* libpci's default name is pci.ids.gz, and it opens pci.ids where
	 * that does not exist (Debian ships only pci.ids): so do we. */
	n = strlen(ids->path);
	if (ids_read(ids, ids->path) == -ENOENT && n > 3 && strcmp(ids->path + n - 3, ".gz") == 0) {
		_cleanup_free_ char *plain = xasprintf("%.*s", (int)(n - 3), ids->path);

		(void)ids_read(ids, plain);
	}
	ids->read_failed = !ids->text;
	return ids->text != NULL;
}

static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl : end;
}

/* The name after "KEY  " on the line at p..eol, or NULL. */
static char *name_after(const char *p, const char *eol, size_t keylen)
{
	const char *name = p + keylen;
	char *r;

	while (eol > name && (eol[-1] == '\r' || eol[-1] == ' '))
		eol--;
	if (eol <= name)
		return NULL;
	r = xmalloc((size_t)(eol - name) + 1);
	memcpy(r, name, (size_t)(eol - name));
	r[eol - name] = '\0';
	return r;
}

/* The vendor's line: its start, or NULL. */
static const char *find_vendor(const struct pci_ids *ids, unsigned vendor)
{
	char key[8];
	const char *p;

	snprintf(key, sizeof(key), "\n%04x  ", vendor & 0xffff);
	if (ids->len >= 6 && memcmp(ids->text, key + 1, 6) == 0)
		return ids->text;
	p = memmem(ids->text, ids->len, key, 7);
	return p ? p + 1 : NULL;
}

char *pci_ids_vendor(struct pci_ids *ids, unsigned vendor)
{
	const char *v;

	if (!ids_load(ids) || !(v = find_vendor(ids, vendor)))
		return NULL;
	return name_after(v, line_end(v, ids->text + ids->len), 6);
}

char *pci_ids_device(struct pci_ids *ids, unsigned vendor, unsigned device)
{
	const char *end, *p;
	char key[8];

	if (!ids_load(ids) || !(p = find_vendor(ids, vendor)))
		return NULL;
	end = ids->text + ids->len;
	snprintf(key, sizeof(key), "\t%04x  ", device & 0xffff);
	/* The vendor's block: the lines after it up to the next line that
	 * starts with neither a tab nor '#' (the next vendor, or classes). */
	for (p = line_end(p, end); p < end; p = line_end(p, end)) {
		const char *eol;

		p++;
		eol = line_end(p, end);
		if (p < end && *p != '\t' && *p != '#' && eol > p)
			break;
		if ((size_t)(eol - p) >= 7 && memcmp(p, key, 7) == 0)
			return name_after(p, eol, 7);
	}
	return NULL;
}

void pci_ids_release(struct pci_ids *ids)
{
	free(ids->text);
	ids->text = NULL;
	ids->read_failed = false;
}
