/* Unit tests: pci-ids.c finds a vendor's and a device's line in pci.ids
 * text: at the file's start or later, only inside the vendor's block (a
 * device of the next vendor, a subsystem or a class line is not it), with
 * CR LF endings; an unreadable or gzip'ed file answers nothing. */
#include "config.h"

#include <stdio.h>

#include "pci-ids.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

static const char ids_text[] =
	"1002  Advanced Micro Devices, Inc. [AMD/ATI]\n"
	"\t73bf  Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]\n"
	"\t\t1002 0e3a  Radeon RX 6900 XT\n"
	"# a comment inside the block\n"
	"\t7480  Navi 33\r\n"
	"10de  NVIDIA Corporation\n"
	"\t2331  H100 PCIe\n"
	"\t\t10de 1626  H100 PCIe subsystem\n"
	"\n"
	"C 03  Display controller\n"
	"\t00  VGA compatible controller\n";

static char *dev(struct pci_ids *ids, unsigned v, unsigned d)
{
	return pci_ids_device(ids, v, d);
}

static bool is(char *got, const char *want)
{
	bool r = want ? got && strcmp(got, want) == 0 : !got;

	free(got);
	return r;
}

int main(void)
{
	char tmpl[] = "/tmp/test-pci-ids.XXXXXX";
	char *top = mkdtemp(tmpl), *path, *gz, *none;
	struct pci_ids ids = { 0 }, bad = { 0 }, missing = { 0 }, gz_name = { 0 };

	if (!top) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	testroot_puts(top, "/pci.ids", ids_text);
	testroot_put(top, "/pci.ids.gz", "\x1f\x8b\x08\0\0\0\0\0", 8);
	path = xasprintf("%s/pci.ids", top);
	gz = xasprintf("%s/pci.ids.gz", top);
	none = xasprintf("%s/none", top);
	ids.path = path;
	bad.path = gz;
	missing.path = none;

	ok(is(pci_ids_vendor(&ids, 0x1002), "Advanced Micro Devices, Inc. [AMD/ATI]"), "a vendor on the first line");
	ok(is(pci_ids_vendor(&ids, 0x10de), "NVIDIA Corporation"), "a vendor further down");
	ok(is(pci_ids_vendor(&ids, 0x8086), NULL), "a vendor the file lacks: NULL");
	ok(is(dev(&ids, 0x1002, 0x73bf), "Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]"), "a device of its vendor");
	ok(is(dev(&ids, 0x1002, 0x7480), "Navi 33"), "past a subsystem and a comment, CR LF ending dropped");
	ok(is(dev(&ids, 0x1002, 0x2331), NULL), "another vendor's device is not this vendor's");
	ok(is(dev(&ids, 0x10de, 0x2331), "H100 PCIe"), "the last vendor's device");
	ok(is(dev(&ids, 0x10de, 0x1626), NULL), "a subsystem line is not a device");
	ok(is(dev(&ids, 0x10de, 0x0000), NULL), "a class's line is not a device");
	ok(is(dev(&ids, 0x8086, 0x9a60), NULL), "a device of a vendor the file lacks: NULL");
	ok(is(pci_ids_vendor(&bad, 0x1002), NULL) && is(dev(&bad, 0x1002, 0x73bf), NULL),
	   "a gzip'ed file: nothing (libpci reads those)");
	ok(is(pci_ids_vendor(&missing, 0x1002), NULL), "no file: nothing");
	/* libpci's default name: pci.ids.gz, which Debian does not ship. */
	testroot_puts(top, "/plain/pci.ids", ids_text);
	gz_name.path = xasprintf("%s/plain/pci.ids.gz", top);
	ok(is(dev(&gz_name, 0x10de, 0x2331), "H100 PCIe"), "pci.ids.gz asked for, only pci.ids there: read from pci.ids");
	free((char *)gz_name.path);
	pci_ids_release(&gz_name);
	pci_ids_release(&ids);
	pci_ids_release(&bad);
	pci_ids_release(&missing);
	testroot_remove(top);
	free(path);
	free(gz);
	free(none);
	return done_testing();
}
