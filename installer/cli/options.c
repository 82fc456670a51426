/*
 * options.c - gpu-setup's options: the table (name, argument, the commands
 * each applies to, its help line), parsing them into gs_opts, and the help
 * (gpu-setup --help, gpu-setup help COMMAND) with the exit codes.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <strings.h>

#include "cli.h"
#include "commands.h"
#include "exit-codes.h"
#include "lock.h"
#include "log.h"
#include "options.h"
#include "sysroot.h"
#include "util.h"

/* Options; "commands" lists where a command-specific option is accepted
 * (NULL: every command). */
enum {
	OPT_ROOT = 0x100, OPT_JSON, OPT_DRY_RUN, OPT_LOG, OPT_PCI_DUMP, OPT_SYSFS, OPT_COMPAT_DIR,
	OPT_PSU_WATTS, OPT_FRAMEWORK, OPT_CUDA, OPT_DRIVER, OPT_CUDNN, OPT_PYTHON, OPT_GPU_ONLY, OPT_GPU,
	OPT_DISTRO, OPT_INSTALLED_DRIVER, OPT_EXPLAIN, OPT_CHECK, OPT_LIST, OPT_SERVER, OPT_LOCK_WAIT, OPT_KERNEL,
	OPT_RUNFILE, OPT_TMPDIR, OPT_CUDNN_ARCHIVE, OPT_DEEP, OPT_ONLINE, OPT_STRICT, OPT_USER,
	OPT_SPEEDTEST, OPT_SYSTEM, OPT_REVERT, OPT_CONDA_PREFIX, OPT_MINICONDA, OPT_NO_SHELL_INIT, OPT_MIRROR,
	OPT_CACHE, OPT_FOR, OPT_OFFLINE, OPT_WHEELS, OPT_PARALLEL, OPT_IGNORE_HOOK_FAILURES,
	OPT_RESUME_AFTER_REBOOT,
};

struct option_help {
	struct option opt;
	int short_name;
	const char *arg;
	const char *commands;
	const char *help;
};

