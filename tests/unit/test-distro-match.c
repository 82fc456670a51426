/* Unit tests: the release of the shipped distros.tsv a machine is planned
 * as, from its os-release: Ubuntu and Debian themselves, their derivatives
 * (the os-release texts below are those the derivatives ship, as users and
 * fixtures of other projects show them), releases newer than the table,
 * and what is refused. */
#include "config.h"

#include <errno.h>

#include "compat.h"
#include "distro-match.h"
#include "osinfo.h"
#include "tap.h"
#include "util.h"

static struct compat_db *db;

/* match TEXT: distro_match on that os-release; the row's id, or "refused". */
struct outcome {
	int r;
	char id[32];
	enum distro_match_kind kind;
	char note[512];
	char suite[32];
	char err[1024];
};

static struct outcome match(const char *text)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct outcome o = { 0 };
	struct os_release os;
	struct distro_match m = { 0 };

	strbuf_init(&err);
	if (os_release_parse(text, &os) < 0) {
		o.r = -EINVAL;
		return o;
	}
	o.r = distro_match(db, &os, &m, &err);
	if (o.r == 0) {
		snprintf(o.id, sizeof(o.id), "%s", m.distro->id);
		o.kind = m.kind;
		snprintf(o.note, sizeof(o.note), "%s", m.note ? m.note : "");
		snprintf(o.suite, sizeof(o.suite), "%s", m.suite ? m.suite : "");
	} else {
		snprintf(o.err, sizeof(o.err), "%s", err.buf);
	}
	distro_match_free(&m);
	os_release_free(&os);
	return o;
}

static void planned_as(const char *what, const char *text, const char *id, enum distro_match_kind kind,
		       const char *suite, const char *note_part)
{
	struct outcome o = match(text);

	is_int(o.r, 0, "%s: matched", what);
	is_str(o.id, id, "%s: planned as the row expected", what);
	is_int(o.kind, kind, "%s: kind %d", what, kind);
	is_str(o.suite, suite, "%s: the suite apt's sources name", what);
	if (note_part)
		ok(strstr(o.note, note_part) != NULL, "%s: the note says '%s' (%s)", what, note_part, o.note);
	else
		is_str(o.note, "", "%s: no note", what);
}

static void refused(const char *what, const char *text, const char *why)
{
	struct outcome o = match(text);

	is_int(o.r, -ENOENT, "%s: refused", what);
	ok(strstr(o.err, why) && strstr(o.err, "ubuntu-26.04") && strstr(o.err, "debian-13"),
	   "%s: says why and what is known (%s)", what, o.err);
}

