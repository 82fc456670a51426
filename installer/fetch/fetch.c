/*
 * fetch.c - many checked downloads at once (see fetch.h).
 *
 * One loop drives libcurl's multi interface: at most opt->parallel items
 * are in progress, each either transferring (an easy handle in the multi)
 * or waiting out a backoff (a deadline the poll timeout wakes for), so a
 * mirror that needs a pause never holds up the other transfers and no
 * thread is needed for them.
 *
 * Each item writes DEST.part through a running sha256, computed by a
 * thread of the item's own (see "the hashing thread" below), so that on a
 * fast link the transfer does not wait for the hash.  A transfer asks
 * for the bytes after those already in the .part with CURLOPT_RANGE rather
 * than CURLOPT_RESUME_FROM_LARGE: with the latter libcurl itself fails a
 * 200 answer (CURLE_RANGE_ERROR) or, when the whole file is as long as the
 * .part, ends "successfully" without a byte; with a plain Range header the
 * first write sees the response code and a 200 simply starts the file over.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "fetch.h"
#include "interrupt.h"
#include "fileio.h"
#include "http-setup.h"
#include "log.h"
#include "strbuf.h"
#include "util.h"

/* A write of this size per callback: fewer calls, and the hash and the
 * write(2) each see large blocks (libcurl's default is 16 KiB). */
#define FETCH_BUFFER_SIZE (512L * 1024)
/* Start writing the .part to disk every this many bytes, so the fsync
 * before the rename finds little left to do instead of the whole file
 * (the hashing thread does it, behind the hash). */
#define FETCH_WRITEBACK_STEP (8ull << 20)
/* Bytes written but not yet hashed, at most, per item: the bound on the
 * memory the hashing thread may lag behind by. */
#define HASH_QUEUE_SIZE (8u << 20)
/* The hashing thread takes at most this much at a time off the queue, so
 * the writer finds room again soon after the queue filled up. */
#define HASH_STEP (1u << 20)
/* The writer wakes the hashing thread once this much waits for it (or the
 * queue is full, or at the end), not after every write: a wakeup per write
 * cost as much CPU time as all the copying into the queue. */
#define HASH_WAKE (1u << 20)
_Static_assert(HASH_WAKE <= HASH_QUEUE_SIZE, "a full queue must wake the hashing thread");
/* Longest pause between two retries, however often the backoff doubled. */
#define FETCH_BACKOFF_MAX_MS (60L * 1000)
/* The progress line is redrawn at most this often. */
#define PROGRESS_INTERVAL_MS 200

enum job_state {
	JOB_WAITING,    /* not transferring: starts when wake_ms has passed */
	JOB_RUNNING,    /* its handle is in the multi */
};

/* Why a mirror was given up, for the item's final errno. */
enum mirror_failure {
	MIRROR_UNREACHED,  /* no answer: refused, unresolved */
	MIRROR_ANSWERED,   /* an HTTP error, a cut, too many retries */
	MIRROR_STALLED,    /* the last attempt hit the low-speed or connect timeout */
	MIRROR_BAD_BYTES,  /* served other bytes (digest, too long) */
};

/* The running sha256 of one .part: the bytes written are copied into a
 * ring that a thread drains into the hash.  One mutex guards the ring's
 * state and the copy into it; the hash runs outside the lock, on bytes
 * the writer does not touch (those between head and head + queued).
 * Behind the hash the thread also starts the writeback of the bytes it
 * hashed (they were written before they were fed), which would stall the
 * transfer where it blocks on a busy disk queue. */
struct hasher {
	struct sha256_ctx *ctx;  /* NULL: not started (or finished) */
	bool threaded;           /* false: no thread could start, feed hashes in place */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t more;     /* bytes queued, or closing: the thread wakes */
	pthread_cond_t room;     /* bytes hashed: a waiting writer wakes */
	unsigned char *ring;     /* HASH_QUEUE_SIZE bytes */
	size_t head;             /* the next byte to hash */
	size_t queued;           /* bytes from head on waiting to be hashed */
	bool closing;            /* nothing more comes: hash what is queued and end */
	/* The thread's own (or feed's, without a thread): */
	int fd;                  /* the .part, whose byte 0 was the first fed */
	uint64_t hashed;         /* bytes hashed: the .part's first bytes */
	uint64_t written_back;   /* of those, bytes whose writeback was started */
};

