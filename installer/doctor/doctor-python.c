/*
 * doctor-python.c - the python check group: the user's conda, pip's and
 * conda's configuration files and their mirrors, whether the mirrors
 * answer (--online), and the framework environments gpu-setup made
 * (--deep imports the framework).
 *
 * Every path is the target's and is read through the sysroot, resolved
 * with sysroot_resolve so a symlink in a home under --root never leads to
 * the host's files.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "as-user.h"
#include "conda-prefix.h"
#include "condarc.h"
#include "doctor-python.h"
#include "doctor.h"
#include "fileio.h"
#include "pip-conf.h"
#include "run.h"
#include "sysroot.h"
#include "url-probe.h"
#include "util.h"

long doctor_python_test_deep_timeout_ms;

/* Configuration files are small; anything past this is not one. */
#define CONF_MAX_SIZE (1024 * 1024)

#define TUNA_PIP_INDEX "https://pypi.tuna.tsinghua.edu.cn/simple"
#define PYPI_INDEX "https://pypi.org/simple"

/* What the checks learn for the ones after them. */
struct py_state {
	const struct target_user *u;
	char *conda_prefix;          /* the user's conda, a target path, or NULL */
	char *pip_global_index;      /* global.index-url of the last file setting it */
	char *pip_install_index;     /* install.index-url, which pip install prefers */
	char *pip_index_file;        /* where the effective one came from */
	char **conda_defaults;       /* default_channels of every .condarc, deduplicated */
	size_t nconda_defaults;
};

static void py_state_release(struct py_state *s)
{
	free(s->conda_prefix);
	free(s->pip_global_index);
	free(s->pip_install_index);
	free(s->pip_index_file);
	for (size_t i = 0; i < s->nconda_defaults; i++)
		free(s->conda_defaults[i]);
	free(s->conda_defaults);
}

/* ------------------------------------------------------------ target files */

static int read_target(const char *path, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *host = NULL;
	int r = sysroot_host_path(path, &host);

	if (r < 0)
		return r;
	return read_file(host, CONF_MAX_SIZE, ret, ret_len);
}

static bool in_home(const struct target_user *u, const char *path)
{
	size_t n = strlen(u->home);

	return strncmp(path, u->home, n) == 0 && path[n] == '/';
}

/* The name of a uid or gid in the target's passwd or group, else the number. */
static char *owner_name(uid_t uid)
{
	_cleanup_free_ char *path = sysroot_path("/etc/passwd");
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	struct passwd *pw;

	while (f && (pw = fgetpwent(f)))
		if (pw->pw_uid == uid)
			return xstrdup(pw->pw_name);
	return uid == 0 ? xstrdup("root") : xasprintf("uid %u", (unsigned)uid);
}

static char *group_name(gid_t gid)
{
	_cleanup_free_ char *path = sysroot_path("/etc/group");
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	struct group *gr;

	while (f && (gr = fgetgrent(f)))
		if (gr->gr_gid == gid)
			return xstrdup(gr->gr_name);
	return xasprintf("%u", (unsigned)gid);
}

static char *chown_spec(const struct target_user *u)
{
	_cleanup_free_ char *g = group_name(u->gid);

	return xasprintf("%s:%s", u->name, g);
}

/* ------------------------------------------------------------ mirrors */

/* The mirror a URL points at, by its host: the ones gpu-setup knows
 * (platform-facts: TUNA, USTC, BFSU, SJTU, Aliyun), "PyPI" or
 * "Anaconda" for the origins, else NULL (a custom index). */
