/*
 * http-setup.c - libcurl started once, and the rules every handle shares
 * (see http-setup.h).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "http-setup.h"

int http_global_init(void)
{
	static bool started;

	if (started)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -ENOMEM;
	started = true;
	/* Frees what libcurl and its TLS library keep for the process, so a
	 * leak checker sees only our own leaks. */
	atexit(curl_global_cleanup);
	return 0;
}

/* libcurl 7.85 replaced the protocol bit masks with a list in a string
 * and deprecated the masks; Debian 11 ships 7.74, which knows only the
 * masks. */
static void allow_http_only(CURL *h)
{
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
}

void http_handle_setup(CURL *h, const char *url, long timeout_ms, const char *agent_note, char *errbuf)
{
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	allow_http_only(h);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, HTTP_MAX_REDIRECTS);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	/* No SIGALRM for name lookups: the timeouts must not touch the
	 * program's signal handling. */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (agent_note) {
		char agent[128];

		snprintf(agent, sizeof(agent), "%s/%s (%s)", PACKAGE_NAME, PACKAGE_VERSION, agent_note);
		curl_easy_setopt(h, CURLOPT_USERAGENT, agent);
	} else {
		curl_easy_setopt(h, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	}
	errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
}

/* What went wrong, in words of our own: libcurl's message for the same
 * failure changes between releases ("Couldn't connect to server" in 7.88,
 * "Failed to connect" in 7.74, "Could not connect to server" in 8.9), and
 * doctor's readers and tests need one that does not. */
const char *http_failure_kind(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST: return "the host name does not resolve";
	case CURLE_COULDNT_RESOLVE_PROXY: return "the proxy's name does not resolve";
	case CURLE_COULDNT_CONNECT: return "no connection";
	case CURLE_OPERATION_TIMEDOUT: return "no answer in time";
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE: return "the TLS handshake failed";
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR: return "the connection broke";
	default: return "the request failed";
	}
}