struct job {
	struct fetch_item *item;
	enum job_state state;
	char *part;                 /* dest.part */
	int fd;                     /* the .part, open for writing at its end */
	struct hasher hash;         /* of the .part's bytes so far */
	uint64_t have;              /* bytes in the .part */
	size_t mirror;              /* index into item->urls */
	unsigned tries;             /* transfers on this mirror so far */
	int64_t wake_ms;            /* JOB_WAITING: when to start */
	struct strbuf err;          /* mirror by mirror */
	unsigned n_bad, n_answered; /* mirrors given up, by kind */
	enum mirror_failure last;
	bool from_earlier_run;      /* the .part holds bytes an earlier run fetched */
	bool keep_part;             /* a failure leaves the .part for the next run to resume */

	/* The current transfer: */
	CURL *h;
	char errbuf[CURL_ERROR_SIZE];
	uint64_t range_from;        /* bytes asked to be skipped */
	int64_t content_range_from; /* from a 206's Content-Range, -1: none */
	bool first_write_seen;
	bool restarted;             /* a 200 to a ranged request: the .part started over */
	bool bad_range;             /* a 206 for bytes we did not ask for */
	bool oversize;              /* more bytes than the expected size */
	int write_errno;
};

struct fetcher {
	const struct fetch_options *opt;
	CURLM *multi;
	CURL **idle;          /* easy handles not in use (their connections stay in the multi) */
	size_t n_idle;
	struct job *jobs;     /* opt->parallel slots */
	struct fetch_item *items;
	size_t n_items;
	size_t next_item;
	size_t done_items;
	/* Progress: */
	uint64_t total_bytes;        /* sum of the known sizes */
	uint64_t done_bytes;         /* bytes of finished items */
	uint64_t start_bytes;        /* bytes present before this run transferred any */
	int64_t start_ms;
	int64_t drawn_ms;
	bool bar_shown;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *item_name(const struct fetch_item *it)
{
	return it->label ? it->label : it->dest;
}

/* ------------------------------------------------------------ progress */

static uint64_t bytes_now(const struct fetcher *f)
{
	uint64_t b = f->done_bytes;

	for (unsigned i = 0; i < f->opt->parallel; i++)
		if (f->jobs[i].item)
			b += f->jobs[i].have;
	return b;
}

static void progress_clear(struct fetcher *f)
{
	if (f->bar_shown) {
		fputs("\r\033[K", stderr);
		f->bar_shown = false;
	}
}

static void progress_draw(struct fetcher *f, bool force)
{
	char done_s[32], total_s[32], rate_s[32], eta_s[32] = "--:--";
	int64_t t = now_ms();
	uint64_t b;
	double secs, rate;

	if (!f->opt->progress || (!force && t - f->drawn_ms < PROGRESS_INTERVAL_MS))
		return;
	f->drawn_ms = t;
	b = bytes_now(f);
	secs = (double)(t - f->start_ms) / 1000.0;
	rate = secs > 0 && b > f->start_bytes ? (double)(b - f->start_bytes) / secs : 0;
	format_bytes(b, done_s);
	format_bytes(f->total_bytes, total_s);
	format_bytes((uint64_t)rate, rate_s);
	if (rate > 0 && f->total_bytes > b) {
		uint64_t eta = (uint64_t)((double)(f->total_bytes - b) / rate);

		if (eta < 100 * 3600)
			snprintf(eta_s, sizeof(eta_s), "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64, eta / 3600,
				 eta / 60 % 60, eta % 60);
	} else if (f->total_bytes && b >= f->total_bytes) {
		snprintf(eta_s, sizeof(eta_s), "0:00:00");
	}
	fprintf(stderr, "\r\033[K%zu/%zu files  %s / %s  %s/s  ETA %s", f->done_items, f->n_items, done_s,
		f->total_bytes ? total_s : "?", rate_s, eta_s);
	fflush(stderr);
	f->bar_shown = true;
}

/* Messages go to stderr too: take the bar away first (the next draw puts
 * it back under them). */
#define fetch_log(f, level, ...)                             \
	do {                                                 \
		progress_clear(f);                           \
		log_msg(level, __VA_ARGS__);                 \
	} while (0)

/* ------------------------------------------------------------ the hashing thread */

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Hash the next len bytes of the .part, and start writing them to disk
 * every FETCH_WRITEBACK_STEP bytes: asks the kernel to write, does not
 * wait (a hint: its failure changes nothing, the fsync before the rename
 * is what counts). */
static void hasher_consume(struct hasher *h, const void *data, size_t len)
{
	sha256_update(h->ctx, data, len);
	h->hashed += len;
	if (h->hashed - h->written_back >= FETCH_WRITEBACK_STEP) {
		(void)sync_file_range(h->fd, (off64_t)h->written_back, (off64_t)(h->hashed - h->written_back),
				      SYNC_FILE_RANGE_WRITE);
		h->written_back = h->hashed;
	}
}

static void *hasher_main(void *arg)
{
	struct hasher *h = arg;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		const unsigned char *p;
		size_t len;

		while (h->queued < HASH_WAKE && !h->closing)
			pthread_cond_wait(&h->more, &h->lock);
		if (!h->queued)
			break;
		p = h->ring + h->head;
		len = min_size(min_size(h->queued, HASH_QUEUE_SIZE - h->head), HASH_STEP);
		pthread_mutex_unlock(&h->lock);
		hasher_consume(h, p, len);
		pthread_mutex_lock(&h->lock);
		h->head = (h->head + len) % HASH_QUEUE_SIZE;
		h->queued -= len;
		pthread_cond_signal(&h->room);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* A new, empty hash of the .part open at fd, and its thread.  Without a
 * thread (none can start) the bytes are hashed as they are fed: slower,
 * as right.  The .part must stay open, and not be cut shorter, until
 * hasher_finish. */
static void hasher_start(struct hasher *h, int fd)
{
	memset(h, 0, sizeof(*h));
	h->fd = fd;
	h->ctx = sha256_new();
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->more, NULL);
	pthread_cond_init(&h->room, NULL);
	h->ring = xmalloc(HASH_QUEUE_SIZE);
	h->threaded = pthread_create(&h->thread, NULL, hasher_main, h) == 0;
	if (!h->threaded) {
		free(h->ring);
		h->ring = NULL;
	}
}

static bool hasher_started(const struct hasher *h)
{
	return h->ctx != NULL;
}

/* Queue n bytes for the hash; waits only while the queue is full. */
static void hasher_feed(struct hasher *h, const void *data, size_t n)
{
	const unsigned char *p = data;

	if (!h->threaded) {
		hasher_consume(h, data, n);
		return;
	}
	pthread_mutex_lock(&h->lock);
	while (n) {
		size_t tail, len;

		while (h->queued == HASH_QUEUE_SIZE)
			pthread_cond_wait(&h->room, &h->lock);
		tail = (h->head + h->queued) % HASH_QUEUE_SIZE;
		len = min_size(min_size(n, HASH_QUEUE_SIZE - h->queued), HASH_QUEUE_SIZE - tail);
		memcpy(h->ring + tail, p, len);
		h->queued += len;
		p += len;
		n -= len;
		if (h->queued >= HASH_WAKE)
			pthread_cond_signal(&h->more);
	}
	pthread_mutex_unlock(&h->lock);
}

/* Wait until everything fed is hashed, end the thread, write the digest
 * (hex may be NULL: not wanted) and free the hash. */
static void hasher_finish(struct hasher *h, char hex[SHA256_HEX_LEN + 1])
{
	char unused[SHA256_HEX_LEN + 1];

	if (h->threaded) {
		pthread_mutex_lock(&h->lock);
		h->closing = true;
		pthread_cond_signal(&h->more);
		pthread_mutex_unlock(&h->lock);
		pthread_join(h->thread, NULL);
	}
	pthread_cond_destroy(&h->room);
	pthread_cond_destroy(&h->more);
	pthread_mutex_destroy(&h->lock);
	free(h->ring);
	sha256_finish(h->ctx, hex ? hex : unused);
	memset(h, 0, sizeof(*h));
}

/* ------------------------------------------------------------ the .part */

/* Empty the .part and its hash: the file is fetched from byte 0. */
static int part_restart(struct job *j)
{
	if (hasher_started(&j->hash))
		hasher_finish(&j->hash, NULL);
	hasher_start(&j->hash, j->fd);
	j->have = 0;
	j->from_earlier_run = false;
	if (ftruncate(j->fd, 0) < 0 || lseek(j->fd, 0, SEEK_SET) < 0)
		return -errno;
	return 0;
}

/* Open (or create) the .part and hash what an earlier run left in it. */
static int part_open(struct job *j)
{
	const size_t bufsize = 1u << 20;
	_cleanup_free_ char *buf = NULL;
	struct stat st;

	j->fd = open(j->part, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (j->fd < 0)
		return -errno;
	if (fstat(j->fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	hasher_start(&j->hash, j->fd);
	j->have = 0;
	/* Longer than the file can be: not a piece of it. */
	if (j->item->size && (uint64_t)st.st_size > j->item->size)
		return part_restart(j);
	buf = xmalloc(bufsize);
	for (;;) {
		ssize_t n = read(j->fd, buf, bufsize);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		hasher_feed(&j->hash, buf, (size_t)n);
		j->have += (uint64_t)n;
	}
	return 0;
}

/* ------------------------------------------------------------ libcurl callbacks */

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct job *j = userdata;
	size_t n = size * nmemb;
	static const char name[] = "content-range:";
	_cleanup_free_ char *line = NULL;
	unsigned long long from;

	/* A new response (a redirect's target) has its own headers. */
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
		j->content_range_from = -1;
	if (n <= sizeof(name) - 1 || strncasecmp(data, name, sizeof(name) - 1) != 0)
		return n;
	line = xmalloc(n + 1);
	memcpy(line, data, n);
	line[n] = '\0';
	if (sscanf(line + sizeof(name) - 1, " bytes %llu-", &from) == 1)
		j->content_range_from = (int64_t)from;
	return n;
}

/* The first bytes of a body: is it the rest we asked for, or the whole file? */
static bool first_write(struct job *j)
{
	long code = 0;
	int r;

	curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE, &code);
	if (j->range_from == 0)
		return true;
	if (code == 206) {
		if (j->content_range_from != (int64_t)j->range_from) {
			j->bad_range = true;
			return false;
		}
		return true;
	}
	/* A 200: the server ignored the Range. */
	r = part_restart(j);
	if (r < 0) {
		j->write_errno = -r;
		return false;
	}
	j->restarted = true;
	return true;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct job *j = userdata;
	size_t n = size * nmemb;
	int r;

	if (!j->first_write_seen) {
		j->first_write_seen = true;
		if (!first_write(j))
			return 0;
	}
	if (j->item->size && j->have + n > j->item->size) {
		j->oversize = true;
		return 0;
	}
	r = write_all(j->fd, data, n);
	if (r < 0) {
		j->write_errno = -r;
		return 0;
	}
	hasher_feed(&j->hash, data, n);
	j->have += n;
	return n;
}

/* ------------------------------------------------------------ one item */

static long backoff_for(const struct fetch_options *opt, unsigned tries)
{
	long ms = opt->backoff_ms;

	if (ms < 0)
		return 0;
	for (unsigned i = 1; i < tries && ms < FETCH_BACKOFF_MAX_MS; i++)
		ms *= 2;
	return ms < FETCH_BACKOFF_MAX_MS ? ms : FETCH_BACKOFF_MAX_MS;
}

static void job_note(struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void job_note(struct job *j, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	strbuf_addf(&j->err, "%s%s: %s", j->err.len ? "; " : "", j->item->urls[j->mirror],
		    msg ? msg : "(no memory for the message)");
}

/* The item is over: record the result, close and free what it held. */
static void job_finish(struct fetcher *f, struct job *j, int result)
{
	struct fetch_item *it = j->item;

	it->result = result;
	/* The thread may still use the fd. */
	if (hasher_started(&j->hash))
		hasher_finish(&j->hash, NULL);
	if (j->fd >= 0)
		close(j->fd);
	if (result < 0) {
		if (j->part && !(j->keep_part && j->have))
			unlink(j->part);
		free(it->error);
		it->error = j->err.len ? strbuf_detach(&j->err, NULL) : xstrdup(strerror(-result));
		it->url_used = NULL;
		/* The caller reports it->error; said here only with --verbose,
		 * so that a failure reads once. */
		fetch_log(f, LOG_LEVEL_DEBUG, "%s: not fetched: %s", item_name(it), it->error);
	} else {
		f->done_bytes += j->have;
		if (it->url_used)
			fetch_log(f, LOG_LEVEL_INFO, "%s: fetched from %s", item_name(it), it->url_used);
		else
			fetch_log(f, LOG_LEVEL_DEBUG, "%s: already there and verified", item_name(it));
	}
	strbuf_release(&j->err);
	free(j->part);
	memset(j, 0, sizeof(*j));
	j->fd = -1;
	f->done_items++;
}

/* The item's final errno once every mirror was given up. */
static int job_failure(const struct job *j)
{
	if (j->last == MIRROR_STALLED)
		return -ETIMEDOUT;
	if (j->n_bad && !j->n_answered)
		return -EBADMSG;
	return -EHOSTUNREACH;
}

/* Give the current mirror up; the next starts from byte 0 (a .part
 * written from one mirror's copy is no base for another's). */
static void next_mirror(struct fetcher *f, struct job *j, enum mirror_failure why)
{
	int r;

	j->last = why;
	if (why == MIRROR_BAD_BYTES)
		j->n_bad++;
	else if (why != MIRROR_UNREACHED)
		j->n_answered++;
	j->mirror++;
	j->tries = 0;
	if (!j->item->urls[j->mirror]) {
		/* Cut or stalled: what came is good to resume from later. */
		j->keep_part = why == MIRROR_ANSWERED || why == MIRROR_STALLED;
		job_finish(f, j, job_failure(j));
		return;
	}
	r = j->have ? part_restart(j) : 0;
	if (r < 0) {
		job_note(j, "cannot empty %s: %s", j->part, strerror(-r));
		job_finish(f, j, r);
		return;
	}
	fetch_log(f, LOG_LEVEL_DEBUG, "%s: trying the next mirror, %s", item_name(j->item), j->item->urls[j->mirror]);
	j->state = JOB_WAITING;
	j->wake_ms = 0;
}

/* Try the same mirror again after a pause, or the next one when its
 * retries are used up. */
static void retry_or_next(struct fetcher *f, struct job *j, enum mirror_failure why)
{
	long pause;

	if (j->tries > f->opt->retries) {
		next_mirror(f, j, why);
		return;
	}
	pause = backoff_for(f->opt, j->tries);
	fetch_log(f, LOG_LEVEL_DEBUG, "%s: retrying %s from byte %" PRIu64 " in %ld ms", item_name(j->item),
		  j->item->urls[j->mirror], j->have, pause);
	j->state = JOB_WAITING;
	j->wake_ms = now_ms() + pause;
}

/* An item without an expected digest (the data has none) takes what is
 * served; the caller records the digest it computes. */
static bool digest_matches(const char *got, const char *expected)
{
	return !expected || sha256_hex_equal(got, expected);
}

/* Whole and right?  Then into place; otherwise the next mirror. */
static void job_complete(struct fetcher *f, struct job *j)
{
	struct fetch_item *it = j->item;
	char got[SHA256_HEX_LEN + 1];

	hasher_finish(&j->hash, got);
	if (!digest_matches(got, it->sha256) && j->from_earlier_run) {
		/* The start came from an earlier run, maybe from another
		 * mirror's copy: not this mirror's fault.  Once more from 0. */
		int r = part_restart(j);

		fetch_log(f, LOG_LEVEL_DEBUG, "%s: resumed file has sha256 %s, fetching it whole", item_name(it), got);
		if (r < 0) {
			job_note(j, "cannot empty %s: %s", j->part, strerror(-r));
			job_finish(f, j, r);
			return;
		}
		j->state = JOB_WAITING;
		j->wake_ms = 0;
		return;
	}
	if (!digest_matches(got, it->sha256)) {
		job_note(j, "served %" PRIu64 " bytes with sha256 %s, expected %s", j->have, got, it->sha256);
		hasher_start(&j->hash, j->fd);
		next_mirror(f, j, MIRROR_BAD_BYTES);
		return;
	}
	if (fsync(j->fd) < 0 || rename(j->part, it->dest) < 0) {
		int r = -errno;

		job_note(j, "cannot put %s in place: %s", it->dest, strerror(errno));
		job_finish(f, j, r);
		return;
	}
	/* The .part is the file now: nothing to remove. */
	free(j->part);
	j->part = NULL;
	it->url_used = it->urls[j->mirror];
	job_finish(f, j, 0);
}

static void job_transfer_done(struct fetcher *f, struct job *j, CURLcode rc)
{
	struct fetch_item *it = j->item;
	long code = 0;

	curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE, &code);
	curl_multi_remove_handle(f->multi, j->h);
	f->idle[f->n_idle++] = j->h;
	j->h = NULL;
	if (j->restarted)
		it->resumed_from = 0;

	if (j->write_errno) {
		job_note(j, "cannot write %s: %s", j->part, strerror(j->write_errno));
		job_finish(f, j, -j->write_errno);
		return;
	}
	if (j->oversize) {
		job_note(j, "served more than the expected %" PRIu64 " bytes", it->size);
		next_mirror(f, j, MIRROR_BAD_BYTES);
		return;
	}
	if (j->bad_range) {
		int r = part_restart(j);

		job_note(j, "answered a request for bytes %" PRIu64 "- with other bytes", j->range_from);
		if (r < 0) {
			job_finish(f, j, r);
			return;
		}
		retry_or_next(f, j, MIRROR_ANSWERED);
		return;
	}
	switch (rc) {
	case CURLE_OK:
		if (it->size && j->have < it->size) {
			job_note(j, "ended after %" PRIu64 " of %" PRIu64 " bytes", j->have, it->size);
			retry_or_next(f, j, MIRROR_ANSWERED);
			return;
		}
		job_complete(f, j);
		return;
	case CURLE_HTTP_RETURNED_ERROR:
		if (code == 416) {
			/* Nothing after our bytes: the .part is the whole file,
			 * or not a piece of this one. */
			int r;

			if (j->have && (!it->size || j->have == it->size)) {
				job_complete(f, j);
				return;
			}
			r = part_restart(j);
			job_note(j, "HTTP 416 for bytes %" PRIu64 "-", j->range_from);
			if (r < 0) {
				job_finish(f, j, r);
				return;
			}
			retry_or_next(f, j, MIRROR_ANSWERED);
			return;
		}
		job_note(j, "HTTP %ld", code);
		if (code == 429 || code >= 500)
			retry_or_next(f, j, MIRROR_ANSWERED);
		else
			next_mirror(f, j, MIRROR_ANSWERED);
		return;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
		job_note(j, "%s", j->errbuf[0] ? j->errbuf : curl_easy_strerror(rc));
		retry_or_next(f, j, MIRROR_ANSWERED);
		return;
	case CURLE_OPERATION_TIMEDOUT:
		job_note(j, "%s", j->errbuf[0] ? j->errbuf : curl_easy_strerror(rc));
		retry_or_next(f, j, MIRROR_STALLED);
		return;
	default:
		job_note(j, "%s", j->errbuf[0] ? j->errbuf : curl_easy_strerror(rc));
		next_mirror(f, j, MIRROR_UNREACHED);
		return;
	}
}

/* Start the item's next transfer on a free handle. */
static void job_start_transfer(struct fetcher *f, struct job *j)
{
	const struct fetch_options *o = f->opt;
	const char *url = j->item->urls[j->mirror];
	CURL *h = f->idle[--f->n_idle];
	char range[32];

	http_handle_setup(h, url, o->connect_timeout_ms, NULL, j->errbuf);
	/* A large file on a slow link: no bound on the whole transfer, only
	 * on the connection and on a stall. */
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 0L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, o->low_speed_bytes);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, o->low_speed_time_s);
	curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, FETCH_BUFFER_SIZE);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, j);
	curl_easy_setopt(h, CURLOPT_PRIVATE, j);
	j->range_from = j->have;
	if (j->have) {
		snprintf(range, sizeof(range), "%" PRIu64 "-", j->have);
		curl_easy_setopt(h, CURLOPT_RANGE, range);
	}
	j->content_range_from = -1;
	j->first_write_seen = j->restarted = j->bad_range = j->oversize = false;
	j->write_errno = 0;
	j->h = h;
	j->tries++;
	j->item->attempts++;
	fetch_log(f, LOG_LEVEL_DEBUG, "%s: GET %s%s%s", item_name(j->item), url, j->have ? " from byte " : "",
		  j->have ? range : "");
	if (curl_multi_add_handle(f->multi, h) != CURLM_OK) {
		f->idle[f->n_idle++] = h;
		j->h = NULL;
		job_note(j, "libcurl cannot start the transfer");
		job_finish(f, j, -ENOMEM);
		return;
	}
	j->state = JOB_RUNNING;
}

