/*
 * driver-install.h - installing the chosen driver package: what exactly to
 * install (the driver, Ubuntu's prebuilt signed modules for the running
 * kernel or else the kernel headers DKMS needs), the checks that must pass
 * before anything changes, the install itself (ubuntu-drivers when the
 * target has it, else apt-get), and verifying the result through apt.
 */
#ifndef GS_DRIVER_INSTALL_H
#define GS_DRIVER_INSTALL_H

#include <stdbool.h>

#include "aptshim.h"
#include "driver-offer.h"
#include "preflight.h"
#include "reboot-record.h"
#include "strbuf.h"
#include "target.h"

struct driver_job {
	const struct driver_candidate *chosen;
	bool ubuntu;                /* Ubuntu's packages and tools */
	char *kernel;               /* running kernel release, NULL: unknown */
	char **packages;            /* for apt-get, NULL-terminated */
	size_t npackages;
	char **closure;             /* what apt will install: packages and their dependencies */
	char *modules;              /* prebuilt modules package, NULL: DKMS builds them */
	char *headers;              /* headers to install for DKMS, NULL: none needed */
	char *kernel_meta;          /* what brings the modules to the next kernels: the prebuilt
				       modules' flavour metapackage ("linux-modules-nvidia-580-open-generic")
				       or the headers' ("linux-headers-amd64"); NULL: none is installed
				       or apt has none (a note says what follows) */
	char *ubuntu_drivers_spec;  /* "nvidia:580-open" when ubuntu-drivers runs it */
	enum secure_boot secure_boot;
	bool nouveau;               /* nouveau loaded now */
	char **problems;            /* preflight failures, each a whole message */
	size_t nproblems;
	char **notes;               /* what the user must know (Secure Boot) */
	size_t nnotes;
	const char *const *apt_options; /* more apt-get arguments ("-o", "Key=Value", ...; the offline
					   repository's), NULL-terminated; borrowed; NULL: none */
};

/* Work out the job for the chosen candidate and run every preflight check
 * that needs no waiting; failures go to job->problems (nothing changed). */
void driver_job_prepare(struct apt_cache *ac, const struct target *t, const struct driver_candidate *chosen,
			struct driver_job *job);
void driver_job_free(struct driver_job *job);

/* driver_job_prepare for fetching the packages, not installing them here:
 * the packages and their closure, without the checks of the machine
 * itself (a .run driver, dpkg interrupted, Secure Boot, nouveau, held
 * packages), which are the installing machine's to pass.  The kernel is
 * t->kernel when the target is described (driver_job_prepare too). */
void driver_job_prepare_packages(struct apt_cache *ac, const struct target *t, const struct driver_candidate *chosen,
				 struct driver_job *job);

/* Wait at most lock_wait_ms for apt and dpkg to finish (their locks
 * free): 0, or -EBUSY (or another negative errno) with the reason in err. */
int driver_wait_for_apt(long lock_wait_ms, struct strbuf *err);

/* Wait for apt and dpkg, then install (through ubuntu-drivers, then
 * apt-get for what it left out; or apt-get).  Returns 0 when the tools exited 0,
 * 1 when it failed (its last words in err), or a negative errno when
 * nothing ran (err says why).  The tool's status is not trusted either
 * way: call driver_job_verify. */
int driver_job_run(const struct driver_job *job, long lock_wait_ms, struct strbuf *err);

/* Read the target's dpkg state afresh and check that every package the job
 * meant to install is installed.  Returns 0 or -1 with what is missing (or
 * why the state cannot be read) in err.  Changes nothing. */
int driver_job_verify(const struct driver_job *job, struct strbuf *err);

/* Whether a modprobe configuration on the target blacklists nouveau
 * (/etc, /usr/lib and /lib modprobe.d); the path of the first that does. */
bool nouveau_blacklisted(char **ret_path);

/* Blacklist nouveau (our own file) and regenerate the initramfs, when no
 * package did: returns 1 when it wrote the file, 0 when not needed, or -1
 * with err. */
int nouveau_blacklist_ensure(struct strbuf *err);

#define NOUVEAU_BLACKLIST_PATH "/etc/modprobe.d/gpu-setup-blacklist-nouveau.conf"


#endif
