/* Unit tests: the fetch engine (fetch.c) against tests/http-server.py on
 * loopback: a file enters its place only whole and with the right sha256;
 * a cut transfer or a .part from an earlier run is resumed with a Range
 * request; a server that ignores Range, serves other bytes, answers 404 or
 * 500, stalls, or is not there hands over as fetch.h says; several files
 * travel at once (the server's log shows overlapping requests) and one at
 * a time when asked; a write that fails fails the item with its errno.
 * Files larger than the queue between the transfer and the hashing thread
 * go through the same cases, several at once, and again where no hashing
 * thread can start. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fetch.h"
#include "fileio.h"
#include "interrupt.h"
#include "loopback-http.h"
#include "loopback-server.h"
#include "sha256.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

#define BIG_SIZE (200u * 1024 + 17)  /* odd: halves and ranges fall mid-buffer */
#define SMALL_SIZE (64u * 1024)
#define N_PARALLEL 8
/* More than fetch.c's 8 MiB queue of bytes waiting to be hashed, and not
 * a multiple of it (the ring wraps mid-write). */
#define LARGE_SIZE ((12u << 20) + 4099)
#define LARGE_PART (9u << 20)  /* a .part from an earlier run, longer than the queue */
#define N_LARGE 4

static char *top, *www, *logpath, *cache;
static int port;
static char big_sha[SHA256_HEX_LEN + 1];
static char small_sha[N_PARALLEL][SHA256_HEX_LEN + 1];
static unsigned char *big;
static char large_sha[N_LARGE][SHA256_HEX_LEN + 1];
static unsigned char *large[N_LARGE];

/* test-fetch is linked with -Wl,--wrap=pthread_create (Makefile.am): while
 * refuse_threads is set, no thread can start, as in a process out of
 * threads, and fetch.c must hash in place. */
static bool refuse_threads;
static unsigned threads_refused;

int __real_pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg);
int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg);
int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg)
{
	if (refuse_threads) {
		threads_refused++;
		return EAGAIN;
	}
	return __real_pthread_create(thread, attr, start, arg);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void digest(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256_ctx *c = sha256_new();

	sha256_update(c, data, len);
	sha256_finish(c, hex);
}

/* Bytes that are not all alike (a wrong offset changes the digest). */
static unsigned char *pattern(size_t len, unsigned seed)
{
	unsigned char *p = xmalloc(len);
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)x;
	}
	return p;
}

static char *url(const char *fmt, const char *name)
{
	_cleanup_free_ char *path = xasprintf(fmt, name);

	return xasprintf("http://127.0.0.1:%d/%s", port, path);
}

static void log_reset(void)
{
	int fd = open(logpath, O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
}

/* Lines of the server's log that contain every one of the words. */
static int log_count(const char *a, const char *b)
{
	_cleanup_free_ char *text = NULL;
	int n = 0;

	if (read_file(logpath, 1 << 24, &text, NULL) < 0)
		return -1;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, a) && (!b || strstr(line, b)))
			n++;
	return n;
}

/* The most requests the server was answering at once since log_reset. */
static int log_max_active(void)
{
	_cleanup_free_ char *text = NULL;
	int most = 0;

	if (read_file(logpath, 1 << 24, &text, NULL) < 0)
		return -1;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		const char *a = strstr(line, " active=");
		int n;

		if (a && sscanf(a, " active=%d", &n) == 1 && n > most)
			most = n;
	}
	return most;
}

static bool file_is(const char *path, const void *want, size_t len)
{
	_cleanup_free_ char *text = NULL;
	size_t got = 0;

	return read_file(path, 1 << 24, &text, &got) == 0 && got == len && memcmp(text, want, len) == 0;
}

static const struct fetch_options quick = { .backoff_ms = -1, .retries = 2 };

