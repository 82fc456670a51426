/*
 * apt-offline.c - the temporary flat repository an offline install feeds
 * apt from (apt-offline.h).
 *
 * Layout of the repository (a target path, R):
 *   R/NAME.deb ...         the cache's .debs: hard links, else copies
 *   R/Packages.gz          one stanza per .deb: its control file, then
 *                          Filename, Size and SHA256; compressed because
 *                          apt would symlink a plain Packages of a file:
 *                          source into its lists, a link to a target path
 *                          that dangles when the cache is read through
 *                          --root, and unpacks a compressed one instead
 *   R/source.list          "deb [trusted=yes] file:R ./", apt's only source
 *   R/sources.list.d/      empty: apt's only source parts
 *   R/lists/               the lists apt-get update makes for it
 *   R/update.conf          clears the update hooks for that one update
 * Every file is world-readable and every directory world-searchable: apt
 * reads file: sources as its _apt user.
 *
 * Why each setting (apt_options, config):
 *   Dir::Etc::SourceList, Dir::Etc::SourceParts: apt reads our source, and
 *     none of the system's (no network, no other version chosen);
 *   Dir::State::Lists: apt-get update writes the lists here, not over the
 *     system's /var/lib/apt/lists (which it would otherwise replace with
 *     ours and, through List-Cleanup, delete the rest of);
 *   APT::Get::List-Cleanup=false: belt and braces should Lists ever point
 *     elsewhere;
 *   Dir::Cache::pkgcache, Dir::Cache::srcpkgcache empty: no pkgcache.bin
 *     of our one source left in /var/cache/apt for the next apt run.
 * The update hooks (Ubuntu's command-not-found and update-notifier read
 * the lists after an update) would record our repository as the system's
 * archive: update.conf clears them with #clear, which -o cannot do.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apt-offline.h"
#include "fileio.h"
#include "log.h"
#include "run.h"
#include "sha256.h"
#include "sysroot.h"
#include "util.h"

#define OFFLINE_REPO_PARENT "/var/lib/gpu-setup"
#define OFFLINE_REPO_TEMPLATE OFFLINE_REPO_PARENT "/offline-repo.XXXXXX"


/* Put deb into the repository as host_path: a hard link when the file is
 * readable by all already (a link shares the mode, and changing it would
 * change the cache's file), else a copy; either way its digest is checked
 * against sha256 (of the copy as written, of the link's file). */
