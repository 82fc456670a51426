/* Unit tests: pip.conf by configparser's rules, and real pip's verdict on
 * the same files when pip is installed. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "pip-conf.h"
#include "run.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

static const char tuna[] = "[global]\n"
			   "index-url = https://pypi.tuna.tsinghua.edu.cn/simple\n";

static const char mixed[] = "# written by hand\n"
			    "; another comment\n"
			    "[global]\r\n"
			    "timeout: 60\r\n"
			    "Index_URL=https://mirrors.ustc.edu.cn/pypi/simple\n"
			    "\n"
			    "[install]\n"
			    "trusted-host =\n"
			    "    mirrors.ustc.edu.cn\n"
			    "  # a comment inside the value is dropped\n"
			    "\n"
			    "    pypi.org\n"
			    "\n"
			    "[DEFAULT]\n"
			    "no-cache-dir = true\n"
			    "[freeze] trailing words after the bracket are ignored\n"
			    "  timeout = 10\n";

/* Text that pip must refuse, with the line configparser names. */
static const struct {
	const char *name, *text;
	unsigned line;
} bad[] = {
	{ "key before any section", "index-url = https://x/simple\n[global]\n", 1 },
	{ "indented key before any section", "\n  timeout = 1\n", 2 },
	{ "line without = or :", "[global]\ntimeout 60\n", 2 },
	{ "a value line after a header is no continuation", "[global]\n   x\n", 2 },
	{ "empty key", "[global]\n= value\n", 2 },
	{ "empty brackets are no header", "[]\ntimeout = 1\n", 1 },
	{ "section twice", "[global]\ntimeout = 1\n[install]\n[global]\n", 4 },
	{ "key twice, other case", "[global]\nTimeout = 1\ntimeout: 2\n", 3 },
	{ "key twice in DEFAULT", "[DEFAULT]\na = 1\n[DEFAULT]\na = 2\n", 4 },
	{ "unclosed header", "[global\ntimeout = 1\n", 1 },
};

static void test_good(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct pip_conf c;

	is_int(pip_conf_parse(tuna, &c, &err), 0, "TUNA's block parses");
	is_str(pip_conf_get(&c, "global", "index-url"), "https://pypi.tuna.tsinghua.edu.cn/simple",
	       "global.index-url is TUNA's");
	is_str(pip_conf_get(&c, "install", "index-url"), NULL, "no install section: nothing there");
	is_int(c.nitems, 1, "one item");
	is_int(c.items[0].line, 2, "its line is recorded");
	pip_conf_free(&c);

	is_int(pip_conf_parse(mixed, &c, &err), 0, "comments, CRLF, ':' and continuations parse: %s", err.buf);
	is_str(pip_conf_get(&c, "global", "index-url"), "https://mirrors.ustc.edu.cn/pypi/simple",
	       "Index_URL is read as index-url (lowercased, '_' normalised as pip does)");
	is_str(pip_conf_get(&c, "global", "timeout"), "60", "key: value works");
	is_str(pip_conf_get(&c, "install", "trusted-host"), "\nmirrors.ustc.edu.cn\n\npypi.org",
	       "continuation lines join with newlines; blank lines kept inside, comments dropped");
	is_str(pip_conf_get(&c, "install", "no-cache-dir"), "true", "[DEFAULT] gives its keys to every section");
	is_str(pip_conf_get(&c, "freeze", "timeout"), "10", "a header ends at its last ']'; indented keys count");
	is_str(pip_conf_get(&c, "DEFAULT", "no-cache-dir"), NULL, "DEFAULT is not a section of its own");
	is_str(pip_conf_get(&c, "nosuch", "no-cache-dir"), NULL, "nor does it make up missing sections");
	is_int(c.nsections, 3, "global, install and freeze are the sections");
	pip_conf_free(&c);

	is_int(pip_conf_parse("", &c, &err), 0, "an empty file is fine");
	pip_conf_free(&c);
	is_int(pip_conf_parse("[global]\nindex-url =\n", &c, &err), 0, "an empty value is fine");
	is_str(pip_conf_get(&c, "global", "index-url"), "", "and reads as empty");
	pip_conf_free(&c);
	is_int(pip_conf_parse("[a]b]\nx=1\n[ global ]\ny = 2", &c, &err), 0, "brackets inside a header");
	is_str(pip_conf_get(&c, "a]b", "x"), "1", "the header runs to the last ']'");
	is_str(pip_conf_get(&c, " global ", "y"), "2", "header names keep their blanks; no final newline needed");
	pip_conf_free(&c);
	is_int(pip_conf_parse("[global]\nindex-url = a=b:c\n", &c, &err), 0, "the first delimiter splits");
	is_str(pip_conf_get(&c, "global", "index-url"), "a=b:c", "so the value keeps the others");
	pip_conf_free(&c);
}

