/*
 * reboot-record.c - the reboot gpu-setup asks for after a driver install:
 * recorded where gpu-setup and Debian's tools look, and read back to tell
 * whether it is still to come.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "fileio.h"
#include "reboot-record.h"
#include "strbuf.h"
#include "sysroot.h"
#include "util.h"

/* The boot time of the target, from /proc/stat's btime; 0 when unknown. */
static time_t boot_time(void)
{
	_cleanup_free_ char *path = sysroot_path("/proc/stat"), *text = NULL;
	const char *b;
	size_t len;

	if (read_file(path, 1u << 20, &text, &len) < 0 || !(b = strstr(text, "\nbtime ")))
		return 0;
	return (time_t)strtoll(b + strlen("\nbtime "), NULL, 10);
}

bool reboot_pending(char **ret_reason)
{
	_cleanup_free_ char *ours = sysroot_path("/var/lib/gpu-setup/reboot-required"), *line = NULL;
	struct stat st;
	time_t booted;

	if (stat(ours, &st) < 0)
		return false;
	/* Written before the last boot: that boot was the reboot asked for. */
	booted = boot_time();
	if (booted && st.st_mtime < booted)
		return false;
	if (ret_reason)
		*ret_reason = read_one_line(ours, &line) == 0 && *strstrip(line) ? xstrdup(strstrip(line))
										: xstrdup("gpu-setup installed a driver");
	return true;
}

int reboot_required_record(const char *reason, const char *const *packages)
{
	_cleanup_free_ char *dir = sysroot_path("/var/lib/gpu-setup");
	_cleanup_free_ char *ours = sysroot_path("/var/lib/gpu-setup/reboot-required");
	_cleanup_free_ char *rundir = sysroot_path("/run");
	_cleanup_free_ char *flag = sysroot_path("/run/reboot-required");
	_cleanup_free_ char *pkgs = sysroot_path("/run/reboot-required.pkgs");
	_cleanup_free_ char *old = NULL, *line = xasprintf("%s\n", reason);
	_cleanup_strbuf_ struct strbuf list = STRBUF_INIT;
	static const char banner[] = "*** System restart required ***\n";
	size_t len = 0;
	int r;

	r = mkdir_p(dir, 0755);
	if (r == 0)
		r = write_file_atomic(ours, line, strlen(line), 0644);
	if (r < 0)
		return r;
	/* Debian's convention: best effort, /run may be missing in a tree. */
	if (mkdir_p(rundir, 0755) < 0 || write_file_atomic(flag, banner, sizeof(banner) - 1, 0644) < 0)
		return 0;
	strbuf_init(&list);
	if (read_file(pkgs, 1u << 20, &old, &len) == 0)
		strbuf_add(&list, old, len);
	for (const char *const *p = packages; *p; p++) {
		_cleanup_free_ char *entry = xasprintf("\n%s\n", *p);
		_cleanup_free_ char *framed = xasprintf("\n%s", list.buf);

		if (!strstr(framed, entry))
			strbuf_addf(&list, "%s\n", *p);
	}
	write_file_atomic(pkgs, list.buf, list.len, 0644);
	return 0;
}