static int place_deb(const char *deb, const char *host_path, const char *sha256, struct strbuf *err)
{
	char hex[SHA256_HEX_LEN + 1];
	struct stat st;
	int r;

	if (stat(deb, &st) < 0)
		return strbuf_add_errno(err, -errno, "cannot read %s", deb);
	if ((st.st_mode & 0444) == 0444 && S_ISREG(st.st_mode) && link(deb, host_path) == 0) {
		r = sha256_file(host_path, hex);
	} else {
		_cleanup_close_ int in = open(deb, O_RDONLY | O_CLOEXEC);
		_cleanup_close_ int out = -1;

		if (in < 0)
			return strbuf_add_errno(err, -errno, "cannot read %s", deb);
		out = open(host_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (out < 0)
			return strbuf_add_errno(err, -errno, "cannot write %s", host_path);
		r = sha256_copy_fd(in, out, hex);
		if (r == 0 && (fchmod(out, 0644) < 0 || fsync(out) < 0))
			r = -errno;
	}
	if (r < 0) {
		strbuf_addf(err, "cannot put %s into the offline repository: %s", deb, strerror(-r));
		return r;
	}
	if (!sha256_hex_equal(hex, sha256)) {
		strbuf_addf(err, "%s is damaged: its sha256 is %s, the cache recorded %s", deb, hex, sha256);
		return -EBADMSG;
	}
	return 0;
}

/* The .deb's stanza of the Packages index: its control fields as
 * dpkg-deb prints them, then where the file is, its size and digest. */
static int add_stanza(struct strbuf *packages, const char *deb, const char *name, const char *sha256,
		      struct strbuf *err)
{
	const char *const argv[] = { "dpkg-deb", "-f", deb, NULL };
	struct run_result rr;
	struct stat st;
	int r;

	if (stat(deb, &st) < 0)
		return strbuf_add_errno(err, -errno, "cannot read %s", deb);
	r = run_command(argv, NULL, 120000, &rr);
	if (r < 0) {
		strbuf_addf(err, "cannot run dpkg-deb: %s", strerror(-r));
		return r;
	}
	if (rr.exit_status != 0 || !rr.out.len) {
		_cleanup_free_ char *why = last_line(rr.err.buf);

		strbuf_addf(err, "%s is not a .deb dpkg-deb can read: %s", deb, why && *why ? why : "no control file");
		run_result_release(&rr);
		return -EBADMSG;
	}
	strbuf_add(packages, rr.out.buf, rr.out.len);
	if (rr.out.buf[rr.out.len - 1] != '\n')
		strbuf_addch(packages, '\n');
	strbuf_addf(packages, "Filename: ./%s\nSize: %llu\nSHA256: %s\n\n", name, (unsigned long long)st.st_size,
		    sha256);
	run_result_release(&rr);
	return 0;
}

/* apt-get update for the repository alone, in the target; then check
 * that its Packages list is there. */
static int update_lists(const struct apt_offline_repo *repo, struct strbuf *err)
{
	_cleanup_free_ char *conf = xasprintf("%s/update.conf", repo->dir);
	_cleanup_free_ char *lists = NULL;
	char **argv = NULL;
	size_t n = 0;
	struct run_result rr;
	DIR *d;
	struct dirent *e;
	bool found = false;
	int r;

	strv_push(&argv, &n, xstrdup("apt-get"));
	strv_push(&argv, &n, xstrdup("update"));
	strv_push(&argv, &n, xstrdup("-q"));
	for (char **o = repo->apt_options; *o; o++)
		strv_push(&argv, &n, xstrdup(*o));
	strv_push(&argv, &n, xstrdup("-c"));
	strv_push(&argv, &n, xstrdup(conf));
	log_info("running: apt-get update for the offline repository %s", repo->dir);
	r = run_in_target((const char *const *)argv, 0, &rr);
	strv_free(argv);
	if (r < 0) {
		strbuf_addf(err, "cannot run apt-get: %s", strerror(-r));
		return r;
	}
	if (rr.exit_status != 0) {
		_cleanup_free_ char *why = last_lines(rr.err.len ? rr.err.buf : rr.out.buf, 3);

		strbuf_addf(err, "apt-get update of the offline repository failed: %s", why);
		run_result_release(&rr);
		return -EIO;
	}
	run_result_release(&rr);
	lists = xasprintf("%s/lists", repo->dir);
	{
		_cleanup_free_ char *host = sysroot_path(lists);

		d = opendir(host);
	}
	while (d && (e = readdir(d)) && !found) {
		size_t len = strlen(e->d_name);

		found = len > 9 && streq(e->d_name + len - 9, "_Packages");
	}
	if (d)
		closedir(d);
	if (!found) {
		strbuf_addf(err, "apt-get update made no package list of the offline repository in %s", lists);
		return -EIO;
	}
	return 0;
}

/* The settings, as -o arguments with target paths and as Key=Value with
 * host paths (the cache is opened here, through the sysroot). */
static void make_settings(struct apt_offline_repo *repo)
{
	static const char *const keys[] = { "Dir::Etc::SourceList", "Dir::Etc::SourceParts", "Dir::State::Lists" };
	static const char *const files[] = { "source.list", "sources.list.d/", "lists/" };
	static const char *const fixed[] = { "APT::Get::List-Cleanup=false", "Dir::Cache::pkgcache=",
					     "Dir::Cache::srcpkgcache=" };
	size_t nopt = 0, nconf = 0;

	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		_cleanup_free_ char *path = xasprintf("%s/%s", repo->dir, files[i]);
		_cleanup_free_ char *host = sysroot_path(path);

		strv_push(&repo->apt_options, &nopt, xstrdup("-o"));
		strv_push(&repo->apt_options, &nopt, xasprintf("%s=%s", keys[i], path));
		strv_push(&repo->config, &nconf, xasprintf("%s=%s", keys[i], host));
	}
	for (size_t i = 0; i < ELEMENTSOF(fixed); i++) {
		strv_push(&repo->apt_options, &nopt, xstrdup("-o"));
		strv_push(&repo->apt_options, &nopt, xstrdup(fixed[i]));
		strv_push(&repo->config, &nconf, xstrdup(fixed[i]));
	}
}

/* Packages -> Packages.gz (gzip of the host, -n: the same bytes for the
 * same index). */
static int gzip_index(const char *host_dir, struct strbuf *err)
{
	_cleanup_free_ char *path = xasprintf("%s/Packages", host_dir);
	const char *const argv[] = { "gzip", "-n", "-f", path, NULL };
	struct run_result rr;
	int r = run_command(argv, NULL, 120000, &rr);

	if (r < 0) {
		strbuf_addf(err, "cannot run gzip: %s", strerror(-r));
		return r;
	}
	r = rr.exit_status == 0 ? 0 : -EIO;
	if (r < 0)
		strbuf_addf(err, "gzip of %s failed: %s", path, rr.err.buf);
	run_result_release(&rr);
	if (r == 0) {
		_cleanup_free_ char *gz = xasprintf("%s.gz", path);

		if (chmod(gz, 0644) < 0) {
			r = -errno;
			strbuf_addf(err, "cannot make %s readable to apt: %s", gz, strerror(-r));
		}
	}
	return r;
}