/* Fetch the big file from the mirrors given (NULL-terminated) into cache/NAME. */
static int fetch_big(struct fetch_item *it, const char *name, const struct fetch_options *opt, char **urls)
{
	_cleanup_free_ char *dest = xasprintf("%s/%s", cache, name);
	int r;

	*it = (struct fetch_item){ .urls = (const char *const *)urls, .dest = dest, .sha256 = big_sha,
				   .size = BIG_SIZE, .label = name };
	r = fetch_all(it, 1, opt ? opt : &quick);
	it->dest = NULL;
	return r;
}

static bool fetched_clean(const char *name)
{
	_cleanup_free_ char *dest = xasprintf("%s/%s", cache, name);
	_cleanup_free_ char *part = xasprintf("%s/%s.part", cache, name);

	return file_is(dest, big, BIG_SIZE) && !exists(part);
}

static bool nothing_left(const char *name)
{
	_cleanup_free_ char *dest = xasprintf("%s/%s", cache, name);
	_cleanup_free_ char *part = xasprintf("%s/%s.part", cache, name);

	return !exists(dest) && !exists(part);
}

static void put_part(const char *name, const void *data, size_t len)
{
	_cleanup_free_ char *rel = xasprintf("/cache/%s.part", name);

	testroot_put(top, rel, data, len);
}

static void free_urls(char **urls)
{
	for (size_t i = 0; urls[i]; i++)
		free(urls[i]);
}

static void test_plain_and_present(void)
{
	char *urls[] = { url("ok/%s", "big"), NULL };
	struct fetch_item it;
	int r;

	log_reset();
	r = fetch_big(&it, "plain", NULL, urls);
	is_int(r, 0, "plain: fetch_all reports no failure");
	is_int(it.result, 0, "plain: the item is fetched");
	ok(it.url_used == urls[0], "plain: from the one mirror");
	is_int((int)it.attempts, 1, "plain: in one transfer");
	ok(it.error == NULL, "plain: no error text");
	ok(fetched_clean("plain"), "plain: the file is in place with its bytes, no .part left");
	fetch_items_release(&it, 1);

	log_reset();
	r = fetch_big(&it, "plain", NULL, urls);
	is_int(r, 0, "present: nothing fails");
	ok(it.result == 0 && it.attempts == 0, "present: a verified file is not fetched again (%u attempts)",
	   it.attempts);
	is_int(log_count("GET", NULL), 0, "present: no request reached the server");
	ok(fetched_clean("plain"), "present: the file is untouched");
	fetch_items_release(&it, 1);
	free_urls(urls);
}

static void test_resume(void)
{
	char *cut[] = { url("cut-once/%s", "big"), NULL };
	char *good[] = { url("ok/%s", "big"), NULL };
	char *norange[] = { url("no-range/%s", "big"), NULL };
	_cleanup_free_ char *half = xasprintf("bytes=%u-", BIG_SIZE / 2);
	unsigned char junk[1000];
	struct fetch_item it;

	log_reset();
	fetch_big(&it, "cut", NULL, cut);
	is_int(it.result, 0, "cut: a transfer cut halfway is completed");
	is_int((int)it.attempts, 2, "cut: in a second transfer");
	is_int(log_count("/cut-once/big", half), 1, "cut: which asked for the rest (%s)", half);
	ok(fetched_clean("cut"), "cut: the file is whole and right");
	fetch_items_release(&it, 1);

	log_reset();
	put_part("stale", big, 1000);
	fetch_big(&it, "stale", NULL, good);
	is_int(it.result, 0, "stale .part: fetched");
	ok(it.resumed_from == 1000, "stale .part: its 1000 bytes were kept (resumed_from %llu)",
	   (unsigned long long)it.resumed_from);
	is_int(log_count("/ok/big", "bytes=1000-"), 1, "stale .part: the request asked for the rest");
	ok(fetched_clean("stale"), "stale .part: the file is whole and right");
	fetch_items_release(&it, 1);

	log_reset();
	put_part("norange", big, 1000);
	fetch_big(&it, "norange", NULL, norange);
	is_int(it.result, 0, "server without Range: fetched");
	is_int((int)it.attempts, 1, "server without Range: its 200 starts the file over in the same transfer");
	ok(it.resumed_from == 0, "server without Range: nothing counted as resumed");
	ok(fetched_clean("norange"), "server without Range: the file is right, not the .part plus the whole");
	fetch_items_release(&it, 1);

	/* A .part that is not a piece of this file (another version, another
	 * mirror's copy): the digest fails, the same mirror gives it whole. */
	memset(junk, 'x', sizeof(junk));
	put_part("junk", junk, sizeof(junk));
	log_reset();
	fetch_big(&it, "junk", NULL, good);
	is_int(it.result, 0, "foreign .part: fetched");
	ok(it.url_used == good[0] && it.attempts == 2, "foreign .part: from the same mirror, again from 0");
	is_int(log_count("/ok/big", " - "), 1, "foreign .part: the second request had no Range");
	ok(fetched_clean("junk"), "foreign .part: the file is right");
	fetch_items_release(&it, 1);

	/* A .part as long as the file and right: nothing to ask for. */
	put_part("complete", big, BIG_SIZE);
	log_reset();
	fetch_big(&it, "complete", NULL, good);
	ok(it.result == 0 && it.attempts == 0, "complete .part: put in place without a request");
	is_int(log_count("GET", NULL), 0, "complete .part: the server saw nothing");
	ok(fetched_clean("complete"), "complete .part: the file is right");
	fetch_items_release(&it, 1);
	free_urls(cut);
	free_urls(good);
	free_urls(norange);
}

