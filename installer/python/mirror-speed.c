/*
 * mirror-speed.c - time a small fetch from every candidate mirror at once
 * (see mirror-speed.h).
 *
 * All transfers run side by side on one libcurl multi handle, so the test
 * takes as long as the slowest candidate's bound, not the sum of them, and
 * every mirror is measured under the same network conditions.  The time
 * that counts is curl's total time (name lookup, connection, TLS, first
 * byte and body): a mirror far away loses on round trips even when its
 * bandwidth is fine, which is what a user of many small package downloads
 * feels.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <curl/curl.h>

#include "http-setup.h"
#include "mirror-speed.h"
#include "util.h"

struct transfer {
	CURL *handle;
	struct speed_result *res;
	size_t max_bytes;
	bool cut;     /* stopped at max_bytes: a complete fetch, not an error */
	bool done;    /* libcurl reported the end of the transfer */
	char errbuf[CURL_ERROR_SIZE];
};

/* Count the body up to the byte bound and end the transfer there: returning
 * less than was offered makes libcurl stop with CURLE_WRITE_ERROR, which
 * the cut flag then excuses. */
static size_t count_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct transfer *t = userdata;
	size_t len = size * nmemb;

	(void)data;
	if (len >= t->max_bytes - t->res->bytes) {
		t->res->bytes = t->max_bytes;
		t->cut = true;
		return 0;
	}
	t->res->bytes += len;
	return len;
}

/* A reason short enough for a table cell: our words for the failures a
 * user can act on, curl's for the rest. */
static void describe_failure(struct transfer *t, CURLcode rc, long timeout_ms)
{
	char *out = t->res->error;
	size_t size = sizeof(t->res->error);
	long os_errno = 0;

	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(out, size, "timed out after %.1f s", timeout_ms / 1000.0);
		break;
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(t->handle, CURLINFO_OS_ERRNO, &os_errno);
		if (os_errno)
			snprintf(out, size, "could not connect: %s", strerror((int)os_errno));
		else
			snprintf(out, size, "could not connect");
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(out, size, "host name not found");
		break;
	case CURLE_COULDNT_RESOLVE_PROXY:
		snprintf(out, size, "proxy name not found");
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		snprintf(out, size, "not an HTTP or HTTPS URL");
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		snprintf(out, size, "more than %ld redirects", HTTP_MAX_REDIRECTS);
		break;
	default:
		snprintf(out, size, "%.*s", (int)size - 1, t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
		break;
	}
}

static void record(struct transfer *t, CURLcode rc, long timeout_ms)
{
	struct speed_result *r = t->res;
	curl_off_t us = 0;

	t->done = true;
	curl_easy_getinfo(t->handle, CURLINFO_RESPONSE_CODE, &r->http_code);
	curl_easy_getinfo(t->handle, CURLINFO_TOTAL_TIME_T, &us);
	r->seconds = (double)us / 1e6;
	if (rc == CURLE_WRITE_ERROR && t->cut)
		rc = CURLE_OK;
	if (rc != CURLE_OK) {
		describe_failure(t, rc, timeout_ms);
		return;
	}
	if (r->http_code < 200 || r->http_code > 299) {
		snprintf(r->error, sizeof(r->error), "HTTP %ld", r->http_code);
		return;
	}
	r->ok = true;
	/* The rate of the whole fetch as the user waits for it (connection
	 * and first byte included), over the bytes we counted: curl's own
	 * download speed would count the chunk past the cut as well. */
	r->bytes_per_s = r->seconds > 0 ? (double)r->bytes / r->seconds : 0;
}

/* Drive every transfer to its end; each is bounded by its own timeout, so
 * the loop is too. */
static CURLMcode run_all(CURLM *multi, long timeout_ms)
{
	CURLMcode mc;
	CURLMsg *msg;
	int running = 1, left;

	while (running) {
		mc = curl_multi_perform(multi, &running);
		if (mc != CURLM_OK)
			return mc;
		while ((msg = curl_multi_info_read(multi, &left))) {
			struct transfer *t = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
			if (t)
				record(t, msg->data.result, timeout_ms);
		}
		if (running) {
			mc = curl_multi_poll(multi, NULL, 0, 1000, NULL);
			if (mc != CURLM_OK)
				return mc;
		}
	}
	return CURLM_OK;
}

