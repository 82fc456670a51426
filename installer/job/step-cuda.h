/*
 * step-cuda.h - what the CUDA step (step-cuda.c) shares with `use cuda`,
 * `uninstall cuda` and the cuDNN commands.
 */
#ifndef GS_STEP_CUDA_H
#define GS_STEP_CUDA_H

#include <stdbool.h>

/* Point /usr/local/cuda, the ld.so.conf.d and profile.d files at the
 * toolkit dir (a target path); *ret_changed says whether anything was
 * rewritten.  An exit code. */
int cuda_use_toolkit(const char *dir, bool *ret_changed);
/* ldconfig in the target after a toolkit or cuDNN change, as an exit code
 * (a tree under --root without ldconfig is a warning). */
int cuda_ldconfig_exit_code(void);

#endif