static const char *mirror_of(const char *url)
{
	static const struct {
		const char *host, *name;
	} known[] = {
		{ "pypi.tuna.tsinghua.edu.cn", "TUNA" },
		{ "mirrors.tuna.tsinghua.edu.cn", "TUNA" },
		{ "mirrors.ustc.edu.cn", "USTC" },
		{ "pypi.mirrors.ustc.edu.cn", "USTC" },
		{ "mirrors.bfsu.edu.cn", "BFSU" },
		{ "mirror.sjtu.edu.cn", "SJTU" },
		{ "mirrors.sjtug.sjtu.edu.cn", "SJTU" },
		{ "mirrors.aliyun.com", "Aliyun" },
		{ "pypi.org", "PyPI" },
		{ "pypi.python.org", "PyPI" },
		{ "repo.anaconda.com", "Anaconda" },
		{ "conda.anaconda.org", "Anaconda" },
	};
	const char *name = NULL;
	char *host = NULL;
	CURLU *h = curl_url();

	if (!h)
		return NULL;
	if (curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		for (char *c = host; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		for (size_t i = 0; i < ELEMENTSOF(known) && !name; i++)
			if (streq(host, known[i].host))
				name = known[i].name;
	}
	curl_free(host);
	curl_url_cleanup(h);
	return name;
}

static const char *mirror_label(const char *url)
{
	const char *m = mirror_of(url);

	return m ? m : "custom index";
}

/* ------------------------------------------------------------ python.conda */

/* The conda release from the package record in conda-meta, or NULL. */
static char *conda_version(const char *prefix)
{
	_cleanup_free_ char *meta = xasprintf("%s/conda-meta", prefix), *full = sysroot_path(meta);
	DIR *d = opendir(full);
	struct dirent *de;
	char *version = NULL;

	if (!d)
		return NULL;
	while (!version && (de = readdir(d))) {
		/* conda-24.11.3-py312h06a4308_0.json: name, version, build */
		const char *v = de->d_name + 6;
		size_t n;

		if (!startswith(de->d_name, "conda-") || *v < '0' || *v > '9')
			continue;
		n = strcspn(v, "-");
		if (v[n] == '-')
			version = xasprintf("%.*s", (int)n, v);
	}
	closedir(d);
	return version;
}

static void check_conda(struct py_state *s, struct doctor_report *rep)
{
	const struct target_user *u = s->u;
	_cleanup_free_ char *prefix = NULL, *conda = NULL, *version = NULL;
	struct doctor_check *c;
	struct stat pst, cst;

	if (conda_prefix_find(u, NULL, &prefix) < 0) {
		c = doctor_add(rep, "python.conda", DOCTOR_WARN,
			       "no Miniconda for %s: none of ~/miniconda3, ~/anaconda3, ~/miniforge3, ~/mambaforge "
			       "in %s has bin/conda",
			       u->name, u->home);
		doctor_set_fix(c, "sudo gpu-setup install miniconda --user %s", u->name);
		return;
	}
	conda = xasprintf("%s/bin/conda", prefix);
	s->conda_prefix = xstrdup(prefix);
	if (sysroot_stat(prefix, &pst) < 0 || sysroot_stat(conda, &cst) < 0) {
		c = doctor_add(rep, "python.conda", DOCTOR_SKIP, "cannot read %s", prefix);
		doctor_set_subject(c, prefix);
		return;
	}
	if (pst.st_uid != u->uid || cst.st_uid != u->uid) {
		_cleanup_free_ char *owner = owner_name(pst.st_uid != u->uid ? pst.st_uid : cst.st_uid),
				    *spec = chown_spec(u);

		c = doctor_add(rep, "python.conda", DOCTOR_FAIL,
			       "%s is owned by %s, not by %s (uid %u): conda will fail with "
			       "PermissionError when %s installs or creates environments",
			       pst.st_uid != u->uid ? prefix : conda, owner, u->name, (unsigned)u->uid, u->name);
		doctor_set_fix(c, "sudo chown -R %s %s", spec, prefix);
		doctor_set_subject(c, prefix);
		return;
	}
	version = conda_version(prefix);
	c = doctor_add(rep, "python.conda", DOCTOR_OK, "%s has bin/conda%s%s, owned by %s", prefix,
		       version ? " " : "", version ? version : "", u->name);
	doctor_set_subject(c, prefix);
}

/* ------------------------------------------------------------ python.pip-conf */

static void note_setting(struct strbuf *sb, const struct pip_conf *pc, const char *section, const char *key)
{
	const char *v = pip_conf_get(pc, section, key);

	if (v)
		strbuf_addf(sb, "; %s.%s = %s", section, key, v);
}

static void check_pip_file(struct py_state *s, const char *path, struct doctor_report *rep)
{
	const struct target_user *u = s->u;
	_cleanup_free_ char *text = NULL;
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT, ev = STRBUF_INIT;
	struct pip_conf pc;
	struct doctor_check *c;
	struct stat st;
	size_t len;
	int r;

	r = read_target(path, &text, &len);
	if (r == -ENOENT || r == -ENOTDIR)
		return;
	if (r < 0) {
		c = doctor_add(rep, "python.pip-conf", DOCTOR_SKIP, "cannot read %s: %s", path, strerror(-r));
		doctor_set_subject(c, path);
		if (r == -EACCES)
			doctor_set_fix(c, "run sudo gpu-setup doctor to read it");
		return;
	}
	strbuf_init(&err);
	if (pip_conf_parse(text, &pc, &err) < 0) {
		const char *n = err.buf + strlen("line ");

		c = doctor_add(rep, "python.pip-conf", DOCTOR_FAIL,
			       "%s: %s; pip refuses to run with a broken config file", path, err.buf);
		doctor_set_fix(c, "correct line %.*s of %s, or remove the file", (int)strspn(n, "0123456789"), n,
			       path);
		doctor_set_subject(c, path);
		return;
	}
	const char *global = pip_conf_get(&pc, "global", "index-url"),
		   *install = pip_conf_get(&pc, "install", "index-url");
	strbuf_init(&ev);
	strbuf_addf(&ev, "%s parsed", path);
	if (install || global) {
		const char *shown = install ? install : global;

		strbuf_addf(&ev, "; %s.index-url = %s (%s)", install ? "install" : "global", shown,
			    mirror_label(shown));
		if (global) {
			free(s->pip_global_index);
			s->pip_global_index = xstrdup(global);
		}
		if (install) {
			free(s->pip_install_index);
			s->pip_install_index = xstrdup(install);
		}
		free(s->pip_index_file);
		s->pip_index_file = xstrdup(path);
	} else {
		strbuf_adds(&ev, "; it sets no index-url");
	}
	note_setting(&ev, &pc, "global", "extra-index-url");
	note_setting(&ev, &pc, "global", "trusted-host");
	note_setting(&ev, &pc, "install", "trusted-host");
	/* pip still reads a file it does not own, so its index counted above;
	 * what fails is changing it. */
	if (in_home(u, path) && sysroot_stat(path, &st) == 0 && st.st_uid != u->uid) {
		_cleanup_free_ char *owner = owner_name(st.st_uid), *spec = chown_spec(u);

		c = doctor_add(rep, "python.pip-conf", DOCTOR_FAIL,
			       "%s is owned by %s in %s's home: pip config set fails with PermissionError (%s)", path,
			       owner, u->name, ev.buf);
		doctor_set_fix(c, "sudo chown %s %s", spec, path);
	} else {
		c = doctor_add(rep, "python.pip-conf", DOCTOR_OK, "%s", ev.buf);
	}
	doctor_set_subject(c, path);
	pip_conf_free(&pc);
}

/* The index pip install uses: install.index-url of any file beats
 * global.index-url (pip merges the files first, later files winning). */
static const char *pip_effective_index(const struct py_state *s)
{
	return s->pip_install_index ? s->pip_install_index : s->pip_global_index;
}

static void check_pip(struct py_state *s, struct doctor_ctx *ctx, struct doctor_report *rep)
{
	const struct target_user *u = s->u;
	/* pip's load order: global files, then the user's (the legacy one
	 * first); a later file wins. */
	_cleanup_free_ char *legacy = xasprintf("%s/.pip/pip.conf", u->home),
			    *user = xasprintf("%s/.config/pip/pip.conf", u->home);
	const char *const files[] = { "/etc/xdg/pip/pip.conf", "/etc/pip.conf", legacy, user };
	struct doctor_check *c;

	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		check_pip_file(s, files[i], rep);
	if (!pip_effective_index(s)) {
		c = doctor_add(rep, "python.pip-conf", DOCTOR_WARN,
			       "pip uses pypi.org: none of /etc/xdg/pip/pip.conf, /etc/pip.conf, %s, %s sets an "
			       "index-url that pip can read",
			       legacy, user);
		doctor_set_fix(c, "sudo gpu-setup mirror --user %s (adds \"index-url = %s\" under [global] in %s and "
				  "keeps the rest)",
			       s->u->name, TUNA_PIP_INDEX, user);
	}
	if (ctx->live) {
		const char *env = getenv("PIP_CONFIG_FILE");

		if (env && *env) {
			c = doctor_add(rep, "python.pip-conf", DOCTOR_WARN,
				       "PIP_CONFIG_FILE=%s is set (%s): pip reads it instead of %s", env,
				       access(env, F_OK) == 0 ? "the file exists" : "no such file", user);
			doctor_set_fix(c, "unset PIP_CONFIG_FILE and remove its export (~/.bashrc, ~/.profile, "
					  "/etc/environment); put the settings in %s",
				       user);
			doctor_set_subject(c, "PIP_CONFIG_FILE");
		}
	}
}

/* ------------------------------------------------------------ python.condarc */

static void add_default_channel(struct py_state *s, const char *url)
{
	for (size_t i = 0; i < s->nconda_defaults; i++)
		if (streq(s->conda_defaults[i], url))
			return;
	s->conda_defaults = xrealloc(s->conda_defaults, (s->nconda_defaults + 1) * sizeof(char *));
	s->conda_defaults[s->nconda_defaults++] = xstrdup(url);
}

static void list_words(struct strbuf *sb, char *const *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", l[i]);
}

/* Returns whether the file sets default_channels. */
static bool check_condarc_file(struct py_state *s, const char *path, struct doctor_report *rep)
{
	const struct target_user *u = s->u;
	_cleanup_free_ char *text = NULL;
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT, ev = STRBUF_INIT;
	struct condarc cr;
	struct doctor_check *c;
	struct stat st;
	size_t len;
	bool sets;
	int r;

	r = read_target(path, &text, &len);
	if (r == -ENOENT || r == -ENOTDIR)
		return false;
	if (r < 0) {
		c = doctor_add(rep, "python.condarc", DOCTOR_SKIP, "cannot read %s: %s", path, strerror(-r));
		doctor_set_subject(c, path);
		if (r == -EACCES)
			doctor_set_fix(c, "run sudo gpu-setup doctor to read it");
		return false;
	}
	strbuf_init(&err);
	if (condarc_parse(text, len, &cr, &err) < 0) {
		c = doctor_add(rep, "python.condarc", DOCTOR_FAIL, "%s: %s; conda stops on a broken .condarc",
			       path, err.buf);
		doctor_set_fix(c, "correct %s at the line named, or remove it", path);
		doctor_set_subject(c, path);
		return false;
	}
	if (in_home(u, path) && sysroot_stat(path, &st) == 0 && st.st_uid != u->uid) {
		_cleanup_free_ char *owner = owner_name(st.st_uid), *spec = chown_spec(u);

		c = doctor_add(rep, "python.condarc", DOCTOR_FAIL,
			       "%s is owned by %s in %s's home: conda config fails with PermissionError", path,
			       owner, u->name);
		doctor_set_fix(c, "sudo chown %s %s", spec, path);
		doctor_set_subject(c, path);
		/* conda still reads it: its channels are still the ones used. */
		for (size_t i = 0; i < cr.ndefault_channels; i++)
			add_default_channel(s, cr.default_channels[i]);
		sets = cr.ndefault_channels > 0;
		condarc_free(&cr);
		return sets;
	}

	strbuf_init(&ev);
	strbuf_addf(&ev, "%s parsed", path);
	if (cr.ndefault_channels) {
		strbuf_addf(&ev, "; default_channels on %s: ", mirror_label(cr.default_channels[0]));
		list_words(&ev, cr.default_channels, cr.ndefault_channels);
		for (size_t i = 0; i < cr.ndefault_channels; i++)
			add_default_channel(s, cr.default_channels[i]);
	}
	if (cr.nchannels) {
		strbuf_adds(&ev, "; channels: ");
		list_words(&ev, cr.channels, cr.nchannels);
		for (size_t i = 0; i < cr.nchannels; i++)
			if (strstr(cr.channels[i], "://")) {
				strbuf_addf(&ev, " (%s)", mirror_label(cr.channels[i]));
				break;
			}
	}
	if (cr.ncustom_channels) {
		strbuf_adds(&ev, "; custom_channels: ");
		for (size_t i = 0; i < cr.ncustom_channels; i++)
			strbuf_addf(&ev, "%s%s", i ? ", " : "", cr.custom_channels[i].name);
		strbuf_addf(&ev, " (%s)", mirror_label(cr.custom_channels[0].url));
	}
	if (cr.channel_alias)
		strbuf_addf(&ev, "; channel_alias: %s (%s)", cr.channel_alias, mirror_label(cr.channel_alias));
	if (!cr.ndefault_channels && !cr.nchannels && !cr.ncustom_channels && !cr.channel_alias)
		strbuf_adds(&ev, "; it sets no channels");
	c = doctor_add(rep, "python.condarc", DOCTOR_OK, "%s", ev.buf);
	doctor_set_subject(c, path);
	bool sets_defaults = cr.ndefault_channels > 0;
	condarc_free(&cr);
	return sets_defaults;
}

static void check_condarc(struct py_state *s, struct doctor_report *rep)
{
	const struct target_user *u = s->u;
	/* conda's search path, in the order it merges them. */
	_cleanup_free_ char *in_prefix = s->conda_prefix ? xasprintf("%s/.condarc", s->conda_prefix) : NULL,
			    *xdg = xasprintf("%s/.config/conda/.condarc", u->home),
			    *dotconda = xasprintf("%s/.conda/.condarc", u->home),
			    *home = xasprintf("%s/.condarc", u->home);
	const char *const files[] = { "/etc/conda/.condarc", in_prefix, xdg, dotconda, home };
	bool mirrored = false;
	struct doctor_check *c;

	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		if (files[i])
			mirrored |= check_condarc_file(s, files[i], rep);
	if (!mirrored) {
		c = doctor_add(rep, "python.condarc", DOCTOR_WARN,
			       "no .condarc sets default_channels (read /etc/conda/.condarc%s%s, %s, %s, %s): conda "
			       "downloads from repo.anaconda.com and asks to accept Anaconda's terms of service",
			       in_prefix ? ", " : "", in_prefix ? in_prefix : "", xdg, dotconda, home);
		doctor_set_fix(c, "sudo gpu-setup mirror --user %s (puts TUNA's channels, default_channels and "
				  "custom_channels in %s and keeps the rest)",
			       s->u->name, home);
	}
}

/* ------------------------------------------------------------ python.mirrors-reachable */

static void probe(const char *url, const char *what, struct doctor_report *rep)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct url_probe_result res = { 0 };
	struct doctor_check *c;
	int r;

	strbuf_init(&err);
	r = url_probe(url, DOCTOR_ONLINE_TIMEOUT_MS, &res, &err);
	if (r == 0) {
		c = doctor_add(rep, "python.mirrors-reachable", DOCTOR_OK, "%s answered HTTP %ld in %ld ms (%s)",
			       url, res.http_code, res.elapsed_ms, what);
	} else {
		c = doctor_add(rep, "python.mirrors-reachable", DOCTOR_FAIL, "%s (%s): %s", url, what,
			       r == -ENOMEM ? "cannot start libcurl" : err.buf);
		doctor_set_fix(c, "check the network and the proxy settings (https_proxy, no_proxy), "
				  "or point %s at another mirror",
			       startswith(what, "pip") ? "pip" : "conda");
	}
	doctor_set_subject(c, url);
}

