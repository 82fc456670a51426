/*
 * Unit tests: apt's view of another machine (apt-target.h) as fetch --for
 * uses it: a tree for a described Ubuntu machine whose source is the
 * generated Ubuntu repository served over loopback HTTP, some packages
 * marked installed there; apt-get update through the tree; the shim's
 * closure and archives against it (what driver_debs_plan computes).
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "apt-target.h"
#include "aptshim.h"
#include "fileio.h"
#include "loopback-http.h"
#include "run.h"
#include "sha256.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

#define KREL "6.1.0-99-amd64"
#define VER "580.95.05-0ubuntu1"

/* A URI's path %-decoded (apt quotes '+' and the like in ArchiveURI). */
static char *uri_decode(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;
	unsigned v;

	for (; *s; s++)
		if (*s == '%' && sscanf(s + 1, "%2x", &v) == 1) {
			*o++ = (char)v;
			s += 2;
		} else {
			*o++ = *s;
		}
	*o = '\0';
	return out;
}

static bool in_list(char **list, const char *name)
{
	for (char **p = list; p && *p; p++)
		if (streq(*p, name))
			return true;
	return false;
}

int main(void)
{
	char scratch[] = "/tmp/gs-apt-target-XXXXXX";
	_cleanup_free_ char *repo = NULL, *source = NULL, *prefix = NULL, *tree = NULL;
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	const char *gen[] = { "python3", ABS_TOP_SRCDIR "/tests/fixtures/gen-nvidia-repo", NULL, KREL, NULL };
	static const char disabled[] = "Types: deb\nURIs: http://127.0.0.1:9/ubuntu\nSuites: noble\nComponents: main\n"
				       "Enabled: no\nSigned-By: /usr/share/keyrings/other.gpg\n";
	static const unsigned char key[] = "not a real key";
	struct run_result rr;
	struct apt_cache *c = NULL;
	char **config = NULL, **closure = NULL, *aerr = NULL;
	pid_t server;
	int port = 0, r;

	strbuf_init(&err);
	if (!mkdtemp(scratch))
		return done_testing();
	chmod(scratch, 0755);  /* apt's _apt user walks into the tree below it */
	repo = xasprintf("%s/repo", scratch);
	gen[2] = repo;
	if (run_command(gen, NULL, 0, &rr) < 0 || rr.exit_status != 0) {
		printf("1..0 # SKIP cannot generate the repository (python3, dpkg-deb)\n");
		testroot_remove(scratch);
		return 0;
	}
	run_result_release(&rr);
	prefix = xasprintf("%s/ubuntu", repo);
	server = http_server_start(prefix, &port);
	if (server < 0) {
		printf("1..0 # SKIP cannot serve the repository over loopback HTTP (python3)\n");
		testroot_remove(scratch);
		return 0;
	}
	free(prefix);
	prefix = xasprintf("http://127.0.0.1:%d/", port);
	source = xasprintf("# the described machine's archive\ndeb [trusted=yes] %s noble main restricted\n", prefix);
	{
		const struct apt_target_file sources[] = {
			{ "/etc/apt/sources.list.d/nvidia.list", (const unsigned char *)source, strlen(source) },
			{ "/etc/apt/sources.list.d/other.sources", (const unsigned char *)disabled, sizeof(disabled) - 1 },
		};
		const struct apt_target_file keys[] = { { "/usr/share/keyrings/other.gpg", key, sizeof(key) - 1 } };
		const struct apt_target_package installed[] = {
			{ "libnvidia-compute-580", VER, "amd64" },
			{ "dkms", "0.1", NULL },
		};
		const struct apt_target_spec spec = { "amd64", sources, 2, keys, 1, installed, 2 };
		const struct apt_target_file escape[] = { { "/etc/apt/../../x", (const unsigned char *)"", 0 } };
		const struct apt_target_spec bad = { "amd64", escape, 1, NULL, 0, NULL, 0 };

		is_int(apt_target_tree_create(&bad, scratch, &tree, &err), -EINVAL, "a source path with '..' is refused");
		ok(!tree && strstr(err.buf, "/etc/apt/../../x"), "and named (%s)", err.buf);
		strbuf_reset(&err);
		r = apt_target_tree_create(&spec, scratch, &tree, &err);
		is_int(r, 0, "the tree is laid out%s%s", r ? ": " : "", err.buf);
	}
	if (!tree)
		goto out;
	{
		_cleanup_free_ char *path = xasprintf("%s/etc/apt/sources.list.d/other.sources", tree);
		_cleanup_free_ char *want = xasprintf("Signed-By: %s/usr/share/keyrings/other.gpg\n", tree);
		_cleanup_free_ char *keypath = xasprintf("%s/usr/share/keyrings/other.gpg", tree);
		_cleanup_free_ char *text = NULL, *status = NULL;
		_cleanup_free_ char *status_path = xasprintf("%s/var/lib/dpkg/status", tree);
		size_t len;

		ok(read_file(path, 1 << 16, &text, &len) == 0 && strstr(text, want),
		   "a Signed-By path points at the key's place in the tree");
		ok(access(keypath, R_OK) == 0, "the key is at its path inside the tree");
		ok(read_file(status_path, 1 << 16, &status, &len) == 0 &&
		   strstr(status, "Package: libnvidia-compute-580\nStatus: install ok installed\n"),
		   "dpkg's status lists the installed packages");
	}
	r = apt_target_tree_update(tree, &err);
	is_int(r, 0, "apt-get update through the tree over loopback HTTP%s%s", r ? ": " : "", err.buf);
	ok(apt_target_tree_config(tree, &config) > 0 && config[0] && startswith(config[0], "Dir="),
	   "the tree's settings for the shim");
	r = apt_cache_open_config(tree, (const char *const *)config, &c, &aerr);
	is_int(r, 0, "the shim opens the described machine's apt%s%s", aerr ? ": " : "", aerr ? aerr : "");
	apt_target_tree_config_free(config);
	if (!c)
		goto out;
	{
		_cleanup_free_ char *inst = NULL, *cand = NULL;

		ok(apt_versions(c, "libnvidia-compute-580", &inst, &cand) == 0 && inst && streq(inst, VER) && cand &&
		   streq(cand, VER), "it sees the described package as installed, and the tree's lists");
	}
	{
		const char *want[] = { "nvidia-driver-580", "linux-modules-nvidia-580-" KREL, NULL };
		struct apt_archive *a = NULL;
		size_t n = 0;
		bool uris = true, sizes = true, sums = true;

		r = apt_install_closure(c, want, &closure, &aerr);
		ok(r >= 3 && in_list(closure, "nvidia-driver-580") && in_list(closure, "nvidia-kernel-common-580"),
		   "the closure has the driver and what it depends on (%d packages)", r);
		ok(!in_list(closure, "libnvidia-compute-580"), "but not what the machine has installed");
		r = apt_archives(c, (const char *const *)closure, &a, &n, &aerr);
		is_int(r, 0, "every package of the closure has an archive%s%s", aerr ? ": " : "", aerr ? aerr : "");
		for (size_t i = 0; i < n; i++) {
			_cleanup_free_ char *file = NULL;
			char hex[SHA256_HEX_LEN + 1];
			struct stat st;

			if (!startswith(a[i].uri, prefix)) {
				uris = false;
				continue;
			}
			{
				_cleanup_free_ char *rel = uri_decode(a[i].uri + strlen(prefix));

				file = xasprintf("%s/ubuntu/%s", repo, rel);
			}
			sizes = sizes && stat(file, &st) == 0 && (unsigned long long)st.st_size == a[i].size;
			sums = sums && a[i].sha256 && sha256_file(file, hex) == 0 && streq(hex, a[i].sha256);
		}
		ok(n && uris, "their URIs are the loopback server's (%s)", n ? a[0].uri : "");
		ok(n && sizes, "their sizes are the files'");
		ok(n && sums, "their sha256 are the files'");
		apt_archives_free(a, n);
	}
	apt_cache_close(c);
out:
	free(aerr);
	apt_free_list(closure);
	kill(server, SIGTERM);
	waitpid(server, NULL, 0);
	if (tree) {
		apt_target_tree_remove(tree);
		ok(access(tree, F_OK) < 0, "the tree is removed");
	}
	testroot_remove(scratch);
	return done_testing();
}
