/* Unit tests: adding contrib/non-free/non-free-firmware to the Debian
 * archive entries of apt's sources, the text fixer over both formats and
 * the scan and all-or-nothing apply under a sysroot. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "apt-sources.h"
#include "fileio.h"
#include "strbuf.h"
#include "sysroot.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

static const char *const bookworm[] = { "contrib", "non-free", "non-free-firmware", NULL };
static const char *const bullseye[] = { "contrib", "non-free", NULL };

struct fix_case {
	const char *name;
	enum apt_sources_format fmt;
	const char *codename;
	const char *const *comps;
	const char *in;
	const char *want;    /* NULL: the input unchanged */
	int changed;         /* or a negative errno */
	unsigned found;
	const char *error;   /* the start of the message on failure */
};

#define ONE APT_SOURCES_ONE_LINE
#define D822 APT_SOURCES_DEB822

/* What the Debian 12 installer writes (firmware is enabled by default). */
#define STOCK12_HEAD \
	"#deb cdrom:[Debian GNU/Linux 12.5.0 _Bookworm_ - Official amd64 NETINST with firmware 20240210-11:27]/ bookworm contrib main non-free-firmware\n" \
	"\n"
#define STOCK12_COMMENT \
	"# bookworm-updates, to get updates before a point release is made;\n" \
	"# see https://www.debian.org/doc/manuals/debian-reference/ch02.en.html#_updates_and_backports\n"

/* The deb822 file of Debian's docker and cloud images (this is
 * debian:bookworm's /etc/apt/sources.list.d/debian.sources). */
#define DOCKER12(comps) \
	"Types: deb\n" \
	"# http://snapshot.debian.org/archive/debian/20250520T000000Z\n" \
	"URIs: http://deb.debian.org/debian\n" \
	"Suites: bookworm bookworm-updates\n" \
	"Components: " comps "\n" \
	"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n" \
	"\n" \
	"Types: deb\n" \
	"# http://snapshot.debian.org/archive/debian-security/20250520T000000Z\n" \
	"URIs: http://deb.debian.org/debian-security\n" \
	"Suites: bookworm-security\n" \
	"Components: " comps "\n" \
	"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"