static void check_mirrors(struct py_state *s, struct doctor_ctx *ctx, struct doctor_report *rep)
{
	const char *index = pip_effective_index(s);
	_cleanup_free_ char *what = NULL, *trimmed = NULL;
	struct doctor_check *c;

	if (!ctx->online) {
		doctor_add(rep, "python.mirrors-reachable", DOCTOR_SKIP, "not checked: add --online");
		return;
	}
	/* A value continued on the next line starts with a newline. */
	trimmed = xstrdup(index ? index : PYPI_INDEX);
	what = index ? xasprintf("pip index-url from %s", s->pip_index_file) : xstrdup("pip's default index");
	probe(strstrip(trimmed), what, rep);

	/* conda fetches <channel>/<subdir>/repodata.json; noarch is in every
	 * channel.  Without default_channels, "defaults" is Anaconda's. */
	if (!s->nconda_defaults && s->conda_prefix) {
		add_default_channel(s, "https://repo.anaconda.com/pkgs/main");
		add_default_channel(s, "https://repo.anaconda.com/pkgs/r");
	}
	for (size_t i = 0; i < s->nconda_defaults; i++) {
		const char *ch = s->conda_defaults[i];
		size_t n = strlen(ch);
		_cleanup_free_ char *url = xasprintf("%.*s/noarch/repodata.json", (int)(n && ch[n - 1] == '/' ? n - 1 : n), ch);

		if (!strstr(ch, "://")) {
			c = doctor_add(rep, "python.mirrors-reachable", DOCTOR_SKIP,
				       "default channel %s is not a URL: not probed", ch);
			doctor_set_subject(c, ch);
			continue;
		}
		probe(url, "conda default channel", rep);
	}
}

