/* Unit tests: pointing a .condarc at a mirror keeps every other key and
 * comment, keeps the user's channels and custom channels, refuses what it
 * cannot edit safely, is idempotent, and reads back through condarc.c. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "condarc-edit.h"
#include "condarc.h"
#include "tap.h"
#include "util.h"

#define TUNA "https://mirrors.tuna.tsinghua.edu.cn/anaconda"
#define USTC "https://mirrors.ustc.edu.cn/anaconda"

static char *const tuna_defaults[] = { TUNA "/pkgs/main", TUNA "/pkgs/r", TUNA "/pkgs/msys2", NULL };
static char *const both[] = { "conda-forge", "pytorch", NULL };
static const struct condarc_mirror tuna = { tuna_defaults, TUNA "/cloud", both };

static char *const ustc_defaults[] = { USTC "/cloud/conda-forge", NULL };
static char *const forge_only[] = { "conda-forge", NULL };
static const struct condarc_mirror ustc = { ustc_defaults, USTC "/cloud", forge_only };

static char *const official_defaults[] = { "https://repo.anaconda.com/pkgs/main", "https://repo.anaconda.com/pkgs/r",
					   NULL };
static const struct condarc_mirror official = { official_defaults, NULL, NULL };

#define TUNA_BLOCK                                   \
	"show_channel_urls: true\n"                  \
	"default_channels:\n"                        \
	"  - " TUNA "/pkgs/main\n"                   \
	"  - " TUNA "/pkgs/r\n"                      \
	"  - " TUNA "/pkgs/msys2\n"                  \
	"custom_channels:\n"                         \
	"  conda-forge: " TUNA "/cloud\n"            \
	"  pytorch: " TUNA "/cloud\n"

static const struct {
	const char *name;
	const struct condarc_mirror *m;
	const char *in, *want;
} cases[] = {
	{ "empty file: TUNA's documented block", &tuna, "", "channels:\n  - defaults\n" TUNA_BLOCK },
	{ "unrelated keys and comments kept byte for byte", &tuna,
	  "# my conda settings\n"
	  "ssl_verify: true   # corporate proxy\n"
	  "proxy_servers:\n"
	  "  http: http://proxy.example:3128\n"
	  "  https: http://proxy.example:3128\n"
	  "\n"
	  "envs_dirs:\n"
	  "  - ~/envs   # big disk\n"
	  "# the end\n",
	  "# my conda settings\n"
	  "ssl_verify: true   # corporate proxy\n"
	  "proxy_servers:\n"
	  "  http: http://proxy.example:3128\n"
	  "  https: http://proxy.example:3128\n"
	  "\n"
	  "envs_dirs:\n"
	  "  - ~/envs   # big disk\n"
	  "channels:\n  - defaults\n" TUNA_BLOCK "# the end\n" },
	{ "the user's channels kept, defaults added at the end", &tuna,
	  "channels:\n  - conda-forge\n  - bioconda\nauto_activate_base: false\n",
	  "channels:\n  - conda-forge\n  - bioconda\n  - defaults\nauto_activate_base: false\n" TUNA_BLOCK },
	{ "comments in the user's channels survive adding defaults", &ustc,
	  "channels:   # mine\n  - conda-forge  # first\n  # bioconda later\n  - bioconda\n# after\n",
	  "channels:   # mine\n  - conda-forge  # first\n  # bioconda later\n  - bioconda\n  - defaults\n"
	  "show_channel_urls: true\ndefault_channels:\n  - " USTC "/cloud/conda-forge\ncustom_channels:\n"
	  "  conda-forge: " USTC "/cloud\n# after\n" },
	{ "an indentless list gets defaults at its own column", &ustc, "channels:\n- conda-forge\nssl_verify: true\n",
	  "channels:\n- conda-forge\n- defaults\nssl_verify: true\nshow_channel_urls: true\ndefault_channels:\n  - " USTC
	  "/cloud/conda-forge\ncustom_channels:\n  conda-forge: " USTC "/cloud\n" },
	{ "anchors and aliases outside the managed keys are fine", &ustc, "a: &x 1\nb: *x\n",
	  "a: &x 1\nb: *x\nchannels:\n  - defaults\nshow_channel_urls: true\ndefault_channels:\n  - " USTC
	  "/cloud/conda-forge\ncustom_channels:\n  conda-forge: " USTC "/cloud\n" },
	{ "channels that list defaults stay as written, comments inside too", &tuna,
	  "channels:   # order matters\n  # forge first\n  - conda-forge\n  - defaults\n",
	  "channels:   # order matters\n  # forge first\n  - conda-forge\n  - defaults\n" TUNA_BLOCK },
	{ "the user's custom channels kept, ours set", &tuna,
	  "custom_channels:\n  bioconda: https://bio.example/cloud\n  conda-forge: https://old.example/cloud\n"
	  "channels: [defaults]\n",
	  "custom_channels:\n  bioconda: https://bio.example/cloud\n  conda-forge: " TUNA "/cloud\n  pytorch: " TUNA
	  "/cloud\nchannels: [defaults]\nshow_channel_urls: true\ndefault_channels:\n  - " TUNA "/pkgs/main\n  - " TUNA
	  "/pkgs/r\n  - " TUNA "/pkgs/msys2\n" },
	{ "managed keys replaced where they stand; a comment between them kept", &tuna,
	  "default_channels:\n  - https://old.example/main\n# between\nshow_channel_urls: false\nchannels:\n  - defaults\n",
	  "default_channels:\n  - " TUNA "/pkgs/main\n  - " TUNA "/pkgs/r\n  - " TUNA "/pkgs/msys2\n# between\n"
	  "show_channel_urls: true\nchannels:\n  - defaults\ncustom_channels:\n  conda-forge: " TUNA
	  "/cloud\n  pytorch: " TUNA "/cloud\n" },
	{ "flow style spanning lines is replaced in block style", &tuna,
	  "default_channels: [https://a.example/main,\n    https://a.example/r]\nchannels: [conda-forge, defaults]\n"
	  "always_yes: true\n",
	  "default_channels:\n  - " TUNA "/pkgs/main\n  - " TUNA "/pkgs/r\n  - " TUNA "/pkgs/msys2\n"
	  "channels: [conda-forge, defaults]\nalways_yes: true\nshow_channel_urls: true\ncustom_channels:\n"
	  "  conda-forge: " TUNA "/cloud\n  pytorch: " TUNA "/cloud\n" },
	{ "USTC: its conda-forge stands for defaults; no pytorch entry", &ustc,
	  "channels:\n  - defaults\n" TUNA_BLOCK,
	  "channels:\n  - defaults\nshow_channel_urls: true\ndefault_channels:\n  - " USTC "/cloud/conda-forge\n"
	  "custom_channels:\n  conda-forge: " USTC "/cloud\n" },
	{ "official: the custom channels gpu-setup set go, the key with them", &official,
	  "channels:\n  - defaults\n" TUNA_BLOCK "report_errors: false\n",
	  "channels:\n  - defaults\nshow_channel_urls: true\ndefault_channels:\n  - https://repo.anaconda.com/pkgs/main\n"
	  "  - https://repo.anaconda.com/pkgs/r\nreport_errors: false\n" },
	{ "official: the user's other custom channels stay", &official,
	  "custom_channels:\n  bioconda: https://bio.example/cloud\n  pytorch: " TUNA "/cloud\n",
	  "custom_channels:\n  bioconda: https://bio.example/cloud\nchannels:\n  - defaults\nshow_channel_urls: true\n"
	  "default_channels:\n  - https://repo.anaconda.com/pkgs/main\n  - https://repo.anaconda.com/pkgs/r\n" },
	{ "official: an empty custom_channels is left as it is", &official, "custom_channels: {}\n",
	  "custom_channels: {}\nchannels:\n  - defaults\nshow_channel_urls: true\n"
	  "default_channels:\n  - https://repo.anaconda.com/pkgs/main\n  - https://repo.anaconda.com/pkgs/r\n" },
	{ "CRLF line ends kept and used", &ustc, "ssl_verify: false\r\n",
	  "ssl_verify: false\r\nchannels:\r\n  - defaults\r\nshow_channel_urls: true\r\ndefault_channels:\r\n  - " USTC
	  "/cloud/conda-forge\r\ncustom_channels:\r\n  conda-forge: " USTC "/cloud\r\n" },
	{ "no line end at the end", &ustc, "ssl_verify: false",
	  "ssl_verify: false\nchannels:\n  - defaults\nshow_channel_urls: true\ndefault_channels:\n  - " USTC
	  "/cloud/conda-forge\ncustom_channels:\n  conda-forge: " USTC "/cloud\n" },
	{ "a block scalar keeps its blank line; a null channels is set", &ustc,
	  "notes: |\n  hand-written\n\nchannels:\nshow_channel_urls: true\n",
	  "notes: |\n  hand-written\n\nchannels:\n  - defaults\nshow_channel_urls: true\ndefault_channels:\n  - " USTC
	  "/cloud/conda-forge\ncustom_channels:\n  conda-forge: " USTC "/cloud\n" },
	{ "an indented top level keeps its indentation", &ustc, "  ssl_verify: false\n  channels:\n    - conda-forge\n",
	  "  ssl_verify: false\n  channels:\n    - conda-forge\n    - defaults\n  show_channel_urls: true\n"
	  "  default_channels:\n    - " USTC "/cloud/conda-forge\n  custom_channels:\n    conda-forge: " USTC "/cloud\n" },
	{ "a document end marker stays last", &ustc, "--- # settings\nssl_verify: false\n...\n",
	  "--- # settings\nssl_verify: false\nchannels:\n  - defaults\nshow_channel_urls: true\ndefault_channels:\n"
	  "  - " USTC "/cloud/conda-forge\ncustom_channels:\n  conda-forge: " USTC "/cloud\n...\n" },
	{ "only comments", &ustc, "# nothing yet",
	  "# nothing yet\nchannels:\n  - defaults\nshow_channel_urls: true\ndefault_channels:\n  - " USTC
	  "/cloud/conda-forge\ncustom_channels:\n  conda-forge: " USTC "/cloud\n" },
	{ "names YAML would read as something else are quoted", &ustc,
	  "channels: [\"yes\", \"1.5\", 'my channel: x', \"#tag\"]\n",
	  "channels:\n  - \"yes\"\n  - \"1.5\"\n  - \"my channel: x\"\n  - \"#tag\"\n  - defaults\nshow_channel_urls: true\n"
	  "default_channels:\n  - " USTC "/cloud/conda-forge\ncustom_channels:\n  conda-forge: " USTC "/cloud\n" },
	{ "a UTF-8 byte order mark and text before the first managed key", &ustc,
	  "\xef\xbb\xbf" "channels:\n  - conda-forge\n# caf\xc3\xa9\n",
	  "\xef\xbb\xbf" "channels:\n  - conda-forge\n  - defaults\nshow_channel_urls: true\ndefault_channels:\n  - " USTC
	  "/cloud/conda-forge\ncustom_channels:\n  conda-forge: " USTC "/cloud\n# caf\xc3\xa9\n" },
};

static const struct {
	const char *name, *text, *msg;
} refused[] = {
	{ "not YAML", "channels: [defaults\nssl_verify: true\n", "line " },
	{ "a top level that is a list", "- defaults\n", "line 1" },
	{ "channels that are not a list", "channels: defaults\n", "channels must be a list" },
	{ "custom_channels that are not a mapping", "custom_channels:\n  - x\n", "custom_channels must be a mapping" },
	{ "a key twice", "channels: []\nchannels: [defaults]\n", "set twice" },
	{ "two documents", "channels: []\n---\nssl_verify: true\n", "second YAML document" },
	{ "an alias in a managed key", "base: &b\n  - defaults\nchannels: *b\n", "line 3: 'channels' uses a YAML anchor" },
	{ "an anchor on a managed key's value", "channels: &c\n  - defaults\nother: *c\n",
	  "line 1: 'channels' uses a YAML anchor" },
	{ "an anchor inside custom_channels", "custom_channels:\n  bioconda: &u https://x\n",
	  "line 1: 'custom_channels' uses a YAML anchor" },
	{ "one flow mapping for the whole file", "{channels: [defaults], ssl_verify: true}\n", "block mapping" },
	{ "an explicit key", "? channels\n: [defaults]\n", "does not start a line of its own" },
	{ "a NUL byte", "ssl_verify: true\n\0", "NUL" },
};

static int merge(const char *in, size_t len, const struct condarc_mirror *m, char **out, size_t *out_len,
		 struct strbuf *err)
{
	strbuf_reset(err);
	return condarc_set_mirror(in, len, m, out, out_len, err);
}

/* condarc.c's reading of the result: each key as the mirror says. */
static void check_read_back(const char *name, const char *text, size_t len, const struct condarc_mirror *m)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct condarc c;
	bool has_defaults = false, same_defaults = true, custom_ok = true;
	size_t ndef = 0;

	strbuf_init(&err);
	if (!ok(condarc_parse(text, len, &c, &err) == 0, "%s: condarc.c reads the result %s", name, err.buf))
		return;
	for (size_t i = 0; i < c.nchannels; i++)
		has_defaults |= streq(c.channels[i], "defaults");
	ok(has_defaults, "%s: channels lists defaults", name);
	while (m->default_channels[ndef])
		ndef++;
	same_defaults = c.ndefault_channels == ndef;
	for (size_t i = 0; same_defaults && i < ndef; i++)
		same_defaults = streq(c.default_channels[i], m->default_channels[i]);
	ok(same_defaults, "%s: default_channels are the mirror's", name);
	for (size_t i = 0; i < c.ncustom_channels; i++) {
		bool served = false;

		for (size_t j = 0; m->cloud_channels && m->cloud_channels[j]; j++)
			served |= streq(c.custom_channels[i].name, m->cloud_channels[j]);
		if (served)
			custom_ok &= streq(c.custom_channels[i].url, m->cloud);
		else
			custom_ok &= !streq(c.custom_channels[i].name, "conda-forge") &&
				     !streq(c.custom_channels[i].name, "pytorch");
	}
	for (size_t j = 0; m->cloud_channels && m->cloud_channels[j]; j++) {
		bool found = false;

		for (size_t i = 0; i < c.ncustom_channels; i++)
			found |= streq(c.custom_channels[i].name, m->cloud_channels[j]);
		custom_ok &= found;
	}
	ok(custom_ok, "%s: custom_channels: the mirror's cloud for what it serves, nothing of ours else", name);
	condarc_free(&c);
}