static const struct fix_case cases[] = {
	{ "stock Debian 12 sources.list", ONE, "bookworm", bookworm,
	  STOCK12_HEAD
	  "deb http://deb.debian.org/debian/ bookworm main non-free-firmware\n"
	  "deb-src http://deb.debian.org/debian/ bookworm main non-free-firmware\n"
	  "\n"
	  "deb http://security.debian.org/debian-security bookworm-security main non-free-firmware\n"
	  "deb-src http://security.debian.org/debian-security bookworm-security main non-free-firmware\n"
	  "\n"
	  STOCK12_COMMENT
	  "deb http://deb.debian.org/debian/ bookworm-updates main non-free-firmware\n"
	  "deb-src http://deb.debian.org/debian/ bookworm-updates main non-free-firmware\n",
	  STOCK12_HEAD
	  "deb http://deb.debian.org/debian/ bookworm main non-free-firmware contrib non-free\n"
	  "deb-src http://deb.debian.org/debian/ bookworm main non-free-firmware\n"
	  "\n"
	  "deb http://security.debian.org/debian-security bookworm-security main non-free-firmware contrib non-free\n"
	  "deb-src http://security.debian.org/debian-security bookworm-security main non-free-firmware\n"
	  "\n"
	  STOCK12_COMMENT
	  "deb http://deb.debian.org/debian/ bookworm-updates main non-free-firmware contrib non-free\n"
	  "deb-src http://deb.debian.org/debian/ bookworm-updates main non-free-firmware\n",
	  3, 3, NULL },
	{ "Debian 12 with main only, deb-src left alone", ONE, "bookworm", bookworm,
	  "deb http://deb.debian.org/debian bookworm main\n"
	  "deb-src http://deb.debian.org/debian bookworm main\n"
	  "deb http://deb.debian.org/debian-security bookworm-security main\n"
	  "deb http://deb.debian.org/debian bookworm-updates main\n",
	  "deb http://deb.debian.org/debian bookworm main contrib non-free non-free-firmware\n"
	  "deb-src http://deb.debian.org/debian bookworm main\n"
	  "deb http://deb.debian.org/debian-security bookworm-security main contrib non-free non-free-firmware\n"
	  "deb http://deb.debian.org/debian bookworm-updates main contrib non-free non-free-firmware\n",
	  3, 3, NULL },
	{ "Debian 12 docker/cloud debian.sources", D822, "bookworm", bookworm,
	  DOCKER12("main"), DOCKER12("main contrib non-free non-free-firmware"), 2, 2, NULL },
	{ "Debian 12 debian.sources already complete", D822, "bookworm", bookworm,
	  DOCKER12("main contrib non-free non-free-firmware"), NULL, 0, 2, NULL },
	{ "Debian 11 with bullseye-security", ONE, "bullseye", bullseye,
	  "deb http://deb.debian.org/debian bullseye main\n"
	  "deb http://security.debian.org/debian-security bullseye-security main\n"
	  "deb http://deb.debian.org/debian bullseye-updates main\n",
	  "deb http://deb.debian.org/debian bullseye main contrib non-free\n"
	  "deb http://security.debian.org/debian-security bullseye-security main contrib non-free\n"
	  "deb http://deb.debian.org/debian bullseye-updates main contrib non-free\n",
	  3, 3, NULL },
	{ "Debian 10's CODENAME/updates security suite", ONE, "buster", bullseye,
	  "deb http://security.debian.org buster/updates main\n",
	  "deb http://security.debian.org buster/updates main contrib non-free\n", 1, 1, NULL },
	{ "already complete: nothing to do", ONE, "bookworm", bookworm,
	  "deb http://deb.debian.org/debian bookworm non-free-firmware non-free contrib main\n", NULL, 0, 1, NULL },
	{ "partially complete: only what is missing, in the given order", ONE, "bookworm", bookworm,
	  "deb http://deb.debian.org/debian bookworm main contrib\n",
	  "deb http://deb.debian.org/debian bookworm main contrib non-free non-free-firmware\n", 1, 1, NULL },
	{ "third-party repositories untouched", ONE, "bookworm", bookworm,
	  "deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian bookworm stable\n"
	  "deb http://apt.postgresql.org/pub/repos/apt bookworm-pgdg main\n"
	  "deb https://deb.nodesource.com/node_20.x nodistro main\n",
	  NULL, 0, 0, NULL },
	{ "backports and other releases untouched", ONE, "bookworm", bookworm,
	  "deb http://deb.debian.org/debian bookworm-backports main\n"
	  "deb http://deb.debian.org/debian bullseye main\n"
	  "deb http://deb.debian.org/debian bookwormish main\n",
	  NULL, 0, 0, NULL },
	{ "commented entries untouched", ONE, "bookworm", bookworm,
	  "# deb http://deb.debian.org/debian bookworm main\n"
	  "   #deb http://deb.debian.org/debian bookworm main\n",
	  NULL, 0, 0, NULL },
	{ "a trailing comment stays after the components", ONE, "bookworm", bookworm,
	  "deb http://deb.debian.org/debian bookworm main  # the archive\n",
	  "deb http://deb.debian.org/debian bookworm main contrib non-free non-free-firmware  # the archive\n",
	  1, 1, NULL },
	{ "options in brackets survive", ONE, "bookworm", bookworm,
	  "deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main\n"
	  "deb [ arch=amd64,i386 ]\thttp://deb.debian.org/debian\tbookworm-updates\tmain\n",
	  "deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main contrib non-free non-free-firmware\n"
	  "deb [ arch=amd64,i386 ]\thttp://deb.debian.org/debian\tbookworm-updates\tmain contrib non-free non-free-firmware\n",
	  2, 2, NULL },
	{ "no trailing newline, spacing of other lines kept", ONE, "bookworm", bookworm,
	  "  deb   http://x.example/debian   sid   main\n\n\ndeb http://deb.debian.org/debian bookworm main   ",
	  "  deb   http://x.example/debian   sid   main\n\n\ndeb http://deb.debian.org/debian bookworm main contrib non-free non-free-firmware   ",
	  1, 1, NULL },
	{ "CRLF line ends kept", ONE, "bookworm", bookworm,
	  "deb http://deb.debian.org/debian bookworm main\r\ndeb http://deb.debian.org/debian bookworm-updates main\r\n",
	  "deb http://deb.debian.org/debian bookworm main contrib non-free non-free-firmware\r\n"
	  "deb http://deb.debian.org/debian bookworm-updates main contrib non-free non-free-firmware\r\n",
	  2, 2, NULL },
	{ "duplicates in the wanted list added once", ONE, "bookworm",
	  (const char *const[]){ "contrib", "contrib", "", "main", NULL },
	  "deb http://deb.debian.org/debian bookworm main\n",
	  "deb http://deb.debian.org/debian bookworm main contrib\n", 1, 1, NULL },
	{ "empty text", ONE, "bookworm", bookworm, "", NULL, 0, 0, NULL },
	{ "deb822: Enabled: no stanza untouched", D822, "bookworm", bookworm,
	  "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nEnabled: No\n",
	  NULL, 0, 0, NULL },
	{ "deb822: Enabled: yes is changed", D822, "bookworm", bookworm,
	  "Enabled: yes\nTypes: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\n",
	  "Enabled: yes\nTypes: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main contrib non-free non-free-firmware\n",
	  1, 1, NULL },
	{ "deb822: deb-src only untouched, third party untouched", D822, "bookworm", bookworm,
	  "Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\n"
	  "\n"
	  "Types: deb\nURIs: https://download.docker.com/linux/debian\nSuites: bookworm\nComponents: stable\n",
	  NULL, 0, 0, NULL },
	{ "deb822: folded Components, comment inside, lower-case names, cloud mirror URI", D822, "bookworm", bookworm,
	  "types: deb deb-src\n"
	  "uris: mirror+file:///etc/apt/mirrors/debian.list\n"
	  "suites: bookworm\n"
	  "components:\n"
	  " main\n"
	  "# contrib later\n"
	  " non-free  \n"
	  "signed-by: /usr/share/keyrings/debian-archive-keyring.gpg\n",
	  "types: deb deb-src\n"
	  "uris: mirror+file:///etc/apt/mirrors/debian.list\n"
	  "suites: bookworm\n"
	  "components:\n"
	  " main\n"
	  "# contrib later\n"
	  " non-free contrib non-free-firmware  \n"
	  "signed-by: /usr/share/keyrings/debian-archive-keyring.gpg\n",
	  1, 1, NULL },
	{ "deb822: inline key and stanzas split by a blank-looking line", D822, "bookworm", bookworm,
	  "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\n"
	  "Signed-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n mQINBF\n -----END PGP PUBLIC KEY BLOCK-----\n"
	  " \t \n"
	  "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-updates\nComponents: main contrib non-free non-free-firmware",
	  "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main contrib non-free non-free-firmware\n"
	  "Signed-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n mQINBF\n -----END PGP PUBLIC KEY BLOCK-----\n"
	  " \t \n"
	  "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-updates\nComponents: main contrib non-free non-free-firmware",
	  1, 2, NULL },
	{ "deb822: a file of comments only", D822, "bookworm", bookworm,
	  "# Types: deb\n# URIs: http://deb.debian.org/debian\n\n\n", NULL, 0, 0, NULL },

	{ "malformed: deb without URI", ONE, "bookworm", bookworm,
	  "# ok\ndeb http://deb.debian.org/debian bookworm main\ndeb\n", NULL, -EINVAL, 0,
	  "line 3: entry without a URI" },
	{ "malformed: deb without suite", ONE, "bookworm", bookworm,
	  "deb [arch=amd64] http://deb.debian.org/debian # bookworm\n", NULL, -EINVAL, 0,
	  "line 1: entry without a suite" },
	{ "malformed: options not closed", ONE, "bookworm", bookworm,
	  "deb [arch=amd64 http://deb.debian.org/debian bookworm main\n", NULL, -EINVAL, 0,
	  "line 1: options opened" },
	{ "malformed: unknown type", ONE, "bookworm", bookworm,
	  "\n\nTypes: deb\n", NULL, -EINVAL, 0, "line 3: unknown type 'Types:'" },
	{ "malformed: CR inside a one-line entry's type", ONE, "bookworm", bookworm,
	  "de\rb http://deb.debian.org/debian bookworm main\n", NULL, -EINVAL, 0, "line 1: unknown type 'de'" },
	{ "malformed: deb822 stanza without URIs", D822, "bookworm", bookworm,
	  "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\n\n"
	  "# second\nTypes: deb\nSuites: bookworm\nComponents: main\n",
	  NULL, -EINVAL, 0, "line 7: stanza without URIs" },
	{ "malformed: deb822 line without a colon", D822, "bookworm", bookworm,
	  "Types: deb\ndeb http://deb.debian.org/debian bookworm main\n", NULL, -EINVAL, 0,
	  "line 2: expected 'Field: value'" },
	{ "malformed: deb822 continuation line first", D822, "bookworm", bookworm,
	  "\n main\nTypes: deb\n", NULL, -EINVAL, 0, "line 2: continuation line outside a field" },
	{ "malformed: deb822 field given twice", D822, "bookworm", bookworm,
	  "Types: deb\nURIs: http://a\nSuites: bookworm\nsuites: bookworm-updates\n", NULL, -EINVAL, 0,
	  "line 4: field Suites given twice" },
};

