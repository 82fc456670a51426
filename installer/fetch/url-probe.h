/*
 * url-probe.h - is a mirror there?  One HTTP(S) request with libcurl,
 * bounded in time, that reads no more than the first bytes of the answer.
 */
#ifndef GS_URL_PROBE_H
#define GS_URL_PROBE_H

#include "strbuf.h"

struct url_probe_result {
	long http_code;    /* the last response's status (after redirects) */
	long elapsed_ms;   /* the whole request, redirects included */
};

/* HEAD url, following redirects; when the server refuses HEAD (a status
 * of 400 or more), GET it and stop after the first bytes of the body.
 * Both the connection and the whole request are bounded by timeout_ms.
 * Proxies are what libcurl takes from the environment (http_proxy,
 * https_proxy, no_proxy), nothing more.
 *
 * Returns 0 with *ret filled when the server answered below 400;
 * -EHOSTUNREACH when no answer came (refused, timed out, name unknown,
 * TLS), -EIO for a status of 400 or more (*ret filled then too); err says
 * which: for no answer, gpu-setup's words for the kind of failure (the same
 * with every libcurl) and curl's message in parentheses. */
int url_probe(const char *url, long timeout_ms, struct url_probe_result *ret, struct strbuf *err);

#endif
