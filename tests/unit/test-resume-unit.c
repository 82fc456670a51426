/* Unit tests: the one-shot unit of install --resume-after-reboot is
 * written and enabled under the sysroot as `systemctl enable` would,
 * idempotently; removed cleanly; someone else's files by the same names are
 * refused and left alone; a failure leaves nothing behind.  systemd itself
 * judges the result: `systemd-analyze verify` accepts the unit, and the
 * command line systemd parses from it (`systemd --test` dumps it) is the
 * argv given, awkward arguments included. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fileio.h"
#include "resume-unit.h"
#include "run.h"
#include "strbuf.h"
#include "sysroot.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

static char root[] = "/tmp/gs-resume-unit-XXXXXX";

static const char *const plain_argv[] = { "/usr/sbin/gpu-setup", "--yes", "--offline", "--cache",
					  "/var/cache/gpu-setup", "install", NULL };

/* Arguments a shell or a naive writer would get wrong; every one must
 * reach the program as it is here. */
static const char *const awkward_args[] = {
	"/var/cache/gpu setup",     /* a space */
	"  two leading spaces",
	"say \"hi\"",               /* double quotes */
	"\"",
	"it's",                     /* a single quote */
	"100%",                     /* specifier characters */
	"%n%i%%",
	"$HOME",                    /* variables, which systemd expands */
	"${PATH}",
	"$$",
	"cost: $5",
	"C:\\dir\\",                /* backslashes, one at the end */
	"\\;",
	";",                        /* a lone semicolon separates commands */
	"",                         /* an empty argument */
	"tab\there\nnew line\r",    /* control characters */
	"\x01\x7f",
	"caf\xc3\xa9 \xe2\x9c\x93", /* UTF-8 */
	"\xff\xfe not UTF-8",
	"-x", "@y", "+z", "!w",     /* prefix characters, harmless after argv[0] */
	"--user=o'neil",
};

static char *at(const char *rel)
{
	return xasprintf("%s%s", root, rel);
}

static bool exists(const char *rel)
{
	struct stat st;

	return testroot_lstat(root, rel, &st);
}

static mode_t mode_of(const char *rel)
{
	struct stat st;

	return testroot_lstat(root, rel, &st) ? st.st_mode : 0;
}

static char *link_of(const char *rel)
{
	_cleanup_free_ char *p = at(rel);
	char *t = NULL;

	return read_link_at(AT_FDCWD, p, &t) == 0 ? t : NULL;
}

/* Names in dir other than . and .., one line each: a leftover temporary
 * file shows here. */
static char *listing(const char *rel)
{
	_cleanup_free_ char *p = at(rel);
	const char *const argv[] = { "ls", "-A", p, NULL };
	struct run_result rr;
	char *s;

	if (run_command(argv, NULL, 0, &rr) < 0)
		return xstrdup("(ls failed)");
	s = xstrdup(rr.exit_status == 0 ? rr.out.buf : "(none)");
	run_result_release(&rr);
	return s;
}

static void test_text(void)
{
	_cleanup_free_ char *t = resume_unit_text(plain_argv);
	static const char *const lines[] = {
		"[Unit]\n",
		"\nDocumentation=man:gpu-setup(8)\n",
		"\nWants=network-online.target\n",
		"\nAfter=network-online.target systemd-modules-load.service\n",
		"\n[Service]\nType=oneshot\n",
		"\nRemainAfterExit=no\n",
		"\nExecStartPre=-/bin/rm -f /etc/systemd/system/gpu-setup-resume.service "
		"/etc/systemd/system/multi-user.target.wants/gpu-setup-resume.service\n",
		"\nExecStart=\"/usr/sbin/gpu-setup\" \"--yes\" \"--offline\" \"--cache\" \"/var/cache/gpu-setup\" "
		"\"install\"\n",
		"\nTimeoutStartSec=infinity\n",
		"\nStandardOutput=journal+console\n",
		"\n[Install]\nWantedBy=multi-user.target\n",
	};

	ok(t != NULL, "unit text for a plain argv");
	if (!t)
		return;
	ok(startswith(t, RESUME_UNIT_MARKER "\n"), "the marker is the first line");
	for (size_t i = 0; i < ELEMENTSOF(lines); i++) {
		const char *shown = lines[i] + (lines[i][0] == '\n');

		ok(strstr(t, lines[i]) != NULL, "unit text has '%.*s'", (int)strcspn(shown, "\n"), shown);
	}
	ok(t[strlen(t) - 1] == '\n', "unit text ends with a line end");
}

