/*
 * pci-ids.h - one name out of a pci.ids file without loading all of it.
 *
 * libpci answers a name lookup by parsing the whole pci.ids (about 40,000
 * entries, several milliseconds) into a hash table, which costs more than
 * the rest of `gpu-setup detect` together.  detect needs the names of one
 * or two cards, so it reads the file once and searches it for those lines,
 * and asks libpci (udev's hwdb, a compressed pci.ids) only when the file
 * does not name the card.
 */
#ifndef GS_PCI_IDS_H
#define GS_PCI_IDS_H

#include <stdbool.h>
#include <stddef.h>

struct pci_ids {
	const char *path;  /* the pci.ids file; not owned */
	char *text;        /* its bytes, read at the first lookup */
	size_t len;
	bool read_failed;  /* unreadable: every lookup answers NULL */
};

/* The names pci.ids gives (malloc'ed), or NULL where it has none, or the
 * file cannot be read or is not plain pci.ids text. */
char *pci_ids_vendor(struct pci_ids *ids, unsigned vendor);
char *pci_ids_device(struct pci_ids *ids, unsigned vendor, unsigned device);
void pci_ids_release(struct pci_ids *ids);

#endif
