/* Unit tests: the manifest of placed files (format, round trip, refusals). */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "fileio.h"
#include "manifest.h"
#include "sysroot.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

#define HEX_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static const char good[] =
	"# gpu-setup manifest: files placed by gpu-setup; do not edit\n"
	"format 1\n"
	"kind cudnn\n"
	"version 9.8.0.87\n"
	"source cudnn-linux-x86_64-9.8.0.87_cuda12-archive.tar.xz\n"
	"sha256 " HEX_A "\n"
	"base /usr/local/cuda-12.8\n"
	"file 0644 " HEX_B " include/cudnn_version.h\n"
	"link libcudnn.so.9 lib64/libcudnn.so\n";

static bool same(const struct manifest *a, const struct manifest *b)
{
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
	bool eq;

	strbuf_init(&x);
	strbuf_init(&y);
	eq = manifest_format(a, &x, NULL) == 0 && manifest_format(b, &y, NULL) == 0 && streq(x.buf, y.buf);
	strbuf_release(&x);
	strbuf_release(&y);
	return eq;
}

/* Parse text; return r, with err's text in *why. */
static int parse(const char *text, struct strbuf *why)
{
	struct manifest m;
	int r;

	strbuf_reset(why);
	r = manifest_parse(text, strlen(text), &m, why);
	if (r == 0)
		manifest_free(&m);
	return r;
}

static void refusals(void)
{
	static const struct {
		const char *text, *msg, *what;
	} bad[] = {
		{ "", "line 1: the manifest is empty", "an empty manifest" },
		{ "format 1\nkind cudnn\nversion 1\nbase /x", "line 4: no newline at the end", "a cut-off last line" },
		{ "kind cudnn\n", "line 1: the first record must be 'format 1'", "format not first" },
		{ "format 2\n", "line 1: unknown manifest format '2'", "an unknown format" },
		{ "format 1\nformat 1\n", "line 2: 'format' given twice", "format twice" },
		{ "format 1\ncolour blue\n", "line 2: unknown key 'colour'", "an unknown key" },
		{ "format 1\nkind cudnn\nkind cudnn\n", "line 3: 'kind' given twice", "a repeated key" },
		{ "format 1\nkind  cudnn\n", "line 2: fields must be separated by exactly one space", "two spaces" },
		{ "format 1\nkind cudnn \n", "line 2: fields must be separated", "a trailing space" },
		{ "format 1\nkind cu\tdnn\n", "line 2: 'kind' is not one printable word", "a tab in a value" },
		{ "format 1\nkind cudnn\nversion 1\nbase relative\n", "line 4: 'base' is not an absolute path", "a relative base" },
		{ "format 1\nkind cudnn\nversion 1\nbase /a/../b\n", "line 4: 'base' is not an absolute path", "'..' in the base" },
		{ "format 1\nsha256 ABC\n", "line 2: 'sha256' is not 64 lowercase hex digits", "a short sha256" },
		{ "format 1\nsha256 " "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef" "\n",
		  "line 2: 'sha256' is not 64 lowercase hex digits", "uppercase hex" },
		{ "format 1\nkind cudnn\nversion 1\nbase /x\nfile 644 " HEX_A " a\n", "line 5: the mode is not four octal digits",
		  "a three-digit mode" },
		{ "format 1\nkind cudnn\nversion 1\nbase /x\nfile 4755 " HEX_A " a\n", "line 5: mode 4755 has set-id",
		  "a set-uid mode" },
		{ "format 1\nkind cudnn\nversion 1\nbase /x\nfile 0644 " HEX_A " ../etc/passwd\n", "line 5: the path is not relative",
		  "'..' in an entry" },
		{ "format 1\nkind cudnn\nversion 1\nbase /x\nlink t /etc/passwd\n", "line 5: the path is not relative",
		  "an absolute entry" },
		{ "format 1\nkind cudnn\nversion 1\nbase /x\nlink t a//b\n", "line 5: the path is not relative", "an empty component" },
		{ "format 1\nkind cudnn\nversion 1\nbase /x\nlink t\n", "line 5: 'link' takes a target and a path", "a link without a path" },
		{ "format 1\nkind cudnn\nversion 1\nbase /x\nfile 0644 a b c d\n", "line 5: too many fields", "too many fields" },
		{ "format 1\nkind cudnn\nversion 1\nbase /x\nlink t a\nkind x\n", "line 6: 'kind' after the first entry",
		  "a key after the entries" },
		{ "format 1\nkind cudnn\nversion 1\nbase /x\nlink t a\nlink u b\nlink v a\n", "line 7: path 'a' listed twice",
		  "a repeated path" },
		{ "format 1\nkind cudnn\nbase /x\n", "line 3: no 'version' record", "a missing version" },
		{ "# only a comment\n", "line 1: no 'format' record", "only comments" },
	};
	struct strbuf why = STRBUF_INIT;

	strbuf_init(&why);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		int r = parse(bad[i].text, &why);

		ok(r == -EINVAL && startswith(why.buf, bad[i].msg), "refused: %s", bad[i].what);
		if (r != -EINVAL || !startswith(why.buf, bad[i].msg))
			printf("# got %d '%s'\n", r, why.buf);
	}
	{
		/* A NUL inside a line. */
		static const char nul[] = "format 1\nkind cu\0dnn\n";
		struct manifest m;

		strbuf_reset(&why);
		ok(manifest_parse(nul, sizeof(nul) - 1, &m, &why) == -EINVAL && startswith(why.buf, "line 2: the line holds a NUL"),
		   "refused: a NUL byte");
	}
	strbuf_release(&why);
}