static const struct option_help option_table[] = {
	{ { "root", required_argument, NULL, OPT_ROOT }, 0, "DIR", NULL,
	  "act on the system tree under DIR instead of / (every path read or written)" },
	{ { "json", no_argument, NULL, OPT_JSON }, 0, NULL, NULL,
	  "print results as JSON (schema in gpu-setup(8))" },
	{ { "yes", no_argument, NULL, 'y' }, 'y', NULL, NULL, "answer yes to every question" },
	{ { "dry-run", no_argument, NULL, 'n' }, 'n', NULL, NULL,
	  "show what would be done and change nothing" },
	{ { "verbose", no_argument, NULL, 'v' }, 'v', NULL, NULL, "show debugging messages" },
	{ { "quiet", no_argument, NULL, 'q' }, 'q', NULL, NULL, "show errors only" },
	{ { "log", required_argument, NULL, OPT_LOG }, 0, "FILE", NULL,
	  "append every message, and the output of programs run, to FILE" },
	{ { "pci-dump", required_argument, NULL, OPT_PCI_DUMP }, 0, "FILE", NULL,
	  "read PCI devices from an 'lspci -xxx' dump instead of the system" },
	{ { "sysfs", required_argument, NULL, OPT_SYSFS }, 0, "DIR", NULL,
	  "read PCI devices from a sysfs tree (DIR/bus/pci) instead of the system" },
	{ { "compat-dir", required_argument, NULL, OPT_COMPAT_DIR }, 0, "DIR", NULL,
	  "read compatibility tables from DIR" },
	{ { "psu-watts", required_argument, NULL, OPT_PSU_WATTS }, 0, "N", "detect install doctor",
	  "say whether a power supply of N watts is enough" },
	{ { "framework", required_argument, NULL, OPT_FRAMEWORK }, 0, "NAME[=VER]", "compat plan driver install fetch",
	  "pytorch (default), tensorflow or none, optionally a release (pytorch=2.7)" },
	{ { "cuda", required_argument, NULL, OPT_CUDA }, 0, "X.Y", "compat plan driver install fetch uninstall",
	  "use this CUDA toolkit release (12.8 or 12.8.1); for uninstall cudnn: the toolkit to take it from" },
	{ { "driver", required_argument, NULL, OPT_DRIVER }, 0, "BRANCH", "compat plan driver install fetch",
	  "use this NVIDIA driver branch (580)" },
	{ { "cudnn", required_argument, NULL, OPT_CUDNN }, 0, "VER", "compat plan driver install fetch",
	  "use this cuDNN release (9, 8.9 or 8.9.7.29)" },
	{ { "python", required_argument, NULL, OPT_PYTHON }, 0, "X.Y", "compat plan driver install fetch",
	  "use this Python version for the framework environment" },
	{ { "gpu-only", required_argument, NULL, OPT_GPU_ONLY }, 0, "ADDR", "plan driver install fetch",
	  "serve only the GPU at this PCI address (repeat for more)" },
	{ { "gpu", required_argument, NULL, OPT_GPU }, 0, "10de:XXXX", "compat",
	  "answer for this GPU (repeat for a machine with several)" },
	{ { "distro", required_argument, NULL, OPT_DISTRO }, 0, "ID", "compat",
	  "answer for this distribution (ubuntu-24.04, debian-12, ...)" },
	{ { "installed-driver", required_argument, NULL, OPT_INSTALLED_DRIVER }, 0, "VER", "compat",
	  "answer as if this driver version were installed" },
	{ { "explain", no_argument, NULL, OPT_EXPLAIN }, 0, NULL, "compat",
	  "give the reason for every choice" },
	{ { "check", no_argument, NULL, OPT_CHECK }, 0, NULL, "compat",
	  "validate the compatibility tables and report the first problem" },
	{ { "list", no_argument, NULL, OPT_LIST }, 0, NULL, "driver",
	  "list the candidate packages and why each was or was not chosen; change nothing" },
	{ { "server", no_argument, NULL, OPT_SERVER }, 0, NULL, "driver",
	  "use Ubuntu's -server driver packages (the default for datacenter cards)" },
	{ { "lock-wait", required_argument, NULL, OPT_LOCK_WAIT }, 0, "SECONDS", "driver",
	  "wait this long for a running apt or dpkg to finish (default 120)" },
	{ { "kernel", required_argument, NULL, OPT_KERNEL }, 0, "REL", "driver install fetch",
	  "the target's kernel release, instead of the running one's (an image built under --root); repeat for more: each gets the NVIDIA module's package or the headers DKMS builds it from" },
	{ { "runfile", required_argument, NULL, OPT_RUNFILE }, 0, "FILE", "install",
	  "install cuda: NVIDIA's CUDA runfile to use instead of the cache's (checked against its sha256)" },
	{ { "tmpdir", required_argument, NULL, OPT_TMPDIR }, 0, "DIR", "install",
	  "install cuda: where the runfile unpacks itself (default: /tmp, or /var/tmp when /tmp is small or noexec)" },
	{ { "cudnn-archive", required_argument, NULL, OPT_CUDNN_ARCHIVE }, 0, "FILE", "install",
	  "install cudnn: NVIDIA's cuDNN archive (.tgz or .tar.xz) to place instead of the cache's" },
	{ { "deep", no_argument, NULL, OPT_DEEP }, 0, NULL, "doctor",
	  "also import each framework environment and read the initramfs (slower)" },
	{ { "online", no_argument, NULL, OPT_ONLINE }, 0, NULL, "doctor",
	  "also check that the pip and conda mirrors answer" },
	{ { "strict", no_argument, NULL, OPT_STRICT }, 0, NULL, "doctor",
	  "exit 8 on warnings too, not only on failed checks" },
	{ { "user", required_argument, NULL, OPT_USER }, 0, "NAME", "doctor mirror plan install",
	  "the user whose Miniconda and pip/conda configuration this is (default: SUDO_USER, else you)" },
	{ { "speedtest", no_argument, NULL, OPT_SPEEDTEST }, 0, NULL, "mirror",
	  "measure every mirror and use the fastest that answers; print the table" },
	{ { "system", no_argument, NULL, OPT_SYSTEM }, 0, NULL, "mirror",
	  "write /etc/pip.conf and /etc/conda/.condarc for every user instead (needs root)" },
	{ { "revert", no_argument, NULL, OPT_REVERT }, 0, NULL, "mirror",
	  "put back the pip and conda files as they were before gpu-setup first changed them" },
	{ { "conda-prefix", required_argument, NULL, OPT_CONDA_PREFIX }, 0, "DIR", "plan install",
	  "install miniconda and framework: where the user's conda is or Miniconda goes (default ~/miniconda3)" },
	{ { "miniconda", required_argument, NULL, OPT_MINICONDA }, 0, "FILE", "install",
	  "install miniconda: the Miniconda installer to use instead of the cache's (checked against its sha256)" },
	{ { "no-shell-init", no_argument, NULL, OPT_NO_SHELL_INIT }, 0, NULL, "install",
	  "install miniconda: do not run 'conda init bash' (leave ~/.bashrc alone)" },
	{ { "mirror", required_argument, NULL, OPT_MIRROR }, 0, "NAME", "plan install fetch",
	  "install miniconda, plan and the main job: the pip/conda mirror to set up (default tuna; official for none); fetch: where Miniconda and wheels come from" },
	{ { "cache", required_argument, NULL, OPT_CACHE }, 0, "DIR", "fetch cache install driver",
	  "the cache of downloaded archives (default /var/cache/gpu-setup on the target)" },
	{ { "for", required_argument, NULL, OPT_FOR }, 0, "FILE", "fetch",
	  "fetch for the machine 'gpu-setup detect --json' described in FILE instead of this one" },
	{ { "offline", no_argument, NULL, OPT_OFFLINE }, 0, NULL, "plan install driver",
	  "install from the cache only, never the network; check the whole cache first" },
	{ { "wheels", no_argument, NULL, OPT_WHEELS }, 0, NULL, "fetch",
	  "also fetch the framework's Python wheels (several GiB for PyTorch with CUDA)" },
	{ { "parallel", required_argument, NULL, OPT_PARALLEL }, 0, "N", "fetch",
	  "download at most N files at once (default 4)" },
	{ { "ignore-hook-failures", no_argument, NULL, OPT_IGNORE_HOOK_FAILURES }, 0, NULL, "install",
	  "go on when a hook in /etc/gpu-setup/hooks.d fails (its name and output are still reported)" },
	{ { "resume-after-reboot", no_argument, NULL, OPT_RESUME_AFTER_REBOOT }, 0, NULL, "install",
	  "when the driver needs a reboot, finish the rest at the next boot (a one-shot systemd unit)" },
	{ { "help", no_argument, NULL, 'h' }, 'h', NULL, NULL, "show help and exit" },
	{ { "version", no_argument, NULL, 'V' }, 'V', NULL, NULL, "show the version and exit" },
};