static void test_mirrors(void)
{
	char *wrong_ok[] = { url("wrong/%s", "big"), url("ok/%s", "big"), NULL };
	char *wrong_wrong[] = { url("wrong/%s", "big"), url("wrong/%s", "big"), NULL };
	char *dead_ok[] = { NULL, url("ok/%s", "big"), NULL };
	char *missing_ok[] = { url("404/%s", "big"), url("ok/%s", "big"), NULL };
	char *once[] = { url("500-once/%s", "big"), NULL };
	char *err_ok[] = { url("500/%s", "big"), url("ok/%s", "big"), NULL };
	char *trunc_ok[] = { url("truncate/%s", "big"), url("ok/%s", "big"), NULL };
	char *missing[] = { url("404/%s", "big"), NULL };
	struct fetch_item it;
	int r;

	dead_ok[0] = xasprintf("http://127.0.0.1:%d/ok/big", loopback_free_port());

	fetch_big(&it, "wrong-ok", NULL, wrong_ok);
	is_int(it.result, 0, "wrong bytes, then a good mirror: fetched");
	ok(it.url_used == wrong_ok[1], "wrong bytes: the file came from the second mirror");
	ok(it.error == NULL, "wrong bytes: success leaves no error text");
	ok(fetched_clean("wrong-ok"), "wrong bytes: the right file, no .part");
	fetch_items_release(&it, 1);

	r = fetch_big(&it, "wrong-wrong", NULL, wrong_wrong);
	is_int(r, 1, "every mirror wrong: fetch_all counts one failure");
	is_int(it.result, -EBADMSG, "every mirror wrong: -EBADMSG");
	ok(it.url_used == NULL, "every mirror wrong: no url_used");
	ok(it.error && strstr(it.error, "sha256") && strstr(it.error, wrong_wrong[1]),
	   "every mirror wrong: the error names the digest and the mirrors (%s)", it.error ? it.error : "NULL");
	ok(nothing_left("wrong-wrong"), "every mirror wrong: neither the file nor a .part is left");
	fetch_items_release(&it, 1);

	fetch_big(&it, "dead-ok", NULL, dead_ok);
	is_int(it.result, 0, "dead mirror: fetched");
	ok(it.url_used == dead_ok[1], "dead mirror: from the second one");
	is_int((int)it.attempts, 2, "dead mirror: a refused connection is not retried");
	ok(fetched_clean("dead-ok"), "dead mirror: the file is right");
	fetch_items_release(&it, 1);

	log_reset();
	fetch_big(&it, "missing-ok", NULL, missing_ok);
	is_int(it.result, 0, "404: fetched");
	ok(it.url_used == missing_ok[1], "404: from the second mirror");
	is_int(log_count("/404/big", NULL), 1, "404: not asked again");
	fetch_items_release(&it, 1);

	fetch_big(&it, "missing", NULL, missing);
	is_int(it.result, -EHOSTUNREACH, "404 from the only mirror: -EHOSTUNREACH");
	ok(it.error && strstr(it.error, "404"), "404: the error says so (%s)", it.error ? it.error : "NULL");
	ok(nothing_left("missing"), "404: nothing left");
	fetch_items_release(&it, 1);

	fetch_big(&it, "once", NULL, once);
	is_int(it.result, 0, "500 once: retried on the same mirror and fetched");
	is_int((int)it.attempts, 2, "500 once: in two transfers");
	fetch_items_release(&it, 1);

	log_reset();
	fetch_big(&it, "err-ok", NULL, err_ok);
	is_int(it.result, 0, "500 always: fetched from the next mirror");
	ok(it.url_used == err_ok[1], "500 always: the second mirror's file");
	is_int(log_count("/500/big", NULL), (int)quick.retries + 1, "500 always: the first mirror tried 1 + retries times");
	fetch_items_release(&it, 1);

	log_reset();
	fetch_big(&it, "trunc-ok", NULL, trunc_ok);
	is_int(it.result, 0, "truncating mirror: fetched from the next mirror");
	ok(it.url_used == trunc_ok[1], "truncating mirror: the second mirror's file");
	is_int(log_count("/truncate/big", NULL), (int)quick.retries + 1, "truncating mirror: tried 1 + retries times");
	is_int(log_count("/truncate/big", "bytes="), (int)quick.retries, "truncating mirror: each retry resumed");
	is_int(log_count("/ok/big", "bytes="), 0, "truncating mirror: the next mirror was asked for the whole file");
	ok(fetched_clean("trunc-ok"), "truncating mirror: the file is right");
	fetch_items_release(&it, 1);

	free_urls(wrong_ok);
	free_urls(wrong_wrong);
	free_urls(dead_ok);
	free_urls(missing_ok);
	free_urls(once);
	free_urls(err_ok);
	free_urls(trunc_ok);
	free_urls(missing);
}