static void test_fix_cases(void)
{
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const struct fix_case *c = &cases[i];
		_cleanup_strbuf_ struct strbuf changes = STRBUF_INIT, err = STRBUF_INIT;
		_cleanup_free_ char *out = NULL;
		unsigned found = 12345;
		int r;

		strbuf_init(&changes);
		strbuf_init(&err);
		r = apt_sources_fix_text(c->in, c->fmt, c->codename, c->comps, &out, &found, &changes, &err);
		is_int(r, c->changed, "%s: result", c->name);
		if (c->changed < 0) {
			ok(startswith(err.buf, c->error), "%s: error names the line", c->name);
			if (!startswith(err.buf, c->error))
				printf("# got '%s', want '%s...'\n", err.buf, c->error);
			ok(out == NULL && found == 12345 && changes.len == 0, "%s: nothing returned", c->name);
			continue;
		}
		is_str(out, c->want ? c->want : c->in, "%s: text", c->name);
		is_int(found, c->found, "%s: Debian entries found", c->name);
		if (out && c->changed > 0) {
			_cleanup_free_ char *again = NULL;
			unsigned found2 = 0;

			ok(apt_sources_fix_text(out, c->fmt, c->codename, c->comps, &again, &found2, NULL, NULL) == 0 &&
			   streq(again, out) && found2 == found,
			   "%s: a second run changes nothing", c->name);
		}
	}
}