_Static_assert(sizeof(option_table) / sizeof(option_table[0]) <= GS_OPTIONS_MAX, "raise GS_OPTIONS_MAX");

static const struct { int code; const char *meaning; } exit_table[] = {
	{ EXIT_OK, "success" },
	{ EXIT_FAILED, "failure; the message says what failed" },
	{ EXIT_USAGE, "bad command line" },
	{ EXIT_NO_NVIDIA, "no NVIDIA GPU found" },
	{ EXIT_BAD_INPUT, "unreadable or malformed input (PCI dump, sysfs tree, compat data)" },
	{ EXIT_NEEDS_ROOT, "the command changes the system and was not run as root" },
	{ EXIT_LOCKED, "another gpu-setup run holds the lock" },
	{ EXIT_CONFLICT, "no combination of versions fits the GPUs and constraints; the output says why" },
	{ EXIT_CHECKS_FAILED, "doctor: at least one check failed (with --strict: or warned)" },
	{ EXIT_REBOOT_NEEDED, "install: every step that can run before a reboot is done; reboot to finish" },
};

static void print_option_line(FILE *out, const struct option_help *o)
{
	char left[64];

	if (o->short_name)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->opt.name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
	else
		snprintf(left, sizeof(left), "    --%s%s%s", o->opt.name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
	fprintf(out, "  %-24s %s\n", left, o->help);
}

static void print_usage(FILE *out)
{
	fputs("Usage: gpu-setup [OPTION]... [COMMAND [ARG]...]\n"
	      "\n"
	      "Set up an NVIDIA deep-learning workstation: driver, CUDA, cuDNN, Miniconda,\n"
	      "pip/conda mirrors and a framework, in versions that fit together.\n"
	      "With no COMMAND, runs 'install' (use sudo).\n"
	      "\nCommands:\n",
	      out);
	for (size_t i = 0; i < gs_ncommands; i++)
		fprintf(out, "  %-10s %s\n", gs_commands[i].name, gs_commands[i].summary);
	fputs("\nOptions:\n", out);
	for (size_t i = 0; i < ELEMENTSOF(option_table); i++)
		print_option_line(out, &option_table[i]);
	fputs("\nExit status:\n", out);
	for (size_t i = 0; i < ELEMENTSOF(exit_table); i++)
		fprintf(out, "  %d  %s\n", exit_table[i].code, exit_table[i].meaning);
	fputs("\nSee gpu-setup(8) for details.\n", out);
}

static void print_command_help(const struct command *c)
{
	printf("Usage: gpu-setup [OPTION]... %s%s%s\n\n%s.\n", c->name, c->args[0] ? " " : "",
	       c->args, c->summary);
	if (c->flags & NEEDS_ROOT)
		puts("Needs root (sudo) unless --dry-run or --root DIR is given.");
	if (c->flags & TAKES_LOCK)
		printf("Holds the lock %s while it runs.\n", GS_LOCK_PATH);
	if (c->flags & LIST_ONLY_READS)
		puts("With --list it only reads: no root and no lock needed.");
	puts("\nOptions for this command:");
	for (size_t i = 0; i < ELEMENTSOF(option_table); i++) {
		const char *cmds = option_table[i].commands;
		if (cmds && strstr(cmds, c->name))
			print_option_line(stdout, &option_table[i]);
	}
	puts("\nThe global options (gpu-setup --help) apply too.");
}

int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc == 0) {
		print_usage(stdout);
		return EXIT_OK;
	}
	c = gs_find_command(argv[0]);
	if (!c) {
		log_error("no help for '%s': not a gpu-setup command; try 'gpu-setup --help'", argv[0]);
		return EXIT_USAGE;
	}
	print_command_help(c);
	return EXIT_OK;
}

