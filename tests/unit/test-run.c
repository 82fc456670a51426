/* Unit tests: the spawner's capture, exit status, environment and timeout. */
#include "config.h"

#include <errno.h>

#include "run.h"
#include "tap.h"
#include "util.h"

int main(void)
{
	struct run_result res;
	const char *both[] = { "sh", "-c", "echo out; echo err >&2; exit 3", NULL };
	const char *env[] = { "sh", "-c", "env | sort", NULL };
	const char *custom_env[] = { "PATH=/usr/bin:/bin", "ONLY=this", NULL };
	const char *sleeper[] = { "sh", "-c", "sleep 5", NULL };
	const char *missing[] = { "gpu-setup-no-such-program", NULL };
	const char *stdin_read[] = { "sh", "-c", "cat; echo done", NULL };

	ok(run_command(both, NULL, 0, &res) == 0, "a program runs");
	is_str(res.out.buf, "out\n", "stdout is captured");
	is_str(res.err.buf, "err\n", "stderr is captured apart");
	is_int(res.exit_status, 3, "the exit status is reported");
	run_result_release(&res);

	ok(run_command(env, custom_env, 0, &res) == 0, "runs with a given environment");
	ok(strstr(res.out.buf, "ONLY=this\n") != NULL, "the given variables are set");
	ok(strstr(res.out.buf, "HOME=") == NULL, "nothing of the caller's environment leaks in");
	run_result_release(&res);

	ok(run_command(env, NULL, 0, &res) == 0, "runs with the default environment");
	ok(strstr(res.out.buf, "LC_ALL=C\n") && strstr(res.out.buf, "DEBIAN_FRONTEND=noninteractive\n"),
	   "the default environment has LC_ALL=C and DEBIAN_FRONTEND");
	run_result_release(&res);

	ok(run_command(stdin_read, NULL, 0, &res) == 0 && streq(res.out.buf, "done\n"),
	   "stdin is /dev/null, so a reader does not hang");
	run_result_release(&res);

	ok(run_command(sleeper, NULL, 200, &res) == 0, "a slow program is waited for");
	ok(res.timed_out && res.term_signal == 9 && res.exit_status == -1,
	   "the time limit kills it and says so");
	run_result_release(&res);

	is_int(run_command(missing, NULL, 0, &res), -ENOENT, "a missing program is -ENOENT");
	run_result_release(&res);
	return done_testing();
}