static void test_stall_and_size(void)
{
	const struct fetch_options stall_opt = { .backoff_ms = -1, .retries = 1, .low_speed_bytes = 1000,
						 .low_speed_time_s = 1 };
	char *stall_ok[] = { url("stall/%s", "big"), url("ok/%s", "big"), NULL };
	char *stall[] = { url("stall/%s", "big"), NULL };
	char *good[] = { url("ok/%s", "big"), NULL };
	_cleanup_free_ char *dest = xasprintf("%s/short", cache);
	_cleanup_free_ char *part = xasprintf("%s/stall.part", cache);
	struct fetch_item it;

	fetch_big(&it, "stall-ok", &stall_opt, stall_ok);
	is_int(it.result, 0, "stalled mirror: the low-speed limit hands over to the next");
	ok(it.url_used == stall_ok[1], "stalled mirror: the second mirror's file");
	ok(it.error == NULL, "stalled mirror: no error on success");
	ok(fetched_clean("stall-ok"), "stalled mirror: the file is right");
	fetch_items_release(&it, 1);

	fetch_big(&it, "stall", &stall_opt, stall);
	is_int(it.result, -ETIMEDOUT, "the only mirror stalls: -ETIMEDOUT");
	is_int((int)it.attempts, 2, "the only mirror stalls: tried 1 + retries times");
	ok(!exists(dest) && exists(part), "the only mirror stalls: no file, the .part kept for a later resume");
	unlink(part);
	fetch_items_release(&it, 1);

	it = (struct fetch_item){ .urls = (const char *const *)good, .dest = dest, .sha256 = big_sha,
				  .size = BIG_SIZE - 1, .label = "short" };
	fetch_all(&it, 1, &quick);
	is_int(it.result, -EBADMSG, "more bytes than the expected size: refused");
	ok(it.error && strstr(it.error, "more than"), "more bytes: said so (%s)", it.error ? it.error : "NULL");
	ok(nothing_left("short"), "more bytes: nothing left");
	fetch_items_release(&it, 1);
	free_urls(stall_ok);
	free_urls(stall);
	free_urls(good);
}