static void test_cases(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;

	strbuf_init(&err);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *out = NULL, *again = NULL;
		size_t len = 0, len2 = 0;
		int r = merge(cases[i].in, strlen(cases[i].in), cases[i].m, &out, &len, &err);

		is_int(r, 0, "%s: merged %s", cases[i].name, err.buf);
		if (r < 0)
			continue;
		is_str(out, cases[i].want, "%s: the expected text", cases[i].name);
		r = merge(out, len, cases[i].m, &again, &len2, &err);
		ok(r == 0 && len2 == len && memcmp(out, again, len) == 0, "%s: merging the result again gives the same bytes",
		   cases[i].name);
		check_read_back(cases[i].name, out, len, cases[i].m);
	}
}

/* From one mirror to another and back: the user's settings survive, and
 * the end is what the first run gave. */
static void test_switching(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	static const char start[] = "# mine\nchannels:\n  - conda-forge\ncustom_channels:\n  bioconda: https://bio.example\n"
				    "pkgs_dirs:\n  - /data/pkgs\n";
	_cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
	size_t la, lb, lc, ld;

	strbuf_init(&err);
	is_int(merge(start, strlen(start), &tuna, &a, &la, &err), 0, "tuna");
	is_int(merge(a, la, &ustc, &b, &lb, &err), 0, "then ustc");
	is_int(merge(b, lb, &official, &c, &lc, &err), 0, "then official");
	is_int(merge(c, lc, &tuna, &d, &ld, &err), 0, "then tuna again");
	ok(strstr(b, "  pytorch:") == NULL && strstr(b, "  conda-forge: " USTC "/cloud\n"), "ustc: no pytorch entry");
	ok(strstr(c, "  bioconda: https://bio.example\n") && !strstr(c, "conda-forge: ") && !strstr(c, "pytorch"),
	   "official: bioconda stays, ours are gone");
	ok(strstr(d, "# mine\n") && strstr(d, "pkgs_dirs:\n  - /data/pkgs\n") && strstr(d, "  - conda-forge\n  - defaults\n"),
	   "the user's comment, key and channels survive the round");
	is_str(d, a, "back to tuna: the same text as the first time");
}

static void test_refused(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;

	strbuf_init(&err);
	for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
		char *out = (char *)"untouched";
		size_t len = 12345, n = strlen(refused[i].text);

		if (streq(refused[i].msg, "NUL"))
			n++;
		is_int(merge(refused[i].text, n, &tuna, &out, &len, &err), -EINVAL, "%s: refused", refused[i].name);
		ok(strstr(err.buf, refused[i].msg) != NULL, "%s: the message names the place: %s", refused[i].name,
		   err.buf);
		ok(len == 12345 && streq(out, "untouched"), "%s: the results untouched", refused[i].name);
	}
}

int main(void)
{
	test_cases();
	test_switching();
	test_refused();
	return done_testing();
}
