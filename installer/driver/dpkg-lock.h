/*
 * dpkg-lock.h - is apt or dpkg running?  They hold fcntl write locks on
 * dpkg's frontend lock, dpkg's own lock and apt's list and archive locks;
 * gpu-setup must not start a package operation while any is held (and
 * must not take them itself: apt-get, which it runs, does that).
 */
#ifndef GS_DPKG_LOCK_H
#define GS_DPKG_LOCK_H

#include <sys/types.h>

/* The first held lock under the sysroot: returns 1 with its path (static
 * storage) and the holder's pid (0 when the kernel does not say), 0 when
 * none is held, or a negative errno. */
int dpkg_lock_held(const char **ret_path, pid_t *ret_pid);

/* Poll until no lock is held, at most timeout_ms: 0 when free, -EBUSY when
 * still held at the end (ret_path and ret_pid then say by whom). */
int dpkg_lock_wait(long timeout_ms, const char **ret_path, pid_t *ret_pid);

#endif
