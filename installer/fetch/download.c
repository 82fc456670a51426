/*
 * download.c - a checked download (see download.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "download.h"
#include "fileio.h"
#include "http-setup.h"
#include "log.h"
#include "util.h"

struct sink {
	int fd;
	struct sha256_ctx *hash;
	int error;     /* errno of a failed write */
};

static size_t write_and_hash(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct sink *s = userdata;
	size_t n = size * nmemb;
	int r = write_all(s->fd, data, n);

	if (r < 0) {
		s->error = -r;
		return 0;
	}
	sha256_update(s->hash, data, n);
	return n;
}

/* One URL into fd (empty, at offset 0).  Returns 0, -EHOSTUNREACH with
 * the reason in err, or the write's negative errno. */
static int fetch_one(CURL *h, const char *url, int fd, char hex[SHA256_HEX_LEN + 1], struct strbuf *err)
{
	char errbuf[CURL_ERROR_SIZE];
	struct sink s = { .fd = fd, .hash = sha256_new() };
	CURLcode rc;

	http_handle_setup(h, url, DOWNLOAD_CONNECT_TIMEOUT_MS, NULL, errbuf);
	/* An installer is large and a link may be slow: no bound on the whole
	 * transfer, only on a stall. */
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 0L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, DOWNLOAD_LOW_SPEED);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, DOWNLOAD_LOW_SPEED_TIME);
	curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_and_hash);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	log_info("downloading %s", url);
	rc = curl_easy_perform(h);
	sha256_finish(s.hash, hex);
	if (s.error)
		return -s.error;
	if (rc != CURLE_OK) {
		strbuf_addf(err, "%s%s: %s", err->len ? "; " : "", url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
		return -EHOSTUNREACH;
	}
	return 0;
}

/* Start the .part file over for the next URL. */
static int truncate_part(int fd)
{
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	return 0;
}

int download_verified(const char *const urls[], const char *dest, const char *expected,
		      char hex[SHA256_HEX_LEN + 1], struct strbuf *err)
{
	_cleanup_free_ char *part = xasprintf("%s.part", dest);
	_cleanup_close_ int fd = -1;
	char got[SHA256_HEX_LEN + 1];
	int r = -EHOSTUNREACH;
	CURL *h;

	/* A .part is what an interrupted run left: never a file to keep. */
	if (unlink(part) < 0 && errno != ENOENT)
		return -errno;
	fd = open(part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	h = http_global_init() == 0 ? curl_easy_init() : NULL;
	if (!h) {
		unlink(part);
		return -ENOMEM;
	}
	/* A mirror that is down, or that serves other bytes (a stale or
	 * broken copy), hands over to the next URL. */
	for (size_t i = 0; urls[i]; i++) {
		r = truncate_part(fd);
		if (r == 0)
			r = fetch_one(h, urls[i], fd, got, err);
		if (r == 0 && expected && !sha256_hex_equal(got, expected)) {
			strbuf_addf(err, "%s%s served a file with sha256 %s, the compat data says %s",
				    err->len ? "; " : "", urls[i], got, expected);
			r = -EBADMSG;
		}
		if (r != -EHOSTUNREACH && r != -EBADMSG)
			break;
	}
	curl_easy_cleanup(h);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r == 0 && rename(part, dest) < 0)
		r = -errno;
	if (r < 0) {
		unlink(part);
		return r;
	}
	memcpy(hex, got, sizeof(got));
	return 0;
}