static void writing(void)
{
	struct manifest m = { 0 };
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	strbuf_init(&out);
	strbuf_init(&err);
	m.kind = xstrdup("cudnn");
	m.version = xstrdup("9.8.0.87");
	m.base = xstrdup("/usr/local/cuda-12.8");
	manifest_add_file(&m, "include/cudnn.h", 0644, HEX_A);
	ok(manifest_format(&m, &out, &err) == 0, "a manifest without source and sha256 formats");
	ok(strstr(out.buf, "source") == NULL && strstr(out.buf, "\nbase /usr/local/cuda-12.8\n"),
	   "optional fields are left out");
	manifest_add_link(&m, "lib64/with space", "x");
	strbuf_reset(&out);
	ok(manifest_format(&m, &out, &err) == -EINVAL && out.len == 0 && strstr(err.buf, "with space"),
	   "a path with a space is refused when writing, and names the path");
	free(m.entries[1].relpath);
	m.entries[1].relpath = xstrdup("lib64/new\nline");
	strbuf_reset(&err);
	ok(manifest_format(&m, &out, &err) == -EINVAL, "a path with a newline is refused when writing");
	free(m.entries[1].relpath);
	m.entries[1].relpath = xstrdup("include/cudnn.h");
	ok(manifest_format(&m, &out, &err) == -EINVAL, "a repeated path is refused when writing");
	free(m.entries[1].relpath);
	m.entries[1].relpath = xstrdup("lib64/libcudnn.so");
	free(m.entries[1].target);
	m.entries[1].target = xstrdup("two words");
	ok(manifest_format(&m, &out, &err) == -EINVAL, "a link target with a space is refused when writing");
	free(m.entries[1].target);
	m.entries[1].target = xstrdup("libcudnn.so.9");
	free(m.source);
	m.source = xstrdup("my cudnn.tar.xz");
	ok(manifest_format(&m, &out, &err) == -EINVAL, "a source name with a space is refused when writing");
	free(m.source);
	m.source = NULL;
	m.entries[0].mode = 04755;
	ok(manifest_format(&m, &out, &err) == -EINVAL, "a set-uid mode is refused when writing");
	m.entries[0].mode = 0644;
	free(m.base);
	m.base = xstrdup("/usr/local/../cuda");
	ok(manifest_format(&m, &out, &err) == -EINVAL, "a base with '..' is refused when writing");
	manifest_free(&m);
	strbuf_release(&out);
	strbuf_release(&err);
}

