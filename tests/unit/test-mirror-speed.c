/*
 * Unit tests: the mirror speed test against loopback HTTP servers, each a
 * forked child on an ephemeral port of 127.0.0.1 that answers every
 * connection the way it was told (after a delay, never, 404, a redirect,
 * a body larger than the byte bound), and the table printed from results.
 *
 * Which server is fastest and that the fetches run side by side are not
 * left to the clock: servers wait for each other through pipes (a chain,
 * so the ones meant to be slower answer only after the faster one has;
 * a barrier, so three answer only after all three connections arrived),
 * and report what they do on an event pipe the test reads.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include "mirror-speed.h"
#include "tap.h"
#include "util.h"

#define MAX_BYTES 4096
#define PLAIN_BODY 1000
#define BIG_BODY (16 * MAX_BYTES)
/* How long a server waits for its partners before it answers anyway (the
 * test then fails on the order of events, not by hanging). */
#define PARTNER_WAIT_MS 10000

enum reply { REPLY_OK, REPLY_NEVER, REPLY_404, REPLY_REDIRECT };

struct server {
	const char *name;
	enum reply reply;
	size_t body_len;
	int delay_ms;           /* after the partners, before the answer */
	char location[128];     /* for REPLY_REDIRECT */
	int wait_fd;            /* read wait_count bytes from it before answering */
	int wait_count;
	int tell_fds[3];        /* a byte to each, on accept or after answering */
	int n_tell;
	bool tell_after_answer;
	int event_fd;           /* "A<id>" on accept, "R<id>" just before the answer */
	int id;
	int listen_fd;
	int port;
	pid_t pid;
};

static void note(int fd, char what, int id)
{
	char ev[2] = { what, (char)('0' + id) };

	if (fd >= 0 && write(fd, ev, sizeof(ev)) < 0)
		_exit(2);
}

static void tell(const struct server *s)
{
	for (int i = 0; i < s->n_tell; i++)
		if (write(s->tell_fds[i], "x", 1) < 0)
			_exit(2);
}

static void wait_partners(const struct server *s)
{
	struct pollfd p = { .fd = s->wait_fd, .events = POLLIN };
	char c;

	for (int got = 0; got < s->wait_count;) {
		if (poll(&p, 1, PARTNER_WAIT_MS) <= 0)
			return;
		if (read(s->wait_fd, &c, 1) == 1)
			got++;
	}
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static bool send_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		data += w;
		len -= (size_t)w;
	}
	return true;
}

/* Read the request head (up to the empty line); false when the client
 * went away first. */
static bool read_head(int c)
{
	char buf[4096];
	size_t len = 0;

	while (len < sizeof(buf) - 1) {
		ssize_t r = read(c, buf + len, sizeof(buf) - 1 - len);

		if (r <= 0)
			return false;
		len += (size_t)r;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			return true;
	}
	return false;
}

static void answer(const struct server *s, int c)
{
	char head[512], body[BIG_BODY];
	const char *status = s->reply == REPLY_404 ? "404 Not Found" : s->reply == REPLY_REDIRECT ? "302 Found"
												    : "200 OK";
	size_t body_len = s->reply == REPLY_REDIRECT ? 0 : s->body_len;
	int n;

	memset(body, 'm', body_len);
	n = snprintf(head, sizeof(head), "HTTP/1.1 %s\r\nContent-Length: %zu\r\n%s%s%sConnection: close\r\n\r\n",
		     status, body_len, s->reply == REPLY_REDIRECT ? "Location: " : "", s->location,
		     s->reply == REPLY_REDIRECT ? "\r\n" : "");
	if (send_all(c, head, (size_t)n))
		send_all(c, body, body_len);
}

static _Noreturn void serve(const struct server *s)
{
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		int c = accept(s->listen_fd, NULL, NULL);
		char sink[256];

		if (c < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		note(s->event_fd, 'A', s->id);
		if (!s->tell_after_answer)
			tell(s);
		if (!read_head(c)) {
			close(c);
			continue;
		}
		if (s->reply == REPLY_NEVER) {
			/* Hold the connection until the client gives up. */
			while (read(c, sink, sizeof(sink)) > 0)
				;
			close(c);
			continue;
		}
		wait_partners(s);
		sleep_ms(s->delay_ms);
		note(s->event_fd, 'R', s->id);
		answer(s, c);
		if (s->tell_after_answer)
			tell(s);
		close(c);
	}
}

