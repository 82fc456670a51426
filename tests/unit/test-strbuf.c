/* Unit tests: strbuf growth, formatting and ownership hand-over. */
#include "config.h"

#include <errno.h>

#include "exit-codes.h"
#include "strbuf.h"
#include "tap.h"
#include "util.h"

int main(void)
{
	struct strbuf sb = STRBUF_INIT;
	char *p;
	size_t len;

	strbuf_adds(&sb, "abc");
	is_str(sb.buf, "abc", "adds on an unset buffer initialises it");
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%04d", i);
	is_int(sb.len, 3 + 4000, "addf grows past the first allocation");
	ok(strncmp(sb.buf + 3 + 4 * 999, "0999", 4) == 0, "formatted text lands at the end");
	ok(sb.buf[sb.len] == '\0', "buffer stays NUL-terminated");
	strbuf_reset(&sb);
	is_int(sb.len, 0, "reset empties");
	strbuf_addch(&sb, 'x');
	p = strbuf_detach(&sb, &len);
	is_str(p, "x", "detach hands over the text");
	is_int(len, 1, "detach reports the length");
	is_str(sb.buf, "", "detach leaves the buffer empty and readable");
	is_int(sb.len, 0, "detach leaves the length 0");
	free(p);
	{
		/* STRBUF_INIT alone: readable, detachable and releasable with no
		 * strbuf_init and nothing allocated. */
		struct strbuf fresh = STRBUF_INIT, other = STRBUF_INIT;
		char *empty;

		is_str(fresh.buf, "", "a STRBUF_INIT buffer reads as the empty string");
		strbuf_reset(&fresh);
		is_str(fresh.buf, "", "reset of a STRBUF_INIT buffer keeps it readable");
		empty = strbuf_detach(&fresh, &len);
		is_str(empty, "", "detach of a STRBUF_INIT buffer gives an owned empty string");
		is_int(len, 0, "... of length 0");
		free(empty);
		strbuf_release(&other);
		is_str(other.buf, "", "release of a STRBUF_INIT buffer keeps it readable");
		strbuf_adds(&other, "y");
		is_str(other.buf, "y", "a released buffer is usable again");
		strbuf_release(&other);
		is_str(strbuf_empty, "", "the shared empty string is never written");
	}
	is_str(strstrip((char[]){ "  a b \n" }), "a b", "strstrip trims both ends");
	{
		char b[FORMAT_BYTES_MAX];

		is_str(format_bytes(0, b), "0 B", "format_bytes: 0 B");
		is_str(format_bytes(1023, b), "1023 B", "format_bytes: under 1 KiB in bytes");
		is_str(format_bytes(1536, b), "1.5 KiB", "format_bytes: KiB with one decimal");
		is_str(format_bytes(4509715660ull, b), "4.2 GiB", "format_bytes: a runfile's size in GiB");
		is_str(format_bytes(UINT64_MAX, b), "16.0 EiB", "format_bytes: the largest size fits the buffer");
	}
	{
		struct strbuf e = STRBUF_INIT;

		is_int(strbuf_add_errno(&e, -ENOENT, "cannot read %s", "/x"), -ENOENT,
		       "strbuf_add_errno returns the errno it is given");
		is_str(e.buf, "cannot read /x: No such file or directory", "... after saying it");
		strbuf_release(&e);
	}
	ok(exit_code_for_errno(-EINVAL) == EXIT_BAD_INPUT && exit_code_for_errno(-EBADMSG) == EXIT_BAD_INPUT &&
	   exit_code_for_errno(-EIO) == EXIT_FAILED && exit_code_for_errno(-ENOENT) == EXIT_FAILED,
	   "exit_code_for_errno: malformed or damaged input is exit 4, the rest exit 1");
	ok(endswith("cuda.tsv", ".tsv") && endswith(".tsv", ".tsv") && !endswith("tsv", ".tsv"),
	   "endswith: the suffix itself, a longer string, a shorter one");
	ok(is_blank(' ') && is_blank('\t') && !is_blank('\n') && !is_blank('x'), "is_blank: space and tab only");
	return done_testing();
}