/* ------------------------------------------------------------ python.framework-env */

/* The script --deep runs: import the framework, print one JSON line. */
static const char torch_script[] =
	"import json, torch\n"
	"gpu = torch.cuda.is_available()\n"
	"print(json.dumps({'version': torch.__version__, 'cuda': torch.version.cuda,\n"
	"    'cudnn': torch.backends.cudnn.version(), 'gpu': gpu,\n"
	"    'gpu_name': torch.cuda.get_device_name(0) if gpu else None}))\n";
static const char tf_script[] =
	"import json, tensorflow as tf\n"
	"info = tf.sysconfig.get_build_info()\n"
	"gpus = tf.config.list_physical_devices('GPU')\n"
	"name = tf.config.experimental.get_device_details(gpus[0]).get('device_name', gpus[0].name) if gpus else None\n"
	"print(json.dumps({'version': tf.__version__, 'cuda': info.get('cuda_version'),\n"
	"    'cudnn': info.get('cudnn_version'), 'gpu': bool(gpus), 'gpu_name': name}))\n";

static const char *json_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return json_object_get_string(v);
}

static void deep_import(struct doctor_ctx *ctx, const struct target_user *u, const char *env,
			const char *framework, const char *want_version, const char *want_cuda,
			struct doctor_report *rep)
{
	bool torch = streq(framework, "pytorch");
	const char *module = torch ? "torch" : "tensorflow";
	long timeout = doctor_python_test_deep_timeout_ms > 0 ? doctor_python_test_deep_timeout_ms
							      : DOCTOR_DEEP_TIMEOUT_MS;
	_cleanup_free_ char *python = xasprintf("%s/bin/python", env), *bin = xasprintf("%s/bin", env);
	_cleanup_free_ char *printed = NULL, *why = NULL;
	/* No __pycache__ written into the environment by this run. */
	const char *const extra_env[] = { "PYTHONDONTWRITEBYTECODE=1", "TF_CPP_MIN_LOG_LEVEL=2", NULL };
	const char *const argv[] = { python, "-c", torch ? torch_script : tf_script, NULL };
	struct json_object *o = NULL;
	struct run_result rr;
	struct doctor_check *c;
	int r;

