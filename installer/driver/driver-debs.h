/*
 * driver-debs.h - the driver packages an offline install needs, for
 * `gpu-setup fetch`: the package `gpu-setup driver` would choose for the
 * target (the same offers, resolver and candidate list), the packages its
 * job installs, and their dependency closure minus what the target
 * already has, each with the archive apt would download it from.
 */
#ifndef GS_DRIVER_DEBS_H
#define GS_DRIVER_DEBS_H

#include <stdbool.h>
#include <stddef.h>

#include "aptshim.h"
#include "driver-list.h"
#include "driver-offer.h"
#include "resolve.h"
#include "target.h"

/* What `gpu-setup driver` chooses from: the offers apt makes for the
 * target, the resolver's answer and every candidate's verdict.  The list
 * points into the rest: keep the struct where it is once filled. */
struct driver_choice {
	struct driver_offers offers;
	struct resolve_request req;
	struct resolve_result res;
	struct driver_list list;
	size_t assumed;                 /* candidates taken as offered for a pending sources change */
};

/* Read apt's offers for t through ac (the -server variants for --server
 * or datacenter cards), let the resolver choose under the user's
 * constraints and judge every candidate.  sources_pending: the sources
 * change that brings the packages was only shown (driver_offers_assume_pending).
 * Logs what fails (apt offering nothing at all); returns an exit code.
 * Free ret with driver_choice_free whatever it returns. */
int driver_choose(const struct target *t, struct apt_cache *ac, bool sources_pending, struct driver_choice *ret);
void driver_choice_free(struct driver_choice *c);

struct driver_debs {
	bool keep_installed;            /* the loaded driver already fits: nothing to fetch */
	char *choice;                   /* the chosen candidate ("nvidia-driver-570"), NULL when kept */
	char **packages;                /* what the job gives apt-get install, NULL-terminated */
	struct apt_archive *archives;   /* closure of packages minus the target's, with archives */
	size_t narchives;
};

/* Choose for t (loaded by target_load or target_load_json) with apt's view
 * ac (this machine's apt, or an apt_target tree for a described one).
 * Returns an exit code (exit-codes.h) and logs what went wrong. */
int driver_debs_plan(struct target *t, struct apt_cache *ac, struct driver_debs *ret);
void driver_debs_free(struct driver_debs *d);

#endif
