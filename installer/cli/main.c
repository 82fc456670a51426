/*
 * main.c - gpu-setup's entry point: the command table, dispatch, and the
 * checks every command's flags ask for (root, lock, argument count); the
 * options and the help are options.c's.  Handlers live in cmd-*.c.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <strings.h>

#include "cache.h"
#include "cli.h"
#include "commands.h"
#include "compat.h"
#include "exit-codes.h"
#include "json-result.h"
#include "lock.h"
#include "log.h"
#include "options.h"
#include "sysroot.h"
#include "util.h"

struct gs_options gs_opts;

const struct command gs_commands[] = {
	{ "install", cmd_install, NEEDS_ROOT | TAKES_LOCK, 1, "[cuda|cudnn|miniconda|framework]",
	  "detect the hardware and set up the whole stack (what a bare 'sudo gpu-setup' runs), or one step of it" },
	{ "detect", cmd_detect, 0, 0, "", "show GPUs, driver in use, PCIe link, CPU, memory and sizing hints" },
	{ "plan", cmd_plan, 0, 0, "",
	  "show the versions gpu-setup would choose for this machine and the steps install would take" },
	{ "doctor", cmd_doctor, 0, 0, "",
	  "check the installed stack (GPU, driver, kernel modules, CUDA, cuDNN, Python setup) and say how to fix what is wrong" },
	{ "compat", cmd_compat, 0, 0, "",
	  "answer compatibility questions (which driver, CUDA, cuDNN, framework build fit) without touching the machine" },
	{ "driver", cmd_driver, NEEDS_ROOT | TAKES_LOCK | LIST_ONLY_READS, 0, "",
	  "install the NVIDIA driver package that fits the GPUs (with --list: show every candidate and why)" },
	{ "use", cmd_use, NEEDS_ROOT | TAKES_LOCK, 2, "cuda X.Y",
	  "make an installed CUDA toolkit the one /usr/local/cuda, PATH and the library path lead to" },
	{ "uninstall", cmd_uninstall, NEEDS_ROOT | TAKES_LOCK, 2, "cuda X.Y | cudnn | hooks",
	  "remove a CUDA toolkit (through its own uninstaller), the cuDNN gpu-setup placed or its apt and kernel hooks, and nothing else" },
	{ "mirror", cmd_mirror, 0, 1, "[tuna|ustc|bfsu|sjtu|aliyun|official]",
	  "point pip and conda at a package mirror (default tuna), for you or with --system for everyone" },
	{ "fetch", cmd_fetch, 0, 0, "",
	  "download everything install needs (runfile, cuDNN, Miniconda, driver packages) into the cache, for this machine or another (--for)" },
	{ "cache", cmd_cache, 0, 1, "list|verify|prune",
	  "show, check or clean the cache of downloaded archives that offline installs use" },
	{ "update", cmd_update, NEEDS_ROOT | TAKES_LOCK, 0, "",
	  "refresh the CUDA, cuDNN, PyTorch and driver tables from NVIDIA's and PyTorch's published lists" },
	{ "help", cmd_help, 0, 1, "[COMMAND]", "show this help, or the help of one command" },
};

const size_t gs_ncommands = sizeof(gs_commands) / sizeof(gs_commands[0]);

const struct command *gs_find_command(const char *name)
{
	for (size_t i = 0; i < gs_ncommands; i++)
		if (streq(gs_commands[i].name, name))
			return &gs_commands[i];
	return NULL;
}

/* Edit distance, for "did you mean" on a mistyped command. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[32], cur[32];

	if (la >= 32 || lb >= 32)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(prev));
	}
	return prev[lb];
}

static int unknown_command(const char *name)
{
	for (size_t i = 0; i < gs_ncommands; i++)
		if (edit_distance(name, gs_commands[i].name) <= 2) {
			log_error("'%s' is not a gpu-setup command; did you mean '%s'? (see 'gpu-setup --help')",
				  name, gs_commands[i].name);
			return EXIT_USAGE;
		}
	log_error("'%s' is not a gpu-setup command; see 'gpu-setup --help'", name);
	return EXIT_USAGE;
}

/* Whether this program is the build directory's (tests, a developer):
 * then its data comes from the trees, so nothing needs installing. */
static bool run_from_build_dir(void)
{
	static char exe[PATH_MAX], builddir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0 || !realpath(ABS_TOP_BUILDDIR, builddir))
		return false;
	exe[n] = '\0';
	return streq(dirname(exe), builddir);
}

const char *gs_compat_dir(void)
{
	if (gs_opts.compat_dir)
		return gs_opts.compat_dir;
	return run_from_build_dir() ? ABS_TOP_SRCDIR "/compat" : PKGDATADIR "/compat";
}

const char *gs_hooks_dir(void)
{
	/* The build tree's hooks/ are made by make, with the installed
	 * paths in them. */
	return run_from_build_dir() ? ABS_TOP_BUILDDIR "/hooks" : PKGDATADIR "/hooks";
}

void gs_detect_request(struct detect_request *req)
{
	memset(req, 0, sizeof(*req));
	if (gs_opts.pci_dump) {
		req->pci.kind = PCI_SOURCE_DUMP;
		req->pci.path = gs_opts.pci_dump;
	} else if (gs_opts.sysfs) {
		req->pci.kind = PCI_SOURCE_SYSFS;
		req->pci.path = gs_opts.sysfs;
	} else {
		req->pci.kind = PCI_SOURCE_LIVE;
	}
	/* A pci.ids for reproducible names (tests); see gpu-setup(8). */
	req->pci.ids_file = getenv("GPU_SETUP_PCI_IDS");
	req->compat_dir = gs_compat_dir();
	req->psu_watts = gs_opts.psu_watts;
}

