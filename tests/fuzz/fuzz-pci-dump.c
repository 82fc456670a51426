/*
 * fuzz-pci-dump.c - libFuzzer target over the PCI dump path: gpu-setup's
 * validator on the raw bytes, then, for input it accepts, libpci's dump
 * reader and gpu-setup's device scan on the same bytes written to a file
 * (libpci reads dumps only from files).  Any crash, leak, sanitizer report
 * or call of libpci's exiting error handler is a finding.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "hw-pci.h"
#include "pcidump.h"
#include "strbuf.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[] = "/tmp/gs-fuzz-dump-XXXXXX";
	static int fd = -1;
	struct strbuf err = STRBUF_INIT;
	struct pcidump d;
	struct pci_scan scan;
	/* The tests' pci.ids also keeps libpci off udev's hwdb, whose handle
	 * libpci caches for the life of the process (a one-time allocation
	 * LeakSanitizer would report on every run). */
	struct pci_source src = { PCI_SOURCE_DUMP, path, ABS_TOP_SRCDIR "/tests/fixtures/pci.ids" };

	strbuf_init(&err);
	if (pcidump_parse((const char *)data, size, &d, &err) < 0) {
		strbuf_release(&err);
		return 0;
	}
	pcidump_free(&d);

	if (fd < 0) {
		fd = mkstemp(path);
		if (fd < 0)
			abort();
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	strbuf_reset(&err);
	/* Accepted input must also be read by libpci without an error. */
	if (hw_pci_scan(&src, NULL, &scan, &err) < 0) {
		fprintf(stderr, "validator accepted a dump that hw_pci_scan refused: %s\n", err.buf);
		abort();
	}
	pci_scan_free(&scan);
	strbuf_release(&err);
	return 0;
}