/* 8 files through a per-connection rate cap. */
static void fetch_eight(unsigned parallel, const char *tag, int *ret_failed, int *ret_right)
{
	struct fetch_options opt = quick;
	struct fetch_item items[N_PARALLEL];
	char *urls[N_PARALLEL][2];
	char *dests[N_PARALLEL];

	opt.parallel = parallel;
	for (int i = 0; i < N_PARALLEL; i++) {
		_cleanup_free_ char *name = xasprintf("small%d", i);

		urls[i][0] = url("slow/262144/%s", name);
		urls[i][1] = NULL;
		dests[i] = xasprintf("%s/%s-%s", cache, tag, name);
		items[i] = (struct fetch_item){ .urls = (const char *const *)urls[i], .dest = dests[i],
						.sha256 = small_sha[i], .size = SMALL_SIZE, .label = dests[i] };
	}
	*ret_failed = fetch_all(items, N_PARALLEL, &opt);
	*ret_right = 0;
	for (int i = 0; i < N_PARALLEL; i++) {
		_cleanup_free_ unsigned char *want = pattern(SMALL_SIZE, (unsigned)i + 1);

		if (items[i].result == 0 && file_is(dests[i], want, SMALL_SIZE))
			(*ret_right)++;
		free(urls[i][0]);
		free(dests[i]);
	}
	fetch_items_release(items, N_PARALLEL);
}

static void test_parallel(void)
{
	int failed, right;

	log_reset();
	fetch_eight(4, "par", &failed, &right);
	is_int(failed, 0, "parallel 4: no failure");
	is_int(right, N_PARALLEL, "parallel 4: every file in place and right");
	ok(log_max_active() > 1, "parallel 4: requests overlapped (at most %d at once)", log_max_active());
	ok(log_max_active() <= 4, "parallel 4: never more than 4 at once");

	log_reset();
	fetch_eight(1, "seq", &failed, &right);
	is_int(failed, 0, "parallel 1: no failure");
	is_int(right, N_PARALLEL, "parallel 1: every file in place and right");
	is_int(log_max_active(), 1, "parallel 1: one request at a time");
}

/* One good item and one bad together: each gets its own result. */
static void test_mixed(void)
{
	char *good[] = { url("ok/%s", "big"), NULL };
	char *bad[] = { url("404/%s", "big"), NULL };
	_cleanup_free_ char *d1 = xasprintf("%s/mixed-good", cache), *d2 = xasprintf("%s/mixed-bad", cache);
	struct fetch_item items[2] = {
		{ .urls = (const char *const *)good, .dest = d1, .sha256 = big_sha, .label = "good" },
		{ .urls = (const char *const *)bad, .dest = d2, .sha256 = big_sha, .label = "bad" },
	};

	is_int(fetch_all(items, 2, &quick), 1, "one of two fails: fetch_all returns 1");
	ok(items[0].result == 0 && file_is(d1, big, BIG_SIZE), "one of two fails: the other (size unknown) is fetched");
	ok(items[1].result < 0 && !exists(d2), "one of two fails: the failed one is not there");
	fetch_items_release(items, 2);
	free_urls(good);
	free_urls(bad);
}

