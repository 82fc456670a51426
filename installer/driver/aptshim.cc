/*
 * aptshim.cc - libapt-pkg behind a C API (aptshim.h).  The only C++ file in
 * gpu-setup: every entry point catches everything, returns a negative errno
 * and hands out malloc'ed C strings.
 *
 * Order matters (platform-facts.md): the package cache is built before the
 * policy is asked for, or pin files in preferences.d crash apt.
 */
#include "config.h"

#include <apt-pkg/cachefile.h>
#include <apt-pkg/configuration.h>
#include <apt-pkg/depcache.h>
#include <apt-pkg/error.h>
#include <apt-pkg/fileutl.h>
#include <apt-pkg/hashes.h>
#include <apt-pkg/indexfile.h>
#include <apt-pkg/init.h>
#include <apt-pkg/metaindex.h>
#include <apt-pkg/pkgcache.h>
#include <apt-pkg/pkgrecords.h>
#include <apt-pkg/pkgsystem.h>
#include <apt-pkg/policy.h>
#include <apt-pkg/sourcelist.h>
#include <apt-pkg/strutl.h>
#include <apt-pkg/version.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <dirent.h>

#include "aptshim.h"

struct apt_cache {
	pkgCacheFile file;
	pkgCache *cache = nullptr;
	pkgPolicy *policy = nullptr;
};

static char *dup_string(const std::string &s)
{
	char *p = strdup(s.c_str());

	if (!p)
		abort();  /* as xstrdup does: no recovery from OOM */
	return p;
}

/* apt's pending messages, joined, or fallback when there are none. */
static char *take_errors(const char *fallback)
{
	std::string all;

	while (!_error->empty()) {
		std::string msg;

		_error->PopMessage(msg);
		if (!all.empty())
			all += "; ";
		all += msg;
	}
	return dup_string(all.empty() ? fallback : all);
}

static char **to_list(const std::set<std::string> &names)
{
	char **list = static_cast<char **>(calloc(names.size() + 1, sizeof(char *)));
	size_t i = 0;

	if (!list)
		abort();
	for (const auto &n : names)
		list[i++] = dup_string(n);
	return list;
}

extern "C" int apt_cache_open(const char *root_dir, struct apt_cache **ret, char **ret_err)
{
	return apt_cache_open_config(root_dir, nullptr, ret, ret_err);
}

extern "C" int apt_cache_open_config(const char *root_dir, const char *const *config, struct apt_cache **ret,
				     char **ret_err)
{
	apt_cache *c = nullptr;

	try {
		/* Nothing of an earlier open (another root, another source
		 * list) may carry over into this one. */
		_config->Clear();
		/* "Dir", not "RootDir": RootDir would also move the host's
		 * /usr/share/dpkg/cputable.  Set before pkgInitConfig, which
		 * keeps a Dir that is set and reads apt.conf and apt.conf.d
		 * under it: the target's configuration (Recommends, the
		 * architectures), not the host's. */
		if (root_dir && strcmp(root_dir, "/") != 0)
			_config->Set("Dir", std::string(root_dir) + "/");
		if (!pkgInitConfig(*_config)) {
			if (ret_err)
				*ret_err = take_errors("cannot read apt's configuration");
			return -EIO;
		}
		/* dpkg's status file is an absolute path of its own. */
		if (root_dir && strcmp(root_dir, "/") != 0)
			_config->Set("Dir::State::status", std::string(root_dir) + "/var/lib/dpkg/status");
		/* As apt-get's -o: after the configuration files, so they win.
		 * A key ending in "::" adds a list item, as there. */
		for (const char *const *kv = config; kv && *kv; kv++) {
			const char *eq = strchr(*kv, '=');

			if (!eq || eq == *kv) {
				if (ret_err)
					*ret_err = dup_string(std::string("malformed apt setting '") + *kv + "'");
				return -EINVAL;
			}
			_config->Set(std::string(*kv, eq - *kv), std::string(eq + 1));
		}
		/* Build the cache in memory: never write pkgcache.bin into the
		 * target, and work as a normal user. */
		_config->Set("Dir::Cache::pkgcache", "");
		_config->Set("Dir::Cache::srcpkgcache", "");
		if (!pkgInitSystem(*_config, _system)) {
			if (ret_err)
				*ret_err = take_errors("cannot initialise apt's packaging system");
			return -EIO;
		}
		c = new apt_cache;
		c->cache = c->file.GetPkgCache();
		if (c->cache)
			c->policy = c->file.GetPolicy();
		if (!c->cache || !c->policy || _error->PendingError()) {
			if (ret_err)
				*ret_err = take_errors("cannot open apt's package cache");
			delete c;
			return -EIO;
		}
		_error->Discard();  /* warnings (a missing list) are not failures */
		*ret = c;
		return 0;
	} catch (...) {
		delete c;
		if (ret_err)
			*ret_err = dup_string("libapt-pkg failed unexpectedly");
		return -EIO;
	}
}

