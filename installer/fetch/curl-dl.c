/*
 * curl-dl.c - libcurl, loaded the first time gpu-setup makes an HTTP
 * request instead of at every start.
 *
 * Linked the usual way, libcurl brings some 40 shared objects (TLS,
 * Kerberos, LDAP, SSH, IDN...) whose loading and constructors cost more
 * than everything `gpu-setup detect` does on a small machine; only
 * `doctor --online`, `mirror --speedtest` and a download need them.  So
 * the program is linked without libcurl and this file defines the libcurl
 * functions gpu-setup calls, each forwarding to the real one found with
 * dlopen/dlsym on first use.  The code that uses libcurl is written
 * against <curl/curl.h> as usual.
 *
 * When libcurl cannot be loaded, the functions fail the way libcurl
 * reports a failure (NULL handle, CURLE_FAILED_INIT), the callers' error
 * paths say the transfer could not start, and the reason is logged.
 */
#include "config.h"

/* Our definitions of curl_easy_setopt and curl_easy_getinfo must not be
 * rewritten by libcurl's type-checking macros. */
#define CURL_DISABLE_TYPECHECK 1

#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>

#include <curl/curl.h>

#include "log.h"

/* libcurl 7.68 (Ubuntu 20.04) predates blob options. */
#ifndef CURLOPTTYPE_BLOB
#define CURLOPTTYPE_BLOB 40000
#endif

/* The OpenSSL build's soname, then the GnuTLS build's (Debian and Ubuntu
 * ship both; the -dev package chosen at build time decides which one a
 * machine has). */
static const char *const sonames[] = { "libcurl.so.4", "libcurl-gnutls.so.4" };

static void *curl_dl_symbol(const char *name)
{
	static void *lib;
	static bool tried;
	void *p;

	if (!tried) {
		tried = true;
		for (size_t i = 0; !lib && i < sizeof(sonames) / sizeof(sonames[0]); i++)
			lib = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
		if (!lib)
			log_error("cannot load libcurl (%s): HTTP requests are not possible; install libcurl4", dlerror());
	}
	if (!lib)
		return NULL;
	p = dlsym(lib, name);
	if (!p)
		log_error("libcurl has no %s: %s", name, dlerror());
	return p;
}

/* The real function named like the one it is used in, looked up once. */
#define REAL(name)                                                                 \
	static __typeof__(&name) real_;                                            \
	if (!real_)                                                                \
		real_ = (__typeof__(&name))curl_dl_symbol(#name)

CURLcode curl_global_init(long flags)
{
	REAL(curl_global_init);
	return real_ ? real_(flags) : CURLE_FAILED_INIT;
}

void curl_global_cleanup(void)
{
	REAL(curl_global_cleanup);
	if (real_)
		real_();
}

CURL *curl_easy_init(void)
{
	REAL(curl_easy_init);
	return real_ ? real_() : NULL;
}

void curl_easy_cleanup(CURL *h)
{
	REAL(curl_easy_cleanup);
	if (real_)
		real_(h);
}

void curl_easy_reset(CURL *h)
{
	REAL(curl_easy_reset);
	if (real_)
		real_(h);
}

CURLcode curl_easy_perform(CURL *h)
{
	REAL(curl_easy_perform);
	return real_ ? real_(h) : CURLE_FAILED_INIT;
}

/* libcurl reads the one argument after the option as the type the
 * option's number range says (curl.h's CURLOPTTYPE_*): read it the same
 * way and pass it on as that type. */
CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	va_list ap;
	CURLcode rc;

	REAL(curl_easy_setopt);
	if (!real_)
		return CURLE_FAILED_INIT;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = real_(h, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = real_(h, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = real_(h, opt, va_arg(ap, void (*)(void)));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = real_(h, opt, va_arg(ap, curl_off_t));
	else
		rc = real_(h, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	va_list ap;
	CURLcode rc;

	REAL(curl_easy_getinfo);
	if (!real_)
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	rc = real_(h, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

const char *curl_easy_strerror(CURLcode rc)
{
	REAL(curl_easy_strerror);
	return real_ ? real_(rc) : "libcurl could not be loaded";
}

CURLM *curl_multi_init(void)
{
	REAL(curl_multi_init);
	return real_ ? real_() : NULL;
}

CURLMcode curl_multi_add_handle(CURLM *m, CURL *h)
{
	REAL(curl_multi_add_handle);
	return real_ ? real_(m, h) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_remove_handle(CURLM *m, CURL *h)
{
	REAL(curl_multi_remove_handle);
	return real_ ? real_(m, h) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_perform(CURLM *m, int *running)
{
	REAL(curl_multi_perform);
	return real_ ? real_(m, running) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms,
			  int *ret)
{
	REAL(curl_multi_poll);
	return real_ ? real_(m, extra_fds, extra_nfds, timeout_ms, ret) : CURLM_INTERNAL_ERROR;
}

CURLMsg *curl_multi_info_read(CURLM *m, int *msgs_in_queue)
{
	REAL(curl_multi_info_read);
	return real_ ? real_(m, msgs_in_queue) : NULL;
}

CURLMcode curl_multi_cleanup(CURLM *m)
{
	REAL(curl_multi_cleanup);
	return real_ ? real_(m) : CURLM_INTERNAL_ERROR;
}

const char *curl_multi_strerror(CURLMcode rc)
{
	REAL(curl_multi_strerror);
	return real_ ? real_(rc) : "libcurl could not be loaded";
}

CURLU *curl_url(void)
{
	REAL(curl_url);
	return real_ ? real_() : NULL;
}

void curl_url_cleanup(CURLU *u)
{
	REAL(curl_url_cleanup);
	if (real_)
		real_(u);
}

CURLUcode curl_url_set(CURLU *u, CURLUPart part, const char *content, unsigned int flags)
{
	REAL(curl_url_set);
	return real_ ? real_(u, part, content, flags) : CURLUE_OUT_OF_MEMORY;
}

/* const or not as this libcurl declares it (configure checks). */
CURLUcode curl_url_get(CURL_URL_GET_HANDLE_CONST CURLU *u, CURLUPart part, char **content, unsigned int flags)
{
	REAL(curl_url_get);
	return real_ ? real_(u, part, content, flags) : CURLUE_OUT_OF_MEMORY;
}

void curl_free(void *p)
{
	REAL(curl_free);
	if (real_)
		real_(p);
}