static void test_write_errors(void)
{
	char *good[] = { url("ok/%s", "big"), NULL };
	_cleanup_free_ char *nodir = xasprintf("%s/no/such/dir/f", cache);
	/* cache/plain is the file the first test fetched. */
	_cleanup_free_ char *notdir = xasprintf("%s/plain/f", cache);
	_cleanup_free_ char *limited = xasprintf("%s/limited", cache);
	_cleanup_free_ char *limited_part = xasprintf("%s/limited.part", cache);
	struct fetch_item it = { .urls = (const char *const *)good, .sha256 = big_sha, .size = BIG_SIZE };
	struct rlimit old, low;

	it.dest = nodir;
	fetch_all(&it, 1, &quick);
	is_int(it.result, -ENOENT, "a destination directory that is not there: -ENOENT");
	ok(it.attempts == 0 && it.error, "no directory: no transfer, an explanation (%s)", it.error ? it.error : "");
	fetch_items_release(&it, 1);

	it.dest = notdir;
	fetch_all(&it, 1, &quick);
	is_int(it.result, -ENOTDIR, "a destination 'directory' that is a file: -ENOTDIR");
	fetch_items_release(&it, 1);

	/* A disk that fills up, as RLIMIT_FSIZE makes one: the write's errno,
	 * no other mirror tried, the .part removed. */
	if (getrlimit(RLIMIT_FSIZE, &old) == 0) {
		signal(SIGXFSZ, SIG_IGN);
		low = old;
		low.rlim_cur = BIG_SIZE / 2;
		setrlimit(RLIMIT_FSIZE, &low);
		it.dest = limited;
		fetch_all(&it, 1, &quick);
		setrlimit(RLIMIT_FSIZE, &old);
		is_int(it.result, -EFBIG, "a write that fails: the item fails with its errno");
		is_int((int)it.attempts, 1, "a write that fails: not retried");
		ok(!exists(limited) && !exists(limited_part), "a write that fails: nothing left");
		fetch_items_release(&it, 1);
	}
	if (getuid() != 0) {
		_cleanup_free_ char *ro = xasprintf("%s/ro", cache), *rof = xasprintf("%s/ro/f", cache);

		mkdir(ro, 0555);
		it.dest = rof;
		fetch_all(&it, 1, &quick);
		is_int(it.result, -EACCES, "a directory not writable: -EACCES");
		fetch_items_release(&it, 1);
	} else {
		printf("ok %d - # SKIP a directory root cannot write to: running as root\n", ++tap_count);
	}
	free_urls(good);
}

static void test_progress(void)
{
	char *good[] = { url("ok/%s", "big"), NULL };
	_cleanup_free_ char *errpath = xasprintf("%s/stderr", top), *text = NULL;
	struct fetch_options opt = quick;
	struct fetch_item it;
	int saved = dup(STDERR_FILENO), fd;

	for (int pass = 0; pass < 2; pass++) {
		_cleanup_free_ char *name = xasprintf("progress%d", pass);

		fflush(stderr);
		fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		dup2(fd, STDERR_FILENO);
		close(fd);
		opt.progress = pass == 0;
		fetch_big(&it, name, &opt, good);
		fflush(stderr);
		dup2(saved, STDERR_FILENO);
		free(text);
		text = NULL;
		read_file(errpath, 1 << 24, &text, NULL);
		if (pass == 0) {
			ok(text && strstr(text, "1/1 files") && strstr(text, "/s"),
			   "progress: a line with files, bytes and rate");
			ok(text && strchr(text, '\r') && text[strlen(text) - 1] == '\n',
			   "progress: redrawn with \\r, ended with a newline");
		} else {
			ok(text && !strchr(text, '\r') && !strstr(text, "files"), "no progress: no bar drawn");
		}
		fetch_items_release(&it, 1);
	}
	close(saved);
	free_urls(good);
}

static bool large_clean(const char *dest, int i)
{
	_cleanup_free_ char *part = xasprintf("%s.part", dest);

	return file_is(dest, large[i], LARGE_SIZE) && !exists(part);
}

static void large_item(struct fetch_item *it, char **urls, const char *dest, int i)
{
	*it = (struct fetch_item){ .urls = (const char *const *)urls, .dest = dest, .sha256 = large_sha[i],
				   .size = LARGE_SIZE, .label = dest };
}

/* Four large files at once, each through another case: plain; cut
 * halfway and resumed; wrong bytes, then a good mirror; a .part from an
 * earlier run longer than the queue, resumed.  name tells the cache
 * files apart and starts each test's text; the server cuts a file's first
 * request only, so each run cuts another copy of large1, cut_name. */
