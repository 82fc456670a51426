/*
 * target-json.c - the target read from a description of another machine,
 * the document `gpu-setup detect --json` printed there (see target.h):
 * its GPUs become a PCI scan as detection would have made it here (the
 * NVIDIA facts from this machine's compat data), its "system" member the
 * distribution, driver, kernel and apt's view.  Every member is checked
 * on load, so a bad file is refused with its path and the member named
 * before anything uses it.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>

#include <openssl/evp.h>

#include "apt-target.h"
#include "exit-codes.h"
#include "fileio.h"
#include "json-compat.h"
#include "json-parse.h"
#include "log.h"
#include "target.h"
#include "util.h"

#define DESCRIPTION_MAX (256u << 20)   /* a few MiB with every package of a desktop */

/* Log "PATH: MEMBER: what" and return EXIT_BAD_INPUT. */
static int bad(const char *path, const char *member, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(const char *path, const char *member, const char *fmt, ...)
{
	_cleanup_free_ char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	log_error("%s: %s: %s", path, member, what);
	return EXIT_BAD_INPUT;
}

/* The member key of o, or NULL when it is missing or null. */
static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* *ret: o's string member key; NULL when missing or null, which only an
 * optional member may be. */
static int get_str(const char *path, struct json_object *o, const char *where, const char *key, bool optional,
		   const char **ret)
{
	struct json_object *v = get(o, key);

	*ret = NULL;
	if (!v) {
		if (optional)
			return EXIT_OK;
		return bad(path, where, "'%s' is missing", key);
	}
	if (!json_object_is_type(v, json_type_string))
		return bad(path, where, "'%s' is not a string", key);
	*ret = json_object_get_string(v);
	return EXIT_OK;
}

/* An array member (NULL: missing or null, allowed when optional). */
static int get_array(const char *path, struct json_object *o, const char *where, const char *key, bool optional,
		     struct json_object **ret)
{
	*ret = get(o, key);
	if (!*ret)
		return optional ? EXIT_OK : bad(path, where, "'%s' is missing", key);
	if (!json_object_is_type(*ret, json_type_array))
		return bad(path, where, "'%s' is not an array", key);
	return EXIT_OK;
}

static int get_object(const char *path, struct json_object *o, const char *where, const char *key,
		      struct json_object **ret)
{
	*ret = get(o, key);
	if (*ret && !json_object_is_type(*ret, json_type_object))
		return bad(path, where, "'%s' is neither an object nor null", key);
	return EXIT_OK;
}

/* ---------------------------------------------------------------- the GPUs */

/* digits hex digits exactly, as detect writes them. */
static bool parse_hex(const char *s, size_t digits, unsigned *ret)
{
	unsigned v = 0;

	if (strlen(s) != digits)
		return false;
	for (size_t i = 0; i < digits; i++) {
		int c = s[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
						    : 16;
		if (d == 16)
			return false;
		v = v * 16 + d;
	}
	*ret = v;
	return true;
}

static int hex_member(const char *path, struct json_object *o, const char *where, const char *key, size_t digits,
		      bool optional, unsigned *ret)
{
	const char *s;
	int code = get_str(path, o, where, key, optional, &s);

	*ret = 0;
	if (code != EXIT_OK || !s)
		return code;
	if (!parse_hex(s, digits, ret))
		return bad(path, where, "'%s' is \"%s\", not %zu hex digits", key, s, digits);
	return EXIT_OK;
}

/* "0000:01:00.0" */
static int address_member(const char *path, struct json_object *o, const char *where, struct pci_gpu *g)
{
	const char *s;
	char dom[5], bus[3], dev[3];
	int code = get_str(path, o, where, "address", false, &s);

	if (code != EXIT_OK)
		return code;
	if (strlen(s) != 12 || s[4] != ':' || s[7] != ':' || s[10] != '.')
		goto fail;
	memcpy(dom, s, 4);
	dom[4] = '\0';
	memcpy(bus, s + 5, 2);
	bus[2] = '\0';
	memcpy(dev, s + 8, 2);
	dev[2] = '\0';
	if (!parse_hex(dom, 4, &g->domain) || !parse_hex(bus, 2, &g->bus) || !parse_hex(dev, 2, &g->dev) ||
	    g->dev > 0x1f || s[11] < '0' || s[11] > '7')
		goto fail;
	g->func = (unsigned)(s[11] - '0');
	return EXIT_OK;
fail:
	return bad(path, where, "'address' is \"%s\", not a PCI address like 0000:01:00.0", s);
}

static const char *known_name_source(const char *s)
{
	static const char *const names[] = { "compat", "pci.ids", "none" };

	for (size_t i = 0; s && i < ELEMENTSOF(names); i++)
		if (streq(s, names[i]))
			return names[i];
	return "none";
}

/* One element of "gpus" into g, the NVIDIA facts from db as detection
 * gives them (hw-pci.c). */
static int read_gpu(const char *path, struct json_object *o, size_t i, const struct gpu_db *db, struct pci_gpu *g)
{
	_cleanup_free_ char *where = xasprintf("gpus[%zu]", i);
	const char *vendor, *name, *name_source, *driver;
	int code;

	if (!json_object_is_type(o, json_type_object))
		return bad(path, where, "not an object");
	if ((code = address_member(path, o, where, g)) ||
	    (code = hex_member(path, o, where, "vendor_id", 4, false, &g->vendor_id)) ||
	    (code = hex_member(path, o, where, "device_id", 4, false, &g->device_id)) ||
	    (code = hex_member(path, o, where, "subsystem_vendor_id", 4, true, &g->subsys_vendor_id)) ||
	    (code = hex_member(path, o, where, "subsystem_id", 4, true, &g->subsys_id)) ||
	    (code = hex_member(path, o, where, "class", 4, false, &g->class_id)) ||
	    /* Added to the schema later: 00 for every NVIDIA display class. */
	    (code = hex_member(path, o, where, "prog_if", 2, true, &g->prog_if)) ||
	    (code = get_str(path, o, where, "vendor", true, &vendor)) ||
	    (code = get_str(path, o, where, "name", true, &name)) ||
	    (code = get_str(path, o, where, "name_source", true, &name_source)) ||
	    (code = get_str(path, o, where, "driver", true, &driver)))
		return code;
	if (!pci_display_class_name(g->class_id))
		return bad(path, where, "'class' %04x is not a display device class", g->class_id);

	if (g->vendor_id == PCI_VENDOR_NVIDIA && gpu_db_lookup(db, g->device_id, &g->info) == 0)
		g->has_info = true;
	g->vendor_name = vendor ? xstrdup(vendor) : xasprintf("Vendor %04x", g->vendor_id);
	/* This machine's compat data may name a card newer than the other's. */
	if (g->has_info && g->info.name) {
		g->name = xstrdup(g->info.name);
		g->name_source = "compat";
	} else if (name) {
		g->name = xstrdup(name);
		g->name_source = known_name_source(name_source);
	} else {
		g->name = xasprintf("Device %04x", g->device_id);
		g->name_source = "none";
	}
	g->driver = xstrdup(driver ? driver : "unknown");
	return EXIT_OK;
}

static int read_gpus(const char *path, struct json_object *doc, const char *compat_dir, struct detect_report *rep)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct json_object *gpus, *n;
	struct pci_scan *s = &rep->pci;
	int code = get_array(path, doc, "the document", "gpus", false, &gpus);

	if (code != EXIT_OK)
		return code;
	strbuf_init(&err);
	if (gpu_db_load(compat_dir, &rep->db, &err) < 0) {
		log_error("%s", err.buf);
		return EXIT_BAD_INPUT;
	}
	s->gpus = xcalloc(json_object_array_length(gpus) + 1, sizeof(*s->gpus));
	for (size_t i = 0; i < json_object_array_length(gpus); i++) {
		code = read_gpu(path, json_object_array_get_idx(gpus, i), i, rep->db, &s->gpus[s->ngpus]);
		s->ngpus++;  /* counted even when half read: pci_scan_free frees it */
		if (code != EXIT_OK)
			return code;
	}
	n = get(doc, "pci_devices");
	s->ndevices = n && json_object_is_type(n, json_type_int) && json_object_get_int64(n) > 0
			      ? (size_t)json_object_get_int64(n)
			      : s->ngpus;
	pci_scan_classify(s);
	return EXIT_OK;
}

/* ---------------------------------------------------------------- the system */

static int read_os(const char *path, struct json_object *sys, struct os_release *os)
{
	struct json_object *o;
	const char *id, *version_id, *codename, *pretty, *distro, *like, *ubuntu, *debian;
	_cleanup_free_ char *key = NULL;
	int code = get_object(path, sys, "system", "os", &o);

	if (code != EXIT_OK)
		return code;
	if (!o)
		return bad(path, "system.os", "null: the machine had no os-release, so its distribution is unknown");
	if ((code = get_str(path, o, "system.os", "id", false, &id)) ||
	    (code = get_str(path, o, "system.os", "version_id", false, &version_id)) ||
	    (code = get_str(path, o, "system.os", "version_codename", true, &codename)) ||
	    (code = get_str(path, o, "system.os", "pretty_name", true, &pretty)) ||
	    /* what derivatives say of their base (descriptions of older
	     * gpu-setup versions lack them) */
	    (code = get_str(path, o, "system.os", "id_like", true, &like)) ||
	    (code = get_str(path, o, "system.os", "ubuntu_codename", true, &ubuntu)) ||
	    (code = get_str(path, o, "system.os", "debian_codename", true, &debian)) ||
	    (code = get_str(path, sys, "system", "distro", true, &distro)))
		return code;
	if (!*id || !*version_id)
		return bad(path, "system.os", "empty 'id' or 'version_id'");
	/* "distro" repeats os-release's ID-VERSION_ID: a document where the
	 * two disagree was changed by hand, and which one is meant is unclear. */
	key = xasprintf("%s-%s", id, version_id);
	if (distro && !streq(distro, key))
		return bad(path, "system.distro", "'%s', but system.os says ID %s and VERSION_ID %s", distro, id,
			   version_id);
	*os = (struct os_release){
		.id = xstrdup(id), .version_id = xstrdup(version_id),
		.codename = codename ? xstrdup(codename) : NULL,
		.pretty_name = pretty ? xstrdup(pretty) : NULL,
		.id_like = like ? xstrdup(like) : NULL,
		.ubuntu_codename = ubuntu ? xstrdup(ubuntu) : NULL,
		.debian_codename = debian ? xstrdup(debian) : NULL,
		.distro = TAKE_PTR(key),
	};
	return EXIT_OK;
}

static int read_driver(const char *path, struct json_object *sys, struct target *t)
{
	struct json_object *o;
	const char *version = NULL, *flavour = NULL, *kernel;
	int code = get_object(path, sys, "system", "driver", &o);

	if (code == EXIT_OK && o)
		if ((code = get_str(path, o, "system.driver", "version", true, &version)) ||
		    (code = get_str(path, o, "system.driver", "flavour", true, &flavour)))
			return code;
	if (code == EXIT_OK)
		code = get_str(path, sys, "system", "kernel", true, &kernel);
	if (code != EXIT_OK)
		return code;
	t->installed_flavour = FLAVOUR_UNKNOWN;
	if (flavour && streq(flavour, flavour_name(FLAVOUR_OPEN)))
		t->installed_flavour = FLAVOUR_OPEN;
	else if (flavour && streq(flavour, flavour_name(FLAVOUR_PROPRIETARY)))
		t->installed_flavour = FLAVOUR_PROPRIETARY;
	else if (flavour && !streq(flavour, flavour_name(FLAVOUR_UNKNOWN)))
		return bad(path, "system.driver", "'flavour' is \"%s\", not open, proprietary or unknown", flavour);
	t->installed = version ? xstrdup(version) : NULL;
	t->kernel = kernel ? xstrdup(kernel) : NULL;
	target_take_kernels(t);
	return EXIT_OK;
}

/* ---------------------------------------------------------------- apt */

/* An absolute path with no "." or ".." component: apt-target.c lays the
 * files out at these paths under a directory of its own. */
static bool plain_abs_path(const char *p)
{
	if (p[0] != '/')
		return false;
	for (const char *c = p; *c;) {
		size_t n;

		while (*c == '/')
			c++;
		n = strcspn(c, "/");
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n;
	}
	return true;
}

/* Standard base64 (what EVP_EncodeBlock wrote) into a new buffer.
 * EVP_DecodeBlock counts the padding as zero bytes: drop one per '='. */
static int decode_base64(const char *s, size_t len, unsigned char **ret, size_t *ret_len)
{
	unsigned char *out;
	int n;

	if (len % 4 || len > (size_t)INT32_MAX || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != len)
		return -EINVAL;
	out = xmalloc(len / 4 * 3 + 1);
	n = len ? EVP_DecodeBlock(out, (const unsigned char *)s, (int)len) : 0;
	if (n < 0) {
		free(out);
		return -EINVAL;
	}
	for (size_t i = len; i > 0 && i > len - 2 && s[i - 1] == '='; i--)
		n--;
	*ret = out;
	*ret_len = (size_t)n;
	return 0;
}

static int read_files(const char *path, struct json_object *arr, const char *what, const char *data_key,
		      bool base64, struct apt_target_file **ret)
{
	struct apt_target_file *files = xcalloc(json_object_array_length(arr) + 1, sizeof(*files));

	*ret = files;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		_cleanup_free_ char *where = xasprintf("system.apt.%s[%zu]", what, i);
		struct json_object *d;
		const char *p, *data;
		int code;

		if (!o || !json_object_is_type(o, json_type_object))
			return bad(path, where, "not an object");
		if ((code = get_str(path, o, where, "path", false, &p)) ||
		    (code = get_str(path, o, where, data_key, false, &data)))
			return code;
		if (!plain_abs_path(p))
			return bad(path, where, "'path' \"%s\" is not an absolute path without . or ..", p);
		d = get(o, data_key);
		files[i].path = p;
		if (!base64) {
			files[i].data = (const unsigned char *)data;
			files[i].len = (size_t)json_object_get_string_len(d);
		} else {
			unsigned char *bytes;

			if (decode_base64(data, (size_t)json_object_get_string_len(d), &bytes, &files[i].len) < 0)
				return bad(path, where, "'%s' is not base64", data_key);
			files[i].data = bytes;
		}
	}
	return EXIT_OK;
}

