/*
 * http-get.c - a small document into memory (see http-get.h).
 */
#include "config.h"

#include <errno.h>

#include <curl/curl.h>

#include "http-get.h"
#include "http-setup.h"
#include "util.h"

struct sink {
	struct strbuf body;
	size_t max;
	bool too_big;
};

static size_t collect(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct sink *s = userdata;
	size_t n = size * nmemb;

	if (s->body.len + n > s->max) {
		s->too_big = true;
		return 0;  /* libcurl stops with CURLE_WRITE_ERROR */
	}
	strbuf_add(&s->body, data, n);
	return n;
}

int http_get(const char *url, size_t max, long timeout_ms, struct http_doc *ret, struct strbuf *err)
{
	struct sink s = { .body = STRBUF_INIT, .max = max };
	char errbuf[CURL_ERROR_SIZE];
	const char *type = NULL;
	long code = 0;
	CURLcode rc;
	CURL *h;
	int r = 0;

	memset(ret, 0, sizeof(*ret));
	if (http_global_init() < 0)
		return -ENOMEM;
	h = curl_easy_init();
	if (!h)
		return -ENOMEM;
	strbuf_init(&s.body);
	http_handle_setup(h, url, timeout_ms, "update", errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (s.too_big) {
		strbuf_addf(err, "%s: the answer is larger than %zu bytes: not the document expected", url, max);
		r = -EFBIG;
	} else if (rc != CURLE_OK) {
		strbuf_addf(err, "%s: %s (%s)", url, http_failure_kind(rc), errbuf[0] ? errbuf : curl_easy_strerror(rc));
		r = -EHOSTUNREACH;
	} else if (code >= 400) {
		strbuf_addf(err, "%s: the server answered HTTP %ld", url, code);
		r = -EIO;
	}
	if (r == 0) {
		curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type);
		ret->content_type = type ? xstrdup(type) : NULL;
		ret->data = strbuf_detach(&s.body, &ret->len);
	}
	curl_easy_cleanup(h);
	strbuf_release(&s.body);
	return r;
}

void http_doc_free(struct http_doc *d)
{
	free(d->data);
	free(d->content_type);
	memset(d, 0, sizeof(*d));
}