static void test_quoting(void)
{
	const char *const argv[] = { "/opt/gpu setup 100%/bin\\x/gpu-setup", "a \"b\" c", "50%", "$X",
				     "back\\slash", "", "\t\n", "\xc3\xa9", NULL };
	_cleanup_free_ char *t = resume_unit_text(argv);
	const char *want = "\nExecStart=\"/opt/gpu setup 100%%/bin\\\\x/gpu-setup\" \"a \\\"b\\\" c\" \"50%%\" "
			   "\"$$X\" \"back\\\\slash\" \"\" \"\\x09\\x0a\" \"\\xc3\\xa9\"\n";

	ok(t && strstr(t, want), "arguments quoted and escaped per systemd.syntax(7)");
	if (t && !strstr(t, want))
		printf("# %s", t);
}

static void test_refused_argv(void)
{
	static const char *const progs[] = { "gpu-setup", "./gpu-setup", "/usr//sbin/gpu-setup", "/usr/./gpu-setup",
					     "/usr/../gpu-setup", "/usr/sbin/", "/", "/opt/$HOME/gpu-setup",
					     "/opt/a\tb" };
	const char *const empty[] = { NULL };
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;

	for (size_t i = 0; i < ELEMENTSOF(progs); i++) {
		const char *const argv[] = { progs[i], "install", NULL };
		char *t = resume_unit_text(argv);

		ok(t == NULL, "program path '%s' refused", progs[i]);
		free(t);
	}
	{
		const char *const argv[] = { "/opt/a\nb", NULL };

		ok(resume_unit_text(argv) == NULL, "program path with a line end refused");
	}
	ok(resume_unit_text(empty) == NULL && resume_unit_text(NULL) == NULL, "an empty argv refused");
	strbuf_init(&err);
	{
		const char *const argv[] = { "gpu-setup", "install", NULL };

		is_int(resume_unit_install(argv, &err), -EINVAL, "install refuses a relative program path");
		ok(strstr(err.buf, "'gpu-setup'") && strstr(err.buf, "absolute"), "the error says why: %s", err.buf);
		ok(!exists("/etc/systemd/system/" RESUME_UNIT_NAME), "and writes nothing");
	}
}

