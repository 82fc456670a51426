/*
 * url-probe.c - one bounded HTTP request per mirror (see url-probe.h).
 */
#include "config.h"

#include <errno.h>

#include <curl/curl.h>

#include "http-setup.h"
#include "url-probe.h"
#include "util.h"

/* GET only needs to learn that the body starts: returning a short count
 * makes libcurl stop with CURLE_WRITE_ERROR, which got_body then excuses. */
static size_t stop_after_first_bytes(char *data, size_t size, size_t nmemb, void *userdata)
{
	(void)data;
	(void)size;
	(void)nmemb;
	*(bool *)userdata = true;
	return 0;
}

static CURLcode request(CURL *h, const char *url, long timeout_ms, bool head, long *ret_code, char *errbuf)
{
	bool got_body = false;
	CURLcode rc;

	http_handle_setup(h, url, timeout_ms, "doctor", errbuf);
	curl_easy_setopt(h, CURLOPT_NOBODY, head ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, stop_after_first_bytes);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &got_body);
	rc = curl_easy_perform(h);
	if (rc == CURLE_WRITE_ERROR && got_body)
		rc = CURLE_OK;
	*ret_code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, ret_code);
	return rc;
}

int url_probe(const char *url, long timeout_ms, struct url_probe_result *ret, struct strbuf *err)
{
	char errbuf[CURL_ERROR_SIZE];
	long code = 0;
	curl_off_t us = 0;
	CURLcode rc;
	CURL *h;

	if (http_global_init() < 0)
		return -ENOMEM;
	h = curl_easy_init();
	if (!h)
		return -ENOMEM;
	rc = request(h, url, timeout_ms, true, &code, errbuf);
	if (rc == CURLE_OK && code >= 400)
		rc = request(h, url, timeout_ms, false, &code, errbuf);
	curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &us);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK) {
		if (err)
			strbuf_addf(err, "%s (%s)", http_failure_kind(rc), errbuf[0] ? errbuf : curl_easy_strerror(rc));
		return -EHOSTUNREACH;
	}
	ret->http_code = code;
	ret->elapsed_ms = (long)(us / 1000);
	if (code >= 400) {
		if (err)
			strbuf_addf(err, "the server answered HTTP %ld", code);
		return -EIO;
	}
	return 0;
}
