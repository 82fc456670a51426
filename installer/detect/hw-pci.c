/*
 * hw-pci.c - enumerate display devices through libpci.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pci/pci.h>

#include "fileio.h"
#include "hw-pci.h"
#include "log.h"
#include "pci-ids.h"
#include "pcidump.h"
#include "sysroot.h"
#include "util.h"

/* libpci's default error handler calls exit(1).  Ours records the message
 * and jumps back to hw_pci_scan, so a libpci failure is an error return. */
static jmp_buf pci_error_jump;
static char pci_error_msg[512];
/* The pci.ids text for the scan's name lookups, read once; released on
 * both ways out of a scan (static: a libpci error jumps over its frame). */
static struct pci_ids scan_ids;

/* noreturn spelled out: libpci's PCI_NONRET arrived in 3.8 (Debian 11 and
 * Ubuntu 22.04 have 3.7). */
static void __attribute__((noreturn)) pci_error_handler(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	vsnprintf(pci_error_msg, sizeof(pci_error_msg), msg, ap);
	va_end(ap);
	longjmp(pci_error_jump, 1);
}

static void pci_warning_handler(char *msg, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, msg);
	vsnprintf(buf, sizeof(buf), msg, ap);
	va_end(ap);
	log_debug("libpci: %s", buf);
}

static void pci_debug_handler(char *msg, ...)
{
	(void)msg;
}

const char *pci_source_kind_name(enum pci_source_kind k)
{
	switch (k) {
	case PCI_SOURCE_DUMP: return "pci-dump";
	case PCI_SOURCE_SYSFS: return "sysfs";
	default: return "live";
	}
}

const char *pci_display_class_name(unsigned class_id)
{
	switch (class_id) {
	case 0x0300: return "VGA compatible controller";
	case 0x0302: return "3D controller";
	case 0x0380: return "Display controller";
	default: return NULL;
	}
}

const char *link_status_name(enum link_status s)
{
	switch (s) {
	case LINK_OK: return "ok";
	case LINK_IDLE_SPEED: return "idle-speed";
	case LINK_NARROW: return "narrow";
	default: return "unknown";
	}
}

enum link_status link_classify(double max_gts, unsigned max_w, double cur_gts, unsigned cur_w)
{
	if (!max_w || !cur_w || max_gts <= 0 || cur_gts <= 0)
		return LINK_UNKNOWN;
	/* Width is fixed by the slot and cabling; speed drops at idle by
	 * design (ASPM), so only a lower width is a real problem. */
	if (cur_w < max_w)
		return LINK_NARROW;
	if (cur_gts < max_gts)
		return LINK_IDLE_SPEED;
	return LINK_OK;
}

/* The bus directory libpci reads in sysfs mode. */
static char *sysfs_bus_dir(const struct pci_source *src)
{
	struct stat st;
	char *p;

	if (src->kind == PCI_SOURCE_LIVE)
		return sysroot_path("/sys/bus/pci");
	/* Accept both a /sys-like root and the bus/pci directory itself. */
	p = xasprintf("%s/bus/pci", src->path);
	if (stat(p, &st) == 0)
		return p;
	free(p);
	return xstrdup(src->path);
}

static double parse_link_speed(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	/* The kernel writes e.g. "16.0 GT/s PCIe" or "Unknown". */
	if (end == s || v <= 0 || !startswith(strstrip(end), "GT/s"))
		return 0;
	return v;
}

static void link_from_sysfs(const char *busdir, const char *addr, struct pcie_link *l)
{
	static const char *const names[] = { "max_link_speed", "max_link_width",
					     "current_link_speed", "current_link_width" };
	char *vals[4] = { NULL };
	int ok = 1;

	for (size_t i = 0; i < 4; i++) {
		_cleanup_free_ char *p = xasprintf("%s/devices/%s/%s", busdir, addr, names[i]);
		if (read_one_line(p, &vals[i]) < 0)
			ok = 0;
	}
	if (ok) {
		l->max_gts = parse_link_speed(vals[0]);
		l->max_width = (unsigned)strtoul(vals[1], NULL, 10);
		l->cur_gts = parse_link_speed(vals[2]);
		l->cur_width = (unsigned)strtoul(vals[3], NULL, 10);
		l->status = link_classify(l->max_gts, l->max_width, l->cur_gts, l->cur_width);
		if (l->status != LINK_UNKNOWN)
			l->source = "sysfs";
	}
	for (size_t i = 0; i < 4; i++)
		free(vals[i]);
}