extern "C" void apt_cache_close(struct apt_cache *c)
{
	try {
		delete c;
	} catch (...) {
	}
}

static pkgCache::PkgIterator find_pkg(apt_cache *c, const char *name)
{
	return c->cache->FindPkg(name);
}

extern "C" int apt_versions(struct apt_cache *c, const char *pkg, char **ret_installed, char **ret_candidate)
{
	try {
		pkgCache::PkgIterator p = find_pkg(c, pkg);

		if (p.end() || (p.VersionList().end() && p.ProvidesList().end()))
			return -ENOENT;
		pkgCache::VerIterator cur = p.CurrentVer();
		pkgCache::VerIterator cand = c->policy->GetCandidateVer(p);
		*ret_installed = cur.end() ? nullptr : dup_string(cur.VerStr());
		*ret_candidate = cand.end() ? nullptr : dup_string(cand.VerStr());
		return 0;
	} catch (...) {
		return -EIO;
	}
}

extern "C" int apt_candidate_field(struct apt_cache *c, const char *pkg, const char *field, char **ret)
{
	try {
		pkgCache::PkgIterator p = find_pkg(c, pkg);

		if (p.end())
			return -ENOENT;
		pkgCache::VerIterator v = c->policy->GetCandidateVer(p);
		if (v.end() || v.FileList().end())
			return -ENOENT;
		pkgRecords records(*c->cache);
		pkgRecords::Parser &parser = records.Lookup(v.FileList());
		std::string value = parser.RecordField(field);
		if (value.empty())
			return -ENODATA;
		*ret = dup_string(value);
		return 0;
	} catch (...) {
		return -EIO;
	}
}

extern "C" int apt_packages_with_prefix(struct apt_cache *c, const char *prefix, char ***ret)
{
	try {
		std::set<std::string> names;
		size_t len = strlen(prefix);

		for (pkgCache::GrpIterator g = c->cache->GrpBegin(); !g.end(); ++g) {
			if (strncmp(g.Name(), prefix, len) != 0)
				continue;
			pkgCache::PkgIterator p = g.FindPreferredPkg();
			if (!p.end() && !c->policy->GetCandidateVer(p).end())
				names.insert(g.Name());
		}
		*ret = to_list(names);
		return static_cast<int>(names.size());
	} catch (...) {
		return -EIO;
	}
}

/* Whether an installed version satisfies the dependency. */
static bool dep_satisfied_now(pkgCache::DepIterator d)
{
	std::unique_ptr<pkgCache::Version *[]> targets(d.AllTargets());

	for (pkgCache::Version **v = targets.get(); *v; v++) {
		pkgCache::VerIterator vi(*d.Cache(), *v);

		if (vi.ParentPkg().CurrentVer() == vi)
			return true;
	}
	return false;
}

/* The candidate that would satisfy one alternative, or end(). */
static pkgCache::VerIterator candidate_for(apt_cache *c, pkgCache::DepIterator d)
{
	std::unique_ptr<pkgCache::Version *[]> targets(d.AllTargets());

	for (pkgCache::Version **v = targets.get(); *v; v++) {
		pkgCache::VerIterator vi(*c->cache, *v);

		if (c->policy->GetCandidateVer(vi.ParentPkg()) == vi)
			return vi;
	}
	return pkgCache::VerIterator(*c->cache);
}

/* Whether pkgs and, recursively, every Depends and Pre-Depends of their
 * candidates can be had (an alternative installed or with a candidate):
 * 0, or -ENOENT with *ret_err naming what is missing.  apt's resolver,
 * below, only says that something is broken, not what. */