int gs_detect_or_exit_code(struct detect_report *rep)
{
	struct detect_request req;

	gs_detect_request(&req);
	return target_detect(&req, rep);
}

/* Everything a command's flags ask for, in one place. */
static int check_command(const struct command *c, int nargs, const unsigned char *seen, int *ret_lock)
{
	*ret_lock = -1;
	if (nargs > c->max_args) {
		if (c->max_args)
			log_error("'%s' takes at most %d argument%s (%s); see 'gpu-setup help %s'", c->name,
				  c->max_args, c->max_args > 1 ? "s" : "", c->args, c->name);
		else
			log_error("'%s' takes no arguments; see 'gpu-setup help %s'", c->name, c->name);
		return EXIT_USAGE;
	}
	if (gs_options_check(c->name, seen) != EXIT_OK)
		return EXIT_USAGE;
	if (gs_opts.pci_dump && gs_opts.sysfs) {
		log_error("--pci-dump and --sysfs both name where PCI devices come from: give one");
		return EXIT_USAGE;
	}
	if (gs_opts.dry_run || ((c->flags & LIST_ONLY_READS) && gs_opts.list))
		return EXIT_OK;
	if ((c->flags & NEEDS_ROOT) && !sysroot_get()[0] && geteuid() != 0) {
		log_error("'%s' changes the system and needs root: run 'sudo gpu-setup%s%s' (or add --dry-run to only look)",
			  c->name, streq(c->name, "install") ? "" : " ",
			  streq(c->name, "install") ? "" : c->name);
		return EXIT_NEEDS_ROOT;
	}
	if (c->flags & TAKES_LOCK) {
		_cleanup_free_ char *path = sysroot_path(GS_LOCK_PATH);
		long holder = 0;
		int fd = lock_take(path, &holder);

		if (fd == -EWOULDBLOCK) {
			if (holder > 0)
				log_error("another gpu-setup (pid %ld) is running: wait for it to finish (lock '%s')",
					  holder, path);
			else
				log_error("another gpu-setup is running: wait for it to finish (lock '%s')", path);
			return EXIT_LOCKED;
		}
		if (fd < 0) {
			log_error("cannot take the lock '%s': %s", path, strerror(-fd));
			return EXIT_FAILED;
		}
		*ret_lock = fd;
	}
	return EXIT_OK;
}

/* Parse, check and run the command; *ret_command is its name for the
 * --json result ("install cuda"), set once it is known.  The exit code. */
/* An offline run chooses from the tables the cache's files were fetched
 * for: `fetch` carried `gpu-setup update`'s overlay into DIR/compat.  An
 * overlay named in the environment still wins. */
static void use_carried_overlay(void)
{
	_cleanup_free_ char *cache = NULL, *dir = NULL;

	if (!gs_opts.offline || getenv("GPU_SETUP_COMPAT_OVERLAY"))
		return;
	cache = cache_dir_for(gs_opts.cache);
	dir = compat_overlay_in_cache(cache);
	if (access(dir, F_OK) == 0) {
		log_info("reading the tables gpu-setup update wrote from %s, which fetch carried with the files", dir);
		setenv("GPU_SETUP_COMPAT_OVERLAY", dir, 1);
	}
}

static int run(int argc, char **argv, char **ret_command)
{
	unsigned char seen[GS_OPTIONS_MAX] = { 0 };
	const struct command *c;
	int code, idx, lock_fd;
	char *default_argv[] = { (char *)"install", NULL };
	char **cargv;
	int cargc;

	gs_opts.framework = FW_PYTORCH;
	gs_opts.lock_wait_s = 120;
	gs_opts.argc = argc;
	gs_opts.argv = argv;
	code = gs_parse_options(argc, argv, &idx, seen);
	if (code >= 0)
		return code;
	if (gs_opts.verbose && gs_opts.quiet) {
		log_error("--verbose and --quiet contradict each other: give one");
		return EXIT_USAGE;
	}
	log_set_level(gs_opts.quiet ? LOG_LEVEL_ERROR : gs_opts.verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	if (gs_opts.log_path) {
		int r = log_open_file(gs_opts.log_path);
		if (r < 0) {
			log_error("cannot open log file '%s': %s", gs_opts.log_path, strerror(-r));
			return EXIT_FAILED;
		}
	}
	sysroot_set(gs_opts.root && !streq(gs_opts.root, "/") ? gs_opts.root : NULL);
	use_carried_overlay();

	if (idx < argc) {
		cargv = argv + idx;
		cargc = argc - idx;
	} else {
		cargv = default_argv;
		cargc = 1;
	}
	c = gs_find_command(cargv[0]);
	if (!c)
		return unknown_command(cargv[0]);
	*ret_command = (streq(c->name, "install") || streq(c->name, "uninstall")) && cargc > 1
			       ? xasprintf("%s %s", c->name, cargv[1])
			       : xstrdup(c->name);
	code = check_command(c, cargc - 1, seen, &lock_fd);
	if (code != EXIT_OK)
		return code;
	log_debug("command '%s', compat data in '%s'", c->name, gs_compat_dir());
	code = c->fn(cargc - 1, cargv + 1);
	lock_release(lock_fd);
	return code;
}

int main(int argc, char **argv)
{
	_cleanup_free_ char *command = NULL;
	int code = run(argc, argv, &command);

	/* One JSON document on stdout, also when the command failed before
	 * it had one (json-result.h); help and the version are text only. */
	if (gs_opts.json && (command ? !streq(command, "help") : code != EXIT_OK))
		json_result_finish(command ? command : "gpu-setup", code, DETECT_SCHEMA_VERSION, stdout);
	log_close_file();
	return code;
}