static void files(void)
{
	char root[] = "/tmp/gs-manifest-XXXXXX";
	struct manifest m, back;
	struct strbuf err = STRBUF_INIT;
	_cleanup_free_ char *path = NULL;
	struct stat st;

	if (!mkdtemp(root)) {
		ok(0, "mkdtemp");
		return;
	}
	sysroot_set(root);
	strbuf_init(&err);
	is_int(manifest_read("/var/lib/gpu-setup/manifests/x.manifest", &m, &err), -ENOENT, "no manifest is -ENOENT");
	ok(err.len == 0, "and leaves err alone");
	manifest_parse(good, strlen(good), &m, NULL);
	ok(manifest_write("/var/lib/gpu-setup/manifests/x.manifest", &m, &err) == 0,
	   "written under the root, directories created");
	path = xasprintf("%s/var/lib/gpu-setup/manifests/x.manifest", root);
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644, "the manifest is mode 0644");
	ok(manifest_read("/var/lib/gpu-setup/manifests/x.manifest", &back, &err) == 0 && same(&m, &back),
	   "read back the same");
	manifest_free(&back);
	testroot_puts(root, "/var/lib/gpu-setup/manifests/x.manifest", "format 1\nkind\n");
	strbuf_reset(&err);
	ok(manifest_read("/var/lib/gpu-setup/manifests/x.manifest", &back, &err) == -EINVAL &&
	   strstr(err.buf, path) && strstr(err.buf, "line 2: 'kind' takes one value"),
	   "a damaged manifest is -EINVAL; the message names the file and the line");
	printf("# %s\n", err.buf);
	manifest_free(&m);
	strbuf_release(&err);
	sysroot_set(NULL);
	testroot_remove(root);
}

int main(void)
{
	struct manifest m, again;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	const struct manifest_entry *e;

	strbuf_init(&out);
	strbuf_init(&err);
	ok(manifest_parse(good, strlen(good), &m, &err) == 0, "the documented example parses");
	is_str(m.kind, "cudnn", "kind");
	is_str(m.version, "9.8.0.87", "version");
	is_str(m.source, "cudnn-linux-x86_64-9.8.0.87_cuda12-archive.tar.xz", "source");
	is_str(m.sha256, HEX_A, "sha256");
	is_str(m.base, "/usr/local/cuda-12.8", "base");
	is_int(m.nentries, 2, "two entries");
	e = manifest_find(&m, "include/cudnn_version.h");
	ok(e && e->type == MANIFEST_FILE && e->mode == 0644 && streq(e->sha256, HEX_B) && !e->target,
	   "the file entry: mode and content digest");
	e = manifest_find(&m, "lib64/libcudnn.so");
	ok(e && e->type == MANIFEST_LINK && streq(e->target, "libcudnn.so.9") && !e->sha256, "the link entry: target");
	ok(manifest_find(&m, "lib64/nothing") == NULL, "manifest_find: NULL for a path not listed");
	ok(manifest_format(&m, &out, &err) == 0 && streq(out.buf, good), "formats back to the same text, byte for byte");
	ok(manifest_parse(out.buf, out.len, &again, &err) == 0 && same(&m, &again), "and that parses to the same manifest");
	manifest_free(&again);
	manifest_free(&m);
	manifest_free(&m);
	ok(m.entries == NULL && m.kind == NULL, "manifest_free zeroes, so a second free is harmless");
	{
		static const char order[] = "format 1\n\n# comment\nbase /\nversion 1\nkind k\nlink a b/c\n";

		ok(manifest_parse(order, strlen(order), &m, &err) == 0 && streq(m.base, "/") && m.nentries == 1,
		   "header keys in any order, comments, blank lines and base '/' are read");
		manifest_free(&m);
	}

	refusals();
	writing();
	files();
	strbuf_release(&out);
	strbuf_release(&err);
	return done_testing();
}
