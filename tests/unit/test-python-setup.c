/* Unit tests: the pieces install miniconda and install framework are made
 * of: the environment name and the pip pin for a build, the version read
 * back from a dist-info directory, the marker, the lookup of a user's
 * conda, the Miniconda table and the judgement of an installation, and
 * last_lines. */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "compat.h"
#include "conda-prefix.h"
#include "framework-env.h"
#include "miniconda.h"
#include "resolve-output.h"
#include "sysroot.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

static const char *srcdir(void)
{
	const char *s = getenv("top_srcdir");

	return s ? s : ABS_TOP_SRCDIR;
}

/* testroot_puts, the root itself made first (testroot_puts makes only
 * the directories below it). */
static void put(const char *root, const char *rel, const char *text)
{
	mkdir_p(root, 0755);
	testroot_puts(root, rel, text);
}

static const struct fw_build *find_build(const struct compat_db *db, enum framework fw, const char *version,
					 const char *variant)
{
	for (size_t i = 0; i < db->nbuilds; i++) {
		const struct fw_build *b = &db->builds[i];

		if (b->fw == fw && streq(b->version, version) &&
		    (variant ? b->variant && streq(b->variant, variant) : !b->variant))
			return b;
	}
	return NULL;
}

static void test_names_and_pins(const struct compat_db *db)
{
	const struct fw_build *pt = find_build(db, FW_PYTORCH, "2.7", "cu128"),
			      *tf = find_build(db, FW_TENSORFLOW, "2.20", NULL),
			      *tf_old = find_build(db, FW_TENSORFLOW, "2.13", NULL);
	char *s;

	if (!ok(pt && tf && tf_old, "the compat data has PyTorch 2.7 cu128, TensorFlow 2.20 and 2.13"))
		return;
	is_str(s = framework_env_name(pt), "pytorch-2.7", "PyTorch 2.7's environment is pytorch-2.7");
	free(s);
	is_str(s = framework_env_name(tf), "tensorflow-2.20", "TensorFlow 2.20's is tensorflow-2.20");
	free(s);
	is_str(s = fw_build_cuda_text(pt), "12.8", "cu128 is for CUDA 12.8");
	free(s);

	is_str(s = fw_build_requirement(pt, NULL), "torch==2.7.*", "no version asked: the series, newest patch");
	free(s);
	is_str(s = fw_build_requirement(pt, "2.7"), "torch==2.7.*", "a series asked: the series");
	free(s);
	is_str(s = fw_build_requirement(pt, "2.7.1"), "torch==2.7.1", "a full release asked: exactly that");
	free(s);
	is_str(s = fw_build_requirement(pt, "2.6.0"), "torch==2.7.*", "a release of another series: not pinned to it");
	free(s);
	is_str(s = fw_build_requirement(tf, "2.20"), "tensorflow[and-cuda]==2.20.*",
	       "TensorFlow 2.20: tensorflow[and-cuda] (CUDA from pip)");
	free(s);
	is_str(s = fw_build_requirement(tf_old, NULL), "tensorflow==2.13.*", "TensorFlow 2.13: no and-cuda extra");
	free(s);

	is_str(s = pip_requirement_project("tensorflow[and-cuda]==2.20.*"), "tensorflow", "project of an extra");
	free(s);
	is_str(s = pip_requirement_project("torch==2.7.1"), "torch", "project of a pin");
	free(s);
	is_str(s = public_version("2.7.1+cu128"), "2.7.1", "the local label is not part of the release");
	free(s);
	is_str(s = public_version("2.20.0"), "2.20.0", "a release without one stays");
	free(s);
}

