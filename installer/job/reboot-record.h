/*
 * reboot-record.h - the reboot gpu-setup asks for after a driver install.
 */
#ifndef GS_REBOOT_RECORD_H
#define GS_REBOOT_RECORD_H

#include <stdbool.h>

/* Record that a reboot is needed: /var/lib/gpu-setup/reboot-required with
 * the reason, and Debian's /run/reboot-required(.pkgs), which the login
 * message and unattended-upgrades read. */
int reboot_required_record(const char *reason, const char *const *packages);

/* Whether a reboot gpu-setup recorded is still to come: the record exists
 * and was written after the target last booted (/proc/stat's btime; when
 * that cannot be read, the record alone).  *ret_reason (when not NULL)
 * gets its reason. */
bool reboot_pending(char **ret_reason);

#endif