static int parse_watts(const char *s, unsigned *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v == 0 || v > 100000)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

static int parse_seconds(const char *s, unsigned *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > 86400)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

static int parse_framework(const char *arg)
{
	_cleanup_free_ char *name = xstrdup(arg);
	char *eq = strchr(name, '=');

	if (eq) {
		*eq = '\0';
		gs_opts.framework_version = arg + (eq - name) + 1;
	}
	if (streq(name, "pytorch") || streq(name, "torch"))
		gs_opts.framework = FW_PYTORCH;
	else if (streq(name, "tensorflow") || streq(name, "tf"))
		gs_opts.framework = FW_TENSORFLOW;
	else if (streq(name, "none") && !eq)
		gs_opts.framework = FW_NONE;
	else {
		log_error("--framework wants pytorch, tensorflow or none (pytorch=2.7 names a release), not '%s'",
			  arg);
		return -EINVAL;
	}
	if (eq && !*gs_opts.framework_version) {
		log_error("--framework %s: the release after '=' is missing", arg);
		return -EINVAL;
	}
	return 0;
}

/* "10de:2204" (the vendor may be left out). */
static int parse_gpu_id(const char *arg)
{
	bool has_vendor = strchr(arg, ':') != NULL;
	bool vendor_ok = !has_vendor || strncasecmp(arg, "10de:", 5) == 0;
	const char *id = has_vendor && vendor_ok ? arg + 5 : arg;
	unsigned v = 0;

	if (!vendor_ok || strlen(id) != 4 || strspn(id, "0123456789abcdefABCDEF") != 4) {
		log_error("--gpu wants an NVIDIA PCI ID such as 10de:2204, not '%s'", arg);
		return -EINVAL;
	}
	if (gs_opts.ngpu_ids == GS_MAX_GPU_ARGS) {
		log_error("--gpu given more than %d times", GS_MAX_GPU_ARGS);
		return -EINVAL;
	}
	sscanf(id, "%x", &v);
	gs_opts.gpu_ids[gs_opts.ngpu_ids++] = v;
	return 0;
}

