/* Unit tests: seeing apt's and dpkg's locks held by another process. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "dpkg-lock.h"
#include "run.h"
#include "sysroot.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

static char root[] = "/tmp/gs-lock-XXXXXX";

/* A child that holds an fcntl write lock on path, as dpkg does. */
static pid_t hold_lock(const char *path, int ready[2])
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(path, O_RDWR | O_CREAT, 0640);
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

		if (fd < 0 || fcntl(fd, F_SETLK, &fl) < 0)
			_exit(1);
		(void)!write(ready[1], "x", 1);
		pause();
		_exit(0);
	}
	return pid;
}

int main(void)
{
	const char *path = NULL;
	pid_t pid = 0, child;
	int ready[2];
	char c;
	_cleanup_free_ char *lock = NULL;

	if (!mkdtemp(root) || pipe(ready) < 0)
		return done_testing();
	sysroot_set(root);
	is_int(dpkg_lock_held(&path, &pid), 0, "no lock files: nothing held");
	testroot_puts(root, "/var/lib/dpkg/lock-frontend", "");
	lock = xasprintf("%s/var/lib/dpkg/lock-frontend", root);
	is_int(dpkg_lock_held(&path, &pid), 0, "a lock file nobody holds: nothing held");

	child = hold_lock(lock, ready);
	ok(read(ready[0], &c, 1) == 1, "a child holds dpkg's frontend lock");
	is_int(dpkg_lock_held(&path, &pid), 1, "the held lock is seen");
	ok(path && strstr(path, "/var/lib/dpkg/lock-frontend") && pid == child, "with its path and holder");
	is_int(dpkg_lock_wait(300, &path, &pid), -EBUSY, "waiting with a bound ends in -EBUSY");
	kill(child, SIGTERM);
	waitpid(child, NULL, 0);
	is_int(dpkg_lock_wait(300, &path, &pid), 0, "once the holder is gone the wait returns 0");
	testroot_remove(root);
	return done_testing();
}