static double speed_code_gts(unsigned code)
{
	static const double gts[] = { 0, 2.5, 5.0, 8.0, 16.0, 32.0, 64.0 };
	return code < ELEMENTSOF(gts) ? gts[code] : 0;
}

static void link_from_capability(struct pci_dev *d, struct pcie_link *l)
{
	struct pci_cap *cap;
	u32 lnkcap;
	u16 lnksta;

	pci_fill_info(d, PCI_FILL_CAPS);
	cap = pci_find_cap(d, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
	if (!cap)
		return;
	lnkcap = pci_read_long(d, cap->addr + PCI_EXP_LNKCAP);
	lnksta = pci_read_word(d, cap->addr + PCI_EXP_LNKSTA);
	/* Unread bytes of a short dump come back as 0xff. */
	if (lnkcap == 0xffffffffu || lnksta == 0xffff)
		return;
	l->max_gts = speed_code_gts(lnkcap & PCI_EXP_LNKCAP_SPEED);
	l->max_width = (lnkcap & PCI_EXP_LNKCAP_WIDTH) >> 4;
	l->cur_gts = speed_code_gts(lnksta & PCI_EXP_LNKSTA_SPEED);
	l->cur_width = (lnksta & PCI_EXP_LNKSTA_WIDTH) >> 4;
	l->status = link_classify(l->max_gts, l->max_width, l->cur_gts, l->cur_width);
	if (l->status != LINK_UNKNOWN)
		l->source = "capability";
}

/* Name from pci.ids (or udev's hwdb), NULL when the database lacks it:
 * the lines of the file first (pci-ids.h says why), then libpci. */
static char *lookup_vendor(struct pci_access *a, struct pci_ids *ids, unsigned vendor)
{
	char buf[256], *r;

	if ((r = pci_ids_vendor(ids, vendor)))
		return r;
	r = pci_lookup_name(a, buf, sizeof(buf), PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS, vendor);
	return r ? xstrdup(r) : NULL;
}

static char *lookup_device(struct pci_access *a, struct pci_ids *ids, unsigned vendor, unsigned device)
{
	char buf[256], *r;

	if ((r = pci_ids_device(ids, vendor, device)))
		return r;
	r = pci_lookup_name(a, buf, sizeof(buf), PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS, vendor,
			    device);
	return r ? xstrdup(r) : NULL;
}

static void describe(struct pci_access *a, struct pci_ids *ids, const struct gpu_db *db, struct pci_gpu *g)
{
	/* NVIDIA's name is fixed; not looking it up spares loading pci.ids
	 * when compat data names every card. */
	if (g->vendor_id == PCI_VENDOR_NVIDIA)
		g->vendor_name = xstrdup("NVIDIA Corporation");
	else if (!(g->vendor_name = lookup_vendor(a, ids, g->vendor_id)))
		g->vendor_name = xasprintf("Vendor %04x", g->vendor_id);

	if (g->vendor_id == PCI_VENDOR_NVIDIA && db && gpu_db_lookup(db, g->device_id, &g->info) == 0)
		g->has_info = true;
	/* compat data names NVIDIA cards newer than the system pci.ids. */
	if (g->has_info && g->info.name) {
		g->name = xstrdup(g->info.name);
		g->name_source = "compat";
	} else if ((g->name = lookup_device(a, ids, g->vendor_id, g->device_id))) {
		g->name_source = "pci.ids";
	} else {
		g->name = xasprintf("Device %04x", g->device_id);
		g->name_source = "none";
	}
}

static int cmp_gpu(const void *x, const void *y)
{
	const struct pci_gpu *a = x, *b = y;
	unsigned long ka = ((unsigned long)a->domain << 16) | (a->bus << 8) | (a->dev << 3) | a->func;
	unsigned long kb = ((unsigned long)b->domain << 16) | (b->bus << 8) | (b->dev << 3) | b->func;

	return ka < kb ? -1 : ka > kb;
}

/* Check the dump the user named; *ret_fd gets a memory file holding the
 * very bytes checked (for libpci to read, so that the file is read once
 * and what libpci parses is what was validated), or -1 where there is
 * none (then libpci reads the path). */
static int validate_dump(const char *path, struct pcidump *ret, int *ret_fd, struct strbuf *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	int r;

	*ret_fd = -1;
	r = read_file(path, 64u << 20, &data, &len);
	if (r < 0) {
		/* Whatever the reason, a dump the user named is bad input. */
		strbuf_addf(err, "cannot read PCI dump '%s': %s", path, strerror(-r));
		return -EINVAL;
	}
	strbuf_addf(err, "malformed PCI dump '%s': ", path);
	r = pcidump_parse(data, len, ret, err);
	if (r < 0)
		return r;
	strbuf_reset(err);
	{
		int fd = memfd_create("gpu-setup-pci-dump", MFD_CLOEXEC);

		if (fd >= 0 && (write_all(fd, data, len) < 0 || lseek(fd, 0, SEEK_SET) < 0)) {
			close(fd);
			fd = -1;
		}
		*ret_fd = fd;
	}
	return r;
}

#if !HAVE_STRUCT_PCI_DEV_SUBSYS_VENDOR_ID
/* libpci before 3.8 (Debian 11, Ubuntu 20.04 and 22.04) has no
 * PCI_FILL_SUBSYS: read the subsystem IDs as 3.8 does, from the kernel's
 * sysfs attributes where the device is in sysfs, else from config space
 * (a normal header holds them at 0x2c, a CardBus bridge's at 0x40). */
static void subsys_from_sysfs_or_config(struct pci_dev *d, const char *busdir, const char *addr,
					struct pci_gpu *g)
{
	if (busdir) {
		_cleanup_free_ char *pv = xasprintf("%s/devices/%s/subsystem_vendor", busdir, addr);
		_cleanup_free_ char *pd = xasprintf("%s/devices/%s/subsystem_device", busdir, addr);
		_cleanup_free_ char *v = NULL, *dv = NULL;

		if (read_one_line(pv, &v) >= 0 && read_one_line(pd, &dv) >= 0) {
			g->subsys_vendor_id = (unsigned)strtoul(v, NULL, 16);
			g->subsys_id = (unsigned)strtoul(dv, NULL, 16);
			return;
		}
	}
	switch (pci_read_byte(d, PCI_HEADER_TYPE) & 0x7f) {
	case PCI_HEADER_TYPE_NORMAL:
		g->subsys_vendor_id = pci_read_word(d, PCI_SUBSYSTEM_VENDOR_ID);
		g->subsys_id = pci_read_word(d, PCI_SUBSYSTEM_ID);
		break;
	case PCI_HEADER_TYPE_CARDBUS:
		g->subsys_vendor_id = pci_read_word(d, PCI_CB_SUBSYSTEM_VENDOR_ID);
		g->subsys_id = pci_read_word(d, PCI_CB_SUBSYSTEM_ID);
		break;
	default:
		break;
	}
}
#endif

#if !HAVE_DECL_PCI_FILL_DRIVER
/* libpci before 3.8 has no PCI_FILL_DRIVER: the name the device's "driver"
 * link in sysfs points to, as 3.8 reads it; NULL without a link. */
static char *driver_from_sysfs(const char *busdir, const char *addr)
{
	_cleanup_free_ char *link = xasprintf("%s/devices/%s/driver", busdir, addr);
	char target[PATH_MAX];
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	const char *base;

	if (n <= 0)
		return NULL;
	target[n] = '\0';
	base = strrchr(target, '/');
	return xstrdup(base ? base + 1 : target);
}
#endif

static void scan_devices(struct pci_access *a, const struct pci_source *src, const char *busdir,
			 const struct pcidump *dump, const struct gpu_db *db, struct pci_scan *s)
{
	for (struct pci_dev *d = a->devices; d; d = d->next) {
		struct pci_gpu *g;
		char addr[16];
		const char *drv;

		s->ndevices++;
		pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS
#if HAVE_STRUCT_PCI_DEV_SUBSYS_VENDOR_ID
					 | PCI_FILL_SUBSYS
#endif
#if HAVE_DECL_PCI_FILL_DRIVER
					 | (src->kind != PCI_SOURCE_DUMP ? PCI_FILL_DRIVER : 0)
#endif
		);
		if (!pci_display_class_name(d->device_class))
			continue;
		s->gpus = xrealloc(s->gpus, (s->ngpus + 1) * sizeof(*s->gpus));
		g = &s->gpus[s->ngpus++];
		memset(g, 0, sizeof(*g));
		g->domain = (unsigned)d->domain;
		g->bus = d->bus;
		g->dev = d->dev;
		g->func = d->func;
		g->vendor_id = d->vendor_id;
		g->device_id = d->device_id;
		g->class_id = d->device_class;
		/* Programming interface: the config byte after the revision
		 * (every dump and sysfs config file has the first 64 bytes). */
		g->prog_if = pci_read_byte(d, PCI_CLASS_PROG);
		snprintf(addr, sizeof(addr), "%04x:%02x:%02x.%d", g->domain & 0xffff, g->bus, g->dev,
			 g->func);
#if HAVE_STRUCT_PCI_DEV_SUBSYS_VENDOR_ID
		g->subsys_vendor_id = d->subsys_vendor_id;
		g->subsys_id = d->subsys_id;
#else
		subsys_from_sysfs_or_config(d, busdir, addr, g);
#endif
		describe(a, &scan_ids, db, g);

		if (src->kind == PCI_SOURCE_DUMP) {
			drv = pcidump_driver(dump, g->domain, g->bus, g->dev, g->func);
			g->driver = xstrdup(drv ? drv : "unknown");
		} else {
#if HAVE_DECL_PCI_FILL_DRIVER
			drv = pci_get_string_property(d, PCI_FILL_DRIVER);
			g->driver = xstrdup(drv ? drv : "none");
#else
			char *own = driver_from_sysfs(busdir, addr);
			g->driver = own ? own : xstrdup("none");
#endif
		}
		/* Without root the sysfs config file is 64 bytes long: no
		 * capability list.  The kernel's link attributes need no root. */
		if (busdir)
			link_from_sysfs(busdir, addr, &g->link);
		if (g->link.status == LINK_UNKNOWN)
			link_from_capability(d, &g->link);
	}
}

