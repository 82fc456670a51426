/* Unit tests: os-release parsing, the loaded driver, installed CUDA and
 * cuDNN versions, all under a sysroot. */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "fileio.h"
#include "osinfo.h"
#include "plan.h"
#include "run.h"
#include "sysroot.h"
#include "tap.h"
#include "util.h"

static char root[] = "/tmp/gs-osinfo-XXXXXX";

static void put(const char *rel, const char *text)
{
	_cleanup_free_ char *path = xasprintf("%s%s", root, rel);
	char *slash = path + strlen(root);

	while ((slash = strchr(slash + 1, '/'))) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	write_file_atomic(path, text, strlen(text), 0644);
}

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
	put("/usr/lib/os-release", "ID=debian\nVERSION_ID=\"13\"\n");
	ok(os_release_read(&os) == 0 && streq(os.distro, "debian-13"), "falls back to /usr/lib/os-release");
	os_release_free(&os);

	ok(installed_driver_read(&ver, &fl) == -ENOENT, "no module loaded is -ENOENT");
	put("/sys/module/nvidia/version", "garbage\n");
	ok(installed_driver_read(&ver, &fl) == -EINVAL, "a version file without a version is -EINVAL");
	put("/sys/module/nvidia/version", "580.95.05\n");
	ok(installed_driver_read(&ver, &fl) == 0 && streq(ver, "580.95.05") && fl == FLAVOUR_UNKNOWN,
	   "version read; flavour unknown without /proc/driver/nvidia/version");
	free(ver);
	put("/proc/driver/nvidia/version",
	    "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.95.05  Release Build\n");
	ok(installed_driver_read(&ver, &fl) == 0 && fl == FLAVOUR_OPEN, "open modules recognised");
	free(ver);
	put("/proc/driver/nvidia/version", "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.95.05\n");
	ok(installed_driver_read(&ver, &fl) == 0 && fl == FLAVOUR_PROPRIETARY, "proprietary modules recognised");
	free(ver);

	ok(cuda_installed_version("/usr/local/cuda-12.8", &ver) == -ENOENT, "no toolkit is -ENOENT");
	put("/usr/local/cuda-12.8/version.json", "{ \"cuda\" : { \"name\" : \"CUDA SDK\", \"version\" : \"12.8.1\" } }");
	ok(cuda_installed_version("/usr/local/cuda-12.8", &ver) == 0 && streq(ver, "12.8.1"), "version.json read");
	free(ver);
	put("/usr/local/cuda-12.8/version.json", "{ not json");
	ok(cuda_installed_version("/usr/local/cuda-12.8", &ver) == -EINVAL, "a broken version.json is -EINVAL");
	put("/usr/local/cuda-12.8/include/cudnn_version.h",
	    "#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 13\n#define CUDNN_PATCHLEVEL 0\n");
	ok(cudnn_installed_version("/usr/local/cuda-12.8", &ver) == 0 && streq(ver, "9.13.0"), "cudnn_version.h read");
	free(ver);
	put("/usr/local/cuda-12.8/include/cudnn_version.h", "#define CUDNN_MAJOR 9\n");
	ok(cudnn_installed_version("/usr/local/cuda-12.8", &ver) == -EINVAL, "an incomplete header is -EINVAL");

	{
		const char *const rm[] = { "rm", "-rf", root, NULL };
		struct run_result rr;

		if (run_command(rm, NULL, 10000, &rr) == 0)
			run_result_release(&rr);
	}
	return done_testing();
}
