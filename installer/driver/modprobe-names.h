/*
 * modprobe-names.h - the file names `modprobe nvidia` may load on the
 * target: nvidia.ko, and what modprobe.d's "install nvidia" and "alias
 * nvidia" lines name (Debian: nvidia-current, nvidia-current-open,
 * nvidia-tesla-470).
 */
#ifndef GS_MODPROBE_NAMES_H
#define GS_MODPROBE_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* "nvidia" and the names modprobe.d's configuration on the target gives
 * the module nvidia (links followed inside the root), '_' written '-';
 * NULL-terminated, strv_free it. */
char **kmod_nvidia_names(void);

/* Add to names (strv_push) what one modprobe.d file's text makes of
 * "nvidia": an "alias nvidia NAME" line's NAME, the module an "install
 * nvidia ..." line's first modprobe loads.  Text is any bytes. */
void modprobe_conf_nvidia_names(const char *text, size_t len, char ***names, size_t *n);

/* Whether file_name is NAME.ko (or .ko.xz, .ko.zst, .ko.gz) for one of
 * names ('-' and '_' alike, as modprobe takes them). */
bool kmod_is_nvidia_file(const char *file_name, char *const *names);

#endif
