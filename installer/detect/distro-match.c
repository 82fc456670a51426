/*
 * distro-match.c - the release of distros.tsv a machine is planned as.
 *
 * Derivatives say what they are built on in os-release(5): ID_LIKE names
 * the family ("ubuntu debian" on Linux Mint and Pop!_OS, "ubuntu" on
 * elementary OS, "debian" on LMDE), UBUNTU_CODENAME or DEBIAN_CODENAME the
 * release.  Ubuntu is looked for first: Mint says both, and LMDE shares
 * Mint's ID, so neither the ID nor the order of ID_LIKE's words can tell
 * them apart.
 */
#include "config.h"

#include <errno.h>

#include "distro-match.h"
#include "util.h"
#include "version.h"

/* Whether the space-separated list holds word. */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, " \t");

		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
		p += strspn(p, " \t");
	}
	return false;
}

/* The family's rows are "FAMILY-VERSION". */
static bool in_family(const struct distro_info *d, const char *family)
{
	size_t n = strlen(family);

	return strncmp(d->id, family, n) == 0 && d->id[n] == '-';
}

static const struct distro_info *by_codename(const struct compat_db *db, const char *family, const char *codename)
{
	for (size_t i = 0; codename && i < db->ndistros; i++)
		if (in_family(&db->distros[i], family) && db->distros[i].codename &&
		    streq(db->distros[i].codename, codename))
			return &db->distros[i];
	return NULL;
}

/* The family's newest release older than version, or its newest of all
 * when version is NULL; NULL when there is none. */
static const struct distro_info *newest_before(const struct compat_db *db, const char *family, const char *version)
{
	const struct distro_info *best = NULL;
	struct version limit, v, bv;

	if (version && version_parse(version, &limit) < 0)
		return NULL;
	for (size_t i = 0; i < db->ndistros; i++) {
		const struct distro_info *d = &db->distros[i];

		if (!in_family(d, family) || version_parse(strchr(d->id, '-') + 1, &v) < 0)
			continue;
		if (version && version_cmp(&v, &limit) >= 0)
			continue;
		if (!best || version_cmp(&v, &bv) > 0) {
			best = d;
			bv = v;
		}
	}
	return best;
}

static const char *title(const struct os_release *os)
{
	return os->pretty_name && *os->pretty_name ? os->pretty_name : os->distro;
}

static int unsupported(const struct compat_db *db, const struct os_release *os, const char *why,
		       struct strbuf *err)
{
	strbuf_addf(err, "%s (%s) is not a distribution gpu-setup supports: %s; it knows ", title(os), os->distro,
		    why);
	for (size_t i = 0; i < db->ndistros; i++)
		strbuf_addf(err, "%s%s", i ? ", " : "", db->distros[i].id);
	strbuf_adds(err, ", and their derivatives whose /etc/os-release names the base "
			 "(ID_LIKE, and UBUNTU_CODENAME or DEBIAN_CODENAME)");
	return -ENOENT;
}

int distro_match(const struct compat_db *db, const struct os_release *os, struct distro_match *ret,
		 struct strbuf *err)
{
	const struct distro_info *d = compat_find_distro(db, os->distro);
	const char *family, *codename, *key;
	bool derivative;

	if (d) {
		*ret = (struct distro_match){ .distro = d, .kind = DISTRO_KNOWN, .suite = d->codename };
		return 0;
	}
	if (streq(os->id, "ubuntu") || streq(os->id, "debian")) {
		family = os->id;
		derivative = false;
	} else if (os->id_like && (has_word(os->id_like, "ubuntu") || has_word(os->id_like, "debian"))) {
		family = has_word(os->id_like, "ubuntu") ? "ubuntu" : "debian";
		derivative = true;
	} else {
		return unsupported(db, os, os->id_like ? "its ID_LIKE names neither ubuntu nor debian"
						       : "its os-release has no ID_LIKE naming ubuntu or debian", err);
	}
	key = streq(family, "ubuntu") ? "UBUNTU_CODENAME" : "DEBIAN_CODENAME";
	codename = streq(family, "ubuntu") ? os->ubuntu_codename : os->debian_codename;
	/* Pop!_OS, Zorin OS and Ubuntu itself repeat the base's codename as
	 * VERSION_CODENAME; Mint's is its own ("wilma"), which no row has. */
	d = by_codename(db, family, codename);
	if (!d && (d = by_codename(db, family, os->codename)))
		key = "VERSION_CODENAME", codename = os->codename;
	if (d) {
		*ret = (struct distro_match){ .distro = d, .kind = derivative ? DISTRO_DERIVATIVE : DISTRO_KNOWN,
					      .suite = d->codename };
		if (derivative)
			ret->note = xasprintf("%s is based on %s (%s=%s): it is planned as that release", title(os),
					      d->name, key, codename);
		return 0;
	}
	if (!derivative) {
		/* Ubuntu 26.10, Debian 14: what was true of the release before
		 * is the best guess; apt's offers decide the driver packages. */
		d = newest_before(db, family, os->version_id);
		if (!d)
			return unsupported(db, os, "it is older than every release gpu-setup knows", err);
		*ret = (struct distro_match){
			.distro = d, .kind = DISTRO_NEWER, .suite = os->codename ? os->codename : d->codename,
			.note = xasprintf("%s is not in gpu-setup's tables: it is planned as %s, the newest "
					  "release before it, with the driver packages apt offers; check the plan "
					  "before you go ahead",
					  title(os), d->name),
		};
		return 0;
	}
	if (!codename && !os->codename)
		return unsupported(db, os, streq(family, "ubuntu")
						   ? "it is like Ubuntu, but its os-release names no UBUNTU_CODENAME"
						   : "it is like Debian, but its os-release names no DEBIAN_CODENAME",
				   err);
	if (!(d = newest_before(db, family, NULL)))
		return unsupported(db, os, "gpu-setup's tables know no release of its family", err);
	*ret = (struct distro_match){
		.distro = d, .kind = DISTRO_NEWER, .suite = codename ? codename : os->codename,
		.note = xasprintf("%s is based on %s '%s', which gpu-setup's tables do not know: it is planned as "
				  "%s, the newest they know, with the driver packages apt offers; check the plan "
				  "before you go ahead",
				  title(os), streq(family, "ubuntu") ? "Ubuntu" : "Debian",
				  codename ? codename : os->codename, d->name),
	};
	return 0;
}

void distro_match_free(struct distro_match *m)
{
	free(m->note);
	*m = (struct distro_match){ 0 };
}