static void test_installed_version(const char *top)
{
	_cleanup_free_ char *env = xasprintf("%s/env", top), *env2 = xasprintf("%s/env2", top);
	char *v = NULL;

	put(env, "/lib/python3.12/site-packages/torchvision-0.22.1+cu128.dist-info/METADATA", "");
	put(env, "/lib/python3.12/site-packages/torch-2.7.1+cu128.dist-info/METADATA", "");
	put(env, "/lib/python3.12/site-packages/Tensorflow_GPU-2.0.0.dist-info/METADATA", "");
	put(env, "/lib/python3.12/site-packages/torch/__init__.py", "");
	is_int(env_installed_version(env, "torch", &v), 0, "torch's dist-info is found");
	is_str(v, "2.7.1+cu128", "its version, local label included");
	free(v);
	v = NULL;
	is_int(env_installed_version(env, "tensorflow-gpu", &v), 0, "names compare as pip normalizes them");
	is_str(v, "2.0.0", "tensorflow-gpu's version");
	free(v);
	v = NULL;
	is_int(env_installed_version(env, "tensorflow", &v), -ENOENT, "tensorflow is not tensorflow-gpu");
	is_int(env_installed_version(env2, "torch", &v), -ENOENT, "an environment with no lib: -ENOENT");
	ok(v == NULL, "the result is untouched on failure");
}

static void test_marker(const struct compat_db *db)
{
	const struct fw_build *pt = find_build(db, FW_PYTORCH, "2.7", "cu128"),
			      *pt118 = find_build(db, FW_PYTORCH, "2.7", "cu118");
	struct env_marker m = { .framework = "pytorch", .version = "2.7.1", .cuda = "12.8" }, back = { 0 };
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	bool matched;
	char *text;

	if (!ok(pt && pt118, "the compat data has PyTorch 2.7 cu128 and cu118"))
		return;
	text = env_marker_format(&m, "2.7.1+cu128", "torch==2.7.*", pt->index_url, "3.12");
	is_int(env_marker_parse(text, &back), 0, "the marker written parses");
	is_str(back.framework, "pytorch", "framework");
	is_str(back.version, "2.7.1", "version");
	is_str(back.cuda, "12.8", "cuda");
	ok(strstr(text, "\"installed\": \"2.7.1+cu128\"") && strstr(text, "https://download.pytorch.org/whl/cu128"),
	   "and says what pip installed and from where");
	free(text);

	strbuf_init(&why);
	ok(env_marker_matches(&back, pt, NULL, &why), "it matches the build it was written for");
	ok(env_marker_matches(&back, pt, "2.7", &why), "and the series asked for");
	ok(env_marker_matches(&back, pt, "2.7.1", &why), "and the exact release asked for");
	/* The message is read after the call that writes it (the buffer
	 * may move). */
	matched = env_marker_matches(&back, pt, "2.7.0", &why);
	ok(!matched && strstr(why.buf, "not 2.7.0"), "not another release of the series: %s", why.buf);
	strbuf_reset(&why);
	matched = env_marker_matches(&back, pt118, NULL, &why);
	ok(!matched && strstr(why.buf, "not for CUDA 11.8"), "not the series for another CUDA: %s", why.buf);
	env_marker_free(&back);

	is_int(env_marker_parse("{\"framework\": \"pytorch\", \"version\": \"2.7.1\"}", &back), -EINVAL,
	       "a marker without cuda is refused");
	is_int(env_marker_parse("not json", &back), -EINVAL, "text that is not JSON is refused");
	is_int(env_marker_parse("{\"framework\": 1, \"version\": \"2.7.1\", \"cuda\": \"12.8\"}", &back), -EINVAL,
	       "a framework that is not a string is refused");
}

