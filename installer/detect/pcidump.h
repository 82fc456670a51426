/*
 * pcidump.h - validation of lspci -x/-xxx/-xxxx dumps before libpci reads
 * them.  libpci's dump reader calls its error handler (which by default
 * exits) in the middle of building its device list, and silently drops
 * devices whose header line lacks text after the slot; this module checks
 * the same grammar up front so bad input gets "line N: what is wrong" and
 * libpci only ever sees a dump it can read.  It also collects the
 * "Kernel driver in use:" lines that `lspci -k -xxx` adds, which libpci
 * ignores.
 */
#ifndef GS_PCIDUMP_H
#define GS_PCIDUMP_H

#include <stddef.h>

#include "strbuf.h"

/* libpci reads lines into a 256-byte buffer with fgets(buf, 255). */
#define PCIDUMP_MAX_LINE 253
#define PCIDUMP_MAX_CONFIG 4096

struct pcidump_device {
	unsigned domain, bus, dev, func;
	size_t config_len;   /* highest dumped offset + 1 */
	char *driver;        /* from "Kernel driver in use:", or NULL */
};

struct pcidump {
	struct pcidump_device *devs;
	size_t ndevs;
};

/* Parse and validate a dump held in memory.  Returns 0, or -EINVAL with a
 * message ("line N: ...") appended to err. */
int pcidump_parse(const char *data, size_t len, struct pcidump *ret, struct strbuf *err);
void pcidump_free(struct pcidump *d);
/* The driver recorded for a device, or NULL. */
const char *pcidump_driver(const struct pcidump *d, unsigned domain, unsigned bus, unsigned dev,
			   unsigned func);

#endif
