/*
 * commands.h - subcommand handlers.  Each gets the arguments after the
 * command name and returns an exit code from exit-codes.h; main.c has
 * already checked root, the lock and the argument count.
 */
#ifndef GS_COMMANDS_H
#define GS_COMMANDS_H

int cmd_install(int argc, char **argv);
int cmd_detect(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_compat(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_driver(int argc, char **argv);
int cmd_use(int argc, char **argv);
int cmd_uninstall(int argc, char **argv);
int cmd_mirror(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_cache(int argc, char **argv);

/* The single steps of install (cmd-uninstall.c dispatches; cmd-install.c,
 * cmd-cuda.c, cmd-cudnn.c run the steps over a context of their own). */
int cmd_install_step(const char *step);
int cmd_install_cuda(void);
int cmd_install_cudnn(void);
int cmd_install_miniconda(void);
int cmd_install_framework(void);
int cmd_uninstall_cuda(const char *version);
int cmd_uninstall_cudnn(void);

#endif