static int check_installable(apt_cache *c, const char *const *pkgs, std::set<std::string> &seen,
			     char **ret_err)
{
	try {
		std::deque<pkgCache::VerIterator> todo;

		for (const char *const *n = pkgs; *n; n++) {
			pkgCache::PkgIterator p = find_pkg(c, *n);
			pkgCache::VerIterator v = p.end() ? pkgCache::VerIterator(*c->cache)
							  : c->policy->GetCandidateVer(p);
			if (v.end()) {
				if (ret_err)
					*ret_err = dup_string(std::string("package '") + *n + "' has no installation candidate");
				return -ENOENT;
			}
			if (seen.insert(p.Name()).second)
				todo.push_back(v);
		}
		while (!todo.empty()) {
			pkgCache::VerIterator v = todo.front();

			todo.pop_front();
			for (pkgCache::DepIterator d = v.DependsList(); !d.end();) {
				pkgCache::DepIterator start, end;
				bool hard;

				d.GlobOr(start, end);  /* advances d past the or-group */
				hard = start->Type == pkgCache::Dep::Depends || start->Type == pkgCache::Dep::PreDepends;
				if (!hard)
					continue;
				bool done = false;
				for (pkgCache::DepIterator alt = start; !done; ++alt) {
					if (dep_satisfied_now(alt))
						done = true;
					if (alt == end)
						break;
				}
				for (pkgCache::DepIterator alt = start; !done; ++alt) {
					pkgCache::VerIterator cand = candidate_for(c, alt);

					if (!cand.end()) {
						if (seen.insert(cand.ParentPkg().Name()).second)
							todo.push_back(cand);
						done = true;
					}
					if (alt == end)
						break;
				}
				if (!done) {
					if (ret_err)
						*ret_err = dup_string(std::string(v.ParentPkg().Name()) + " depends on " +
								      start.TargetPkg().Name() +
								      ", which no package can satisfy");
					return -ENOENT;
				}
			}
		}
		return 0;
	} catch (...) {
		return -EIO;
	}
}

/* An "upgrade" to the same version string is the installed package whose
 * record differs from the archive's (a described machine's status holds
 * only some fields): nothing apt downloads for it on the machine itself. */
static bool same_version_string(pkgDepCache &dc, pkgCache::PkgIterator p)
{
	pkgCache::VerIterator cand = dc[p].CandidateVerIter(dc);

	return !p.CurrentVer().end() && !cand.end() && strcmp(p.CurrentVer().VerStr(), cand.VerStr()) == 0;
}

extern "C" int apt_check_installable(struct apt_cache *c, const char *const *pkgs, char **ret_err)
{
	std::set<std::string> seen;

	return check_installable(c, pkgs, seen, ret_err);
}

extern "C" int apt_install_closure(struct apt_cache *c, const char *const *pkgs, char ***ret, char **ret_err)
{
	std::set<std::string> walked;
	int r = check_installable(c, pkgs, walked, ret_err);

	if (r < 0)
		return r;
	try {
		/* What apt-get install would install, by apt's own resolver:
		 * the packages, what they depend on and, where apt's
		 * configuration says so (APT::Install-Recommends, true by
		 * default), what they recommend; on a depcache of its own, so
		 * the shared cache keeps no marks. */
		pkgDepCache dc(c->cache, c->policy);
		std::set<std::string> names;

		if (!dc.Init(nullptr)) {
			if (ret_err)
				*ret_err = take_errors("apt cannot set up its dependency cache");
			_error->Discard();
			return -EIO;
		}
		{
			pkgDepCache::ActionGroup group(dc);

			/* as apt-get: the packages first, then what they need */
			for (const char *const *n = pkgs; *n; n++)
				dc.MarkInstall(find_pkg(c, *n), false);
			for (const char *const *n = pkgs; *n; n++)
				dc.MarkInstall(find_pkg(c, *n), true);
		}
		/* The packages asked for count where apt installs them or
		 * where the machine has none of them yet; one installed in
		 * the candidate's version is nothing apt does. */
		for (const char *const *n = pkgs; *n; n++) {
			pkgCache::PkgIterator p = find_pkg(c, *n);

			if (p.CurrentVer().end() || !same_version_string(dc, p))
				names.insert(p.Name());
		}
		for (pkgCache::PkgIterator p = c->cache->PkgBegin(); !p.end(); ++p)
			if (dc[p].NewInstall() || (dc[p].Upgrade() && !same_version_string(dc, p)))
				names.insert(p.Name());
		/* A dependency that must change version but is held is left
		 * unmarked by apt's resolver (it respects holds): the walk has
		 * it, so that the held packages in the way can be named. */
		for (const std::string &n : walked) {
			pkgCache::PkgIterator p = c->cache->FindPkg(n);

			if (!p.end() && p->SelectedState == pkgCache::State::Hold && !same_version_string(dc, p))
				names.insert(n);
		}
		_error->Discard();
		*ret = to_list(names);
		return static_cast<int>(names.size());
	} catch (...) {
		return -EIO;
	}
}