static void test_conda_prefix(const char *top)
{
	_cleanup_free_ char *root = xasprintf("%s/root", top), *link = NULL, *p = NULL;
	struct target_user u = { .name = "alice", .home = "/home/alice", .uid = getuid(), .gid = getgid() };
	char *found = NULL;

	sysroot_set(root);
	put(root, "/home/alice/.keep", "");
	is_int(conda_prefix_find(&u, NULL, &found), -ENOENT, "no conda anywhere: -ENOENT");
	put(root, "/home/alice/miniconda3/conda-meta/history", "");
	put(root, "/home/alice/miniforge3/bin/conda", "#!/bin/sh\n");
	is_int(conda_prefix_find(&u, NULL, &found), 0, "a conda is found");
	is_str(found, "/home/alice/miniforge3", "the first place with bin/conda, past a miniconda3 without one");
	free(found);
	found = NULL;
	put(root, "/home/alice/anaconda3/bin/conda", "#!/bin/sh\n");
	is_int(conda_prefix_find(&u, NULL, &found), 0, "with two");
	is_str(found, "/home/alice/anaconda3", "anaconda3 comes before miniforge3");
	free(found);
	found = NULL;
	is_int(conda_prefix_find(&u, "/home/alice/miniconda3", &found), -ENOENT,
	       "--conda-prefix naming a place without conda: -ENOENT, the others are not looked at");
	is_int(conda_prefix_find(&u, "/home/alice/miniforge3", &found), 0, "--conda-prefix with conda");
	is_str(found, "/home/alice/miniforge3", "is taken");
	free(found);
	found = NULL;
	/* A link that leads out of the root leads to the root's own /opt. */
	put(top, "/outside/bin/conda", "#!/bin/sh\n");
	p = xasprintf("%s/outside", top);
	link = xasprintf("%s/home/alice/mambaforge", root);
	if (symlink(p, link) == 0)
		ok(!conda_prefix_has_conda("/home/alice/mambaforge"), "a link out of the root is resolved inside it");
	else
		ok(0, "cannot make a link: %s", strerror(errno));
	is_str(found = conda_prefix_default(&u), "/home/alice/miniconda3", "Miniconda's default prefix");
	free(found);
	sysroot_set(NULL);
}

static void test_miniconda_table(const char *top)
{
	_cleanup_free_ char *compat = xasprintf("%s/compat", srcdir()), *bad = xasprintf("%s/badcompat", top);
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct miniconda_table t = { 0 };
	const struct miniconda_release *rel;
	char **urls;

	strbuf_init(&err);
	if (!ok(miniconda_table_load(compat, &t, &err) == 0, "the shipped miniconda.tsv loads: %s", err.buf))
		return;
	rel = miniconda_newest(&t);
	ok(rel && startswith(rel->name, "Miniconda3-") && rel->sha256 && sha256_hex_canonical(rel->sha256),
	   "its newest row names an installer with a sha256");
	ok(miniconda_find(&t, rel->name) == rel && !miniconda_find(&t, "Miniconda3-other.sh"),
	   "rows are found by file name");
	urls = miniconda_urls(rel, true);
	ok(startswith(urls[0], MINICONDA_TUNA_BASE) && streq(urls[1], rel->url) && !urls[2],
	   "with tuna: TUNA's copy first, then Anaconda's");
	for (size_t i = 0; urls[i]; i++)
		free(urls[i]);
	free(urls);
	urls = miniconda_urls(rel, false);
	ok(streq(urls[0], rel->url) && !urls[1], "otherwise Anaconda's only");
	free(urls[0]);
	free(urls);
	miniconda_table_free(&t);

	put(bad, "/miniconda.tsv",
		      "name\tpython\tconda\tsha256\turl\n"
		      "Miniconda3-x.sh\t3.12\t24.3.0\t-\thttps://example.org/other.sh\n");
	strbuf_reset(&err);
	is_int(miniconda_table_load(bad, &t, &err), -EINVAL, "a URL that does not end in the file name is refused");
	ok(strstr(err.buf, "miniconda.tsv:2:") != NULL, "with the line: %s", err.buf);
	put(bad, "/miniconda.tsv",
		      "name\tpython\tconda\tsha256\turl\n"
		      "Miniconda3-x.sh\t3.12\t24.3.0\tABC\thttps://example.org/Miniconda3-x.sh\n");
	strbuf_reset(&err);
	is_int(miniconda_table_load(bad, &t, &err), -EINVAL, "a malformed sha256 is refused");
	put(bad, "/miniconda.tsv", "name\tpython\tconda\tsha256\turl\n");
	strbuf_reset(&err);
	is_int(miniconda_table_load(bad, &t, &err), -EINVAL, "a table without rows is refused");

	strbuf_reset(&err);
	is_int(miniconda_prefix_valid("/home/alice/miniconda3", &err), 0, "a plain prefix is valid");
	is_int(miniconda_prefix_valid("/home/alice/my conda", &err), -EINVAL, "one with a space is not");
	is_int(miniconda_prefix_valid("miniconda3", &err), -EINVAL, "nor a relative one");
}