int mirror_speedtest(const char *const names[], const char *const urls[], size_t n, long timeout_ms,
		     size_t max_bytes, struct speed_result res[])
{
	_cleanup_free_ struct transfer *ts = NULL;
	CURLM *multi = NULL;
	CURLMcode mc = CURLM_OK;
	const char *why = NULL;
	int best = -1;

	for (size_t i = 0; i < n; i++) {
		res[i] = (struct speed_result){ .name = names[i], .url = urls[i] };
	}
	if (n == 0)
		return -1;
	ts = xcalloc(n, sizeof(*ts));

	if (http_global_init() < 0 || !(multi = curl_multi_init())) {
		why = "libcurl could not start";
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct transfer *t = &ts[i];

		t->res = &res[i];
		t->max_bytes = max_bytes;
		t->handle = curl_easy_init();
		if (!t->handle)
			continue;
		http_handle_setup(t->handle, urls[i], timeout_ms, NULL, t->errbuf);
		curl_easy_setopt(t->handle, CURLOPT_WRITEFUNCTION, count_body);
		curl_easy_setopt(t->handle, CURLOPT_WRITEDATA, t);
		curl_easy_setopt(t->handle, CURLOPT_PRIVATE, (char *)t);
		if (curl_multi_add_handle(multi, t->handle) != CURLM_OK) {
			curl_easy_cleanup(t->handle);
			t->handle = NULL;
		}
	}
	mc = run_all(multi, timeout_ms);

out:
	for (size_t i = 0; i < n; i++) {
		struct transfer *t = &ts[i];

		if (t->handle) {
			curl_multi_remove_handle(multi, t->handle);
			curl_easy_cleanup(t->handle);
		}
		if (t->done)
			continue;
		/* Never measured: say why instead of leaving a blank reason. */
		snprintf(res[i].error, sizeof(res[i].error), "not measured: %s",
			 why ? why : !t->handle ? "out of memory" : curl_multi_strerror(mc));
	}
	if (multi)
		curl_multi_cleanup(multi);

	/* Fastest first; a tie goes to the earlier candidate. */
	for (size_t i = 0; i < n; i++)
		if (res[i].ok && (best < 0 || res[i].seconds < res[best].seconds))
			best = (int)i;
	return best;
}

/* ------------------------------------------------------------ the table */

static void format_time(const struct speed_result *r, char *buf, size_t size)
{
	if (r->ok)
		snprintf(buf, size, "%.0f ms", r->seconds * 1000);
	else
		snprintf(buf, size, "-");
}

static void format_rate(const struct speed_result *r, char *buf, size_t size)
{
	if (!r->ok)
		snprintf(buf, size, "-");
	else if (r->bytes_per_s >= 1024.0 * 1024.0)
		snprintf(buf, size, "%.1f MiB/s", r->bytes_per_s / (1024.0 * 1024.0));
	else
		snprintf(buf, size, "%.1f KiB/s", r->bytes_per_s / 1024.0);
}

/* Rows in the order printed: those that answered by time (stable, so a
 * tie keeps the input order), then the failures in the input order. */
static void order_rows(const struct speed_result res[], size_t n, size_t *rows)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j;

		if (!res[i].ok)
			continue;
		for (j = k; j > 0 && res[rows[j - 1]].seconds > res[i].seconds; j--)
			rows[j] = rows[j - 1];
		rows[j] = i;
		k++;
	}
	for (size_t i = 0; i < n; i++)
		if (!res[i].ok)
			rows[k++] = i;
}

void mirror_speed_print(const struct speed_result res[], size_t n, int best, FILE *out)
{
	_cleanup_free_ size_t *rows = xcalloc(n ? n : 1, sizeof(*rows));
	int name_w = (int)strlen("mirror"), time_w = (int)strlen("time"), rate_w = (int)strlen("rate");
	char cell[32];
	int rank = 0;

	for (size_t i = 0; i < n; i++) {
		int w = (int)strlen(res[i].name);

		if (w > name_w)
			name_w = w;
		format_time(&res[i], cell, sizeof(cell));
		if ((int)strlen(cell) > time_w)
			time_w = (int)strlen(cell);
		format_rate(&res[i], cell, sizeof(cell));
		if ((int)strlen(cell) > rate_w)
			rate_w = (int)strlen(cell);
	}
	order_rows(res, n, rows);

	fprintf(out, "  %4s  %-*s  %*s  %*s  %s\n", "rank", name_w, "mirror", time_w, "time", rate_w, "rate",
		"status");
	for (size_t k = 0; k < n; k++) {
		const struct speed_result *r = &res[rows[k]];
		char rank_cell[16], time_cell[32], rate_cell[32];

		if (r->ok)
			snprintf(rank_cell, sizeof(rank_cell), "%d", ++rank);
		else
			snprintf(rank_cell, sizeof(rank_cell), "-");
		format_time(r, time_cell, sizeof(time_cell));
		format_rate(r, rate_cell, sizeof(rate_cell));
		fprintf(out, "%c %4s  %-*s  %*s  %*s  %s\n", best >= 0 && rows[k] == (size_t)best ? '*' : ' ',
			rank_cell, name_w, r->name, time_w, time_cell, rate_w, rate_cell, r->ok ? "ok" : r->error);
	}
}