static void test_install_remove(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	_cleanup_free_ char *text = resume_unit_text(plain_argv), *got = NULL, *link = NULL, *ls = NULL;
	_cleanup_free_ char *wants_host = at(RESUME_UNIT_WANTS_PATH), *unit_host = at(RESUME_UNIT_PATH);
	struct stat before, after;

	strbuf_init(&err);
	ok(!resume_unit_installed(), "not installed in an empty root");
	is_int(resume_unit_remove(&err), 0, "remove with nothing there: 0");
	ok(!exists("/etc/systemd"), "and creates nothing");

	is_int(resume_unit_install(plain_argv, &err), 0, "install into an empty root");
	if (err.len)
		printf("# %s\n", err.buf);
	got = testroot_get(root, RESUME_UNIT_PATH);
	is_str(got, text, "the unit file holds resume_unit_text()");
	is_int(mode_of(RESUME_UNIT_PATH), S_IFREG | 0644, "unit file is a regular file, mode 0644");
	link = link_of(RESUME_UNIT_WANTS_PATH);
	is_str(link, "../" RESUME_UNIT_NAME, "wants link is relative: ../" RESUME_UNIT_NAME);
	ok(stat(wants_host, &after) == 0 && stat(unit_host, &before) == 0 && after.st_ino == before.st_ino,
	   "the wants link reaches the unit file");
	is_int(mode_of("/etc/systemd/system/multi-user.target.wants") & 07777, 0755, "directories made 0755");
	ok(resume_unit_installed(), "installed() says so");

	/* Idempotent: nothing rewritten, not even the inode. */
	lstat(unit_host, &before);
	is_int(resume_unit_install(plain_argv, &err), 0, "install again");
	lstat(unit_host, &after);
	ok(before.st_ino == after.st_ino && before.st_mtim.tv_nsec == after.st_mtim.tv_nsec &&
	   before.st_mtim.tv_sec == after.st_mtim.tv_sec, "the second install rewrote nothing");
	ls = listing("/etc/systemd/system");
	is_str(ls, "gpu-setup-resume.service\nmulti-user.target.wants\n", "no temporary file left");
	free(ls);
	ls = listing("/etc/systemd/system/multi-user.target.wants");
	is_str(ls, "gpu-setup-resume.service\n", "no temporary link left");

	/* Another argv replaces the unit, in place. */
	{
		const char *const argv2[] = { "/usr/sbin/gpu-setup", "--yes", "install", NULL };
		_cleanup_free_ char *text2 = resume_unit_text(argv2), *got2 = NULL;

		is_int(resume_unit_install(argv2, &err), 0, "install with another argv");
		got2 = testroot_get(root, RESUME_UNIT_PATH);
		is_str(got2, text2, "the unit now runs the new argv");
	}
	/* A mode changed by hand is put right; a link pointing elsewhere is
	 * pointed back. */
	chmod(unit_host, 0600);
	unlink(wants_host);
	symlink("/lib/systemd/system/" RESUME_UNIT_NAME, wants_host);
	is_int(resume_unit_install(plain_argv, &err), 0, "install over a mode 0600 file and a foreign link");
	is_int(mode_of(RESUME_UNIT_PATH), S_IFREG | 0644, "mode 0644 again");
	free(link);
	link = link_of(RESUME_UNIT_WANTS_PATH);
	is_str(link, "../" RESUME_UNIT_NAME, "the link points to ../" RESUME_UNIT_NAME " again");

	is_int(resume_unit_remove(&err), 0, "remove");
	ok(!exists(RESUME_UNIT_PATH) && !exists(RESUME_UNIT_WANTS_PATH), "both gone");
	ok(exists("/etc/systemd/system/multi-user.target.wants"), "the standard directories stay");
	ok(!resume_unit_installed(), "installed() says not");
	is_int(resume_unit_remove(&err), 0, "remove again: 0");

	/* Half there (a crash, or a hand-removed link): installed() says
	 * not, remove cleans up, install completes. */
	testroot_puts(root, RESUME_UNIT_PATH, text);
	ok(!resume_unit_installed(), "a unit file without its link is not installed");
	is_int(resume_unit_install(plain_argv, &err), 0, "install completes it");
	ok(resume_unit_installed(), "installed now");
	unlink(unit_host);
	ok(!resume_unit_installed(), "a link without its unit file is not installed");
	is_int(resume_unit_remove(&err), 0, "remove of a lone link");
	ok(!exists(RESUME_UNIT_WANTS_PATH), "the dangling link is gone");
	ok(err.len == 0, "no error text on success");
}

static void test_foreign(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	_cleanup_free_ char *got = NULL, *ls = NULL, *wants_host = at(RESUME_UNIT_WANTS_PATH);
	_cleanup_free_ char *unit_host = at(RESUME_UNIT_PATH), *mask = NULL;
	const char *foreign = "[Unit]\nDescription=someone else's\n[Service]\nExecStart=/bin/true\n";

	strbuf_init(&err);
	testroot_puts(root, RESUME_UNIT_PATH, foreign);
	is_int(resume_unit_install(plain_argv, &err), -EEXIST, "a foreign unit by the same name: -EEXIST");
	ok(strstr(err.buf, RESUME_UNIT_PATH) && strstr(err.buf, "did not write"), "the error says so: %s", err.buf);
	got = testroot_get(root, RESUME_UNIT_PATH);
	is_str(got, foreign, "the foreign unit is untouched");
	ok(!exists(RESUME_UNIT_WANTS_PATH), "and not enabled");
	ok(!resume_unit_installed(), "installed() does not take it for ours");
	strbuf_reset(&err);
	is_int(resume_unit_remove(&err), -EEXIST, "remove refuses it too");
	free(got);
	got = testroot_get(root, RESUME_UNIT_PATH);
	is_str(got, foreign, "and leaves it");
	unlink(unit_host);

	/* A regular file where the wants link belongs. */
	strbuf_reset(&err);
	testroot_puts(root, RESUME_UNIT_WANTS_PATH, "not a link\n");
	is_int(resume_unit_install(plain_argv, &err), -EEXIST, "a regular file in place of the link: -EEXIST");
	ok(strstr(err.buf, "multi-user.target.wants/" RESUME_UNIT_NAME) && strstr(err.buf, "not a symbolic link"),
	   "the error says so: %s", err.buf);
	ok(!exists(RESUME_UNIT_PATH), "no unit file written");
	free(got);
	got = testroot_get(root, RESUME_UNIT_WANTS_PATH);
	is_str(got, "not a link\n", "the file is untouched");
	strbuf_reset(&err);
	is_int(resume_unit_remove(&err), -EEXIST, "remove refuses to delete it");
	ok(exists(RESUME_UNIT_WANTS_PATH), "and leaves it");
	unlink(wants_host);

	/* A symlink in place of the unit file is not one gpu-setup wrote. */
	strbuf_reset(&err);
	symlink("/dev/null", unit_host);
	is_int(resume_unit_install(plain_argv, &err), -EEXIST, "a link in place of the unit file (masked): -EEXIST");
	mask = link_of(RESUME_UNIT_PATH);
	is_str(mask, "/dev/null", "the mask is kept");
	unlink(unit_host);
	ls = listing("/etc/systemd/system/multi-user.target.wants");
	is_str(ls, "", "nothing left in the wants directory");
}