static void test_miniconda_check(const char *top)
{
	_cleanup_free_ char *root = xasprintf("%s/mc", top), *conda = xasprintf("%s/home/alice/mc/bin/conda", root);
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	struct target_user u = { .name = "alice", .home = "/home/alice", .uid = getuid(), .gid = getgid() },
			   other = u;

	sysroot_set(root);
	strbuf_init(&why);
	put(root, "/home/alice/.keep", "");
	is_int(miniconda_check(&u, "/home/alice/mc", &why), -ENOENT, "no prefix: -ENOENT");
	ok(strstr(why.buf, "was not created") != NULL, "%s", why.buf);
	put(root, "/home/alice/mc/conda-meta/history", "");
	strbuf_reset(&why);
	is_int(miniconda_check(&u, "/home/alice/mc", &why), -ENOENT, "no bin/conda: -ENOENT");
	ok(strstr(why.buf, "/home/alice/mc/bin/conda is missing") != NULL, "%s", why.buf);
	put(root, "/home/alice/mc/bin/conda", "#!/bin/sh\n");
	strbuf_reset(&why);
	is_int(miniconda_check(&u, "/home/alice/mc", &why), -ENOENT, "bin/conda not executable: -ENOENT");
	chmod(conda, 0755);
	strbuf_reset(&why);
	is_int(miniconda_check(&u, "/home/alice/mc", &why), -ENOENT, "no conda package record: -ENOENT");
	ok(strstr(why.buf, "conda-*.json") != NULL, "%s", why.buf);
	put(root, "/home/alice/mc/conda-meta/conda-libmamba-solver-24.1.0-py312_0.json", "{}");
	strbuf_reset(&why);
	is_int(miniconda_check(&u, "/home/alice/mc", &why), -ENOENT, "another package's record is not conda's");
	put(root, "/home/alice/mc/conda-meta/conda-24.3.0-py312_0.json", "{}");
	strbuf_reset(&why);
	is_int(miniconda_check(&u, "/home/alice/mc", &why), 0, "complete: 0");
	other.uid = u.uid + 1;
	strbuf_reset(&why);
	is_int(miniconda_check(&other, "/home/alice/mc", &why), -EPERM, "owned by someone else: -EPERM");
	ok(strstr(why.buf, "not by alice") != NULL, "%s", why.buf);
	sysroot_set(NULL);
}

static void test_last_lines(void)
{
	char *s;

	is_str(s = last_lines("a\n\nb\n  c  \nd\n\n", 2), "c\nd\n", "the last two lines that are not blank");
	free(s);
	is_str(s = last_lines("one", 5), "one\n", "fewer lines than asked: all");
	free(s);
	is_str(s = last_lines("\n\n", 3), "", "nothing but blank lines: empty");
	free(s);
}

int main(void)
{
	_cleanup_free_ char *compat = xasprintf("%s/compat", srcdir());
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	char tmpl[] = "/tmp/test-python-setup.XXXXXX";
	struct compat_db *db = NULL;
	char *top = mkdtemp(tmpl);

	strbuf_init(&err);
	if (!top || !ok(compat_db_load(compat, &db, &err) == 0, "the compat data loads: %s", err.buf))
		return done_testing();
	test_names_and_pins(db);
	test_installed_version(top);
	test_marker(db);
	test_conda_prefix(top);
	test_miniconda_table(top);
	test_miniconda_check(top);
	test_last_lines();
	compat_db_free(db);
	testroot_remove(top);
	return done_testing();
}