static void test_large_parallel(const char *name, const char *cut_name)
{
	struct fetch_options opt = quick;
	char *u0[] = { url("ok/%s", "large0"), NULL };
	char *u1[] = { url("cut-once/%s", cut_name), NULL };
	char *u2[] = { url("wrong/%s", "large2"), url("ok/%s", "large2"), NULL };
	char *u3[] = { url("ok/%s", "large3"), NULL };
	char *dests[N_LARGE];
	struct fetch_item items[N_LARGE];
	_cleanup_free_ char *rest = xasprintf("bytes=%u-", LARGE_PART);
	_cleanup_free_ char *part3 = xasprintf("%s-par3", name);
	int r;

	for (int i = 0; i < N_LARGE; i++)
		dests[i] = xasprintf("%s/%s-par%d", cache, name, i);
	large_item(&items[0], u0, dests[0], 0);
	large_item(&items[1], u1, dests[1], 1);
	large_item(&items[2], u2, dests[2], 2);
	large_item(&items[3], u3, dests[3], 3);
	put_part(part3, large[3], LARGE_PART);
	opt.parallel = N_LARGE;
	log_reset();
	r = fetch_all(items, N_LARGE, &opt);
	is_int(r, 0, "%s, parallel 4: no failure", name);
	ok(large_clean(dests[0], 0), "%s, plain: the file is right, no .part", name);
	ok(items[1].attempts == 2 && large_clean(dests[1], 1), "%s, cut halfway: completed in a second transfer (%u)",
	   name, items[1].attempts);
	ok(items[2].url_used == u2[1] && large_clean(dests[2], 2), "%s, wrong bytes: the second mirror's file", name);
	ok(items[3].resumed_from == LARGE_PART, "%s .part: its %u bytes kept (resumed_from %llu)", name, LARGE_PART,
	   (unsigned long long)items[3].resumed_from);
	is_int(log_count("/ok/large3", rest), 1, "%s .part: the request asked for the rest (%s)", name, rest);
	ok(large_clean(dests[3], 3), "%s .part: the file is right", name);
	fetch_items_release(items, N_LARGE);
	for (int i = 0; i < N_LARGE; i++)
		free(dests[i]);
	free_urls(u0);
	free_urls(u1);
	free_urls(u2);
	free_urls(u3);
}

/* A large file's digest decides as a small one's does. */
static void test_large_digest(void)
{
	char *wrong[] = { url("wrong/%s", "large0"), NULL };
	char *good[] = { url("ok/%s", "large0"), NULL };
	_cleanup_free_ char *d_wrong = xasprintf("%s/large-wrong", cache);
	_cleanup_free_ char *d_junk = xasprintf("%s/large-junk", cache);
	_cleanup_free_ char *d_whole = xasprintf("%s/large-whole", cache);
	_cleanup_free_ unsigned char *junk = pattern(LARGE_PART, 99);
	struct fetch_item it;

	large_item(&it, wrong, d_wrong, 0);
	is_int(fetch_all(&it, 1, &quick), 1, "large, wrong bytes only: a failure");
	is_int(it.result, -EBADMSG, "large, wrong bytes only: -EBADMSG");
	ok(nothing_left("large-wrong"), "large, wrong bytes only: neither the file nor a .part is left");
	fetch_items_release(&it, 1);

	/* Longer than the queue and not a piece of the file. */
	put_part("large-junk", junk, LARGE_PART);
	large_item(&it, good, d_junk, 0);
	fetch_all(&it, 1, &quick);
	ok(it.result == 0 && it.attempts == 2, "large foreign .part: fetched whole in a second transfer (%u)",
	   it.attempts);
	ok(large_clean(d_junk, 0), "large foreign .part: the file is right");
	fetch_items_release(&it, 1);

	put_part("large-whole", large[0], LARGE_SIZE);
	log_reset();
	large_item(&it, good, d_whole, 0);
	fetch_all(&it, 1, &quick);
	ok(it.result == 0 && it.attempts == 0, "large complete .part: in place without a request");
	is_int(log_count("GET", NULL), 0, "large complete .part: the server saw nothing");
	ok(large_clean(d_whole, 0), "large complete .part: the file is right");
	fetch_items_release(&it, 1);
	free_urls(wrong);
	free_urls(good);
}