void pci_scan_classify(struct pci_scan *s)
{
	bool nvidia_3d = false, integrated = false;

	for (size_t i = 0; i < s->ngpus; i++) {
		const struct pci_gpu *g = &s->gpus[i];

		if (g->vendor_id == PCI_VENDOR_NVIDIA) {
			s->nvidia_count++;
			if (g->class_id == 0x0302)
				nvidia_3d = true;
		} else if (g->vendor_id == PCI_VENDOR_INTEL || g->vendor_id == PCI_VENDOR_AMD) {
			integrated = true;
		}
	}
	/* A laptop dGPU shows up as a 3D controller beside the Intel or AMD
	 * GPU that drives the screen.  A server's BMC VGA (ASPEED, Matrox)
	 * next to a Tesla is not hybrid graphics. */
	s->hybrid = nvidia_3d && integrated;
}

/* The target's pci.ids under --root (Debian and Ubuntu ship it in
 * /usr/share/misc, others in /usr/share/hwdata), as a host path with its
 * links resolved inside the root; NULL when the target has none (then
 * libpci's own, the host's, names the devices). */
static char *target_pci_ids(void)
{
	static const char *const paths[] = { "/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids" };

	for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
		char *host = NULL;
		struct stat st;

		if (sysroot_host_path(paths[i], &host) == 0 && stat(host, &st) == 0 && S_ISREG(st.st_mode))
			return host;
		free(host);
	}
	return NULL;
}

