/*
 * http-setup.h - what every libcurl transfer in gpu-setup has in common:
 * the library started once per process, and the same rules on each handle
 * (HTTP and HTTPS only, redirects included; a few redirects followed; the
 * connection and the whole transfer bounded in time; named gpu-setup/VERSION).
 */
#ifndef GS_HTTP_SETUP_H
#define GS_HTTP_SETUP_H

#include <curl/curl.h>

/* How many redirects a transfer follows before it gives up: enough for a
 * mirror that sends http to https and then to a closer host. */
#define HTTP_MAX_REDIRECTS 5L

/* curl_global_init, the first time only (gpu-setup starts no threads, so
 * a flag is enough); curl_global_cleanup runs at exit.  Returns 0, or
 * -ENOMEM when libcurl could not start. */
int http_global_init(void);

/* Reset h and give it the shared rules for fetching url: connection and
 * whole transfer each at most timeout_ms, no signals, HTTP and HTTPS only
 * (before and after redirects), at most HTTP_MAX_REDIRECTS redirects
 * followed, the User-Agent "gpu-setup/VERSION" with " (agent_note)" after
 * it when agent_note is not NULL, and curl's words for a failure in errbuf
 * (CURL_ERROR_SIZE bytes, emptied here). */
void http_handle_setup(CURL *h, const char *url, long timeout_ms, const char *agent_note, char *errbuf);
/* gpu-setup's words for a failed transfer ("no connection", "no answer in
 * time", ...): libcurl's own message for one failure changes between its
 * releases. */
const char *http_failure_kind(CURLcode rc);

#endif