static bool held(pkgCache::PkgIterator p)
{
	return p->SelectedState == pkgCache::State::Hold;
}

extern "C" int apt_held_blockers(struct apt_cache *c, const char *const *closure, char ***ret)
{
	try {
		std::set<std::string> blockers;

		for (const char *const *n = closure; *n; n++) {
			pkgCache::PkgIterator p = find_pkg(c, *n);
			if (p.end())
				continue;
			pkgCache::VerIterator cand = c->policy->GetCandidateVer(p);
			if (cand.end())
				continue;
			if (held(p) && !p.CurrentVer().end() && p.CurrentVer() != cand)
				blockers.insert(p.Name());
			for (pkgCache::DepIterator d = cand.DependsList(); !d.end(); ++d) {
				if (d->Type != pkgCache::Dep::Conflicts && d->Type != pkgCache::Dep::DpkgBreaks)
					continue;
				std::unique_ptr<pkgCache::Version *[]> targets(d.AllTargets());
				for (pkgCache::Version **v = targets.get(); *v; v++) {
					pkgCache::VerIterator vi(*c->cache, *v);
					pkgCache::PkgIterator tp = vi.ParentPkg();

					/* A package never conflicts with itself
					 * through what it provides. */
					if (tp->ID != p->ID && tp.CurrentVer() == vi && held(tp))
						blockers.insert(tp.Name());
				}
			}
		}
		*ret = to_list(blockers);
		return static_cast<int>(blockers.size());
	} catch (...) {
		return -EIO;
	}
}

extern "C" int apt_dpkg_interrupted(struct apt_cache *c)
{
	try {
		for (pkgCache::PkgIterator p = c->cache->PkgBegin(); !p.end(); ++p)
			if (p->CurrentState == pkgCache::State::UnPacked ||
			    p->CurrentState == pkgCache::State::HalfConfigured ||
			    p->CurrentState == pkgCache::State::HalfInstalled)
				return 1;
		/* Journal entries dpkg has not applied yet. */
		std::string updates = flNotFile(_config->FindFile("Dir::State::status")) + "updates/";
		DIR *d = opendir(updates.c_str());
		if (d) {
			int pending = 0;

			for (struct dirent *e; (e = readdir(d)) && !pending;)
				pending = e->d_name[0] >= '0' && e->d_name[0] <= '9';
			closedir(d);
			return pending;
		}
		return 0;
	} catch (...) {
		return -EIO;
	}
}

/* The lists' copy of a repository's Release file (InRelease first), or "". */
static std::string fetched_release(const metaIndex *m)
{
	const std::string lists = _config->FindDir("Dir::State::lists");

	const std::string dist = m->GetDist();
	/* "dists/DIST/" below the archive, or a flat repository's own
	 * directory ("DIR/" as sources.list names it; "/" is the URI's) */
	const std::string dir = dist == "/" || dist == "./" ? ""
				: !dist.empty() && dist.back() == '/' ? dist
									: "dists/" + dist + "/";

	for (const char *name : { "InRelease", "Release" }) {
		std::string f = lists + URItoFileName(m->ArchiveURI(dir + name));

		if (FileExists(f))
			return f;
	}
	return "";
}

extern "C" int apt_lists_missing(struct apt_cache *c, char **ret_first)
{
	try {
		pkgSourceList *sources = c->file.GetSourceList();
		int missing = 0;
		auto count = [&](const std::string &what) {
			if (!missing && ret_first)
				*ret_first = dup_string(what);
			missing++;
		};

		if (!sources)
			return -EIO;
		for (metaIndex *m : *sources) {
			const std::string release = fetched_release(m);
			std::unique_ptr<metaIndex> loaded;
			std::string why;

			/* A repository whose Release apt-get update never got
			 * (new, or dead): updating again is no cure for the
			 * second kind, and apt says which it is. */
			if (release.empty())
				continue;
			loaded.reset(m->UnloadedClone());
			if (!loaded || !loaded->Load(release, &why))
				continue;  /* apt itself will say what is wrong with it */
			/* A Packages index the Release file lists but the lists
			 * lack (a component added since); one the repository
			 * does not have (no binary-all, say) is no gap. */
			for (const IndexTarget &t : m->GetIndexTargets()) {
				if (t.Option(IndexTarget::CREATED_BY) != "Packages" ||
				    !t.Option(IndexTarget::EXISTING_FILENAME).empty())
					continue;
				if (loaded->Exists(t.MetaKey) || loaded->Exists(t.MetaKey + ".xz") ||
				    loaded->Exists(t.MetaKey + ".gz"))
					count(t.Description);
			}
		}
		_error->Discard();
		return missing;
	} catch (...) {
		return -EIO;
	}
}