/* Is dest already the file? */
static bool dest_verified(const struct fetch_item *it)
{
	char got[SHA256_HEX_LEN + 1];
	struct stat st;

	if (stat(it->dest, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	if (it->size && (uint64_t)st.st_size != it->size)
		return false;
	return sha256_file(it->dest, got) == 0 && digest_matches(got, it->sha256);
}

/* Take item into slot j: done at once when dest is already right, else
 * its .part opened and hashed and the first transfer due now. */
static void job_begin(struct fetcher *f, struct job *j, struct fetch_item *it)
{
	int r;

	memset(j, 0, sizeof(*j));
	j->fd = -1;
	j->item = it;
	strbuf_init(&j->err);
	it->result = 0;
	it->attempts = 0;
	it->resumed_from = 0;
	it->url_used = NULL;
	free(it->error);
	it->error = NULL;
	if (dest_verified(it)) {
		uint64_t size = it->size;

		job_finish(f, j, 0);
		f->done_bytes += size;
		f->start_bytes += size;
		return;
	}
	if (!it->urls || !it->urls[0]) {
		strbuf_addf(&j->err, "no URL to fetch %s from", it->dest);
		job_finish(f, j, -EHOSTUNREACH);
		return;
	}
	j->part = xasprintf("%s.part", it->dest);
	r = part_open(j);
	if (r < 0) {
		strbuf_addf(&j->err, "cannot open %s: %s", j->part, strerror(-r));
		/* Not ours to remove when it could not be opened as a plain file. */
		if (j->fd < 0 || r == -EINVAL) {
			free(j->part);
			j->part = NULL;
		}
		job_finish(f, j, r);
		return;
	}
	it->resumed_from = j->have;
	j->from_earlier_run = j->have > 0;
	f->start_bytes += j->have;
	if (j->have)
		fetch_log(f, LOG_LEVEL_DEBUG, "%s: resuming %s at byte %" PRIu64, item_name(it), j->part, j->have);
	/* A .part as long as the file is checked before anything is asked. */
	if (it->size && j->have == it->size) {
		char got[SHA256_HEX_LEN + 1];

		hasher_finish(&j->hash, got);
		if (digest_matches(got, it->sha256) && fsync(j->fd) == 0 && rename(j->part, it->dest) == 0) {
			free(j->part);
			j->part = NULL;
			job_finish(f, j, 0);
			return;
		}
		r = part_restart(j);
		if (r < 0) {
			job_finish(f, j, r);
			return;
		}
		it->resumed_from = 0;
	}
	j->state = JOB_WAITING;
	j->wake_ms = 0;
}

/* ------------------------------------------------------------ the loop */

static void fill_slots(struct fetcher *f)
{
	for (unsigned i = 0; i < f->opt->parallel && f->next_item < f->n_items; i++)
		while (!f->jobs[i].item && f->next_item < f->n_items)
			job_begin(f, &f->jobs[i], &f->items[f->next_item++]);
}

/* Start the transfers whose pause is over. */
static void start_due(struct fetcher *f)
{
	int64_t t = now_ms();

	for (unsigned i = 0; i < f->opt->parallel; i++) {
		struct job *j = &f->jobs[i];

		if (j->item && j->state == JOB_WAITING && j->wake_ms <= t)
			job_start_transfer(f, j);
	}
}

/* How long the poll may sleep: until the next pause ends or the bar is
 * due, and never long (libcurl's own timers wake the poll too, but a
 * bounded sleep costs nothing). */
static int poll_timeout(const struct fetcher *f)
{
	int64_t t = now_ms(), next = t + 1000;

	for (unsigned i = 0; i < f->opt->parallel; i++) {
		const struct job *j = &f->jobs[i];

		if (j->item && j->state == JOB_WAITING && j->wake_ms < next)
			next = j->wake_ms;
	}
	if (f->opt->progress && next > t + PROGRESS_INTERVAL_MS)
		next = t + PROGRESS_INTERVAL_MS;
	return next > t ? (int)(next - t) : 0;
}

static bool busy(const struct fetcher *f)
{
	if (f->next_item < f->n_items)
		return true;
	for (unsigned i = 0; i < f->opt->parallel; i++)
		if (f->jobs[i].item)
			return true;
	return false;
}

static int run_loop(struct fetcher *f)
{
	fill_slots(f);
	while (busy(f)) {
		int running = 0, pending, timeout;
		CURLMsg *msg;

		start_due(f);
		if (curl_multi_perform(f->multi, &running) != CURLM_OK)
			return -ENOMEM;
		while ((msg = curl_multi_info_read(f->multi, &pending))) {
			struct job *j = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
			job_transfer_done(f, j, msg->data.result);
		}
		fill_slots(f);
		progress_draw(f, false);
		if (!busy(f))
			break;
		/* Ctrl-C in the main job: stop now, each .part kept to resume. */
		if (interrupt_pending())
			return -EINTR;
		timeout = poll_timeout(f);
		/* A retry without a pause, or a slot just filled: start it now. */
		if (timeout == 0)
			continue;
		if (curl_multi_poll(f->multi, NULL, 0, timeout, NULL) != CURLM_OK)
			return -ENOMEM;
	}
	return 0;
}

/* Abandon what is in flight (libcurl failed under us): each such item
 * fails, its .part kept for the next run. */
static void abandon_all(struct fetcher *f, int r)
{
	for (unsigned i = 0; i < f->opt->parallel; i++) {
		struct job *j = &f->jobs[i];

		if (!j->item)
			continue;
		if (j->h) {
			curl_multi_remove_handle(f->multi, j->h);
			f->idle[f->n_idle++] = j->h;
			j->h = NULL;
		}
		job_note(j, r == -EINTR ? "interrupted, %s: the .part is kept to resume from" : "libcurl failed: %s",
			 strerror(-r));
		j->keep_part = true;
		job_finish(f, j, r);
	}
	while (f->next_item < f->n_items) {
		struct fetch_item *it = &f->items[f->next_item++];

		it->result = r;
		free(it->error);
		it->error = r == -EINTR ? xstrdup("not started: interrupted")
					: xasprintf("not started: libcurl failed: %s", strerror(-r));
	}
}

int fetch_all(struct fetch_item *items, size_t n, const struct fetch_options *opt)
{
	struct fetch_options o = opt ? *opt : (struct fetch_options){ 0 };
	struct fetcher f = { .opt = &o, .items = items, .n_items = n };
	int r = 0, failed = 0;

	if (!o.parallel)
		o.parallel = FETCH_DEFAULT_PARALLEL;
	if (!o.retries)
		o.retries = FETCH_DEFAULT_RETRIES;
	if (!o.backoff_ms)
		o.backoff_ms = FETCH_DEFAULT_BACKOFF_MS;
	if (!o.connect_timeout_ms)
		o.connect_timeout_ms = FETCH_DEFAULT_CONNECT_TIMEOUT_MS;
	if (!o.low_speed_bytes)
		o.low_speed_bytes = FETCH_DEFAULT_LOW_SPEED;
	if (!o.low_speed_time_s)
		o.low_speed_time_s = FETCH_DEFAULT_LOW_SPEED_TIME;
	if (n == 0)
		return 0;
	if (o.parallel > n)
		o.parallel = (unsigned)n;

	r = http_global_init();
	if (r < 0)
		return -ENOSYS;
	f.multi = curl_multi_init();
	if (!f.multi)
		return -ENOSYS;
	f.idle = xcalloc(o.parallel, sizeof(*f.idle));
	for (unsigned i = 0; i < o.parallel; i++) {
		CURL *h = curl_easy_init();

		if (!h) {
			r = -ENOMEM;
			goto out;
		}
		f.idle[f.n_idle++] = h;
	}
	f.jobs = xcalloc(o.parallel, sizeof(*f.jobs));
	for (unsigned i = 0; i < o.parallel; i++)
		f.jobs[i].fd = -1;
	for (size_t i = 0; i < n; i++)
		f.total_bytes += items[i].size;
	f.start_ms = now_ms();

	r = run_loop(&f);
	if (r < 0)
		abandon_all(&f, r);
	if (o.progress) {
		/* The last state stays on the screen. */
		progress_draw(&f, true);
		fputc('\n', stderr);
	}
	for (size_t i = 0; i < n; i++)
		if (items[i].result < 0)
			failed++;
	r = failed;
out:
	for (size_t i = 0; i < f.n_idle; i++)
		curl_easy_cleanup(f.idle[i]);
	free(f.idle);
	free(f.jobs);
	curl_multi_cleanup(f.multi);
	return r;
}

void fetch_items_release(struct fetch_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].error);
		items[i].error = NULL;
	}
}
