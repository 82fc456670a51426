/*
 * cuda-env.h - which installed CUDA toolkit is the one in use.  NVIDIA's
 * runfile puts each release in /usr/local/cuda-X.Y; gpu-setup points the
 * /usr/local/cuda link at one of them and makes that link reach users
 * through two small files, so switching (`gpu-setup use cuda X.Y`) changes
 * the link and reruns ldconfig, nothing else:
 *   /etc/profile.d/gpu-setup-cuda.sh     PATH gets /usr/local/cuda/bin
 *   /etc/ld.so.conf.d/gpu-setup-cuda.conf  /usr/local/cuda/lib64 for ld.so
 * Every path goes through the sysroot.
 */
#ifndef GS_CUDA_ENV_H
#define GS_CUDA_ENV_H

#include <stdbool.h>

#include "strbuf.h"

#define CUDA_LINK_PATH "/usr/local/cuda"
#define CUDA_PROFILE_PATH "/etc/profile.d/gpu-setup-cuda.sh"
#define CUDA_LDCONF_PATH "/etc/ld.so.conf.d/gpu-setup-cuda.conf"

/* "/usr/local/cuda-12.8" for "12.8" or "12.8.1"; NULL when version does
 * not start with MAJOR.MINOR. */
char *cuda_toolkit_dir(const char *version);

/* The toolkit /usr/local/cuda leads to, as an absolute path on the target
 * ("/usr/local/cuda-12.8"); -ENOENT when there is no link, -EEXIST when
 * /usr/local/cuda is a real directory (a toolkit installed there). */
int cuda_link_read(char **ret_dir);
/* Point /usr/local/cuda at dir (a relative link, replaced atomically).
 * Returns 1 when it changed, 0 when it already pointed there, -EEXIST when
 * /usr/local/cuda is not a symbolic link (left alone). */
int cuda_link_set(const char *dir);
/* Remove the link (only a link); 0 also when there was none. */
int cuda_link_remove(void);

/* Write the profile.d and ld.so.conf.d files when they are not already
 * exactly gpu-setup's: returns 1 when a file changed, 0 when none did. */
int cuda_env_files_write(void);
/* Remove both files; 0 also when they were absent. */
int cuda_env_files_remove(void);
/* Whether a login shell's PATH and ld.so would reach /usr/local/cuda. */
bool cuda_env_files_present(void);

/* Run ldconfig in the target.  -ENOENT when --root names a tree with no
 * ldconfig (an image being assembled: the cache is built there later);
 * -1 with its output in err when it failed. */
int cuda_run_ldconfig(struct strbuf *err);

#endif
