/*
 * driver-offer.c - collect the driver packages apt offers for the GPUs.
 *
 * Ubuntu names its driver packages nvidia-driver-NNN with the suffixes
 * -open, -server and -server-open, and lists the PCI IDs each supports in
 * a Modaliases field; packages without that field are transitional (they
 * only pull in another branch) and are skipped, as ubuntu-drivers does.
 * Debian has no such field: the distro-drivers table names its packages
 * per branch, and apt says whether they are really there (non-free may be
 * missing from the sources, or the lists not yet downloaded).
 */
#include "config.h"

#include <errno.h>

#include "driver-offer.h"
#include "modalias.h"
#include "strbuf.h"
#include "table.h"
#include "util.h"

#define UBUNTU_DRIVER_PREFIX "nvidia-driver-"

bool driver_gpus_are_datacenter(const struct target *t)
{
	if (t->rep.pci.hybrid || !t->ngpus)
		return false;
	for (size_t i = 0; i < t->ngpus; i++)
		if ((t->pci[i]->class_id >> 8) != 0x03 || (t->pci[i]->class_id & 0xff) != 0x02)
			return false;
	return true;
}

/* "nvidia-driver-580-server-open" -> 580, server, open.  -EINVAL for other
 * names (nvidia-driver-local-repo, nvidia-driver-assistant, ...). */
static int parse_ubuntu_name(const char *name, unsigned *ret_branch, bool *ret_server, enum driver_flavour *ret_f)
{
	const char *p = name + strlen(UBUNTU_DRIVER_PREFIX);
	char *end;
	unsigned long b;

	if (!startswith(name, UBUNTU_DRIVER_PREFIX) || *p < '0' || *p > '9')
		return -EINVAL;
	b = strtoul(p, &end, 10);
	if (b < 100 || b > 9999)
		return -EINVAL;
	*ret_server = startswith(end, "-server");
	if (*ret_server)
		end += strlen("-server");
	if (streq(end, "-open"))
		*ret_f = FLAVOUR_OPEN;
	else if (!*end)
		*ret_f = FLAVOUR_PROPRIETARY;
	else
		return -EINVAL;
	*ret_branch = (unsigned)b;
	return 0;
}

static void add_candidate(struct driver_offers *o, struct driver_candidate *c)
{
	o->cand = xrealloc(o->cand, (o->ncand + 1) * sizeof(*o->cand));
	o->cand[o->ncand++] = *c;
}

/* Whether apt can install the comma-separated packages: each has a
 * candidate and the dependencies close.  Returns NULL or why not. */
static char *check_installable(struct apt_cache *ac, const char *packages)
{
	char **names = NULL, **closure = NULL, *err = NULL, *why = NULL;
	size_t n = 0;
	int r;

	if (table_split_list(packages, &names, &n) < 0)
		return xasprintf("malformed package list '%s'", packages);
	for (size_t i = 0; i < n && !why; i++) {
		char *inst = NULL, *cand = NULL;

		r = apt_versions(ac, names[i], &inst, &cand);
		if (r < 0 || (!cand && !inst))
			why = xasprintf("apt has no %s (its lists lack the component or need 'apt-get update')",
					names[i]);
		free(inst);
		free(cand);
	}
	if (!why) {
		/* whether, not what: the closure's resolver is not needed */
		r = apt_check_installable(ac, (const char *const *)names, &err);
		if (r < 0)
			why = xasprintf("apt cannot install it: %s", err ? err : strerror(-r));
	}
	apt_free_list(closure);
	free(err);
	free(names);
	return why;
}

unsigned driver_version_branch(const char *deb_version)
{
	const char *colon = strchr(deb_version, ':');
	unsigned long b = strtoul(colon ? colon + 1 : deb_version, NULL, 10);

	return b > 99999 ? 0 : (unsigned)b;
}

/* Fill version/installed of c->name; a version of another branch (the
 * archive moved on) makes the candidate unusable. */
static void read_versions(struct apt_cache *ac, struct driver_candidate *c)
{
	if (apt_versions(ac, c->name, &c->installed, &c->version) < 0)
		return;
	if (!c->unusable && c->version && driver_version_branch(c->version) != c->branch)
		c->unusable = xasprintf("apt's %s is version %s, not of branch %u", c->name, c->version, c->branch);
}

