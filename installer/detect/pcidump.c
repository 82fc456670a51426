/*
 * pcidump.c - strict reader for lspci configuration-space dumps.
 *
 * Grammar accepted (a subset of what libpci's lib/dump.c accepts, so a dump
 * that passes here is read by libpci without errors):
 *   device header: [DDDD:|DDDDD:]BB:DD.F followed by a space and any text
 *   config line:   OFFSET: XX XX ... (OFFSET 2-8 hex digits, bytes 2 hex
 *                  digits separated by single spaces)
 *   blank line:    ends the current device
 *   other lines:   ignored, except "\tKernel driver in use: NAME"
 * Every line must end with a newline and be at most 253 characters long.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>

#include "pcidump.h"
#include "util.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Parse n hex digits at s; -1 if any is not a hex digit. */
static long parse_hex(const char *s, size_t n)
{
	long v = 0;

	for (size_t i = 0; i < n; i++) {
		int h = hexval(s[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Device header: returns 1 and fills the address, 0 if not a header. */
static int parse_header(const char *line, size_t len, struct pcidump_device *d)
{
	static const size_t domain_digits[] = { 0, 4, 5 };

	for (size_t k = 0; k < ELEMENTSOF(domain_digits); k++) {
		size_t dd = domain_digits[k], off = dd ? dd + 1 : 0;
		const char *p = line + off;

		/* BB:DD.F plus the mandatory space */
		if (len < off + 8)
			continue;
		if (dd && (parse_hex(line, dd) < 0 || line[dd] != ':'))
			continue;
		if (parse_hex(p, 2) < 0 || p[2] != ':' || parse_hex(p + 3, 2) < 0 || p[5] != '.' ||
		    !isdigit((unsigned char)p[6]) || p[7] != ' ')
			continue;
		d->domain = dd ? (unsigned)parse_hex(line, dd) : 0;
		d->bus = (unsigned)parse_hex(p, 2);
		d->dev = (unsigned)parse_hex(p + 3, 2);
		d->func = (unsigned)(p[6] - '0');
		return 1;
	}
	return 0;
}

/* Config line: returns 1 (with offset) if the line starts like one. */
static int looks_like_config(const char *line, size_t len, long *ret_offset, size_t *ret_data)
{
	size_t n = 0;

	while (n < len && isxdigit((unsigned char)line[n]))
		n++;
	if (n < 2 || n > 8 || n + 1 >= len || line[n] != ':' || line[n + 1] != ' ')
		return 0;
	*ret_offset = parse_hex(line, n);
	*ret_data = n + 2;
	return 1;
}

static int parse_config_bytes(const char *s, size_t len, size_t *ret_count, const char **ret_why)
{
	size_t i = 0, count = 0;

	while (i < len) {
		if (s[i] == ' ') {
			*ret_why = "has bytes not separated by single spaces";
			return -EINVAL;
		}
		if (i + 1 >= len || !isxdigit((unsigned char)s[i])) {
			*ret_why = i + 1 >= len && isxdigit((unsigned char)s[i])
					   ? "is truncated (a byte has only one hex digit)"
					   : "has a byte that is not two hex digits";
			return -EINVAL;
		}
		if (!isxdigit((unsigned char)s[i + 1])) {
			*ret_why = "has a byte that is not two hex digits";
			return -EINVAL;
		}
		count++;
		i += 2;
		if (i < len) {
			if (s[i] != ' ' || i + 1 == len) {
				*ret_why = "has bytes not separated by single spaces";
				return -EINVAL;
			}
			i++;
		}
	}
	if (count == 0) {
		*ret_why = "has an offset but no bytes";
		return -EINVAL;
	}
	*ret_count = count;
	return 0;
}

static void add_device(struct pcidump *d, const struct pcidump_device *dev)
{
	d->devs = xrealloc(d->devs, (d->ndevs + 1) * sizeof(*d->devs));
	d->devs[d->ndevs++] = *dev;
}

static struct pcidump_device *find_device(const struct pcidump *d, unsigned domain, unsigned bus,
					  unsigned dev, unsigned func)
{
	for (size_t i = 0; i < d->ndevs; i++) {
		struct pcidump_device *x = &d->devs[i];
		if (x->domain == domain && x->bus == bus && x->dev == dev && x->func == func)
			return x;
	}
	return NULL;
}

#define FAIL(...)                                  \
	do {                                       \
		strbuf_addf(err, __VA_ARGS__);     \
		pcidump_free(&d);                  \
		return -EINVAL;                    \
	} while (0)

int pcidump_parse(const char *data, size_t len, struct pcidump *ret, struct strbuf *err)
{
	static const char driver_key[] = "Kernel driver in use:";
	struct pcidump d = { 0 };
	struct pcidump_device *cur = NULL;
	unsigned lineno = 0;
	size_t pos = 0;

	if (len == 0)
		FAIL("the file is empty (expected the output of 'lspci -xxx')");
	if (memchr(data, '\0', len))
		FAIL("the file contains NUL bytes: not an lspci dump");

	while (pos < len) {
		const char *line = data + pos, *nl = memchr(line, '\n', len - pos);
		size_t n;

		lineno++;
		if (!nl)
			FAIL("line %u is truncated (the file ends without a newline)", lineno);
		n = (size_t)(nl - line);
		pos += n + 1;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n > PCIDUMP_MAX_LINE)
			FAIL("line %u is too long (%zu characters, at most %d)", lineno, n,
			     PCIDUMP_MAX_LINE);

		struct pcidump_device hdr = { 0 };
		long offset;
		size_t data_at, count;
		const char *why;

		if (n == 0) {
			cur = NULL;
		} else if (parse_header(line, n, &hdr)) {
			if (hdr.func > 7)
				FAIL("line %u: function number %u is out of range (0-7)", lineno, hdr.func);
			if (hdr.bus > 0xff || hdr.dev > 0x1f)
				FAIL("line %u: device number %02x is out of range (00-1f)", lineno, hdr.dev);
			if (find_device(&d, hdr.domain, hdr.bus, hdr.dev, hdr.func))
				FAIL("line %u: device %04x:%02x:%02x.%u appears twice", lineno, hdr.domain,
				     hdr.bus, hdr.dev, hdr.func);
			add_device(&d, &hdr);
			cur = &d.devs[d.ndevs - 1];
		} else if (looks_like_config(line, n, &offset, &data_at)) {
			if (!cur)
				FAIL("line %u: configuration bytes before any device line (expected 'BB:DD.F description')",
				     lineno);
			if (parse_config_bytes(line + data_at, n - data_at, &count, &why) < 0)
				FAIL("line %u %s", lineno, why);
			if ((size_t)offset + count > PCIDUMP_MAX_CONFIG)
				FAIL("line %u: offset %lx is beyond the 4096 bytes of configuration space",
				     lineno, offset);
			if ((size_t)offset + count > cur->config_len)
				cur->config_len = (size_t)offset + count;
		} else if (cur) {
			const char *p = line;
			while (p < line + n && isspace((unsigned char)*p))
				p++;
			if ((size_t)(line + n - p) > sizeof(driver_key) - 1 &&
			    strncmp(p, driver_key, sizeof(driver_key) - 1) == 0) {
				_cleanup_free_ char *name =
					xasprintf("%.*s", (int)(line + n - p - (sizeof(driver_key) - 1)),
						  p + sizeof(driver_key) - 1);
				free(cur->driver);
				cur->driver = xstrdup(strstrip(name));
			}
		}
	}

	if (d.ndevs == 0)
		FAIL("no PCI device in the dump (expected the output of 'lspci -xxx': a line 'BB:DD.F description' followed by hex lines)");
	for (size_t i = 0; i < d.ndevs; i++)
		if (d.devs[i].config_len < 64)
			FAIL("device %04x:%02x:%02x.%u has only %zu bytes of configuration space (a dump needs at least the 64 that 'lspci -x' prints)",
			     d.devs[i].domain, d.devs[i].bus, d.devs[i].dev, d.devs[i].func,
			     d.devs[i].config_len);
	*ret = d;
	return 0;
}

#undef FAIL

void pcidump_free(struct pcidump *d)
{
	for (size_t i = 0; i < d->ndevs; i++)
		free(d->devs[i].driver);
	free(d->devs);
	d->devs = NULL;
	d->ndevs = 0;
}

const char *pcidump_driver(const struct pcidump *d, unsigned domain, unsigned bus, unsigned dev,
			   unsigned func)
{
	struct pcidump_device *x = find_device(d, domain, bus, dev, func);
	return x ? x->driver : NULL;
}