static int listen_loopback(int *ret_port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
		perror("listen_loopback");
		exit(99);
	}
	*ret_port = ntohs(a.sin_port);
	return fd;
}

static struct server make_server(const char *name, enum reply reply, size_t body_len, int delay_ms)
{
	struct server s = { .name = name, .reply = reply, .body_len = body_len, .delay_ms = delay_ms,
			    .wait_fd = -1, .event_fd = -1 };

	s.listen_fd = listen_loopback(&s.port);
	return s;
}

static void start(struct server *s)
{
	fflush(stdout);
	s->pid = fork();
	if (s->pid < 0) {
		perror("fork");
		exit(99);
	}
	if (s->pid == 0)
		serve(s);
	close(s->listen_fd);
	s->listen_fd = -1;
}

static void stop(struct server *s)
{
	kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
}

static void make_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) < 0) {
		perror("pipe2");
		exit(99);
	}
}

static char *url_of(const struct server *s)
{
	return xasprintf("http://127.0.0.1:%d/probe", s->port);
}

static bool has(const char *s, const char *part)
{
	return s && strstr(s, part) != NULL;
}

/* The line of the table that names name ("" when none does). */
static const char *line_of(const char *table, const char *name, char *buf, size_t size)
{
	const char *p = strstr(table, name), *start, *end;

	buf[0] = '\0';
	if (!p)
		return buf;
	for (start = p; start > table && start[-1] != '\n'; start--)
		;
	end = strchr(p, '\n');
	snprintf(buf, size, "%.*s", (int)((end ? end : p + strlen(p)) - start), start);
	return buf;
}

static long pos(const char *table, const char *name)
{
	const char *p = strstr(table, name);

	return p ? p - table : -1;
}

static size_t count_char(const char *s, char c)
{
	size_t k = 0;

	for (; *s; s++)
		k += *s == c;
	return k;
}

/* What the servers wrote on the event pipe: every event of a finished
 * fetch is there already, each written before its answer was sent. */
static size_t read_events(int fd, char *buf, size_t size)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t len = 0;

	while (len < size - 1 && poll(&p, 1, 0) > 0) {
		ssize_t r = read(fd, buf + len, size - 1 - len);

		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	return len;
}

static char *print_to_string(const struct speed_result *res, size_t n, int best)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	mirror_speed_print(res, n, best, f);
	fclose(f);
	return buf;
}

/* A table from results made up here: the exact layout, the ties. */
static void test_print_layout(void)
{
	struct speed_result res[] = {
		{ .name = "slow", .ok = true, .http_code = 200, .seconds = 0.250, .bytes_per_s = 512.0 * 1024 },
		{ .name = "down", .error = "could not connect: Connection refused" },
		{ .name = "tie-first", .ok = true, .http_code = 200, .seconds = 0.012, .bytes_per_s = 2.5 * 1048576 },
		{ .name = "tie-second", .ok = true, .http_code = 200, .seconds = 0.012, .bytes_per_s = 2.5 * 1048576 },
		{ .name = "gone", .http_code = 404, .error = "HTTP 404" },
	};
	_cleanup_free_ char *table = print_to_string(res, ELEMENTSOF(res), 2);

	is_str(table,
	       "  rank  mirror        time         rate  status\n"
	       "*    1  tie-first    12 ms    2.5 MiB/s  ok\n"
	       "     2  tie-second   12 ms    2.5 MiB/s  ok\n"
	       "     3  slow        250 ms  512.0 KiB/s  ok\n"
	       "     -  down             -            -  could not connect: Connection refused\n"
	       "     -  gone             -            -  HTTP 404\n",
	       "the table: fastest first, a tie in input order, failures last with their reason, the winner starred");

	free(table);
	table = print_to_string(res, ELEMENTSOF(res), -1);
	ok(count_char(table, '*') == 0, "no star when nothing was chosen");
}

