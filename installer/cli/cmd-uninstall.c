/*
 * cmd-uninstall.c - `gpu-setup install STEP` and `uninstall WHAT`: the
 * single steps, dispatched to cmd-cuda.c and cmd-cudnn.c; `uninstall
 * hooks` is here.
 */
#include "config.h"

#include "commands.h"
#include "exit-codes.h"
#include "log.h"
#include "options.h"
#include "shipped-hooks.h"
#include "sysroot.h"
#include "util.h"

int cmd_install_step(const char *step)
{
	if (streq(step, "cuda"))
		return cmd_install_cuda();
	if (streq(step, "cudnn"))
		return cmd_install_cudnn();
	if (streq(step, "miniconda"))
		return cmd_install_miniconda();
	if (streq(step, "framework"))
		return cmd_install_framework();
	if (streq(step, "driver"))
		log_error("the driver has its own command: 'sudo gpu-setup driver'");
	else
		log_error("'%s' is not a step install can run alone: give cuda, cudnn, miniconda or framework (see 'gpu-setup help install')",
			  step);
	return EXIT_USAGE;
}

/* Take out the apt and kernel hooks gpu-setup enabled; a file at their
 * paths that gpu-setup did not write stays, and is named. */
static int uninstall_hooks(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	bool was_ours[SHIPPED_HOOKS_N] = { false };
	size_t ours = 0;
	int r;

	for (size_t i = 0; i < SHIPPED_HOOKS_N; i++) {
		const struct shipped_hook *h = &shipped_hooks[i];
		enum shipped_hook_state st;

		r = shipped_hook_state(h, &st);
		if (r < 0) {
			log_error("cannot read %s%s: %s", sysroot_get(), h->target, strerror(-r));
			return EXIT_FAILED;
		}
		if (st == SHIPPED_HOOK_FOREIGN)
			log_warning("%s%s was not written by gpu-setup: kept", sysroot_get(), h->target);
		else if (st == SHIPPED_HOOK_OURS && gs_opts.dry_run)
			printf("Would remove %s%s\n", sysroot_get(), h->target);
		was_ours[i] = st == SHIPPED_HOOK_OURS;
		ours += was_ours[i];
	}
	if (ours == 0) {
		printf("gpu-setup's apt and kernel hooks are not enabled%s%s: nothing to remove\n",
		       sysroot_get()[0] ? " in " : "", sysroot_get());
		return EXIT_OK;
	}
	if (gs_opts.dry_run)
		return EXIT_OK;
	strbuf_init(&err);
	r = shipped_hooks_disable(&err);
	if (r < 0) {
		log_error("%s", err.buf);
		return EXIT_FAILED;
	}
	for (size_t i = 0; i < SHIPPED_HOOKS_N; i++)
		if (was_ours[i])
			printf("Removed %s%s\n", sysroot_get(), shipped_hooks[i].target);
	return EXIT_OK;
}

int cmd_uninstall(int argc, char **argv)
{
	if (argc == 2 && streq(argv[0], "cuda"))
		return cmd_uninstall_cuda(argv[1]);
	if (argc == 1 && streq(argv[0], "cudnn"))
		return cmd_uninstall_cudnn();
	if (argc == 1 && streq(argv[0], "hooks"))
		return uninstall_hooks();
	if (argc >= 1 && streq(argv[0], "cuda"))
		log_error("uninstall cuda needs the release: 'gpu-setup uninstall cuda X.Y'");
	else
		log_error("uninstall takes 'cuda X.Y', 'cudnn' or 'hooks'; see 'gpu-setup help uninstall'");
	return EXIT_USAGE;
}
