/*
 * disk-writer.c - a writer thread for archive_write_disk, fed through a
 * ring of buffers: the caller's thread fills a slot (coalescing
 * libarchive's small blocks into one write), the writer writes and hashes
 * it, then hands the slot back.  One producer, one consumer, one lock.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>

#include <archive.h>

#include "disk-writer.h"
#include "util.h"

#define NSLOTS 8
#define SLOT_SIZE (DISK_WRITER_MEMORY / NSLOTS)

enum job_kind { JOB_BEGIN, JOB_DATA, JOB_END };

struct job {
	enum job_kind kind;
	struct archive_entry *entry;   /* BEGIN: a clone, freed by the writer */
	size_t index;                  /* BEGIN */
	bool hash;                     /* BEGIN */
	int64_t offset;                /* DATA */
	size_t len;                    /* DATA */
	char *buf;                     /* the slot's own SLOT_SIZE buffer */
};

struct disk_writer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;        /* a slot was filled or handed back, or stop */
	struct job slot[NSLOTS];
	size_t head, tail, count;      /* the caller fills head, the writer takes tail */
	bool stop;                     /* no more jobs: drain and exit */
	int r;                         /* the writer's first error; its message in why */

	/* The caller's side. */
	struct job *open;              /* a DATA slot being filled, not yet handed over */

	/* The writer's side. */
	struct strbuf why;
	struct archive *disk;
	struct sha256_ctx *sha;        /* the current entry's, when hashed */
	uint64_t at;                   /* end of the data hashed so far */
	int64_t size;                  /* the current entry's size, -1 unknown */
	size_t index;
	char *path;                    /* the current entry's, for messages */
	char (*digests)[SHA256_HEX_LEN + 1];
	size_t ndigests;
};

/* ---------------------------------------------------------------- the writer */

static void writer_fail(struct disk_writer *w, int r, const char *what)
{
	const char *msg = archive_error_string(w->disk);

	strbuf_addf(&w->why, "cannot %s '%s': %s", what, w->path ? w->path : "?", msg ? msg : strerror(-r));
	pthread_mutex_lock(&w->lock);
	w->r = r;
	pthread_mutex_unlock(&w->lock);
}

static int disk_errno(struct disk_writer *w)
{
	int e = archive_errno(w->disk);

	return e > 0 ? -e : -EIO;
}

static void hash_zeros(struct sha256_ctx *c, uint64_t n)
{
	static const char zeros[65536];

	while (n > 0) {
		size_t k = n < sizeof(zeros) ? (size_t)n : sizeof(zeros);

		sha256_update(c, zeros, k);
		n -= k;
	}
}

static void end_entry(struct disk_writer *w)
{
	if (w->sha) {
		if (w->size > 0 && (uint64_t)w->size > w->at)
			hash_zeros(w->sha, (uint64_t)w->size - w->at);   /* a trailing hole */
		if (w->index >= w->ndigests) {
			w->digests = xrealloc(w->digests, (w->index + 1) * sizeof(*w->digests));
			memset(w->digests + w->ndigests, 0, (w->index + 1 - w->ndigests) * sizeof(*w->digests));
			w->ndigests = w->index + 1;
		}
		sha256_finish(w->sha, w->digests[w->index]);
		w->sha = NULL;
	}
}

/* Returns false on the first failure (w->r is set then). */
static bool run_job(struct disk_writer *w, struct job *j)
{
	switch (j->kind) {
	case JOB_BEGIN:
		free(w->path);
		w->path = xstrdup(archive_entry_pathname(j->entry) ? archive_entry_pathname(j->entry) : "?");
		if (archive_write_header(w->disk, j->entry) < ARCHIVE_OK) {
			writer_fail(w, disk_errno(w), "create");
			return false;
		}
		w->at = 0;
		w->size = archive_entry_size_is_set(j->entry) ? archive_entry_size(j->entry) : -1;
		w->index = j->index;
		if (j->hash)
			w->sha = sha256_new();
		return true;
	case JOB_DATA:
		if (w->sha) {
			if ((uint64_t)j->offset > w->at)
				hash_zeros(w->sha, (uint64_t)j->offset - w->at);   /* a hole */
			sha256_update(w->sha, j->buf, j->len);
		}
		if (archive_write_data_block(w->disk, j->buf, j->len, j->offset) < ARCHIVE_OK) {
			writer_fail(w, disk_errno(w), "write");
			return false;
		}
		w->at = (uint64_t)j->offset + j->len;
		return true;
	case JOB_END:
		end_entry(w);
		if (archive_write_finish_entry(w->disk) < ARCHIVE_OK) {
			writer_fail(w, disk_errno(w), "finish");
			return false;
		}
		return true;
	}
	return true;
}

static void *writer_main(void *data)
{
	struct disk_writer *w = data;
	bool failed = false;

	for (;;) {
		struct job *j;

		pthread_mutex_lock(&w->lock);
		while (w->count == 0 && !w->stop)
			pthread_cond_wait(&w->changed, &w->lock);
		if (w->count == 0) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		j = &w->slot[w->tail];
		pthread_mutex_unlock(&w->lock);

		/* After a failure the jobs are only drained, so the caller
		 * never waits on a full ring. */
		if (!failed)
			failed = !run_job(w, j);
		if (j->kind == JOB_BEGIN) {
			archive_entry_free(j->entry);
			j->entry = NULL;
		}

		pthread_mutex_lock(&w->lock);
		w->tail = (w->tail + 1) % NSLOTS;
		w->count--;
		pthread_cond_broadcast(&w->changed);
		pthread_mutex_unlock(&w->lock);
	}
	return NULL;
}

