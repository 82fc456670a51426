/*
 * install-state.c - the main job's state file; see install-state.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "fileio.h"
#include "install-state.h"
#include "sysroot.h"
#include "util.h"

#define STATE_MAX (64u << 10)
#define STATE_DIR "/var/lib/gpu-setup"

static const char *const status_names[STEP_STATUS_COUNT] = {
	[STEP_PENDING] = "pending",
	[STEP_RUNNING] = "running",
	[STEP_DONE] = "done",
	[STEP_ALREADY_DONE] = "already-done",
	[STEP_REBOOT_PENDING] = "reboot-pending",
	[STEP_FAILED] = "failed",
	[STEP_INTERRUPTED] = "interrupted",
};

static const char *const results[] = { "running", "done", "reboot-needed", "failed", "interrupted" };

const char *step_status_name(enum step_status s)
{
	return s < STEP_STATUS_COUNT ? status_names[s] : "?";
}

char *install_state_now(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

/* Free text kept on one field: tabs and control characters become spaces. */
static char *field_text(const char *s)
{
	char *r = xstrdup(s && *s ? s : "-");

	for (char *p = r; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return r;
}

/* A field as read: non-empty, no control character. */
static bool field_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

void install_state_free(struct install_state *s)
{
	for (size_t i = 0; i < s->nsteps; i++) {
		free(s->steps[i].id);
		free(s->steps[i].when);
		free(s->steps[i].detail);
	}
	free(s->steps);
	free(s->plan);
	free(s->result);
	free(s->started);
	free(s->updated);
	free(s->reboot_boot_id);
	memset(s, 0, sizeof(*s));
}

const struct state_step *install_state_step(const struct install_state *s, const char *id)
{
	for (size_t i = 0; i < s->nsteps; i++)
		if (streq(s->steps[i].id, id))
			return &s->steps[i];
	return NULL;
}

static struct state_step *add_step(struct install_state *s, const char *id)
{
	struct state_step *st;

	s->steps = xrealloc(s->steps, (s->nsteps + 1) * sizeof(*s->steps));
	st = &s->steps[s->nsteps++];
	memset(st, 0, sizeof(*st));
	st->id = xstrdup(id);
	return st;
}

void install_state_set_step(struct install_state *s, const char *id, enum step_status status, const char *detail)
{
	struct state_step *st = (struct state_step *)install_state_step(s, id);

	if (!st)
		st = add_step(s, id);
	st->status = status;
	free(st->when);
	st->when = install_state_now();
	free(st->detail);
	st->detail = detail && *detail ? field_text(detail) : NULL;
}

void install_state_set_result(struct install_state *s, const char *result)
{
	free(s->result);
	s->result = xstrdup(result);
}

static bool known_result(const char *r)
{
	for (size_t i = 0; i < ELEMENTSOF(results); i++)
		if (streq(results[i], r))
			return true;
	return false;
}

/* Split line (modified) at tabs into at most max fields; the count. */
static size_t split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;

	for (char *p = line;; p++) {
		if (n < max)
			f[n] = p;
		n++;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p = '\0';
	}
	return n;
}

static int parse_step(char **f, size_t n, struct install_state *s, unsigned lineno, struct strbuf *err)
{
	struct state_step *st;
	size_t k;

	if (n != 5) {
		strbuf_addf(err, "line %u: a step has 5 fields (step, ID, STATUS, TIME, DETAIL), not %zu", lineno, n);
		return -EINVAL;
	}
	for (k = 0; k < STEP_STATUS_COUNT; k++)
		if (streq(status_names[k], f[2]))
			break;
	if (k == STEP_STATUS_COUNT) {
		strbuf_addf(err, "line %u: unknown step status '%s'", lineno, f[2]);
		return -EINVAL;
	}
	if (install_state_step(s, f[1])) {
		strbuf_addf(err, "line %u: step '%s' is listed twice", lineno, f[1]);
		return -EINVAL;
	}
	st = add_step(s, f[1]);
	st->status = (enum step_status)k;
	st->when = xstrdup(f[3]);
	st->detail = streq(f[4], "-") ? NULL : xstrdup(f[4]);
	return 0;
}