int main(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	const char *srcdir = getenv("top_srcdir");
	_cleanup_free_ char *compat = xasprintf("%s/compat", srcdir ? srcdir : ABS_TOP_SRCDIR);

	strbuf_init(&err);
	if (!ok(compat_db_load(compat, &db, &err) == 0, "the shipped compat tables load") && err.len)
		printf("# %s\n", err.buf);
	if (!db)
		return done_testing();

	planned_as("Ubuntu 24.04",
		   "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nVERSION_CODENAME=noble\n"
		   "ID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=noble\n",
		   "ubuntu-24.04", DISTRO_KNOWN, "noble", NULL);
	planned_as("Ubuntu 26.04", "NAME=\"Ubuntu\"\nVERSION_ID=\"26.04\"\nVERSION_CODENAME=resolute\nID=ubuntu\n",
		   "ubuntu-26.04", DISTRO_KNOWN, "resolute", NULL);
	planned_as("Debian 11", "PRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\nVERSION_ID=\"11\"\n"
		   "VERSION_CODENAME=bullseye\nID=debian\n",
		   "debian-11", DISTRO_KNOWN, "bullseye", NULL);

	/* Derivatives: the base from UBUNTU_CODENAME / DEBIAN_CODENAME. */
	planned_as("Linux Mint 22",
		   "NAME=\"Linux Mint\"\nVERSION=\"22 (Wilma)\"\nID=linuxmint\nID_LIKE=\"ubuntu debian\"\n"
		   "PRETTY_NAME=\"Linux Mint 22\"\nVERSION_ID=\"22\"\nVERSION_CODENAME=wilma\nUBUNTU_CODENAME=noble\n",
		   "ubuntu-24.04", DISTRO_DERIVATIVE, "noble",
		   "Linux Mint 22 is based on Ubuntu 24.04 LTS (UBUNTU_CODENAME=noble)");
	planned_as("Pop!_OS 22.04",
		   "NAME=\"Pop!_OS\"\nVERSION=\"22.04 LTS\"\nID=pop\nID_LIKE=\"ubuntu debian\"\n"
		   "PRETTY_NAME=\"Pop!_OS 22.04 LTS\"\nVERSION_ID=\"22.04\"\nVERSION_CODENAME=jammy\n"
		   "UBUNTU_CODENAME=jammy\nLOGO=distributor-logo-pop-os\n",
		   "ubuntu-22.04", DISTRO_DERIVATIVE, "jammy", "Pop!_OS 22.04 LTS is based on Ubuntu 22.04 LTS");
	planned_as("elementary OS 8 (ID_LIKE=ubuntu alone)",
		   "NAME=\"elementary OS\"\nVERSION=\"8\"\nID=elementary\nID_LIKE=ubuntu\n"
		   "PRETTY_NAME=\"elementary OS 8\"\nVERSION_ID=\"8\"\nVERSION_CODENAME=circe\nUBUNTU_CODENAME=noble\n",
		   "ubuntu-24.04", DISTRO_DERIVATIVE, "noble", "elementary OS 8 is based on Ubuntu 24.04 LTS");
	planned_as("Zorin OS 17",
		   "PRETTY_NAME=\"Zorin OS 17.1\"\nNAME=\"Zorin OS\"\nVERSION_ID=\"17\"\nVERSION=\"17.1\"\n"
		   "VERSION_CODENAME=jammy\nID=zorin\nID_LIKE=\"ubuntu debian\"\nUBUNTU_CODENAME=jammy\n",
		   "ubuntu-22.04", DISTRO_DERIVATIVE, "jammy", "Zorin OS 17.1 is based on Ubuntu 22.04 LTS");
	planned_as("LMDE 6 (Mint's ID, Debian's base)",
		   "PRETTY_NAME=\"LMDE 6 (faye)\"\nNAME=\"LMDE\"\nVERSION_ID=\"6\"\nVERSION=\"6 (faye)\"\n"
		   "VERSION_CODENAME=faye\nID=linuxmint\nID_LIKE=debian\nDEBIAN_CODENAME=bookworm\n",
		   "debian-12", DISTRO_DERIVATIVE, "bookworm",
		   "LMDE 6 (faye) is based on Debian 12 (DEBIAN_CODENAME=bookworm)");
	planned_as("a derivative naming its base only as VERSION_CODENAME",
		   "ID=someos\nID_LIKE=ubuntu\nVERSION_ID=1\nVERSION_CODENAME=noble\n",
		   "ubuntu-24.04", DISTRO_DERIVATIVE, "noble", "(VERSION_CODENAME=noble)");

	/* Releases newer than the table: the newest row before them. */
	planned_as("Ubuntu 26.10", "NAME=\"Ubuntu\"\nVERSION_ID=\"26.10\"\nVERSION_CODENAME=stonking\nID=ubuntu\n"
		   "PRETTY_NAME=\"Ubuntu 26.10\"\n",
		   "ubuntu-26.04", DISTRO_NEWER, "stonking",
		   "Ubuntu 26.10 is not in gpu-setup's tables: it is planned as Ubuntu 26.04 LTS");
	planned_as("Ubuntu 25.04, between two rows",
		   "NAME=\"Ubuntu\"\nVERSION_ID=\"25.04\"\nVERSION_CODENAME=plucky\nID=ubuntu\n",
		   "ubuntu-24.04", DISTRO_NEWER, "plucky", "planned as Ubuntu 24.04 LTS, the newest release before it");
	planned_as("Debian 14", "PRETTY_NAME=\"Debian GNU/Linux 14 (forky)\"\nVERSION_ID=\"14\"\n"
		   "VERSION_CODENAME=forky\nID=debian\n",
		   "debian-13", DISTRO_NEWER, "forky", "planned as Debian 13");
	planned_as("Linux Mint on an Ubuntu the table does not know",
		   "NAME=\"Linux Mint\"\nID=linuxmint\nID_LIKE=\"ubuntu debian\"\nPRETTY_NAME=\"Linux Mint 23\"\n"
		   "VERSION_ID=\"23\"\nVERSION_CODENAME=xenia\nUBUNTU_CODENAME=stonking\n",
		   "ubuntu-26.04", DISTRO_NEWER, "stonking",
		   "Linux Mint 23 is based on Ubuntu 'stonking', which gpu-setup's tables do not know");

	/* Refused, with the reason and the list. */
	refused("Ubuntu 18.04", "NAME=\"Ubuntu\"\nVERSION_ID=\"18.04\"\nVERSION_CODENAME=bionic\nID=ubuntu\n",
		"older than every release");
	refused("Fedora", "NAME=\"Fedora Linux\"\nVERSION_ID=41\nID=fedora\n", "no ID_LIKE");
	refused("Rocky Linux", "NAME=\"Rocky Linux\"\nVERSION_ID=\"9.4\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n",
		"names neither ubuntu nor debian");
	refused("a word that only contains 'ubuntu'", "ID=x\nVERSION_ID=1\nID_LIKE=notubuntu\nUBUNTU_CODENAME=noble\n",
		"names neither ubuntu nor debian");
	refused("an Ubuntu derivative with no codename at all", "ID=x\nVERSION_ID=1\nID_LIKE=ubuntu\n",
		"names no UBUNTU_CODENAME");

	compat_db_free(db);
	return done_testing();
}