/* ---------------------------------------------------------------- the caller */

int disk_writer_start(int flags, struct disk_writer **ret)
{
	struct disk_writer *w = xcalloc(1, sizeof(*w));
	int r;

	w->disk = archive_write_disk_new();
	if (!w->disk || archive_write_disk_set_options(w->disk, flags) != ARCHIVE_OK) {
		if (w->disk)
			archive_write_free(w->disk);
		free(w);
		return -ENOMEM;
	}
	for (size_t i = 0; i < NSLOTS; i++)
		w->slot[i].buf = xmalloc(SLOT_SIZE);
	strbuf_init(&w->why);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->changed, NULL);
	r = pthread_create(&w->thread, NULL, writer_main, w);
	if (r != 0) {
		for (size_t i = 0; i < NSLOTS; i++)
			free(w->slot[i].buf);
		strbuf_release(&w->why);
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->changed);
		archive_write_free(w->disk);
		free(w);
		return -r;
	}
	*ret = w;
	return 0;
}

/* A free slot at head (not yet the writer's), or the writer's error. */
static int reserve(struct disk_writer *w, struct job **ret)
{
	int r;

	pthread_mutex_lock(&w->lock);
	while (w->count == NSLOTS && w->r == 0)
		pthread_cond_wait(&w->changed, &w->lock);
	r = w->r;
	pthread_mutex_unlock(&w->lock);
	if (r < 0)
		return r;
	*ret = &w->slot[w->head];
	return 0;
}

static void publish(struct disk_writer *w)
{
	pthread_mutex_lock(&w->lock);
	w->head = (w->head + 1) % NSLOTS;
	w->count++;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
}

static void flush_open(struct disk_writer *w)
{
	if (w->open) {
		w->open = NULL;
		publish(w);
	}
}

static int queue(struct disk_writer *w, enum job_kind kind, struct archive_entry *e, size_t index, bool hash)
{
	struct job *j;
	int r;

	flush_open(w);
	r = reserve(w, &j);
	if (r < 0)
		return r;
	j->kind = kind;
	j->entry = e ? archive_entry_clone(e) : NULL;
	j->index = index;
	j->hash = hash;
	publish(w);
	return 0;
}

int disk_writer_begin(struct disk_writer *w, struct archive_entry *e, size_t index, bool hash)
{
	return queue(w, JOB_BEGIN, e, index, hash);
}

int disk_writer_end(struct disk_writer *w)
{
	return queue(w, JOB_END, NULL, 0, false);
}

int disk_writer_data(struct disk_writer *w, const void *buf, size_t len, int64_t offset)
{
	const char *p = buf;
	int r;

	while (len > 0) {
		struct job *j = w->open;
		size_t k;

		/* Append to the open slot when this block continues it. */
		if (j && (offset != j->offset + (int64_t)j->len || j->len == SLOT_SIZE)) {
			flush_open(w);
			j = NULL;
		}
		if (!j) {
			r = reserve(w, &j);
			if (r < 0)
				return r;
			j->kind = JOB_DATA;
			j->offset = offset;
			j->len = 0;
			w->open = j;
		}
		k = SLOT_SIZE - j->len < len ? SLOT_SIZE - j->len : len;
		memcpy(j->buf + j->len, p, k);
		j->len += k;
		p += k;
		len -= k;
		offset += (int64_t)k;
	}
	return 0;
}

int disk_writer_finish(struct disk_writer *w, char (**ret_digests)[SHA256_HEX_LEN + 1], size_t *ret_n,
		       struct strbuf *err)
{
	int r;

	/* A slot filled after a failure is dropped, not handed over. */
	pthread_mutex_lock(&w->lock);
	r = w->r;
	pthread_mutex_unlock(&w->lock);
	if (r == 0)
		flush_open(w);
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);

	r = w->r;
	if (r == 0 && archive_write_close(w->disk) != ARCHIVE_OK) {
		r = disk_errno(w);
		strbuf_addf(&w->why, "cannot finish writing: %s",
			    archive_error_string(w->disk) ? archive_error_string(w->disk) : strerror(-r));
	}
	if (r < 0) {
		if (err)
			strbuf_adds(err, w->why.buf);
	} else {
		*ret_digests = TAKE_PTR(w->digests);
		*ret_n = w->ndigests;
	}
	if (w->sha) {
		char ignored[SHA256_HEX_LEN + 1];

		sha256_finish(w->sha, ignored);
	}
	for (size_t i = 0; i < NSLOTS; i++) {
		if (w->slot[i].entry)
			archive_entry_free(w->slot[i].entry);
		free(w->slot[i].buf);
	}
	free(w->digests);
	free(w->path);
	strbuf_release(&w->why);
	archive_write_free(w->disk);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->changed);
	free(w);
	return r;
}
