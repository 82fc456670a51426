/*
 * download.h - fetch a file over HTTP(S) with libcurl into a place where
 * only a complete, checked file ever appears: the bytes go to NAME.part
 * while they are hashed, and NAME is made (rename) only when the sha256 is
 * the expected one.  A failed or refused download leaves nothing behind.
 */
#ifndef GS_DOWNLOAD_H
#define GS_DOWNLOAD_H

#include "sha256.h"
#include "strbuf.h"

/* Stall guard instead of a total time limit (an installer is large and a
 * link may be slow): give up on a connection not made in
 * DOWNLOAD_CONNECT_TIMEOUT_MS, or a transfer that moves fewer than
 * DOWNLOAD_LOW_SPEED bytes a second for DOWNLOAD_LOW_SPEED_TIME seconds.
 * The other rules are every handle's (http-setup.h). */
#define DOWNLOAD_CONNECT_TIMEOUT_MS 30000L
#define DOWNLOAD_LOW_SPEED 1024L
#define DOWNLOAD_LOW_SPEED_TIME 60L

/* Fetch the first of urls (NULL-terminated) that answers with the whole
 * file into dest (a real path; its directory must exist).  expected: the
 * sha256 the file must have (NULL: unknown; the file is kept and its
 * digest reported).  A URL that fails (network, HTTP error) is followed by
 * the next, and so is one that serves a file with another sha256 (a
 * stale or broken mirror: the next URL, the vendor's own last, may have
 * the right one).  hex gets the digest.
 * Returns 0, -EBADMSG (the last URL tried served other bytes),
 * -EHOSTUNREACH (no URL gave the file; each reason in err) or another
 * negative errno (the file could not be written). */
int download_verified(const char *const urls[], const char *dest, const char *expected,
		      char hex[SHA256_HEX_LEN + 1], struct strbuf *err);

#endif