/* A file where a directory is expected stops root too: the error names
 * it, and no file (temporary or not) is left. */
static void test_unwritable(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	_cleanup_free_ char *ls = NULL, *wants_dir = at("/etc/systemd/system/multi-user.target.wants");
	_cleanup_free_ char *sd = at("/etc/systemd");

	strbuf_init(&err);
	remove_tree(sd);
	testroot_puts(root, "/etc/systemd", "a file, not a directory\n");
	ok(resume_unit_install(plain_argv, &err) < 0, "/etc/systemd a file: install fails");
	ok(strstr(err.buf, "/etc/systemd/system") != NULL, "the error names the directory: %s", err.buf);
	ls = listing("/etc");
	is_str(ls, "systemd\n", "nothing else in /etc");
	free(ls);
	strbuf_reset(&err);
	is_int(resume_unit_remove(&err), 0, "remove: nothing to remove there");
	ok(!resume_unit_installed(), "not installed");
	unlink(sd);

	strbuf_reset(&err);
	testroot_puts(root, "/etc/systemd/system/multi-user.target.wants", "a file\n");
	ok(resume_unit_install(plain_argv, &err) < 0, "multi-user.target.wants a file: install fails");
	ok(strstr(err.buf, "multi-user.target.wants") != NULL, "the error names it: %s", err.buf);
	ls = listing("/etc/systemd/system");
	is_str(ls, "multi-user.target.wants\n", "no unit file and no temporary file left");
	unlink(wants_dir);

	/* A directory by the link's name. */
	strbuf_reset(&err);
	{
		_cleanup_free_ char *d = at(RESUME_UNIT_WANTS_PATH "/x");

		mkdir_p(d, 0755);
	}
	is_int(resume_unit_install(plain_argv, &err), -EEXIST, "a directory in place of the link: -EEXIST");
	ok(!exists(RESUME_UNIT_PATH), "and no unit file is written");
	{
		_cleanup_free_ char *d = at(RESUME_UNIT_WANTS_PATH);

		remove_tree(d);
	}
}

/* The root as systemd sees it: unit files come from a directory, so the
 * scratch root must be readable by the user systemd --test runs as. */