/* Write a small file of the repository (target path dir + rel). */
static int put(const char *host_dir, const char *rel, const char *text, size_t len, struct strbuf *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", host_dir, rel);
	int r = write_file_atomic(path, text, len, 0644);

	if (r < 0)
		strbuf_addf(err, "cannot write %s: %s", path, strerror(-r));
	return r;
}

int apt_offline_repo_create(const char *const *debs, const char *const *sha256s, size_t n,
			    struct apt_offline_repo *ret, struct strbuf *err)
{
	static const char update_conf[] =
		"// gpu-setup: the update of the offline repository runs no update hooks: they would\n"
		"// read its lists as the system's archive.\n"
		"#clear APT::Update::Pre-Invoke;\n#clear APT::Update::Post-Invoke;\n"
		"#clear APT::Update::Post-Invoke-Success;\n";
	_cleanup_free_ char *parent = sysroot_path(OFFLINE_REPO_PARENT);
	_cleanup_free_ char *host = sysroot_path(OFFLINE_REPO_TEMPLATE);
	_cleanup_free_ char *source = NULL;
	_cleanup_strbuf_ struct strbuf packages = STRBUF_INIT;
	struct apt_offline_repo repo = { 0 };
	int r;

	*ret = (struct apt_offline_repo){ 0 };
	strbuf_init(&packages);
	r = mkdir_p(parent, 0755);
	if (r < 0) {
		strbuf_addf(err, "cannot make %s: %s", parent, strerror(-r));
		return r;
	}
	if (!mkdtemp(host)) {
		r = -errno;
		strbuf_addf(err, "cannot make a directory under %s: %s", parent, strerror(-r));
		return r;
	}
	/* The target path: the host one without the root in front. */
	repo.dir = xstrdup(host + strlen(sysroot_get()));
	if (chmod(host, 0755) < 0) {
		r = -errno;
		strbuf_addf(err, "cannot make %s readable to apt: %s", host, strerror(-r));
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *copy = xstrdup(debs[i]);
		const char *name = basename(copy);
		_cleanup_free_ char *dest = xasprintf("%s/%s", host, name);

		if (!startswith(name, ".") && strlen(name) > 4 && streq(name + strlen(name) - 4, ".deb"))
			r = place_deb(debs[i], dest, sha256s[i], err);
		else {
			strbuf_addf(err, "%s is not named as a .deb", debs[i]);
			r = -EINVAL;
		}
		if (r == 0)
			r = add_stanza(&packages, dest, name, sha256s[i], err);
		if (r < 0)
			goto fail;
	}
	source = xasprintf("# gpu-setup offline install: the cache's .debs, removed after the install\n"
			   "deb [trusted=yes] file:%s ./\n", repo.dir);
	r = put(host, "Packages", packages.buf, packages.len, err);
	if (r == 0)
		r = gzip_index(host, err);
	if (r == 0)
		r = put(host, "source.list", source, strlen(source), err);
	if (r == 0)
		r = put(host, "update.conf", update_conf, sizeof(update_conf) - 1, err);
	if (r == 0) {
		_cleanup_free_ char *parts = xasprintf("%s/sources.list.d", host);
		_cleanup_free_ char *partial = xasprintf("%s/lists/partial", host);

		r = mkdir_p(parts, 0755);
		if (r == 0)
			r = mkdir_p(partial, 0755);
		if (r < 0)
			strbuf_addf(err, "cannot make the directories of %s: %s", host, strerror(-r));
	}
	if (r < 0)
		goto fail;
	make_settings(&repo);
	r = update_lists(&repo, err);
	if (r < 0)
		goto fail;
	*ret = repo;
	return 0;
fail:
	apt_offline_repo_remove(&repo);
	return r;
}

void apt_offline_repo_remove(struct apt_offline_repo *r)
{
	if (r->dir) {
		_cleanup_free_ char *host = sysroot_path(r->dir);
		int e = remove_tree(host);

		if (e < 0)
			log_warning("cannot remove the offline repository %s: %s", host, strerror(-e));
	}
	free(r->dir);
	strv_free(r->apt_options);
	strv_free(r->config);
	*r = (struct apt_offline_repo){ 0 };
}