/* One line that is not the format line. */
static int parse_line(char *line, struct install_state *s, unsigned lineno, struct strbuf *err)
{
	static const char *const keys[] = { "plan", "result", "started", "updated", "reboot-boot-id" };
	char **slots[] = { &s->plan, &s->result, &s->started, &s->updated, &s->reboot_boot_id };
	char *f[5];
	size_t n = split_tabs(line, f, ELEMENTSOF(f));

	for (size_t i = 0; i < (n < ELEMENTSOF(f) ? n : ELEMENTSOF(f)); i++)
		if (!field_ok(f[i])) {
			strbuf_addf(err, "line %u: field %zu is empty or holds a control character", lineno, i + 1);
			return -EINVAL;
		}
	if (streq(f[0], "step"))
		return parse_step(f, n, s, lineno, err);
	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		if (!streq(f[0], keys[i]))
			continue;
		if (n != 2) {
			strbuf_addf(err, "line %u: '%s' takes one value, not %zu", lineno, keys[i], n - 1);
			return -EINVAL;
		}
		if (*slots[i]) {
			strbuf_addf(err, "line %u: '%s' is given twice", lineno, keys[i]);
			return -EINVAL;
		}
		if (i == 1 && !known_result(f[1])) {
			strbuf_addf(err, "line %u: unknown result '%s'", lineno, f[1]);
			return -EINVAL;
		}
		*slots[i] = xstrdup(f[1]);
		return 0;
	}
	strbuf_addf(err, "line %u: unknown key '%s'", lineno, f[0]);
	return -EINVAL;
}

int install_state_parse(const char *text, size_t len, struct install_state *ret, struct strbuf *err)
{
	_cleanup_free_ char *copy = xmalloc(len + 1);
	struct install_state s = { 0 };
	unsigned lineno = 0;
	char *p = copy;
	int r = 0;

	memcpy(copy, text, len);
	copy[len] = '\0';
	while (p < copy + len) {
		char *line = p, *eol = memchr(p, '\n', (size_t)(copy + len - p));

		lineno++;
		if (!eol)
			eol = copy + len;
		p = eol + 1;
		if (memchr(line, '\0', (size_t)(eol - line))) {
			strbuf_addf(err, "line %u: a NUL byte", lineno);
			r = -EINVAL;
			break;
		}
		*eol = '\0';
		if (lineno == 1) {
			if (!streq(line, "gpu-setup-state 1")) {
				strbuf_addf(err, "line 1: '%s' is not the format line 'gpu-setup-state %d'%s", line,
					    INSTALL_STATE_FORMAT,
					    startswith(line, "gpu-setup-state ") ? " (a newer gpu-setup wrote it?)" : "");
				r = -EINVAL;
				break;
			}
			continue;
		}
		r = parse_line(line, &s, lineno, err);
		if (r < 0)
			break;
	}
	if (r == 0 && lineno == 0) {
		strbuf_adds(err, "line 1: the file is empty");
		r = -EINVAL;
	}
	if (r == 0 && (!s.plan || !s.result)) {
		strbuf_addf(err, "line %u: no '%s' line", lineno, s.plan ? "result" : "plan");
		r = -EINVAL;
	}
	if (r < 0) {
		install_state_free(&s);
		return r;
	}
	*ret = s;
	return 0;
}

char *install_state_format(const struct install_state *s)
{
	struct strbuf b = STRBUF_INIT;
	const char *keys[] = { "plan", "result", "started", "updated", "reboot-boot-id" };
	const char *vals[] = { s->plan, s->result, s->started, s->updated, s->reboot_boot_id };

	strbuf_init(&b);
	strbuf_addf(&b, "gpu-setup-state %d\n", INSTALL_STATE_FORMAT);
	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		_cleanup_free_ char *v = NULL;

		if (!vals[i])
			continue;
		v = field_text(vals[i]);
		strbuf_addf(&b, "%s\t%s\n", keys[i], v);
	}
	for (size_t i = 0; i < s->nsteps; i++) {
		const struct state_step *st = &s->steps[i];
		_cleanup_free_ char *id = field_text(st->id), *when = field_text(st->when);
		_cleanup_free_ char *detail = field_text(st->detail);

		strbuf_addf(&b, "step\t%s\t%s\t%s\t%s\n", id, step_status_name(st->status), when, detail);
	}
	return strbuf_detach(&b, NULL);
}

int install_state_load(struct install_state *ret, struct strbuf *err)
{
	_cleanup_free_ char *path = sysroot_path(INSTALL_STATE_PATH), *text = NULL;
	size_t len;
	int r = read_file(path, STATE_MAX, &text, &len);

	if (r < 0)
		return r;
	return install_state_parse(text, len, ret, err);
}

int install_state_save(struct install_state *s)
{
	_cleanup_free_ char *dir = sysroot_path(STATE_DIR), *path = sysroot_path(INSTALL_STATE_PATH);
	_cleanup_free_ char *text = NULL;
	int r;

	free(s->updated);
	s->updated = install_state_now();
	if (!s->started)
		s->started = xstrdup(s->updated);
	text = install_state_format(s);
	r = mkdir_p(dir, 0755);
	if (r < 0)
		return r;
	return write_file_atomic(path, text, strlen(text), 0644);
}