static const char *systemd_binary(void)
{
	static const char *const paths[] = { "/usr/lib/systemd/systemd", "/lib/systemd/systemd" };

	for (size_t i = 0; i < ELEMENTSOF(paths); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/* Undo the quoting of systemd's dump (quote_command_line: a word as it
 * is, or in double quotes with \\ \" \$ \` and C escapes). */
static int split_dumped(const char *s, char ***ret, size_t *ret_n)
{
	char **v = NULL;
	size_t n = 0;

	while (*s) {
		_cleanup_strbuf_ struct strbuf w = STRBUF_INIT;

		strbuf_init(&w);
		if (*s == ' ') {
			s++;
			continue;
		}
		if (*s != '"') {
			while (*s && *s != ' ')
				strbuf_addch(&w, *s++);
		} else {
			for (s++; *s != '"'; s++) {
				if (!*s)
					goto fail;
				if (*s != '\\') {
					strbuf_addch(&w, *s);
					continue;
				}
				s++;
				switch (*s) {
				case 'a': strbuf_addch(&w, '\a'); break;
				case 'b': strbuf_addch(&w, '\b'); break;
				case 'f': strbuf_addch(&w, '\f'); break;
				case 'n': strbuf_addch(&w, '\n'); break;
				case 'r': strbuf_addch(&w, '\r'); break;
				case 't': strbuf_addch(&w, '\t'); break;
				case 'v': strbuf_addch(&w, '\v'); break;
				case 'x': {
					unsigned c;

					if (sscanf(s + 1, "%2x", &c) != 1)
						goto fail;
					strbuf_addch(&w, (char)c);
					s += 2;
					break;
				}
				default:
					if (*s >= '0' && *s <= '7') {
						unsigned c = 0;

						for (int k = 0; k < 3 && *s >= '0' && *s <= '7'; k++, s++)
							c = c * 8 + (unsigned)(*s - '0');
						s--;
						strbuf_addch(&w, (char)c);
					} else if (*s) {
						strbuf_addch(&w, *s);
					} else {
						goto fail;
					}
				}
			}
			s++;
		}
		strv_push(&v, &n, strbuf_detach(&w, NULL));
	}
	*ret = v;
	*ret_n = n;
	return 0;
fail:
	strv_free(v);
	return -EINVAL;
}

/* systemd before 248 (Debian 11 has 247) dumped a command line the older
 * way: the words joined by one space, a word that holds white space put in
 * single quotes as it is (no escapes, control characters raw), every other
 * word bare; so an empty word is two spaces in a row. */
static int split_dumped_unescaped(const char *s, char ***ret, size_t *ret_n)
{
	char **v = NULL;
	size_t n = 0;

	for (;;) {
		const char *end;

		if (*s == '\'' && (end = strstr(s + 1, "' ")) != NULL) {
			strv_push(&v, &n, strndup(s + 1, (size_t)(end - s - 1)));
			s = end + 1;
		} else if (*s == '\'' && (end = strrchr(s, '\'')) > s && !end[1]) {
			strv_push(&v, &n, strndup(s + 1, (size_t)(end - s - 1)));
			s = end + 1;
		} else {
			size_t len = strcspn(s, " ");

			strv_push(&v, &n, strndup(s, len));
			s += len;
		}
		if (!*s)
			break;
		if (*s != ' ') {
			strv_free(v);
			return -EINVAL;
		}
		s++;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* What the program gets: systemd turns "$$" into "$" when it starts it,
 * and expands a lone '$' (a variable): NULL for that, since the argument
 * would then not reach the program as written. */
static char *exec_form(const char *word)
{
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;

	strbuf_init(&sb);
	for (const char *s = word; *s; s++) {
		if (s[0] == '$' && s[1] != '$')
			return NULL;
		strbuf_addch(&sb, *s);
		if (s[0] == '$')
			s++;
	}
	return strbuf_detach(&sb, NULL);
}

/* Whether the dumped command line is argv (n words), read in one of the two
 * forms; the words that differ are said as TAP comments. */
static bool dumped_is_argv(const char *cmdline, int (*split)(const char *, char ***, size_t *),
			   const char *const *argv, size_t n, bool say)
{
	char **words = NULL;
	size_t nwords = 0;
	bool same = split(cmdline, &words, &nwords) == 0 && nwords == n;

	for (size_t i = 0; same && i < n; i++) {
		_cleanup_free_ char *w = exec_form(words[i]);

		if (!w || !streq(w, argv[i])) {
			if (say)
				printf("# word %zu: got '%s', want '%s'\n", i, w ? w : words[i], argv[i]);
			same = false;
		}
	}
	strv_free(words);
	return same;
}

static void test_systemd_parses(void)
{
	_cleanup_free_ char *prog = at("/opt/gpu setup 100%/sbin/gpu-setup"), *unit_host = at(RESUME_UNIT_PATH);
	_cleanup_free_ char *unit_dir_env = xasprintf("SYSTEMD_UNIT_PATH=%s/etc/systemd/system:", root);
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	const char *argv[ELEMENTSOF(awkward_args) + 3];
	const char *sd = systemd_binary();
	struct run_result rr;
	size_t n = 0;
	int r;

	argv[n++] = prog;
	for (size_t i = 0; i < ELEMENTSOF(awkward_args); i++)
		argv[n++] = awkward_args[i];
	argv[n++] = "install";
	argv[n] = NULL;
	strbuf_init(&err);
	testroot_puts(root, "/opt/gpu setup 100%/sbin/gpu-setup", "#!/bin/sh\nexit 0\n");
	chmod(prog, 0755);
	chmod(root, 0755);
	is_int(resume_unit_install(argv, &err), 0, "install with awkward arguments");
	if (err.len)
		printf("# %s\n", err.buf);

	/* systemd-analyze verify: it loads the unit as the manager would,
	 * checks the program exists, and warns about any escape it does not
	 * know. */
	{
		const char *const verify[] = { "systemd-analyze", "verify", "--man=no", unit_host, NULL };

		r = run_command(verify, NULL, 0, &rr);
		if (r == -ENOENT) {
			printf("ok %d - # SKIP systemd-analyze is not installed (Debian: apt-get install systemd)\n",
			       ++tap_count);
			printf("ok %d - # SKIP systemd-analyze is not installed\n", ++tap_count);
		} else {
			is_int(r == 0 ? rr.exit_status : r, 0, "systemd-analyze verify accepts the unit");
			ok(r == 0 && !strstr(rr.err.buf, RESUME_UNIT_NAME), "and warns about nothing in it");
			if (r == 0 && rr.err.len)
				printf("# systemd-analyze: %s", rr.err.buf);
			if (r == 0)
				run_result_release(&rr);
		}
	}

	/* systemd --test --system loads the units and dumps them, the
	 * command lines as parsed (specifiers resolved, quoting undone,
	 * "$$" kept until the start).  It refuses to run as root. */
	if (!sd) {
		printf("ok %d - # SKIP no systemd binary here\n", ++tap_count);
	} else {
		const char *const as_nobody[] = { "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", sd,
						  "--test", "--system", "--no-pager", "--log-target=console",
						  "--unit=" RESUME_UNIT_NAME, NULL };
		const char *const env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", "HOME=/",
					    unit_dir_env, NULL };
		const char *const *cmd = geteuid() == 0 ? as_nobody : as_nobody + 4;
		const char *block, *line;

		r = run_command(cmd, env, 0, &rr);
		block = r == 0 ? strstr(rr.out.buf, "\t-> Unit " RESUME_UNIT_NAME ":\n") : NULL;
		line = block ? strstr(block, "\t\t-> ExecStart:\n\t\t\tCommand Line: ") : NULL;
		if (!block) {
			printf("ok %d - # SKIP systemd --test did not dump the unit here (%s)\n", ++tap_count,
			       r < 0 ? strerror(-r) : "no such block in its output");
		} else if (!line) {
			ok(0, "systemd's dump has the unit's ExecStart");
		} else {
			_cleanup_free_ char *cmdline = NULL;
			const char *next;
			bool same;

			line += strlen("\t\t-> ExecStart:\n\t\t\tCommand Line: ");
			/* The command line ends where the dump's next field
			 * starts: the older form leaves a newline of a word raw. */
			next = strstr(line, "\n\t\t");
			cmdline = next ? strndup(line, (size_t)(next - line)) : strdup(line);
			/* The awkward arguments hold a tab and a newline,
			 * which only the older form shows raw. */
			same = strchr(cmdline, '\n') || strchr(cmdline, '\t')
				       ? dumped_is_argv(cmdline, split_dumped_unescaped, argv, n, true)
				       : dumped_is_argv(cmdline, split_dumped, argv, n, true);
			ok(same, "systemd parses the ExecStart= line back into the very argv (%zu words)", n);
			if (!same)
				printf("# dumped: %s\n", cmdline);
		}
		if (r == 0)
			run_result_release(&rr);
	}
	is_int(resume_unit_remove(&err), 0, "remove");
}

int main(void)
{
	if (!mkdtemp(root)) {
		printf("1..0 # SKIP cannot make a scratch directory\n");
		return 0;
	}
	sysroot_set(root);
	test_text();
	test_quoting();
	test_refused_argv();
	test_install_remove();
	test_foreign();
	test_unwritable();
	test_systemd_parses();
	testroot_remove(root);
	return done_testing();
}
