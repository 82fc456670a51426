/*
 * Unit tests: reading the driver candidates apt offers (driver-offer.c)
 * from a private apt tree with Ubuntu-style packages, as a normal user; the
 * system tests (tests/driver.test) run the same code against chroots.
 */
#include "config.h"

#include <errno.h>

#include "aptshim.h"
#include "driver-offer.h"
#include "run.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

static char root[] = "/tmp/gs-offer-XXXXXX";

#define PKG(name, extra) "Package: " name "\nVersion: " extra "Architecture: amd64\nFilename: ./x.deb\nSize: 1\nDescription: t\n\n"
static const char packages[] =
	PKG("nvidia-driver-580", "580.95.05-0ubuntu1\nModaliases: nvidia(pci:v000010DEd00002204sv*sd*bc03sc*i*, "
				 "pci:v000010DEd00001B06sv*sd*bc03sc*i*)\n")
	PKG("nvidia-driver-580-open", "580.95.05-0ubuntu1\nModaliases: nvidia(pci:v000010DEd00002204sv*sd*bc03sc*i*, "
				      "pci:v000010DEd00002B85sv*sd*bc03sc*i*)\n")
	PKG("nvidia-driver-580-server", "580.95.05-0ubuntu1\nModaliases: nvidia(pci:v000010DEd00002204sv*sd*bc03sc*i*, "
					"pci:v000010DEd00002330sv*sd*bc03sc*i*)\n")
	PKG("nvidia-driver-535", "580.95.05-0ubuntu1\nDepends: nvidia-driver-580\n")
	PKG("nvidia-driver-assistant", "0.1\nModaliases: nvidia(pci:v000010DEd*sv*sd*bc03sc*i*)\n")
	PKG("nvidia-driver-470", "470.256.02-0ubuntu1\nModaliases: nvidia(pci:v000010DEd0000102Dsv*sd*bc03sc*i*)\n")
	/* Ubuntu 22.04/24.04: the only real 470 for a desktop Kepler card */
	PKG("nvidia-driver-470-server", "470.256.02-0ubuntu1\nModaliases: nvidia(pci:v000010DEd00001004sv*sd*bc03sc*i*)\n")
	PKG("nvidia-driver-999", "999.1-0ubuntu1\nModaliases: nvidia(pci:v000010DEd00002204sv*sd*bc03sc*i*)\n")
	PKG("nvidia-driver-575", "580.95.05-0ubuntu1\nModaliases: nvidia(pci:v000010DEd00002204sv*sd*bc03sc*i*)\n");

static struct pci_gpu pci[4];

/* A target with the given GPUs (device IDs; class 0x0302 when datacenter). */
static void target_with(struct target *t, struct compat_db *db, const unsigned *ids, size_t n, bool datacenter)
{
	static struct os_release os = { .id = (char *)"ubuntu", .version_id = (char *)"24.04",
					.distro = (char *)"ubuntu-24.04" };

	memset(t, 0, sizeof(*t));
	t->db = db;
	t->os = os;
	t->distro = compat_find_distro(db, "ubuntu-24.04");
	for (size_t i = 0; i < n; i++) {
		pci[i] = (struct pci_gpu){ .bus = (unsigned)i + 1, .vendor_id = 0x10de, .device_id = ids[i],
					   .class_id = datacenter ? 0x0302 : 0x0300 };
		t->pci[i] = &pci[i];
		snprintf(t->labels[i], sizeof(t->labels[i]), "GPU %04x", ids[i]);
		t->gpus[i] = (struct resolve_gpu){ .label = t->labels[i], .device_id = ids[i] };
	}
	t->ngpus = n;
}

static const struct driver_candidate *find(const struct driver_offers *o, const char *name)
{
	for (size_t i = 0; i < o->ncand; i++)
		if (streq(o->cand[i].name, name))
			return &o->cand[i];
	return NULL;
}

static bool offered(const struct driver_offers *o, const char *name)
{
	for (size_t i = 0; i < o->noffer; i++)
		if (streq(o->offer[i].packages, name))
			return true;
	return false;
}