static void read_ubuntu(struct apt_cache *ac, const struct target *t, struct driver_offers *o)
{
	char **names = NULL;

	if (apt_packages_with_prefix(ac, UBUNTU_DRIVER_PREFIX, &names) < 0)
		return;
	for (char **n = names; *n; n++) {
		struct driver_candidate c = { 0 };
		_cleanup_free_ char *field = NULL;
		size_t matched = 0;
		const char *unmatched = NULL;

		if (parse_ubuntu_name(*n, &c.branch, &c.server, &c.flavour) < 0 ||
		    apt_candidate_field(ac, *n, "Modaliases", &field) < 0)
			continue;
		for (size_t i = 0; i < t->ngpus; i++) {
			char alias[MODALIAS_MAX];

			modalias_build(t->pci[i], alias);
			if (modaliases_match(field, alias) == 1)
				matched++;
			else if (!unmatched)
				unmatched = t->labels[i];
		}
		if (!matched)
			continue;  /* not a driver for these GPUs at all */
		o->from_modaliases = true;
		c.name = xstrdup(*n);
		c.packages = xstrdup(*n);
		c.partial = unmatched != NULL;
		if (unmatched)
			c.unusable = xasprintf("its Modaliases do not list %s", unmatched);
		else if (c.server != o->server)
			c.unusable = xstrdup(c.server ? "a -server variant, meant for datacenter cards (--server picks it)"
						      : "not a -server variant, and --server or datacenter cards ask for one");
		else
			c.unusable = check_installable(ac, c.packages);
		read_versions(ac, &c);
		add_candidate(o, &c);
	}
	apt_free_list(names);
	/* A branch whose only real package is the -server one (470 on Ubuntu
	 * 22.04 and 24.04: nvidia-driver-470 became a transitional package to
	 * 535, which does not drive Kepler) serves desktop cards too. */
	for (size_t i = 0; i < o->ncand; i++) {
		struct driver_candidate *c = &o->cand[i];
		bool sibling = false;

		if (!c->server || o->server || !c->unusable || !startswith(c->unusable, "a -server variant"))
			continue;
		for (size_t j = 0; j < o->ncand && !sibling; j++)
			sibling = !o->cand[j].server && o->cand[j].branch == c->branch &&
				  o->cand[j].flavour == c->flavour;
		if (sibling)
			continue;
		free(c->unusable);
		c->unusable = check_installable(ac, c->packages);
	}
}

static void read_table(struct apt_cache *ac, const struct target *t, struct driver_offers *o)
{
	for (size_t i = 0; i < t->db->ndrivers; i++) {
		const struct distro_driver *d = &t->db->drivers[i];
		struct driver_candidate c = { .branch = d->branch, .flavour = d->flavour };
		size_t len = strcspn(d->packages, ",");

		if (!streq(d->distro, t->distro->id))
			continue;
		c.name = xmalloc(len + 1);
		memcpy(c.name, d->packages, len);
		c.name[len] = '\0';
		c.packages = xstrdup(d->packages);
		c.unusable = check_installable(ac, c.packages);
		read_versions(ac, &c);
		add_candidate(o, &c);
	}
}

static int candidate_order(const void *a, const void *b)
{
	const struct driver_candidate *x = a, *y = b;

	if (x->branch != y->branch)
		return x->branch > y->branch ? -1 : 1;
	if (x->server != y->server)
		return x->server ? 1 : -1;
	if (x->flavour != y->flavour)
		return x->flavour == FLAVOUR_OPEN ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The usable candidates, as the resolver takes them; when none is, those
 * that serve some of the GPUs: nothing will be installed then, but the
 * resolver finds the conflict between the GPUs and which one to drop. */
static void collect_offer(struct driver_offers *o, const struct target *t)
{
	bool any = false;

	for (size_t i = 0; i < o->ncand; i++)
		any |= !o->cand[i].unusable;
	o->noffer = 0;
	for (size_t i = 0; i < o->ncand; i++) {
		const struct driver_candidate *c = &o->cand[i];

		if ((c->unusable && (any || !c->partial || c->server != o->server)) ||
		    !compat_find_branch(t->db, c->branch))
			continue;
		o->offer = xrealloc(o->offer, (o->noffer + 1) * sizeof(*o->offer));
		o->offer[o->noffer++] = (struct distro_driver){ .distro = t->distro->id, .branch = c->branch,
								.flavour = c->flavour, .packages = c->packages };
	}
}

int driver_offers_read(struct apt_cache *ac, const struct target *t, bool want_server, struct driver_offers *ret)
{
	struct driver_offers o = { .server = want_server };

	read_ubuntu(ac, t, &o);
	if (!o.from_modaliases) {
		/* No Modaliases anywhere (Debian, or an Ubuntu whose lists
		 * lack restricted): the table knows the names. */
		o.server = false;
		read_table(ac, t, &o);
	}
	if (o.ncand)
		qsort(o.cand, o.ncand, sizeof(*o.cand), candidate_order);
	collect_offer(&o, t);
	*ret = o;
	return 0;
}

size_t driver_offers_assume_pending(struct driver_offers *o, const struct target *t)
{
	size_t n = 0;

	for (size_t i = 0; i < o->ncand; i++) {
		struct driver_candidate *c = &o->cand[i];

		if (c->unusable && !c->version && !c->installed && startswith(c->unusable, "apt has no ")) {
			free(c->unusable);
			c->unusable = NULL;
			n++;
		}
	}
	collect_offer(o, t);
	return n;
}

void driver_offers_free(struct driver_offers *o)
{
	for (size_t i = 0; i < o->ncand; i++) {
		free(o->cand[i].name);
		free(o->cand[i].packages);
		free(o->cand[i].version);
		free(o->cand[i].installed);
		free(o->cand[i].unusable);
	}
	free(o->cand);
	free(o->offer);
	*o = (struct driver_offers){ 0 };
}

char *driver_prebuilt_modules_name(const char *driver_pkg, const char *kernel_release)
{
	if (!startswith(driver_pkg, UBUNTU_DRIVER_PREFIX))
		return NULL;
	return xasprintf("linux-modules-nvidia-%s-%s", driver_pkg + strlen(UBUNTU_DRIVER_PREFIX), kernel_release);
}

char *driver_ubuntu_spec(const struct driver_candidate *c)
{
	return xasprintf("nvidia:%u%s%s", c->branch, c->server ? "-server" : "",
			 c->flavour == FLAVOUR_OPEN ? "-open" : "");
}
