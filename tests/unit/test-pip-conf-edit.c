/* Unit tests: setting [global] index-url in a pip.conf keeps every other
 * byte, is idempotent, refuses what pip refuses, and real pip reads the
 * result from a user's ~/.config/pip/pip.conf as meant. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "pip-conf-edit.h"
#include "pip-conf.h"
#include "run.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

#define URL "https://pypi.tuna.tsinghua.edu.cn/simple"

static const struct {
	const char *name, *in, *want;
} cases[] = {
	{ "empty file", "", "[global]\nindex-url = " URL "\n" },
	{ "[global] with other keys", "# mine\n[global]\ntimeout = 60\nretries=3\n",
	  "# mine\n[global]\nindex-url = " URL "\ntimeout = 60\nretries=3\n" },
	{ "index-url with continuation lines, [install]'s own kept",
	  "[global]\ntimeout = 5\nindex-url = https://old.example/simple\n    https://more.example/simple\n\n"
	  "  # a comment inside the value\n    https://last.example/simple\nretries = 1\n[install]\n"
	  "index-url = https://other.example/simple\n",
	  "[global]\ntimeout = 5\nindex-url = " URL "\n\n  # a comment inside the value\nretries = 1\n[install]\n"
	  "index-url = https://other.example/simple\n" },
	{ "[global] absent, [install] present", "[install]\ntrusted-host = mirrors.example\n",
	  "[install]\ntrusted-host = mirrors.example\n\n[global]\nindex-url = " URL "\n" },
	{ "no final line end", "[install]\nno-compile = yes",
	  "[install]\nno-compile = yes\n\n[global]\nindex-url = " URL "\n" },
	{ "only comments", "# nothing yet\n", "# nothing yet\n\n[global]\nindex-url = " URL "\n" },
	{ "a blank line at the end is the separator", "[freeze]\ntimeout = 1\n\n",
	  "[freeze]\ntimeout = 1\n\n[global]\nindex-url = " URL "\n" },
	{ "CRLF kept, and used for the new line", "; windows\r\n[global]\r\ntimeout = 1\r\n[install]\r\nx = 1\r\n",
	  "; windows\r\n[global]\r\nindex-url = " URL "\r\ntimeout = 1\r\n[install]\r\nx = 1\r\n" },
	{ "every spelling pip takes replaced, the first in its place",
	  "[global]\nIndex_URL = https://a.example/simple\ntimeout = 2\n--index-url: https://b.example/simple\n",
	  "[global]\nindex-url = " URL "\ntimeout = 2\n" },
	{ "indentation of the line replaced is kept", "[global]\n  index-url = https://a.example/simple\n  x = 1\n",
	  "[global]\n  index-url = " URL "\n  x = 1\n" },
	{ "a new line takes the next line's indentation (or it would swallow it)", "[global]\n\t timeout = 5\n",
	  "[global]\n\t index-url = " URL "\n\t timeout = 5\n" },
	{ "header as the last line, without a line end", "[global]", "[global]\nindex-url = " URL "\n" },
	{ "index-url as the last line, without a line end", "[global]\nindex-url = https://a.example/simple",
	  "[global]\nindex-url = " URL "\n" },
	{ "a header with words after it", "[global] main settings\ntimeout = 1\n",
	  "[global] main settings\nindex-url = " URL "\ntimeout = 1\n" },
	{ "an indented line is a continuation, not a key of its own",
	  "[global]\ntrusted-host = a.example\n    index-url = b.example\n",
	  "[global]\nindex-url = " URL "\ntrusted-host = a.example\n    index-url = b.example\n" },
	{ "[DEFAULT]'s index-url is left alone; [global] gets its own",
	  "[DEFAULT]\nindex-url = https://d.example/simple\n[global]\n",
	  "[DEFAULT]\nindex-url = https://d.example/simple\n[global]\nindex-url = " URL "\n" },
	{ "[ global ] is another section", "[ global ]\nx = 1\n",
	  "[ global ]\nx = 1\n\n[global]\nindex-url = " URL "\n" },
};

/* Already what pip reads: the very same bytes back. */
static const char *const unchanged[] = {
	"[global]\nindex-url = " URL "\n",
	"# hand-made\n[global]\r\nINDEX_URL=" URL "   \r\n",
	"[install]\nx = 1\n[global]\ntimeout: 3\nindex-url: " URL,
	"[DEFAULT]\nindex-url = " URL "\n[global]\n",
};

static const struct {
	const char *name, *text, *url, *msg;
} refused[] = {
	{ "a key before any section", "index-url = https://x/simple\n", URL, "line 1: " },
	{ "a section twice", "[global]\n[install]\n[global]\n", URL, "line 3: " },
	{ "a NUL byte", "[global]\n\0x = 1\n", URL, "NUL" },
	{ "an empty URL", "", "", "cannot be a pip.conf value" },
	{ "a URL with a line break", "", URL "\n[evil]", "cannot be a pip.conf value" },
};