static void test_change_lines(void)
{
	_cleanup_strbuf_ struct strbuf changes = STRBUF_INIT;
	_cleanup_free_ char *out = NULL, *out2 = NULL;

	strbuf_init(&changes);
	apt_sources_fix_text("deb [arch=amd64] http://deb.debian.org/debian bookworm main\n"
			     "deb http://deb.debian.org/debian bookworm-updates main contrib non-free non-free-firmware\n"
			     "deb http://deb.debian.org/debian-security bookworm-security main non-free-firmware\n",
			     APT_SOURCES_ONE_LINE, "bookworm", bookworm, &out, NULL, &changes, NULL);
	is_str(changes.buf,
	       "line 1: http://deb.debian.org/debian bookworm: main -> main contrib non-free non-free-firmware\n"
	       "line 3: http://deb.debian.org/debian-security bookworm-security: main non-free-firmware -> main non-free-firmware contrib non-free\n",
	       "one-line change lines: line, URI, suite, components before and after");
	strbuf_reset(&changes);
	apt_sources_fix_text(DOCKER12("main"), APT_SOURCES_DEB822, "bookworm", bookworm, &out2, NULL, &changes, NULL);
	is_str(changes.buf,
	       "line 5: http://deb.debian.org/debian bookworm bookworm-updates: main -> main contrib non-free non-free-firmware\n"
	       "line 12: http://deb.debian.org/debian-security bookworm-security: main -> main contrib non-free non-free-firmware\n",
	       "deb822 change lines name the Components line and all suites");
}