/* Where no hashing thread can start, the same cases hash in place. */
static void test_without_thread(void)
{
	threads_refused = 0;
	refuse_threads = true;
	test_large_parallel("large-unthreaded", "again/large1");
	refuse_threads = false;
	ok(threads_refused >= N_LARGE, "large-unthreaded: every file was hashed without a thread (%u refused)",
	   threads_refused);
}

/* SIGTERM in the middle (the main job's Ctrl-C): fetch_all stops at once,
 * the item failed as interrupted, its .part kept to resume from.  Last:
 * the flag stays set for the rest of the process. */
static void test_interrupt(void)
{
	char *urls[] = { url("slow/65536/%s", "big"), NULL };
	struct fetch_item it;
	pid_t child;
	int r;

	if (interrupt_catch() < 0) {
		ok(0, "interrupt_catch");
		free_urls(urls);
		return;
	}
	child = fork();
	if (child == 0) {
		usleep(300 * 1000);
		kill(getppid(), SIGTERM);
		_exit(0);
	}
	r = fetch_big(&it, "interrupted", NULL, urls);
	waitpid(child, NULL, 0);
	ok(r == 1 && it.error && strstr(it.error, "interrupted"), "SIGTERM during a download: it stops, failed as interrupted");
	{
		_cleanup_free_ char *dest = xasprintf("%s/interrupted", cache);
		_cleanup_free_ char *part = xasprintf("%s/interrupted.part", cache);

		ok(!exists(dest) && exists(part), "SIGTERM during a download: no file, the .part kept to resume from");
	}
	fetch_items_release(&it, 1);
	free_urls(urls);
}

int main(void)
{
	char tmpl[] = "/tmp/test-fetch.XXXXXX";
	pid_t server;

	top = mkdtemp(tmpl);
	if (!top) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	loopback_unset_proxies();
	www = xasprintf("%s/www", top);
	cache = xasprintf("%s/cache", top);
	logpath = xasprintf("%s/requests.log", top);
	big = pattern(BIG_SIZE, 0);
	digest(big, BIG_SIZE, big_sha);
	testroot_put(top, "/www/big", big, BIG_SIZE);
	for (int i = 0; i < N_PARALLEL; i++) {
		_cleanup_free_ unsigned char *p = pattern(SMALL_SIZE, (unsigned)i + 1);
		_cleanup_free_ char *rel = xasprintf("/www/small%d", i);

		digest(p, SMALL_SIZE, small_sha[i]);
		testroot_put(top, rel, p, SMALL_SIZE);
	}
	for (int i = 0; i < N_LARGE; i++) {
		_cleanup_free_ char *rel = xasprintf("/www/large%d", i);

		large[i] = pattern(LARGE_SIZE, 100 + (unsigned)i);
		digest(large[i], LARGE_SIZE, large_sha[i]);
		testroot_put(top, rel, large[i], LARGE_SIZE);
	}
	testroot_put(top, "/www/again/large1", large[1], LARGE_SIZE);
	testroot_puts(top, "/cache/.keep", "");
	server = loopback_server_start(www, logpath, &port);
	if (server < 0) {
		printf("1..0 # SKIP python3 cannot run tests/http-server.py here\n");
		testroot_remove(top);
		return 0;
	}

	test_plain_and_present();
	test_resume();
	test_mirrors();
	test_stall_and_size();
	test_parallel();
	test_mixed();
	test_write_errors();
	test_progress();
	test_large_parallel("large", "large1");
	test_large_digest();
	test_without_thread();
	test_interrupt();

	loopback_server_stop(server);
	testroot_remove(top);
	free(www);
	free(cache);
	free(logpath);
	free(big);
	for (int i = 0; i < N_LARGE; i++)
		free(large[i]);
	return done_testing();
}
