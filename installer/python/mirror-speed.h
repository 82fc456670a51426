/*
 * mirror-speed.h - `gpu-setup mirror --speedtest`: fetch a small file from
 * every candidate mirror at once (libcurl's multi interface), each bounded
 * in time and bytes, and rank the mirrors that answered by how fast the
 * whole fetch finished.
 */
#ifndef GS_MIRROR_SPEED_H
#define GS_MIRROR_SPEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct speed_result {
	const char *name;       /* the candidate's name (not copied) */
	const char *url;        /* the URL fetched (not copied) */
	bool ok;                /* answered 2xx and the body arrived in time */
	long http_code;         /* 0 when no answer */
	double seconds;         /* time to the last byte (or until it gave up) */
	double bytes_per_s;     /* transfer rate of the body */
	size_t bytes;           /* body bytes received (at most the byte bound) */
	char error[128];        /* why not ok: "timed out after 5.0 s", "HTTP 404", curl's words */
};

/* Fetch urls[i] (named names[i]) for i < n, all at once, each at most
 * timeout_ms and max_bytes (a longer body is cut there and counts as
 * complete).  Fills res[0..n-1] in the input order.  Returns the index of
 * the fastest that answered, or -1 when none did. */
int mirror_speedtest(const char *const names[], const char *const urls[], size_t n, long timeout_ms,
		     size_t max_bytes, struct speed_result res[]);

/* The table the command prints: one row per candidate, fastest first,
 * failures last with their reason, the chosen one marked. */
void mirror_speed_print(const struct speed_result res[], size_t n, int best, FILE *out);

#endif