/* apt's name for a downloaded .deb (acquire-item.cc): name, version and
 * architecture joined by '_', each with '_' and ':' (and '.' in the
 * architecture) %-encoded, as in /var/cache/apt/archives. */
static std::string archive_file_name(pkgCache::VerIterator v, const std::string &record_file)
{
	return QuoteString(v.ParentPkg().Name(), "_:") + '_' + QuoteString(v.VerStr(), "_:") + '_' +
	       QuoteString(v.Arch(), "_:.") + "." +
	       /* a std::string before apt 3.0, a std::string_view since:
		* this builds from either */
	       std::string(flExtension(record_file));
}

/* The first index of the version that can be downloaded from (not dpkg's
 * status), with its record's file name; false when there is none. */
static bool downloadable_file(apt_cache *c, pkgRecords &records, pkgCache::VerIterator v, pkgIndexFile **ret_index,
			      pkgRecords::Parser **ret_parser)
{
	pkgSourceList *sources = c->file.GetSourceList();

	if (!sources)
		return false;
	for (pkgCache::VerFileIterator vf = v.FileList(); !vf.end(); ++vf) {
		pkgCache::PkgFileIterator pf = vf.File();
		pkgIndexFile *index = nullptr;

		if (pf.Flagged(pkgCache::Flag::NotSource) || !sources->FindIndex(pf, index) || !index)
			continue;
		pkgRecords::Parser &parser = records.Lookup(vf);
		if (parser.FileName().empty())
			continue;
		*ret_index = index;
		*ret_parser = &parser;
		return true;
	}
	return false;
}

extern "C" int apt_archives(struct apt_cache *c, const char *const *pkgs, struct apt_archive **ret, size_t *ret_n,
			    char **ret_err)
{
	size_t n = 0, i = 0;
	apt_archive *a = nullptr;

	try {
		while (pkgs[n])
			n++;
		a = static_cast<apt_archive *>(calloc(n ? n : 1, sizeof(*a)));
		if (!a)
			abort();
		pkgRecords records(*c->cache);
		for (; i < n; i++) {
			pkgCache::PkgIterator p = find_pkg(c, pkgs[i]);
			pkgCache::VerIterator v = p.end() ? pkgCache::VerIterator(*c->cache) : c->policy->GetCandidateVer(p);
			pkgIndexFile *index = nullptr;
			pkgRecords::Parser *parser = nullptr;

			if (v.end() || !downloadable_file(c, records, v, &index, &parser)) {
				if (ret_err)
					*ret_err = dup_string(std::string("package '") + pkgs[i] + "' " +
							      (v.end() ? "has no installation candidate"
								       : "has no downloadable archive in apt's sources"));
				apt_archives_free(a, i);
				return -ENOENT;
			}
			std::string file = parser->FileName();
			HashStringList hashes = parser->Hashes();
			const HashString *sha256 = hashes.find("SHA256");

			a[i].package = dup_string(p.Name());
			a[i].version = dup_string(v.VerStr());
			a[i].arch = dup_string(v.Arch());
			a[i].filename = dup_string(archive_file_name(v, file));
			a[i].uri = dup_string(index->ArchiveURI(file));
			a[i].size = v->Size;
			a[i].sha256 = sha256 ? dup_string(sha256->HashValue()) : nullptr;
		}
		*ret = a;
		*ret_n = n;
		return 0;
	} catch (...) {
		apt_archives_free(a, i < n ? i + 1 : n);  /* calloc'ed: a half-filled entry frees too */
		return -EIO;
	}
}

extern "C" void apt_archives_free(struct apt_archive *a, size_t n)
{
	if (!a)
		return;
	for (size_t i = 0; i < n; i++) {
		free(a[i].package);
		free(a[i].version);
		free(a[i].arch);
		free(a[i].filename);
		free(a[i].uri);
		free(a[i].sha256);
	}
	free(a);
}

extern "C" void apt_free_list(char **list)
{
	if (!list)
		return;
	for (char **p = list; *p; p++)
		free(*p);
	free(list);
}
