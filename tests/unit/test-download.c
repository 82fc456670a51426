/* Unit tests: a checked download (download.c) from loopback HTTP servers:
 * the file enters its place only with the right sha256, a mirror that is
 * down or serves other bytes hands over to the next URL, and a failure
 * leaves neither the file nor its .part behind. */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "download.h"
#include "loopback-http.h"
#include "sha256.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

static const char body[] = "#!/bin/sh\n# an installer\n";

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int main(void)
{
	char tmpl[] = "/tmp/test-download.XXXXXX";
	const char *top = mkdtemp(tmpl);
	_cleanup_free_ char *www = NULL, *dest = NULL, *part = NULL, *good = NULL, *bad = NULL, *missing = NULL,
			    *refused = NULL;
	char want[SHA256_HEX_LEN + 1], hex[SHA256_HEX_LEN + 1];
	struct strbuf err = STRBUF_INIT;
	int port = 0, r;
	pid_t server;

	if (!top) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	loopback_unset_proxies();
	www = xasprintf("%s/www", top);
	testroot_puts(top, "/www/good/inst.sh", body);
	testroot_puts(top, "/www/bad/inst.sh", "#!/bin/sh\n# another file\n");
	testroot_puts(top, "/cache/.keep", "");
	{
		struct sha256_ctx *c = sha256_new();

		sha256_update(c, body, strlen(body));
		sha256_finish(c, want);
	}
	server = http_server_start(www, &port);
	if (server < 0) {
		printf("1..0 # SKIP python3 cannot serve HTTP on loopback here\n");
		testroot_remove(top);
		return 0;
	}
	dest = xasprintf("%s/cache/inst.sh", top);
	part = xasprintf("%s.part", dest);
	good = xasprintf("http://127.0.0.1:%d/good/inst.sh", port);
	bad = xasprintf("http://127.0.0.1:%d/bad/inst.sh", port);
	missing = xasprintf("http://127.0.0.1:%d/missing/inst.sh", port);
	refused = xasprintf("http://127.0.0.1:%d/inst.sh", loopback_free_port());
	strbuf_init(&err);

	{
		const char *const urls[] = { good, NULL };

		r = download_verified(urls, dest, want, hex, &err);
		is_int(r, 0, "one URL with the right file");
		is_str(hex, want, "its digest is reported");
		ok(exists(dest) && !exists(part), "the file is in place, no .part left");
		unlink(dest);
	}
	{
		const char *const urls[] = { refused, missing, bad, good, NULL };

		strbuf_reset(&err);
		r = download_verified(urls, dest, want, hex, &err);
		is_int(r, 0, "a refused connection, a 404 and another file's bytes hand over to the next URL");
		ok(strstr(err.buf, "404") && strstr(err.buf, "served a file with sha256"),
		   "each earlier URL's reason is kept: %s", err.buf);
		ok(exists(dest), "the good mirror's file is in place");
		unlink(dest);
	}
	{
		const char *const urls[] = { missing, bad, NULL };

		strbuf_reset(&err);
		r = download_verified(urls, dest, want, hex, &err);
		is_int(r, -EBADMSG, "the last URL serving other bytes: a checksum failure");
		ok(!exists(dest) && !exists(part), "nothing is kept");
	}
	{
		const char *const urls[] = { bad, refused, NULL };

		strbuf_reset(&err);
		r = download_verified(urls, dest, want, hex, &err);
		is_int(r, -EHOSTUNREACH, "no URL gave the file");
		ok(!exists(dest) && !exists(part), "nothing is kept");
	}
	{
		const char *const urls[] = { bad, NULL };

		strbuf_reset(&err);
		r = download_verified(urls, dest, NULL, hex, &err);
		ok(r == 0 && exists(dest), "no sha256 known: the file is kept");
		ok(!streq(hex, want), "and its own digest reported");
	}

	kill(server, SIGTERM);
	waitpid(server, NULL, 0);
	strbuf_release(&err);
	testroot_remove(top);
	return done_testing();
}