	if (!sysroot_exists(python)) {
		c = doctor_add(rep, "python.framework-env", DOCTOR_FAIL, "%s has no bin/python", env);
		doctor_set_fix(c, "remove %s and run sudo gpu-setup to create it again", env);
		doctor_set_subject(c, env);
		return;
	}
	/* As the user: whatever the framework writes into the home (caches)
	 * stays the user's. */
	r = as_user_run(u, argv, bin, extra_env, timeout, &rr);
	if (r < 0) {
		c = doctor_add(rep, "python.framework-env", DOCTOR_FAIL, "cannot run %s: %s", python, strerror(-r));
		doctor_set_fix(c, "remove %s and run sudo gpu-setup to create it again", env);
		doctor_set_subject(c, env);
		return;
	}
	if (rr.timed_out) {
		c = doctor_add(rep, "python.framework-env", DOCTOR_FAIL,
			       "importing %s with %s did not finish within %ld s", module, python, timeout / 1000);
		doctor_set_fix(c, "run %s -c 'import %s' as %s to see where it hangs", python, module, u->name);
	} else if (rr.exit_status != 0) {
		why = rr.err.len ? last_line(rr.err.buf) : xstrdup("no error message");
		c = doctor_add(rep, "python.framework-env", DOCTOR_FAIL, "importing %s with %s failed (exit %d): %s",
			       module, python, rr.exit_status, why);
		doctor_set_fix(c, "remove %s and run sudo gpu-setup to create it again", env);
	} else if (!(o = json_tokener_parse((printed = last_line(rr.out.buf)))) ||
		   !json_object_is_type(o, json_type_object) || !json_str(o, "version")) {
		c = doctor_add(rep, "python.framework-env", DOCTOR_FAIL,
			       "%s imported %s but printed no result: '%s'", python, module, printed);
		doctor_set_fix(c, "run %s -c 'import %s' as %s and look at what it prints", python, module, u->name);
	} else {
		const char *version = json_str(o, "version"), *cuda = json_str(o, "cuda"),
			   *cudnn = json_str(o, "cudnn"), *gpu_name = json_str(o, "gpu_name");
		struct json_object *gpu_o = NULL;
		bool gpu = json_object_object_get_ex(o, "gpu", &gpu_o) && json_object_get_boolean(gpu_o);
		bool machine_has_gpu = ctx->det && ctx->det->pci.nvidia_count > 0;
		_cleanup_free_ char *facts =
			xasprintf("%s %s built with CUDA %s and cuDNN %s, %s%s", module, version,
				  cuda ? cuda : "none", cudnn ? cudnn : "none", gpu ? "sees " : "sees no GPU",
				  gpu ? (gpu_name ? gpu_name : "a GPU") : "");

		if (!gpu && machine_has_gpu) {
			c = doctor_add(rep, "python.framework-env", DOCTOR_FAIL,
				       "%s, although this machine has an NVIDIA GPU", facts);
			doctor_set_fix(c, "see the driver checks above: run the fixes of gpu-setup doctor's driver.* "
					  "checks, then check again with --deep");
		} else if (want_version && !startswith(version, want_version)) {
			c = doctor_add(rep, "python.framework-env", DOCTOR_WARN,
				       "%s, but %s says gpu-setup installed %s %s (for CUDA %s)", facts, GS_ENV_MARKER,
				       framework, want_version, want_cuda);
			doctor_set_fix(c, "remove %s and run sudo gpu-setup to create it again", env);
		} else {
			c = doctor_add(rep, "python.framework-env", DOCTOR_OK, "%s", facts);
		}
	}
	doctor_set_subject(c, env);
	json_object_put(o);
	run_result_release(&rr);
}