static void test_bad(void)
{
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
		_cleanup_free_ char *want = NULL;
		struct pip_conf c = { .nitems = 12345 };

		want = xasprintf("line %u: ", bad[i].line);
		strbuf_init(&err);
		is_int(pip_conf_parse(bad[i].text, &c, &err), -EINVAL, "%s: refused", bad[i].name);
		ok(startswith(err.buf, want), "%s: the message starts with '%s': %s", bad[i].name, want, err.buf);
		is_int(c.nitems, 12345, "%s: *ret untouched", bad[i].name);
	}
	{
		_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
		struct pip_conf c;

		strbuf_init(&err);
		is_int(pip_conf_parse("[global]\ntimeout = 1\n\n[install]\ntimeout = 1\n[global2]\ntimeout = 3\n"
				      "timeout= 4\n",
				      &c, &err),
		       -EINVAL, "the same key in one section twice is refused");
		is_str(err.buf, "line 8: key appears twice in the section: 'timeout= 4'",
		       "the message names the line and quotes it");
	}
}

/* Real pip on the same text: exit 0 and the value we read, or a refusal. */
static int pip_verdict(const char *dir, const char *text, struct strbuf *listing)
{
	static unsigned serial;
	_cleanup_free_ char *rel = xasprintf("/pip-%u.conf", serial++), *path = xasprintf("%s%s", dir, rel),
			    *cfg = xasprintf("PIP_CONFIG_FILE=%s", path);
	const char *const argv[] = { "python3", "-m", "pip", "config", "list", NULL };
	const char *const envp[] = { "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", cfg, "PIP_DISABLE_PIP_VERSION_CHECK=1",
				     NULL };
	struct run_result rr;
	int r;

	testroot_puts(dir, rel, text);
	r = run_command(argv, envp, 60000, &rr);
	if (r < 0)
		return r;
	r = rr.exit_status;
	strbuf_reset(listing);
	strbuf_adds(listing, rr.out.buf);
	run_result_release(&rr);
	return r;
}

static void test_real_pip(void)
{
	char tmpl[] = "/tmp/test-pip-conf.XXXXXX";
	char *dir = mkdtemp(tmpl);
	_cleanup_strbuf_ struct strbuf listing = STRBUF_INIT;
	const char *const argv[] = { "python3", "-m", "pip", "--version", NULL };
	const char *const envp[] = { "PATH=/usr/bin:/bin", NULL };
	struct run_result rr;
	int r;

	strbuf_init(&listing);
	/* The system's python3 (python3-pip): the pip the target has. */
	r = run_command(argv, envp, 60000, &rr);
	if (r == 0)
		run_result_release(&rr);
	if (!dir || r < 0 || rr.exit_status != 0) {
		printf("ok %d - # SKIP python3 -m pip is not installed\n", ++tap_count);
		if (dir)
			testroot_remove(dir);
		return;
	}
	is_int(pip_verdict(dir, tuna, &listing), 0, "pip accepts TUNA's block");
	ok(strstr(listing.buf, "global.index-url='https://pypi.tuna.tsinghua.edu.cn/simple'") != NULL,
	   "and reads the same index-url");
	is_int(pip_verdict(dir, mixed, &listing), 0, "pip accepts the mixed file");
	ok(strstr(listing.buf, "global.index-url='https://mirrors.ustc.edu.cn/pypi/simple'") &&
		   strstr(listing.buf, "install.no-cache-dir='true'") && strstr(listing.buf, "freeze.timeout='10'") &&
		   strstr(listing.buf, "install.trusted-host='\\nmirrors.ustc.edu.cn\\n\\npypi.org'"),
	   "and reads it as we do (normalised key, DEFAULT, trailing words, joined value)");
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		r = pip_verdict(dir, bad[i].text, &listing);
		ok(r > 0, "pip refuses it too: %s (exit %d)", bad[i].name, r);
	}
	testroot_remove(dir);
}

int main(void)
{
	test_good();
	test_bad();
	test_real_pip();
	return done_testing();
}