static void test_components(void)
{
	const char *const *c;

	c = debian_nonfree_components("debian-11");
	ok(c && streq(c[0], "contrib") && streq(c[1], "non-free") && !c[2], "Debian 11: contrib non-free");
	c = debian_nonfree_components("debian-12");
	ok(c && streq(c[0], "contrib") && streq(c[1], "non-free") && c[2] && streq(c[2], "non-free-firmware") && !c[3],
	   "Debian 12: contrib non-free non-free-firmware");
	c = debian_nonfree_components("debian-13");
	ok(c && c[2] && streq(c[2], "non-free-firmware"), "Debian 13 has non-free-firmware too");
	ok(!debian_nonfree_components("debian-10"), "Debian 10: none (unsupported)");
	ok(!debian_nonfree_components("ubuntu-24.04"), "Ubuntu: none");
	ok(!debian_nonfree_components("debian-") && !debian_nonfree_components("debian-12.1") &&
	   !debian_nonfree_components("debian-x") && !debian_nonfree_components(NULL),
	   "malformed keys: none");
}

static char root[] = "/tmp/gs-apt-sources-XXXXXX";

static char *slurp(const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s%s", root, rel);
	char *data = NULL;
	size_t len;

	if (read_file(p, 1 << 20, &data, &len) < 0)
		return NULL;
	return data;
}

static bool exists(const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s%s", root, rel);
	struct stat st;

	return lstat(p, &st) == 0;
}