/* Everything that may reach libpci's error handler, kept in a function of
 * its own so no local changes between setjmp and a longjmp. */
static int scan_with_libpci(const struct pci_source *src, const char *dump_name, const char *busdir,
			    const struct pcidump *dump, const struct gpu_db *db, struct pci_scan *s,
			    struct strbuf *err)
{
	struct pci_access *a = pci_alloc();

	a->error = pci_error_handler;
	a->warning = pci_warning_handler;
	a->debug = pci_debug_handler;
	if (setjmp(pci_error_jump)) {
		strbuf_addf(err, "cannot read PCI devices: libpci: %s", pci_error_msg);
		pci_ids_release(&scan_ids);
		pci_cleanup(a);
		return -EINVAL;
	}
	if (src->kind == PCI_SOURCE_DUMP) {
		a->method = PCI_ACCESS_DUMP;
		pci_set_param(a, "dump.name", (char *)dump_name);
	} else {
		a->method = PCI_ACCESS_SYS_BUS_PCI;
		pci_set_param(a, "sysfs.path", (char *)busdir);
	}
	if (src->ids_file) {
		pci_set_name_list_path(a, (char *)src->ids_file, 0);
		/* A given pci.ids is the whole truth: no udev hwdb names. */
		a->id_lookup_mode = PCI_LOOKUP_NO_HWDB;
	} else if (sysroot_get()[0]) {
		/* Under --root the target's names, not the host's: its pci.ids
		 * (libpci's compiled-in path is the host's), and not the
		 * host's udev hwdb.  libpci frees the name (to_be_freed 1),
		 * also on its error path, which longjmps past this frame. */
		char *target_ids = target_pci_ids();

		if (target_ids) {
			pci_set_name_list_path(a, target_ids, 1);
			a->id_lookup_mode = PCI_LOOKUP_NO_HWDB;
		}
	}
	pci_init(a);
	pci_scan_bus(a);
	scan_ids = (struct pci_ids){ .path = a->id_file_name };
	scan_devices(a, src, src->kind == PCI_SOURCE_DUMP ? NULL : busdir, dump, db, s);
	pci_ids_release(&scan_ids);
	pci_cleanup(a);
	return 0;
}

