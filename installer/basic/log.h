/*
 * log.h - the one logging module: diagnostics go to stderr (filtered by the
 * verbosity) and, when --log FILE was given, every message at every level
 * goes to that file with a timestamp.  Results never go through here: they
 * go to stdout.
 */
#ifndef GS_LOG_H
#define GS_LOG_H

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARNING = 1,
	LOG_LEVEL_INFO = 2,
	LOG_LEVEL_DEBUG = 3,
};

/* Level shown on stderr: ERROR with --quiet, INFO by default, DEBUG with
 * --verbose. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Open (append) the log file.  Returns 0 or a negative errno. */
int log_open_file(const char *path);
void log_close_file(void);
/* The first error this run logged (the cause, where later errors say
 * what it stopped), or NULL: the --json result's "error". */
const char *log_first_error(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write raw text (e.g. captured program output) to the log file only. */
void log_file_raw(const char *text);

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