static int read_packages(const char *path, struct json_object *arr, struct apt_target_package **ret)
{
	struct apt_target_package *pkgs = xcalloc(json_object_array_length(arr) + 1, sizeof(*pkgs));

	*ret = pkgs;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		_cleanup_free_ char *where = xasprintf("system.apt.packages[%zu]", i);
		int code;

		if (!o || !json_object_is_type(o, json_type_object))
			return bad(path, where, "not an object");
		if ((code = get_str(path, o, where, "name", false, &pkgs[i].name)) ||
		    (code = get_str(path, o, where, "version", false, &pkgs[i].version)) ||
		    (code = get_str(path, o, where, "arch", false, &pkgs[i].arch)))
			return code;
	}
	return EXIT_OK;
}

/* spec from the document's system.apt, logging what is wrong under path
 * (NULL: no logging).  EXIT_OK, -ENODATA as an exit code's stand-in when
 * there is no apt part (*ret zeroed), or EXIT_BAD_INPUT; spec is to be
 * released whatever the outcome. */
static int read_apt(const char *path, struct json_object *doc, struct apt_target_spec *spec)
{
	struct json_object *sys = get(doc, "system"), *apt = NULL, *sources, *keys, *packages;
	struct apt_target_file *files;
	struct apt_target_package *pkgs;
	int code;

	*spec = (struct apt_target_spec){ 0 };
	if (sys && (code = get_object(path, sys, "system", "apt", &apt)))
		return code;
	if (!apt)
		return -ENODATA;
	if ((code = get_str(path, apt, "system.apt", "arch", false, &spec->arch)) ||
	    (code = get_array(path, apt, "system.apt", "sources", false, &sources)) ||
	    (code = get_array(path, apt, "system.apt", "keys", false, &keys)) ||
	    (code = get_array(path, apt, "system.apt", "packages", true, &packages)))
		return code;
	code = read_files(path, sources, "sources", "text", false, &files);
	spec->sources = files;
	spec->nsources = json_object_array_length(sources);
	if (code != EXIT_OK)
		return code;
	code = read_files(path, keys, "keys", "base64", true, &files);
	spec->keys = files;
	spec->nkeys = json_object_array_length(keys);
	if (code != EXIT_OK)
		return code;
	/* null: no dpkg status there, nothing installed */
	if (!packages)
		return EXIT_OK;
	code = read_packages(path, packages, &pkgs);
	spec->packages = pkgs;
	spec->npackages = json_object_array_length(packages);
	return code;
}