int main(void)
{
	struct server fast = make_server("m-fast", REPLY_OK, PLAIN_BODY, 0);
	struct server medium = make_server("m-medium", REPLY_OK, PLAIN_BODY, 300);
	struct server slow = make_server("m-slow", REPLY_OK, PLAIN_BODY, 300);
	struct server never = make_server("m-never", REPLY_NEVER, 0, 0);
	struct server missing = make_server("m-missing", REPLY_404, PLAIN_BODY, 0);
	struct server big = make_server("m-big", REPLY_OK, BIG_BODY, 0);
	struct server plain = make_server("m-plain", REPLY_OK, PLAIN_BODY, 0);
	struct server moved = make_server("m-moved", REPLY_REDIRECT, 0, 0);
	struct server loop = make_server("m-loop", REPLY_REDIRECT, 0, 0);
	struct server to_file = make_server("m-to-file", REPLY_REDIRECT, 0, 0);
	struct server group[3];
	struct server *all[] = { &fast, &medium, &slow, &never, &missing, &big, &plain, &moved, &loop, &to_file,
				 &group[0], &group[1], &group[2] };
	int closed_port, chain1[2], chain2[2], events[2], go[3][2];
	struct speed_result res[8];
	char line[256];
	int best;

	test_print_layout();

	/* A port nothing listens on any more. */
	close(listen_loopback(&closed_port));

	/* medium answers only after fast has, slow only after medium. */
	make_pipe(chain1);
	make_pipe(chain2);
	fast.tell_fds[fast.n_tell++] = chain1[1];
	fast.tell_after_answer = true;
	medium.wait_fd = chain1[0];
	medium.wait_count = 1;
	medium.tell_fds[medium.n_tell++] = chain2[1];
	medium.tell_after_answer = true;
	slow.wait_fd = chain2[0];
	slow.wait_count = 1;

	snprintf(moved.location, sizeof(moved.location), "http://127.0.0.1:%d/elsewhere", plain.port);
	snprintf(loop.location, sizeof(loop.location), "http://127.0.0.1:%d/again", loop.port);
	snprintf(to_file.location, sizeof(to_file.location), "file:///etc/passwd");

	/* Each of the three tells all three on accept and answers after it
	 * has heard from all three: only fetches that run side by side get
	 * an answer before the partner wait runs out. */
	make_pipe(events);
	for (int k = 0; k < 3; k++)
		make_pipe(go[k]);
	for (int k = 0; k < 3; k++) {
		group[k] = make_server(k == 0 ? "g-0" : k == 1 ? "g-1" : "g-2", REPLY_OK, PLAIN_BODY, 100);
		group[k].id = k;
		group[k].event_fd = events[1];
		group[k].wait_fd = go[k][0];
		group[k].wait_count = 3;
		for (int j = 0; j < 3; j++)
			group[k].tell_fds[group[k].n_tell++] = go[j][1];
	}

	for (size_t i = 0; i < ELEMENTSOF(all); i++)
		start(all[i]);
	close(events[1]);

	/* ---- several candidates, in an order that is not the fastest first */
	{
		_cleanup_free_ char *u_slow = url_of(&slow), *u_never = url_of(&never), *u_fast = url_of(&fast),
				    *u_closed = xasprintf("http://127.0.0.1:%d/probe", closed_port),
				    *u_medium = url_of(&medium), *u_missing = url_of(&missing), *table = NULL;
		const char *names[] = { "m-slow", "m-never", "m-fast", "m-closed", "m-medium", "m-missing" };
		const char *urls[] = { u_slow, u_never, u_fast, u_closed, u_medium, u_missing };

		best = mirror_speedtest(names, urls, 6, 3000, MAX_BYTES, res);
		is_int(best, 2, "the fastest that answered is chosen");
		ok(res[0].ok && res[2].ok && res[4].ok, "the three that answered 200 are ok");
		ok(res[0].http_code == 200 && res[0].bytes == PLAIN_BODY && res[0].bytes_per_s > 0 &&
			   res[0].error[0] == '\0',
		   "an answer has its status, its body size and a rate");
		ok(streq(res[0].name, "m-slow") && res[0].url == u_slow && streq(res[5].name, "m-missing"),
		   "results are in the input order");
		ok(res[2].seconds < res[4].seconds && res[4].seconds < res[0].seconds,
		   "times follow the order the servers answered in");
		ok(!res[1].ok && has(res[1].error, "timed out after 3.0 s") && res[1].http_code == 0,
		   "the server that never answers times out at the bound");
		if (!has(res[1].error, "timed out"))
			printf("# error: %s\n", res[1].error);
		ok(!res[3].ok && has(res[3].error, "could not connect"), "a closed port could not connect");
		if (!has(res[3].error, "could not connect"))
			printf("# error: %s\n", res[3].error);
		ok(!res[5].ok && res[5].http_code == 404 && streq(res[5].error, "HTTP 404"), "a 404 is a failure");

		table = print_to_string(res, 6, best);
		ok(pos(table, "m-fast") < pos(table, "m-medium") && pos(table, "m-medium") < pos(table, "m-slow") &&
			   pos(table, "m-slow") < pos(table, "m-never") &&
			   pos(table, "m-never") < pos(table, "m-closed") &&
			   pos(table, "m-closed") < pos(table, "m-missing") && pos(table, "m-fast") > 0,
		   "the table lists the answers by time, then the failures in input order");
		ok(line_of(table, "m-fast", line, sizeof(line))[0] == '*' && count_char(table, '*') == 1,
		   "only the winner is starred");
		ok(has(line_of(table, "m-never", line, sizeof(line)), "timed out") &&
			   has(line_of(table, "m-closed", line, sizeof(line)), "could not connect") &&
			   has(line_of(table, "m-missing", line, sizeof(line)), "HTTP 404"),
		   "each failure shows its reason");
		if (tap_failed)
			printf("# %s", table);
	}

	/* ---- a body past the byte bound, a redirect */
	{
		_cleanup_free_ char *u_missing = url_of(&missing), *u_big = url_of(&big), *u_moved = url_of(&moved);
		const char *names[] = { "m-missing", "m-big", "m-moved" };
		const char *urls[] = { u_missing, u_big, u_moved };

		best = mirror_speedtest(names, urls, 3, 3000, MAX_BYTES, res);
		ok(best == 1 || best == 2, "one that answered is chosen");
		ok(res[1].ok && res[1].bytes == MAX_BYTES && res[1].http_code == 200,
		   "a body larger than the bound is cut there and counts as complete");
		ok(res[2].ok && res[2].http_code == 200 && res[2].bytes == PLAIN_BODY, "a redirect is followed");
		ok(!res[0].ok, "the 404 still fails next to them");
	}

	/* ---- nobody answers */
	{
		_cleanup_free_ char *u_never = url_of(&never), *u_missing = url_of(&missing),
				    *u_closed = xasprintf("http://127.0.0.1:%d/", closed_port), *u_loop = url_of(&loop),
				    *u_to_file = url_of(&to_file), *table = NULL;
		const char *names[] = { "m-never", "m-closed", "m-missing", "m-loop", "m-file", "m-to-file" };
		const char *urls[] = { u_never, u_closed, u_missing, u_loop, "file:///etc/passwd", u_to_file };

		best = mirror_speedtest(names, urls, 6, 1000, MAX_BYTES, res);
		is_int(best, -1, "when none answers, -1");
		ok(has(res[0].error, "timed out after 1.0 s"), "the timeout is the one asked for");
		ok(has(res[3].error, "redirects"), "a redirect loop stops");
		ok(has(res[4].error, "not an HTTP or HTTPS URL"), "only HTTP and HTTPS are fetched");
		ok(has(res[5].error, "not an HTTP or HTTPS URL"), "a redirect to file:// is not followed");
		for (int i = 0; i < 6; i++)
			if (res[i].ok || !res[i].error[0])
				printf("# %s: ok=%d error='%s'\n", res[i].name, res[i].ok, res[i].error);
		table = print_to_string(res, 6, best);
		ok(count_char(table, '*') == 0 && pos(table, "m-never") < pos(table, "m-closed") &&
			   pos(table, "m-loop") < pos(table, "m-to-file"),
		   "a table of failures only: in input order, nothing starred");
	}

	/* ---- the fetches run side by side */
	{
		_cleanup_free_ char *u0 = url_of(&group[0]), *u1 = url_of(&group[1]), *u2 = url_of(&group[2]);
		const char *names[] = { "g-0", "g-1", "g-2" };
		const char *urls[] = { u0, u1, u2 };
		char ev[64];
		size_t len;

		best = mirror_speedtest(names, urls, 3, 5000, MAX_BYTES, res);
		ok(best >= 0 && res[0].ok && res[1].ok && res[2].ok, "three servers that wait for each other all answer");
		len = read_events(events[0], ev, sizeof(ev));
		ok(len == 12 && count_char(ev, 'A') == 3 && count_char(ev, 'R') == 3 && strrchr(ev, 'A') < strchr(ev, 'R'),
		   "all three connections were accepted before any answer was sent");
		printf("# server events: %s\n", ev);
	}

	for (size_t i = 0; i < ELEMENTSOF(all); i++)
		stop(all[i]);
	close(events[0]);
	close(chain1[0]);
	close(chain1[1]);
	close(chain2[0]);
	close(chain2[1]);
	for (int k = 0; k < 3; k++) {
		close(go[k][0]);
		close(go[k][1]);
	}
	return done_testing();
}