static void check_env(struct doctor_ctx *ctx, const struct target_user *u, const char *env,
		      struct doctor_report *rep)
{
	_cleanup_free_ char *marker = xasprintf("%s/%s", env, GS_ENV_MARKER), *text = NULL;
	const char *framework = NULL, *version = NULL, *cuda = NULL;
	struct json_object *o = NULL;
	struct doctor_check *c;
	size_t len;
	int r;

	r = read_target(marker, &text, &len);
	if (r == -ENOENT)
		return;
	if (r == 0 && (o = json_tokener_parse(text)) && json_object_is_type(o, json_type_object)) {
		framework = json_str(o, "framework");
		version = json_str(o, "version");
		cuda = json_str(o, "cuda");
	}
	if (r < 0 || !framework || !version || !cuda ||
	    (!streq(framework, "pytorch") && !streq(framework, "tensorflow"))) {
		c = doctor_add(rep, "python.framework-env", DOCTOR_WARN,
			       "%s: %s", marker,
			       r < 0 ? strerror(-r)
				     : "not a JSON object with framework (pytorch or tensorflow), version and cuda");
		doctor_set_fix(c, "remove %s and run sudo gpu-setup to create it again", env);
	} else if (!ctx->deep) {
		c = doctor_add(rep, "python.framework-env", DOCTOR_OK,
			       "%s says %s %s for CUDA %s: found, not imported (add --deep)", marker, framework,
			       version, cuda);
	} else if (!ctx->live && !ctx->is_root) {
		c = doctor_add(rep, "python.framework-env", DOCTOR_SKIP,
			       "%s says %s %s for CUDA %s; not imported: running a program inside --root needs "
			       "root (chroot)",
			       marker, framework, version, cuda);
		doctor_set_fix(c, "run gpu-setup doctor --deep with sudo");
	} else if (!ctx->is_root && u->uid != geteuid()) {
		c = doctor_add(rep, "python.framework-env", DOCTOR_SKIP,
			       "%s says %s %s for CUDA %s; not imported: importing as %s needs root", marker,
			       framework, version, cuda, u->name);
		doctor_set_fix(c, "run gpu-setup doctor --deep with sudo");
	} else {
		deep_import(ctx, u, env, framework, version, cuda, rep);
		json_object_put(o);
		return;
	}
	doctor_set_subject(c, env);
	json_object_put(o);
}