int main(void)
{
	struct apt_cache *c = NULL;
	struct compat_db *db = NULL;
	struct target t;
	struct driver_offers o;
	const struct driver_candidate *dc;
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	char *s;

	strbuf_init(&err);
	if (!mkdtemp(root))
		return done_testing();
	if (testroot_apt_tree(root, packages, "") < 0) {
		printf("1..0 # SKIP apt-get update cannot read a file: repository here\n");
		testroot_remove(root);
		return 0;
	}
	if (!ok(compat_db_load(ABS_TOP_SRCDIR "/compat", &db, &err) == 0, "compat data loads") ||
	    !ok(apt_cache_open(root, &c, NULL) == 0, "the private apt tree opens"))
		return done_testing();

	{
		const unsigned ids[] = { 0x2204 };

		target_with(&t, db, ids, 1, false);
		driver_offers_read(c, &t, false, &o);
		ok(o.from_modaliases, "Modaliases fields make the candidates");
		is_int((int)o.ncand, 5, "Ampere: 999, 580-open, 580, 580-server, 575 (not 470, not the transitional 535)");
		ok(o.ncand == 5 && streq(o.cand[0].name, "nvidia-driver-999") &&
		   streq(o.cand[1].name, "nvidia-driver-580-open") && streq(o.cand[2].name, "nvidia-driver-580") &&
		   streq(o.cand[3].name, "nvidia-driver-580-server") && streq(o.cand[4].name, "nvidia-driver-575"),
		   "newest branch first, open before proprietary, plain before -server");
		ok(!find(&o, "nvidia-driver-assistant"), "a name without a branch is not a driver package");
		dc = find(&o, "nvidia-driver-580-server");
		ok(dc && dc->server && dc->unusable && strstr(dc->unusable, "-server variant"),
		   "-server is not offered for a desktop card");
		dc = find(&o, "nvidia-driver-575");
		ok(dc && dc->unusable && strstr(dc->unusable, "not of branch 575"),
		   "a package whose version is of another branch is not used");
		ok(offered(&o, "nvidia-driver-580-open") && offered(&o, "nvidia-driver-580") &&
		   !offered(&o, "nvidia-driver-999") && o.noffer == 2,
		   "the resolver is offered 580 in both flavours, not a branch the data does not know");
		ok(!driver_gpus_are_datacenter(&t), "a VGA controller is not a datacenter card");
		driver_offers_free(&o);

		driver_offers_read(c, &t, true, &o);
		ok(offered(&o, "nvidia-driver-580-server") && o.noffer == 1 && o.server, "--server offers -server only");
		driver_offers_free(&o);
	}
	{
		const unsigned ids[] = { 0x1004 };

		target_with(&t, db, ids, 1, false);
		driver_offers_read(c, &t, false, &o);
		ok(offered(&o, "nvidia-driver-470-server") && o.noffer == 1,
		   "a desktop card only a -server package lists (470 on Ubuntu 22.04/24.04): that package is offered");
		driver_offers_free(&o);
	}
	{
		const unsigned ids[] = { 0x2204, 0x1b06 };

		target_with(&t, db, ids, 2, false);
		driver_offers_read(c, &t, false, &o);
		dc = find(&o, "nvidia-driver-580-open");
		ok(dc && dc->partial && dc->unusable && strstr(dc->unusable, "GPU 1b06"),
		   "Ampere + Pascal: 580-open does not list the Pascal card, and says so");
		ok(o.noffer == 1 && offered(&o, "nvidia-driver-580"), "only nvidia-driver-580 serves both");
		driver_offers_free(&o);
	}
	{
		const unsigned ids[] = { 0x1b06, 0x2b85 };

		target_with(&t, db, ids, 2, false);
		driver_offers_read(c, &t, false, &o);
		ok(o.noffer == 2 && offered(&o, "nvidia-driver-580") && offered(&o, "nvidia-driver-580-open"),
		   "Pascal + Blackwell: no package serves both; each card's package goes to the resolver to find the conflict");
		driver_offers_free(&o);
	}
	{
		const unsigned ids[] = { 0x2330 };

		target_with(&t, db, ids, 1, true);
		ok(driver_gpus_are_datacenter(&t), "a 3D controller with no integrated GPU is a datacenter card");
		t.rep.pci.hybrid = true;
		ok(!driver_gpus_are_datacenter(&t), "in a hybrid laptop it is not");
	}
	s = driver_prebuilt_modules_name("nvidia-driver-580-server-open", "6.8.0-45-generic");
	is_str(s, "linux-modules-nvidia-580-server-open-6.8.0-45-generic", "prebuilt modules package name");
	free(s);
	ok(!driver_prebuilt_modules_name("nvidia-driver", "6.1.0-18-amd64"), "Debian's nvidia-driver has none");
	{
		struct driver_candidate cand = { .branch = 535, .server = true, .flavour = FLAVOUR_OPEN };

		s = driver_ubuntu_spec(&cand);
		is_str(s, "nvidia:535-server-open", "ubuntu-drivers' spelling");
		free(s);
	}
	apt_cache_close(c);
	compat_db_free(db);
	testroot_remove(root);
	return done_testing();
}
