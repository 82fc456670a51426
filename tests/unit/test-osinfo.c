/* Unit tests: os-release parsing, the loaded driver and the installed
 * cuDNN version, all under a sysroot (the toolkit's: test-cuda-tree). */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "cudnn.h"
#include "fileio.h"
#include "osinfo.h"
#include "plan.h"
#include "run.h"
#include "sysroot.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

static char root[] = "/tmp/gs-osinfo-XXXXXX";

int main(void)
{
	struct os_release os;
	char *ver = NULL;
	enum driver_flavour fl;

	ok(os_release_parse("NAME=\"Ubuntu\"\nID=ubuntu\nVERSION_ID=\"24.04\"\nVERSION_CODENAME=noble\n", &os) == 0,
	   "Ubuntu's os-release parses");
	is_str(os.distro, "ubuntu-24.04", "quoted VERSION_ID is unquoted");
	is_str(os.codename, "noble", "codename");
	os_release_free(&os);
	ok(os_release_parse("ID='debian'\nVERSION_ID='12'\nPRETTY_NAME=\"Debian \\\"x\\\"\"\n", &os) == 0 &&
	   streq(os.distro, "debian-12") && streq(os.pretty_name, "Debian \"x\""),
	   "single quotes and backslash escapes");
	os_release_free(&os);
	ok(os_release_parse("ID=debian\n", &os) == -EINVAL, "no VERSION_ID (Debian testing) is -EINVAL");
	ok(os_release_parse("VERSION_ID=1\nID=\n", &os) == -EINVAL, "an empty ID is -EINVAL");

	if (!mkdtemp(root))
		return done_testing();
	sysroot_set(root);
	ok(os_release_read(&os) == -ENOENT, "no os-release at all is -ENOENT");
	testroot_puts(root, "/usr/lib/os-release", "ID=debian\nVERSION_ID=\"13\"\n");
	ok(os_release_read(&os) == 0 && streq(os.distro, "debian-13"), "falls back to /usr/lib/os-release");
	os_release_free(&os);

	ok(installed_driver_read(&ver, &fl) == -ENOENT, "no module loaded is -ENOENT");
	testroot_puts(root, "/sys/module/nvidia/version", "garbage\n");
	ok(installed_driver_read(&ver, &fl) == -EINVAL, "a version file without a version is -EINVAL");
	testroot_puts(root, "/sys/module/nvidia/version", "580.95.05\n");
	ok(installed_driver_read(&ver, &fl) == 0 && streq(ver, "580.95.05") && fl == FLAVOUR_UNKNOWN,
	   "version read; flavour unknown without /proc/driver/nvidia/version");
	free(ver);
	testroot_puts(root, "/proc/driver/nvidia/version",
	    "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.95.05  Release Build\n");
	ok(installed_driver_read(&ver, &fl) == 0 && fl == FLAVOUR_OPEN, "open modules recognised");
	free(ver);
	testroot_puts(root, "/proc/driver/nvidia/version", "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.95.05\n");
	ok(installed_driver_read(&ver, &fl) == 0 && fl == FLAVOUR_PROPRIETARY, "proprietary modules recognised");
	free(ver);

	testroot_puts(root, "/usr/local/cuda-12.8/include/cudnn_version.h",
	    "#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 13\n#define CUDNN_PATCHLEVEL 0\n");
	ok(cudnn_installed_version("/usr/local/cuda-12.8", &ver) == 0 && streq(ver, "9.13.0"), "cudnn_version.h read");
	free(ver);
	testroot_puts(root, "/usr/local/cuda-12.8/include/cudnn_version.h", "#define CUDNN_MAJOR 9\n");
	ok(cudnn_installed_version("/usr/local/cuda-12.8", &ver) == -EINVAL, "an incomplete header is -EINVAL");

	testroot_remove(root);
	return done_testing();
}
