/*
 * log.c - stderr and log-file diagnostics.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "strbuf.h"
#include "util.h"

static enum log_level stderr_level = LOG_LEVEL_INFO;
static FILE *log_file;

static const char *const level_prefix[] = {
	[LOG_LEVEL_ERROR] = "error: ",
	[LOG_LEVEL_WARNING] = "warning: ",
	[LOG_LEVEL_INFO] = "",
	[LOG_LEVEL_DEBUG] = "debug: ",
};

void log_set_level(enum log_level level)
{
	stderr_level = level;
}

enum log_level log_get_level(void)
{
	return stderr_level;
}

int log_open_file(const char *path)
{
	int fd;

	log_close_file();
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);
	if (fd < 0)
		return -errno;
	log_file = fdopen(fd, "a");
	if (!log_file) {
		int r = -errno;
		close(fd);
		return r;
	}
	return 0;
}

void log_close_file(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
}

static void write_file_line(const char *prefix, const char *msg)
{
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);

	if (!localtime_r(&now, &tm) || !strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm))
		stamp[0] = '\0';
	fprintf(log_file, "%s [%ld] %s%s\n", stamp, (long)getpid(), prefix, msg);
	fflush(log_file);
}

static char *first_error;

const char *log_first_error(void)
{
	return first_error;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	int saved_errno = errno;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);

	if (level <= stderr_level) {
		fprintf(stderr, "gpu-setup: %s%s\n", level_prefix[level], sb.buf);
		fflush(stderr);
	}
	if (log_file)
		write_file_line(level_prefix[level], sb.buf);
	if (level == LOG_LEVEL_ERROR && !first_error)
		first_error = xstrdup(sb.buf);
	errno = saved_errno;
}

void log_file_raw(const char *text)
{
	if (!log_file)
		return;
	fputs(text, log_file);
	fflush(log_file);
}
