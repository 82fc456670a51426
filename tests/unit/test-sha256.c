/* Unit tests: SHA-256 of files, streams and copies (known vectors). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>

#include "fileio.h"
#include "sha256.h"
#include "tap.h"
#include "util.h"

/* FIPS 180-2 test vectors. */
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ABC_SHA "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

int main(void)
{
	char dir[] = "/tmp/gs-sha256-XXXXXX", hex[SHA256_HEX_LEN + 1];
	_cleanup_free_ char *empty = NULL, *abc = NULL, *copy = NULL, *big = NULL;
	struct sha256_ctx *c;

	if (!mkdtemp(dir))
		return 1;
	empty = xasprintf("%s/empty", dir);
	abc = xasprintf("%s/abc", dir);
	copy = xasprintf("%s/copy", dir);
	big = xasprintf("%s/big", dir);
	write_file_atomic(empty, "", 0, 0644);
	write_file_atomic(abc, "abc", 3, 0644);

	ok(sha256_file(empty, hex) == 0 && streq(hex, EMPTY_SHA), "empty file digest");
	ok(sha256_file(abc, hex) == 0 && streq(hex, ABC_SHA), "'abc' digest");
	{
		char untouched[SHA256_HEX_LEN + 1] = "unchanged";
		_cleanup_free_ char *missing = xasprintf("%s/missing", dir);

		is_int(sha256_file(missing, untouched), -ENOENT, "a missing file is -ENOENT");
		ok(streq(untouched, "unchanged"), "the output is untouched on failure");
	}
	c = sha256_new();
	sha256_update(c, "a", 1);
	sha256_update(c, "", 0);
	sha256_update(c, "bc", 2);
	sha256_finish(c, hex);
	ok(streq(hex, ABC_SHA), "incremental updates give the one-shot digest");
	{
		/* More than one read buffer: 3 MiB of a pattern, copied. */
		size_t n = 3u << 20;
		_cleanup_free_ char *data = xmalloc(n);
		char hex2[SHA256_HEX_LEN + 1];
		int in, out;

		for (size_t i = 0; i < n; i++)
			data[i] = (char)(i * 7 + (i >> 12));
		write_file_atomic(big, data, n, 0644);
		in = open(big, O_RDONLY | O_CLOEXEC);
		out = open(copy, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		ok(sha256_copy_fd(in, out, hex) == 0, "copy while hashing succeeds");
		close(in);
		close(out);
		ok(sha256_file(copy, hex2) == 0 && streq(hex, hex2), "the copy hashes like the source");
		ok(sha256_file(big, hex2) == 0 && streq(hex, hex2), "and the source like the copy");
	}
	ok(sha256_hex_valid(ABC_SHA), "a digest is valid hex");
	ok(!sha256_hex_valid("abc") && !sha256_hex_valid(NULL), "short or missing is not");
	{
		char bad[] = ABC_SHA;

		bad[10] = 'g';
		ok(!sha256_hex_valid(bad), "a non-hex digit is not");
	}
	ok(sha256_hex_equal(ABC_SHA, "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"),
	   "comparison ignores case");
	ok(!sha256_hex_equal(ABC_SHA, EMPTY_SHA), "different digests differ");
	unlink(empty);
	unlink(abc);
	unlink(copy);
	unlink(big);
	rmdir(dir);
	return done_testing();
}