static int parse_constraint(int opt, const char *arg)
{
	switch (opt) {
	case OPT_FRAMEWORK: return parse_framework(arg);
	case OPT_GPU: return parse_gpu_id(arg);
	case OPT_CUDA: gs_opts.cuda = arg; return 0;
	case OPT_CUDNN: gs_opts.cudnn = arg; return 0;
	case OPT_PYTHON: gs_opts.python = arg; return 0;
	case OPT_DISTRO: gs_opts.distro = arg; return 0;
	case OPT_INSTALLED_DRIVER: gs_opts.installed_driver = arg; return 0;
	case OPT_GPU_ONLY:
		if (gs_opts.ngpu_only == GS_MAX_GPU_ARGS) {
			log_error("--gpu-only given more than %d times", GS_MAX_GPU_ARGS);
			return -EINVAL;
		}
		gs_opts.gpu_only[gs_opts.ngpu_only++] = arg;
		return 0;
	case OPT_DRIVER: {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || arg[0] == '-' || v < 100 || v > 99999) {
			log_error("--driver wants a driver branch such as 580, not '%s'", arg);
			return -EINVAL;
		}
		gs_opts.driver_branch = (unsigned)v;
		return 0;
	}
	}
	return -EINVAL;
}

static const char *option_display(int c, char **argv)
{
	static char buf[8];

	if (c > 0 && c < 0x100) {
		snprintf(buf, sizeof(buf), "-%c", c);
		return buf;
	}
	return argv[optind - 1];
}

/* Parse options anywhere on the line (GNU permutation); returns -1 to go
 * on, or an exit code. */
