/*
 * lock.h - the run lock (/run/gpu-setup.lock under the sysroot) that keeps
 * two mutating runs from overlapping.  The kernel drops it when the process
 * dies, so a crash never leaves a stale lock.
 */
#ifndef GS_LOCK_H
#define GS_LOCK_H

#define GS_LOCK_PATH "/run/gpu-setup.lock"

/* Take the lock without waiting.  Returns the held fd, -EWOULDBLOCK when
 * another process holds it (its pid, if readable, in *ret_holder), or
 * another negative errno. */
int lock_take(const char *path, long *ret_holder);
void lock_release(int fd);

#endif