static mode_t mode_of(const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s%s", root, rel);
	struct stat st;

	return stat(p, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static void put_mode(const char *rel, const char *text, mode_t mode)
{
	_cleanup_free_ char *p = xasprintf("%s%s", root, rel);

	testroot_puts(root, rel, text);
	chmod(p, mode);
}

static bool same(const char *rel, const char *text)
{
	_cleanup_free_ char *got = slurp(rel);

	return got && streq(got, text);
}

#define LIST_OLD "deb http://deb.debian.org/debian bookworm main\n"
#define LIST_NEW "deb http://deb.debian.org/debian bookworm main contrib non-free non-free-firmware\n"
#define DOCKER_LIST "deb [arch=amd64] https://download.docker.com/linux/debian bookworm stable\n"
#define BAK(path, stamp) path ".gpu-setup-" stamp ".bak"

static void test_files(void)
{
	struct apt_sources_plan plan;
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	_cleanup_free_ char *bak = NULL;
	int r;

	strbuf_init(&err);
	ok(apt_sources_scan("bookworm", bookworm, &plan, &err) == 0 && plan.nfiles == 0 && plan.found == 0,
	   "no sources at all: nothing found, nothing to do");
	apt_sources_plan_free(&plan);

	put_mode("/etc/apt/sources.list", LIST_OLD, 0644);
	put_mode("/etc/apt/sources.list.d/debian.sources", DOCKER12("main"), 0640);
	put_mode("/etc/apt/sources.list.d/docker.list", DOCKER_LIST, 0644);
	/* Names apt does not read are not read here either. */
	testroot_puts(root, "/etc/apt/sources.list.d/old.list.bak", LIST_OLD);
	testroot_puts(root, "/etc/apt/sources.list.d/bad name.list", LIST_OLD);
	testroot_puts(root, "/etc/apt/sources.list.d/README", "not a sources file\n");
	testroot_puts(root, "/etc/apt/sources.list.d/a.sources.disabled", "garbage\n");

	r = apt_sources_scan("bookworm", bookworm, &plan, &err);
	is_int(r, 0, "scan");
	is_int(plan.nfiles, 2, "two files need changes");
	is_int(plan.found, 3, "three Debian archive entries found");
	if (plan.nfiles == 2) {
		is_str(plan.files[0].path, "/etc/apt/sources.list", "sources.list first, without the sysroot");
		is_str(plan.files[1].path, "/etc/apt/sources.list.d/debian.sources", "then sources.list.d");
		is_str(plan.files[0].new_text, LIST_NEW, "new text of sources.list");
		is_str(plan.files[0].old_text, LIST_OLD, "old text of sources.list");
		is_int(plan.files[1].changed, 2, "two stanzas change in debian.sources");
		ok(startswith(plan.files[1].changes, "line 5: "), "change lines kept per file");
		is_int(plan.files[1].mode, 0640, "the mode is recorded");
	}
	bak = apt_sources_backup_path("/etc/apt/sources.list", "S1");
	is_str(bak, "/etc/apt/sources.list.gpu-setup-S1.bak", "backup path");

	ok(apt_sources_apply(&plan, "a/b", NULL) == -EINVAL, "a stamp with a slash is refused");
	ok(apt_sources_apply(&plan, "", NULL) == -EINVAL, "an empty stamp is refused");

	r = apt_sources_apply(&plan, "S1", &err);
	is_int(r, 2, "apply rewrites two files");
	ok(same("/etc/apt/sources.list", LIST_NEW), "sources.list rewritten");
	ok(same("/etc/apt/sources.list.d/debian.sources", DOCKER12("main contrib non-free non-free-firmware")),
	   "debian.sources rewritten");
	ok(same(BAK("/etc/apt/sources.list", "S1"), LIST_OLD), "backup of sources.list holds the old text");
	ok(same(BAK("/etc/apt/sources.list.d/debian.sources", "S1"), DOCKER12("main")),
	   "backup of debian.sources holds the old text");
	is_int(mode_of(BAK("/etc/apt/sources.list.d/debian.sources", "S1")), 0640, "the backup keeps the mode");
	is_int(mode_of("/etc/apt/sources.list.d/debian.sources"), 0640, "the rewritten file keeps the mode");
	is_int(mode_of(BAK("/etc/apt/sources.list", "S1")), 0644, "and 0644 stays 0644");
	ok(same("/etc/apt/sources.list.d/docker.list", DOCKER_LIST), "third-party file untouched");
	apt_sources_plan_free(&plan);

	ok(apt_sources_scan("bookworm", bookworm, &plan, &err) == 0 && plan.nfiles == 0 && plan.found == 3,
	   "after applying: nothing to do, the entries still found");
	is_int(apt_sources_apply(&plan, "S1", &err), 0, "applying an empty plan is 0");
	apt_sources_plan_free(&plan);

	/* An existing backup name: nothing changes, the backup is kept. */
	put_mode("/etc/apt/sources.list", LIST_OLD, 0644);
	put_mode("/etc/apt/sources.list.d/debian.sources", DOCKER12("main"), 0640);
	testroot_puts(root, BAK("/etc/apt/sources.list.d/debian.sources", "S2"), "keep me\n");
	apt_sources_scan("bookworm", bookworm, &plan, &err);
	strbuf_reset(&err);
	r = apt_sources_apply(&plan, "S2", &err);
	is_int(r, -EEXIST, "an existing backup name fails");
	ok(strstr(err.buf, "debian.sources.gpu-setup-S2.bak") != NULL, "the message names the backup");
	ok(same("/etc/apt/sources.list", LIST_OLD) && !exists(BAK("/etc/apt/sources.list", "S2")),
	   "the first file was not changed and has no backup");
	ok(same(BAK("/etc/apt/sources.list.d/debian.sources", "S2"), "keep me\n"), "the existing backup is kept");

	/* A file changed between scan and apply. */
	put_mode("/etc/apt/sources.list.d/debian.sources", DOCKER12("main") "\n# edited\n", 0640);
	strbuf_reset(&err);
	is_int(apt_sources_apply(&plan, "S3", &err), -ESTALE, "a file changed since the scan fails");
	ok(same("/etc/apt/sources.list", LIST_OLD) && !exists(BAK("/etc/apt/sources.list", "S3")),
	   "and nothing was changed");
	apt_sources_plan_free(&plan);
	put_mode("/etc/apt/sources.list.d/debian.sources", DOCKER12("main"), 0640);

	/* Failing midway: a file size limit lets the first file and the
	 * second's backup through and stops the second file's new text. */
	{
		struct rlimit old, lim;
		size_t small = strlen(DOCKER12("main"));
		void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);

		apt_sources_scan("bookworm", bookworm, &plan, &err);
		getrlimit(RLIMIT_FSIZE, &old);
		lim = old;
		lim.rlim_cur = small + 10;
		setrlimit(RLIMIT_FSIZE, &lim);
		strbuf_reset(&err);
		r = apt_sources_apply(&plan, "S4", &err);
		setrlimit(RLIMIT_FSIZE, &old);
		signal(SIGXFSZ, prev);
		is_int(r, -EFBIG, "a write failing midway fails apply");
		ok(same("/etc/apt/sources.list", LIST_OLD), "the file already rewritten is restored");
		ok(same("/etc/apt/sources.list.d/debian.sources", DOCKER12("main")), "the failed file is as it was");
		ok(!exists(BAK("/etc/apt/sources.list", "S4")) &&
		   !exists(BAK("/etc/apt/sources.list.d/debian.sources", "S4")),
		   "and the backups made on the way are gone");
		is_int(mode_of("/etc/apt/sources.list"), 0644, "the restored file keeps its mode");
		apt_sources_plan_free(&plan);
	}

	/* A symbolic link is read, as apt reads it, but not replaced. */
	{
		_cleanup_free_ char *link = xasprintf("%s/etc/apt/sources.list.d/linked.list", root);

		testroot_puts(root, "/srv/linked.list", "deb http://deb.debian.org/debian bookworm-updates main\n");
		symlink("../../../srv/linked.list", link);
		ok(apt_sources_scan("bookworm", bookworm, &plan, &err) == 0 && plan.nfiles == 3,
		   "a symlinked sources file is read");
		strbuf_reset(&err);
		is_int(apt_sources_apply(&plan, "S5", &err), -ELOOP, "but apply refuses to replace the link");
		ok(same("/etc/apt/sources.list", LIST_OLD) && !exists(BAK("/etc/apt/sources.list", "S5")),
		   "and changes nothing");
		apt_sources_plan_free(&plan);
		/* An absolute link is followed inside the root: the image's
		 * /srv, never the host's (where there is no such file). */
		unlink(link);
		symlink("/srv/linked.list", link);
		ok(apt_sources_scan("bookworm", bookworm, &plan, &err) == 0 && plan.nfiles == 3,
		   "a sources file that is an absolute link is read inside the root");
		apt_sources_plan_free(&plan);
		unlink(link);
	}

	/* A file that does not parse names itself and its line. */
	testroot_puts(root, "/etc/apt/sources.list.d/broken.list", "deb http://deb.debian.org/debian\n");
	strbuf_reset(&err);
	is_int(apt_sources_scan("bookworm", bookworm, &plan, &err), -EINVAL, "a malformed file fails the scan");
	is_str(err.buf, "/etc/apt/sources.list.d/broken.list: line 1: entry without a suite",
	       "with its path and line");
	testroot_put(root, "/etc/apt/sources.list.d/broken.list", "deb\0x\n", 6);
	strbuf_reset(&err);
	is_int(apt_sources_scan("bookworm", bookworm, &plan, &err), -EINVAL, "a NUL byte fails the scan");
}

int main(void)
{
	test_fix_cases();
	test_change_lines();
	test_components();

	if (!mkdtemp(root))
		return done_testing();
	sysroot_set(root);
	test_files();
	testroot_remove(root);
	return done_testing();
}