int gs_parse_options(int argc, char **argv, int *ret_cmd_index, unsigned char seen[GS_OPTIONS_MAX])
{
	struct option longopts[ELEMENTSOF(option_table) + 1];
	int c;

	for (size_t i = 0; i < ELEMENTSOF(option_table); i++)
		longopts[i] = option_table[i].opt;
	memset(&longopts[ELEMENTSOF(option_table)], 0, sizeof(struct option));
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ynvqhV", longopts, NULL)) != -1) {
		for (size_t i = 0; i < ELEMENTSOF(option_table); i++)
			if (option_table[i].opt.val == c)
				seen[i] = 1;
		switch (c) {
		case OPT_ROOT: gs_opts.root = optarg; break;
		case OPT_JSON: gs_opts.json = true; break;
		case 'y': gs_opts.yes = true; break;
		case 'n': gs_opts.dry_run = true; break;
		case 'v': gs_opts.verbose = true; break;
		case 'q': gs_opts.quiet = true; break;
		case OPT_LOG: gs_opts.log_path = optarg; break;
		case OPT_PCI_DUMP: gs_opts.pci_dump = optarg; break;
		case OPT_SYSFS: gs_opts.sysfs = optarg; break;
		case OPT_COMPAT_DIR: gs_opts.compat_dir = optarg; break;
		case OPT_PSU_WATTS:
			if (parse_watts(optarg, &gs_opts.psu_watts) < 0) {
				log_error("--psu-watts wants a whole number of watts, not '%s'; try 'gpu-setup help detect'",
					  optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_FRAMEWORK:
		case OPT_CUDA:
		case OPT_DRIVER:
		case OPT_CUDNN:
		case OPT_PYTHON:
		case OPT_GPU_ONLY:
		case OPT_GPU:
		case OPT_DISTRO:
		case OPT_INSTALLED_DRIVER:
			if (parse_constraint(c, optarg) < 0)
				return EXIT_USAGE;
			break;
		case OPT_EXPLAIN: gs_opts.explain = true; break;
		case OPT_LIST: gs_opts.list = true; break;
		case OPT_SERVER: gs_opts.server = true; break;
		case OPT_LOCK_WAIT:
			if (parse_seconds(optarg, &gs_opts.lock_wait_s) < 0) {
				log_error("--lock-wait wants a whole number of seconds (0-86400), not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_KERNEL:
			/* A release as uname -r prints it: it names files
			 * (/lib/modules/REL) and packages (linux-headers-REL). */
			if (!optarg[0] || optarg[0] < '0' || optarg[0] > '9' || strlen(optarg) > 64 ||
			    strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-_~") !=
				    strlen(optarg)) {
				log_error("--kernel wants a kernel release as 'uname -r' prints it (6.8.0-99-generic), "
					  "not '%s'", optarg);
				return EXIT_USAGE;
			}
			if (gs_opts.nkernels == GS_MAX_GPU_ARGS) {
				log_error("--kernel: at most %d kernels", GS_MAX_GPU_ARGS);
				return EXIT_USAGE;
			}
			gs_opts.kernels[gs_opts.nkernels++] = optarg;
			break;
		case OPT_CHECK: gs_opts.check = true; break;
		case OPT_RUNFILE: gs_opts.runfile = optarg; break;
		case OPT_TMPDIR:
			/* A path on the target: relative would mean the caller's
			 * directory, which under --root is not in the tree. */
			if (optarg[0] != '/') {
				log_error("--tmpdir wants an absolute path on the target system, not '%s'", optarg);
				return EXIT_USAGE;
			}
			gs_opts.tmpdir = optarg;
			break;
		case OPT_CUDNN_ARCHIVE: gs_opts.cudnn_archive = optarg; break;
		case OPT_DEEP: gs_opts.deep = true; break;
		case OPT_ONLINE: gs_opts.online = true; break;
		case OPT_STRICT: gs_opts.strict = true; break;
		case OPT_USER: gs_opts.user = optarg; break;
		case OPT_SPEEDTEST: gs_opts.speedtest = true; break;
		case OPT_SYSTEM: gs_opts.system = true; break;
		case OPT_REVERT: gs_opts.revert = true; break;
		case OPT_CONDA_PREFIX:
			if (optarg[0] != '/') {
				log_error("--conda-prefix wants an absolute path on the target system, not '%s'", optarg);
				return EXIT_USAGE;
			}
			gs_opts.conda_prefix = optarg;
			break;
		case OPT_MINICONDA: gs_opts.miniconda = optarg; break;
		case OPT_NO_SHELL_INIT: gs_opts.no_shell_init = true; break;
		case OPT_MIRROR: gs_opts.mirror = optarg; break;
		case OPT_CACHE: gs_opts.cache = optarg; break;
		case OPT_FOR: gs_opts.for_target = optarg; break;
		case OPT_OFFLINE: gs_opts.offline = true; break;
		case OPT_WHEELS: gs_opts.wheels = true; break;
		case OPT_IGNORE_HOOK_FAILURES: gs_opts.ignore_hook_failures = true; break;
		case OPT_RESUME_AFTER_REBOOT: gs_opts.resume_after_reboot = true; break;
		case OPT_PARALLEL: {
			unsigned n;

			if (parse_seconds(optarg, &n) < 0 || n < 1 || n > 32) {
				log_error("--parallel wants a number of downloads from 1 to 32, not '%s'", optarg);
				return EXIT_USAGE;
			}
			gs_opts.parallel = n;
			break;
		}
		case 'h': print_usage(stdout); return EXIT_OK;
		case 'V': printf("gpu-setup %s\n", PACKAGE_VERSION); return EXIT_OK;
		case ':':
			log_error("option '%s' needs an argument; see 'gpu-setup --help'",
				  option_display(optopt, argv));
			return EXIT_USAGE;
		default:
			log_error("unknown option '%s'; see 'gpu-setup --help'",
				  optopt ? option_display(optopt, argv) : argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	*ret_cmd_index = optind;
	return -1;
}

int gs_options_check(const char *command, const unsigned char seen[GS_OPTIONS_MAX])
{
	for (size_t i = 0; i < ELEMENTSOF(option_table); i++)
		if (seen[i] && option_table[i].commands && !strstr(option_table[i].commands, command)) {
			log_error("option '--%s' does not apply to '%s'; see 'gpu-setup help %s'",
				  option_table[i].opt.name, command, command);
			return EXIT_USAGE;
		}
	return EXIT_OK;
}

const char *gs_option_long_name(const char *arg)
{
	size_t len;
	const char *found = NULL;

	if (!startswith(arg, "--"))
		return NULL;
	arg += 2;
	len = strcspn(arg, "=");
	/* As getopt_long matches: an exact name first, else the one name
	 * the text is a prefix of (more than one is ambiguous). */
	for (size_t i = 0; i < ELEMENTSOF(option_table); i++) {
		const char *name = option_table[i].opt.name;

		if (strlen(name) == len && strncmp(name, arg, len) == 0)
			return name;
		if (len && strncmp(name, arg, len) == 0) {
			if (found)
				return NULL;
			found = name;
		}
	}
	return found;
}