static int is_subdir(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

static void check_envs(struct py_state *s, struct doctor_ctx *ctx, struct doctor_report *rep)
{
	_cleanup_free_ char *envs = NULL, *full = NULL;
	struct dirent **list = NULL;
	int n;

	if (!s->conda_prefix)
		return;
	envs = xasprintf("%s/envs", s->conda_prefix);
	full = sysroot_path(envs);
	n = scandir(full, &list, is_subdir, alphasort);
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *env = xasprintf("%s/%s", envs, list[i]->d_name);

		check_env(ctx, s->u, env, rep);
		free(list[i]);
	}
	free(list);
}

/* ------------------------------------------------------------ the group */

void doctor_check_python(struct doctor_ctx *ctx, struct doctor_report *rep)
{
	struct py_state s = { .u = ctx->user };

	if (!ctx->user) {
		static const char *const ids[] = { "python.conda", "python.pip-conf", "python.condarc",
						   "python.mirrors-reachable" };

		for (size_t i = 0; i < ELEMENTSOF(ids); i++)
			doctor_add(rep, ids[i], DOCTOR_SKIP,
				   "no user to check: the user Python is set up for was not found in the "
				   "target's passwd");
		return;
	}
	check_conda(&s, rep);
	check_pip(&s, ctx, rep);
	check_condarc(&s, rep);
	check_mirrors(&s, ctx, rep);
	check_envs(&s, ctx, rep);
	py_state_release(&s);
}
