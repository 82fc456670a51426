/*
 * fetch.h - many checked downloads at once, the engine of `gpu-setup
 * fetch` (libcurl's multi interface).
 *
 * Each item has a list of mirrors tried in order and the sha256 (and,
 * when known, the size) its file must have.  Bytes go to DEST.part while
 * they are hashed; DEST appears (rename) only when the whole file has the
 * expected sha256, so a cache never holds a file that was not checked.
 *
 * A .part left by an earlier, interrupted run is resumed: its bytes are
 * hashed first and the transfer asks for the rest (Range).  A server that
 * answers 200 instead of 206 starts the file over.  A transfer that is cut
 * or stalls (fewer than low_speed_bytes a second for low_speed_time_s) is
 * retried from where it stopped, after a pause that doubles each time
 * (backoff_ms, 2*backoff_ms, ...), at most `retries` times per mirror;
 * a mirror that refuses the connection, answers 4xx, or runs out of
 * retries hands over to the next one.  A file whose sha256 is wrong is
 * thrown away (the .part too) and fetched whole from the next mirror.
 * An item that fails leaves no .part, except when its last mirror cut or
 * stalled the transfer: those bytes are resumed by the next run.
 */
#ifndef GS_FETCH_H
#define GS_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

#define FETCH_DEFAULT_PARALLEL 4
#define FETCH_DEFAULT_RETRIES 3
#define FETCH_DEFAULT_BACKOFF_MS 1000L
#define FETCH_DEFAULT_CONNECT_TIMEOUT_MS 30000L
#define FETCH_DEFAULT_LOW_SPEED 1024L
#define FETCH_DEFAULT_LOW_SPEED_TIME 60L

struct fetch_item {
	/* In: */
	const char *const *urls;   /* NULL-terminated mirror list, tried in order */
	const char *dest;          /* final path (its directory exists); bytes go to dest.part */
	const char *sha256;        /* expected digest, lowercase hex; NULL: unknown (the data has
				      none), whatever is served is taken */
	uint64_t size;             /* expected size in bytes, 0: unknown */
	const char *label;         /* short name for progress and messages */
	/* Out: */
	int result;                /* 0, or a negative errno: -EBADMSG (every mirror that
				      answered served other bytes), -EHOSTUNREACH (no mirror gave
				      the file), -ETIMEDOUT (the last one stalled), or the errno of
				      a failed write (-ENOSPC ...) */
	char *error;               /* malloc'ed: what went wrong, mirror by mirror; NULL on success */
	const char *url_used;      /* the mirror that gave the file (one of urls), NULL on failure
				      and when dest (or a complete .part) was already the file */
	unsigned attempts;         /* transfers started, over all mirrors */
	uint64_t resumed_from;     /* bytes of an existing .part kept (0: started from scratch) */
};

struct fetch_options {
	unsigned parallel;          /* transfers at once; 0: FETCH_DEFAULT_PARALLEL */
	unsigned retries;           /* per mirror after the first try; 0: FETCH_DEFAULT_RETRIES */
	long backoff_ms;            /* first pause before a retry, doubled each time; 0: default;
				       < 0: no pause (tests) */
	long connect_timeout_ms;    /* 0: default */
	long low_speed_bytes;       /* 0: default */
	long low_speed_time_s;      /* 0: default */
	bool progress;              /* draw a progress bar on stderr (the caller checks isatty) */
};

/* Fetch every item, at most opt->parallel at once (opt NULL: defaults).
 * An item whose dest already exists with the expected sha256 (and size)
 * is not downloaded again (result 0, attempts 0).  Every item gets its
 * result; a failure of one does not stop the others.  Returns the number
 * of items that failed (0: all there and verified), or a negative errno
 * when nothing could start (libcurl missing: -ENOSYS; -ENOMEM). */
int fetch_all(struct fetch_item *items, size_t n, const struct fetch_options *opt);

/* Free what fetch_all put in items (error). */
void fetch_items_release(struct fetch_item *items, size_t n);

#endif
