/*
 * driver-offer.h - the NVIDIA driver packages this machine's apt offers for
 * its GPUs.  Ubuntu: every nvidia-driver-NNN[-server][-open] whose
 * Modaliases field lists the GPUs (what ubuntu-drivers does).  Debian: the
 * distro-drivers table's packages that apt really has.  Each candidate
 * says why it can or cannot be used; the usable ones go to the resolver,
 * which picks the branch and flavour.
 */
#ifndef GS_DRIVER_OFFER_H
#define GS_DRIVER_OFFER_H

#include <stdbool.h>

#include "aptshim.h"
#include "compat.h"
#include "target.h"

struct driver_candidate {
	char *name;            /* nvidia-driver-580-open; Debian: the row's first package */
	char *packages;        /* comma-separated: what installs it */
	unsigned branch;
	enum driver_flavour flavour;
	bool server;           /* Ubuntu's -server variant */
	char *version;         /* apt's candidate version of name, NULL: none */
	char *installed;       /* installed version of name, NULL: none */
	char *unusable;        /* why it cannot be used at all, NULL: usable */
	bool partial;          /* its Modaliases list some of the GPUs, not all */
};

struct driver_offers {
	struct driver_candidate *cand;   /* newest branch first; open first; plain before server */
	size_t ncand;
	struct distro_driver *offer;     /* the usable candidates, for resolve_request.offer; when
					    none is, those that serve some GPUs, so the resolver can
					    say which GPU to leave out */
	size_t noffer;
	bool from_modaliases;            /* Ubuntu's way; else the table's */
	bool server;                     /* -server variants are the ones offered */
};

/* Whether the GPUs are datacenter cards, for which Ubuntu's -server
 * variants are meant: 3D controllers (no display outputs) in a machine
 * with no integrated GPU beside them. */
bool driver_gpus_are_datacenter(const struct target *t);

/* Read the candidates through the open apt cache.  want_server picks
 * Ubuntu's -server variants.  Returns 0 or a negative errno. */
int driver_offers_read(struct apt_cache *ac, const struct target *t, bool want_server, struct driver_offers *ret);
void driver_offers_free(struct driver_offers *o);

/* For --list and --dry-run before a sources change that would bring the
 * packages: take the candidates apt lacks only for want of lists as
 * offered.  Returns how many were. */
size_t driver_offers_assume_pending(struct driver_offers *o, const struct target *t);

/* The package name of Ubuntu's prebuilt, signed kernel modules for a driver
 * package and a kernel release: nvidia-driver-580-open, 6.8.0-45-generic
 * -> linux-modules-nvidia-580-open-6.8.0-45-generic.  NULL for a name
 * that is not nvidia-driver-*. */
char *driver_prebuilt_modules_name(const char *driver_pkg, const char *kernel_release);

/* The branch of a driver package version: "1:535.261.03-1" -> 535 (the
 * upstream major, epoch skipped); 0 when there is none. */
unsigned driver_version_branch(const char *deb_version);

/* ubuntu-drivers' spelling of a candidate: nvidia:580-server-open. */
char *driver_ubuntu_spec(const struct driver_candidate *c);

#endif