void target_apt_spec_release(struct apt_target_spec *spec)
{
	/* Keys were decoded into buffers of their own; everything else
	 * points into the document. */
	for (size_t i = 0; spec->keys && i < spec->nkeys; i++)
		free((void *)spec->keys[i].data);
	free((void *)spec->keys);
	free((void *)spec->sources);
	free((void *)spec->packages);
	*spec = (struct apt_target_spec){ 0 };
}

int target_apt_spec(const struct target *t, struct apt_target_spec *ret)
{
	int code;

	*ret = (struct apt_target_spec){ 0 };
	if (!t->described)
		return -ENODATA;
	/* target_load_json checked the same reading; a failure now is a
	 * document changed behind its back. */
	code = read_apt("the description", t->described, ret);
	if (code == EXIT_OK)
		return 0;
	target_apt_spec_release(ret);
	return code == -ENODATA ? -ENODATA : -EINVAL;
}

/* ---------------------------------------------------------------- loading */

static int parse_document(const char *path, struct json_object **ret)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	size_t len;
	int r = read_file(path, DESCRIPTION_MAX, &text, &len);

	*ret = NULL;
	if (r < 0) {
		log_error("cannot read the machine description %s: %s", path, strerror(-r));
		return EXIT_BAD_INPUT;
	}
	if (json_parse_document(text, len, ret, &why) < 0)
		return bad(path, "the document", "%s%s", why.buf,
			   strstr(why.buf, "text after") || strstr(why.buf, "NUL") ? ""
			   : " ('gpu-setup detect --json > FILE' writes one)");
	return EXIT_OK;
}