int hw_pci_scan(const struct pci_source *src, const struct gpu_db *db, struct pci_scan *ret,
		struct strbuf *err)
{
	struct pcidump dump = { 0 };
	struct pci_scan s = { 0 };
	_cleanup_free_ char *busdir = NULL, *dump_name = NULL;
	_cleanup_close_ int dump_fd = -1;
	int r;

	if (src->kind == PCI_SOURCE_DUMP) {
		r = validate_dump(src->path, &dump, &dump_fd, err);
		if (r < 0)
			return r;
		if (dump_fd >= 0)
			dump_name = xasprintf("/proc/self/fd/%d", dump_fd);
		if (!dump_name || access(dump_name, R_OK) < 0) {
			free(dump_name);
			dump_name = xstrdup(src->path);
		}
	} else {
		struct stat st;

		busdir = sysfs_bus_dir(src);
		if (stat(busdir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			strbuf_addf(err, "cannot read PCI devices: '%s' is not a sysfs PCI directory", busdir);
			return src->kind == PCI_SOURCE_SYSFS ? -EINVAL : -ENOENT;
		}
	}
	r = scan_with_libpci(src, dump_name, busdir, &dump, db, &s, err);
	pcidump_free(&dump);
	if (r < 0) {
		pci_scan_free(&s);
		return r;
	}
	if (s.ngpus > 1)
		qsort(s.gpus, s.ngpus, sizeof(*s.gpus), cmp_gpu);
	pci_scan_classify(&s);
	*ret = s;
	return 0;
}

void pci_scan_free(struct pci_scan *s)
{
	for (size_t i = 0; i < s->ngpus; i++) {
		free(s->gpus[i].vendor_name);
		free(s->gpus[i].name);
		free(s->gpus[i].driver);
	}
	free(s->gpus);
	memset(s, 0, sizeof(*s));
}

char *pci_gpu_address(const struct pci_gpu *g)
{
	return xasprintf("%04x:%02x:%02x.%x", g->domain & 0xffff, g->bus & 0xff, g->dev & 0x1f, g->func & 0x7);
}