static void test_cases(void)
{
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
		_cleanup_free_ char *out = NULL, *again = NULL;
		size_t len = 0, len2 = 0;
		int r;

		strbuf_init(&err);
		r = pip_conf_set_index_url(cases[i].in, strlen(cases[i].in), URL, &out, &len, &err);
		is_int(r, 0, "%s: merged %s", cases[i].name, err.buf);
		if (r < 0)
			continue;
		is_str(out, cases[i].want, "%s: the expected text", cases[i].name);
		is_int(len, strlen(cases[i].want), "%s: its length", cases[i].name);
		r = pip_conf_set_index_url(out, len, URL, &again, &len2, &err);
		ok(r == 0 && len2 == len && memcmp(again, out, len) == 0, "%s: merging the result again changes nothing",
		   cases[i].name);
	}
}

static void test_unchanged(void)
{
	for (size_t i = 0; i < ELEMENTSOF(unchanged); i++) {
		_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
		_cleanup_free_ char *out = NULL;
		size_t len = 0, n = strlen(unchanged[i]);

		strbuf_init(&err);
		is_int(pip_conf_set_index_url(unchanged[i], n, URL, &out, &len, &err), 0, "unchanged %zu: merged", i);
		ok(out && len == n && memcmp(out, unchanged[i], n) == 0,
		   "unchanged %zu: pip already reads the URL: the same bytes back", i);
	}
}

static void test_refused(void)
{
	for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
		_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
		char *out = (char *)"untouched";
		size_t len = 12345, n = strlen(refused[i].text);

		/* The NUL case: the text goes on after it. */
		if (strstr(refused[i].msg, "NUL"))
			n = sizeof("[global]\n\0x = 1\n") - 1;
		strbuf_init(&err);
		is_int(pip_conf_set_index_url(refused[i].text, n, refused[i].url, &out, &len, &err), -EINVAL,
		       "%s: refused", refused[i].name);
		ok(strstr(err.buf, refused[i].msg) != NULL, "%s: the message says why: %s", refused[i].name, err.buf);
		ok(len == 12345 && streq(out, "untouched"), "%s: the results untouched", refused[i].name);
	}
}

/* Real pip, as a user would run it: HOME the scratch home, nothing else
 * in the environment but PATH (no PIP_*, no XDG_CONFIG_HOME). */
static int real_pip(const char *home, const char *what, struct strbuf *out)
{
	_cleanup_free_ char *h = xasprintf("HOME=%s", home), *p = xasprintf("PATH=%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	const char *const argv[] = { "python3", "-m", "pip", "config", what, NULL };
	const char *const envp[] = { h, p, "LC_ALL=C.UTF-8", "PIP_DISABLE_PIP_VERSION_CHECK=1", NULL };
	struct run_result rr;
	int r = run_command(argv, envp, 120000, &rr);

	if (r < 0)
		return r;
	strbuf_reset(out);
	strbuf_adds(out, rr.out.buf);
	strbuf_adds(out, rr.err.buf);
	r = rr.exit_status;
	run_result_release(&rr);
	return r;
}

static void test_real_pip(void)
{
	char tmpl[] = "/tmp/test-pip-conf-edit.XXXXXX";
	char *home = mkdtemp(tmpl);
	_cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
	_cleanup_free_ char *file = NULL;

	strbuf_init(&out);
	if (!home || real_pip("/nonexistent", "list", &out) != 0) {
		printf("ok %d - # SKIP python3 -m pip does not run here: %s\n", ++tap_count, out.buf);
		if (home)
			testroot_remove(home);
		return;
	}
	file = xasprintf("%s/.config/pip/pip.conf", home);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *text = NULL, *want_debug = xasprintf("%s, exists: True", file);
		size_t len;

		if (pip_conf_set_index_url(cases[i].in, strlen(cases[i].in), URL, &text, &len, NULL) < 0)
			continue;
		testroot_put(home, "/.config/pip/pip.conf", text, len);
		is_int(real_pip(home, "list", &out), 0, "%s: pip reads the result", cases[i].name);
		ok(strstr(out.buf, "global.index-url='" URL "'") != NULL, "%s: pip config list: global.index-url is ours",
		   cases[i].name);
		if (!ok(real_pip(home, "debug", &out) == 0 && strstr(out.buf, want_debug) &&
				strstr(out.buf, "global.index-url: " URL "\n"),
			"%s: pip config debug: from the user's file", cases[i].name))
			printf("# %s\n", out.buf);
	}
	testroot_remove(home);
}

int main(void)
{
	test_cases();
	test_unchanged();
	test_refused();
	test_real_pip();
	return done_testing();
}
