/*
 * hw-pci.h - display devices from libpci: live sysfs, a sysfs tree
 * (--sysfs) or an lspci dump (--pci-dump), with names, driver in use,
 * PCIe link state and, for NVIDIA cards, what compat data knows.
 */
#ifndef GS_HW_PCI_H
#define GS_HW_PCI_H

#include <stdbool.h>

#include "gpus.h"
#include "strbuf.h"

#define PCI_VENDOR_NVIDIA 0x10de
#define PCI_VENDOR_AMD 0x1002
#define PCI_VENDOR_INTEL 0x8086

enum pci_source_kind {
	PCI_SOURCE_LIVE,   /* <root>/sys/bus/pci */
	PCI_SOURCE_SYSFS,  /* a sysfs tree given with --sysfs */
	PCI_SOURCE_DUMP,   /* an lspci -x/-xxx/-xxxx dump */
};

struct pci_source {
	enum pci_source_kind kind;
	const char *path;      /* sysfs root or dump file; NULL for live */
	const char *ids_file;  /* pci.ids to use instead of the system's, or NULL */
};

enum link_status {
	LINK_UNKNOWN,    /* no PCIe capability or not readable */
	LINK_OK,         /* full width and speed */
	LINK_IDLE_SPEED, /* full width, lower speed: normal power saving */
	LINK_NARROW,     /* fewer lanes than the card supports */
};

struct pcie_link {
	enum link_status status;
	const char *source;   /* "sysfs" or "capability" */
	double max_gts, cur_gts;
	unsigned max_width, cur_width;
};

struct pci_gpu {
	unsigned domain, bus, dev, func;
	unsigned vendor_id, device_id, subsys_vendor_id, subsys_id;
	unsigned class_id;           /* 16-bit base class + subclass */
	unsigned prog_if;            /* programming interface byte */
	char *vendor_name;
	char *name;                  /* device name */
	const char *name_source;     /* "compat", "pci.ids" or "none" */
	char *driver;                /* kernel driver in use, "none" or "unknown" */
	struct pcie_link link;
	bool has_info;               /* info is valid (NVIDIA and known) */
	struct gpu_info info;
};

struct pci_scan {
	struct pci_gpu *gpus;        /* display devices, sorted by address */
	size_t ngpus;
	size_t ndevices;             /* all PCI devices seen */
	size_t nvidia_count;
	bool hybrid;                 /* NVIDIA 3D controller + Intel/AMD GPU */
};

const char *pci_source_kind_name(enum pci_source_kind k);
/* "0000:01:00.0", newly allocated. */
char *pci_gpu_address(const struct pci_gpu *g);
const char *pci_display_class_name(unsigned class_id);
const char *link_status_name(enum link_status s);

/* Returns 0, -EINVAL for bad input (message in err), or another negative
 * errno (message in err). */
int hw_pci_scan(const struct pci_source *src, const struct gpu_db *db, struct pci_scan *ret,
		struct strbuf *err);
void pci_scan_free(struct pci_scan *s);
/* Count the NVIDIA GPUs and tell hybrid graphics from s->gpus; for a scan
 * built from elsewhere (a detect --json description). */
void pci_scan_classify(struct pci_scan *s);

/* Classify a link; exposed for unit tests. */
enum link_status link_classify(double max_gts, unsigned max_w, double cur_gts, unsigned cur_w);

#endif