static int check_document(const char *path, struct json_object *doc)
{
	struct json_object *v;

	if (!json_object_is_type(doc, json_type_object))
		return bad(path, "the document", "not a JSON object ('gpu-setup detect --json' writes one)");
	v = get(doc, "schema_version");
	if (!v || !json_object_is_type(v, json_type_int))
		return bad(path, "schema_version", "missing or not a number: not a 'gpu-setup detect --json' document");
	if (json_object_get_int64(v) != DETECT_SCHEMA_VERSION)
		return bad(path, "schema_version", "%lld, but this gpu-setup reads %d: use a gpu-setup of the same version on both machines",
			   (long long)json_object_get_int64(v), DETECT_SCHEMA_VERSION);
	if (!json_object_object_get_ex(doc, "system", NULL))
		return bad(path, "system", "missing: made by a gpu-setup without 'system'; run a newer gpu-setup detect --json there");
	v = get(doc, "system");
	if (!v || !json_object_is_type(v, json_type_object))
		return bad(path, "system", "not an object");
	return EXIT_OK;
}

int target_load_json(const char *path, struct target *t, const struct target_options *opts)
{
	struct apt_target_spec spec;
	struct json_object *sys;
	int code;

	*t = (struct target){ .opts = *opts };
	code = parse_document(path, &t->described);
	if (code == EXIT_OK)
		code = check_document(path, t->described);
	if (code != EXIT_OK)
		return code;
	sys = get(t->described, "system");
	/* Every member checked before any is used. */
	code = read_apt(path, t->described, &spec);
	target_apt_spec_release(&spec);
	if (code != EXIT_OK && code != -ENODATA)
		return code;

	t->have_rep = true;
	code = read_gpus(path, t->described, opts->compat_dir, &t->rep);
	if (code != EXIT_OK)
		return code;
	if (!t->rep.pci.nvidia_count) {
		log_error("%s: the machine described has no NVIDIA GPU: there is nothing to do for it", path);
		return EXIT_NO_NVIDIA;
	}
	code = target_load_gpus(t);
	if (code == EXIT_OK)
		code = read_os(path, sys, &t->os);
	if (code == EXIT_OK)
		code = target_check_distro(t);
	if (code == EXIT_OK)
		code = read_driver(path, sys, t);
	return code;
}
