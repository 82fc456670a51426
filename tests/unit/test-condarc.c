/* Unit tests: the channel settings of a .condarc, and every way a file is
 * refused. */
#include "config.h"

#include <errno.h>

#include "condarc.h"
#include "tap.h"
#include "util.h"

/* platform-facts: TUNA's block for ~/.condarc. */
static const char tuna[] = "channels:\n"
			   "  - defaults\n"
			   "show_channel_urls: true\n"
			   "default_channels:\n"
			   "  - https://mirrors.tuna.tsinghua.edu.cn/anaconda/pkgs/main\n"
			   "  - https://mirrors.tuna.tsinghua.edu.cn/anaconda/pkgs/r\n"
			   "  - https://mirrors.tuna.tsinghua.edu.cn/anaconda/pkgs/msys2\n"
			   "custom_channels:\n"
			   "  conda-forge: https://mirrors.tuna.tsinghua.edu.cn/anaconda/cloud\n"
			   "  pytorch: https://mirrors.tuna.tsinghua.edu.cn/anaconda/cloud\n";

static int parse(const char *text, struct condarc *c, struct strbuf *err)
{
	strbuf_reset(err);
	return condarc_parse(text, strlen(text), c, err);
}

static void test_good(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct condarc c;

	strbuf_init(&err);
	is_int(parse(tuna, &c, &err), 0, "TUNA's block parses: %s", err.buf);
	ok(c.nchannels == 1 && streq(c.channels[0], "defaults"), "channels: defaults");
	ok(c.ndefault_channels == 3 &&
		   streq(c.default_channels[0], "https://mirrors.tuna.tsinghua.edu.cn/anaconda/pkgs/main") &&
		   streq(c.default_channels[2], "https://mirrors.tuna.tsinghua.edu.cn/anaconda/pkgs/msys2"),
	   "the three default_channels in order");
	ok(c.ncustom_channels == 2 && streq(c.custom_channels[1].name, "pytorch") &&
		   streq(c.custom_channels[1].url, "https://mirrors.tuna.tsinghua.edu.cn/anaconda/cloud"),
	   "custom_channels name to URL");
	is_str(c.channel_alias, NULL, "no channel_alias");
	condarc_free(&c);

	is_int(parse("", &c, &err), 0, "an empty file is an empty configuration");
	ok(!c.nchannels && !c.ndefault_channels && !c.ncustom_channels, "with nothing in it");
	condarc_free(&c);
	is_int(parse("# only a comment\n", &c, &err), 0, "so is a comment");
	condarc_free(&c);
	is_int(parse("channels: [conda-forge, 'nvidia']\nchannel_alias: https://mirrors.bfsu.edu.cn/anaconda\n"
		     "auto_activate_base: false\nproxy_servers: {http: 'http://p:3128'}\n",
		     &c, &err),
	       0, "flow style, channel_alias and other keys of any shape");
	ok(c.nchannels == 2 && streq(c.channels[1], "nvidia"), "flow list read");
	is_str(c.channel_alias, "https://mirrors.bfsu.edu.cn/anaconda", "channel_alias read");
	condarc_free(&c);
	is_int(parse("channels:\ndefault_channels: ~\ncustom_channels: null\n", &c, &err), 0,
	       "null values are 'not set'");
	ok(!c.nchannels && !c.ndefault_channels && !c.ncustom_channels, "and leave nothing");
	condarc_free(&c);
	is_int(parse("base: &u https://mirror.sjtu.edu.cn/anaconda/pkgs/main\ndefault_channels: [*u]\n", &c, &err), 0,
	       "anchors and aliases");
	ok(c.ndefault_channels == 1 && streq(c.default_channels[0], "https://mirror.sjtu.edu.cn/anaconda/pkgs/main"),
	   "the alias is resolved");
	condarc_free(&c);
	is_int(parse("---\nchannels: [defaults]\n...\n", &c, &err), 0, "one explicit document");
	condarc_free(&c);
}

static const struct {
	const char *name, *text, *want;
} bad[] = {
	{ "unclosed flow list", "channels: [defaults\nshow_channel_urls: true\n", "line 2, column 18: did not find expected ',' or ']'" },
	{ "tab indentation", "channels:\n\t- defaults\n", "line 2, column 1: found character that cannot start" },
	{ "bad indentation", "channels:\n  - a\n - b\n", "line 3, column 2: " },
	{ "top level is a list", "- defaults\n- conda-forge\n", "line 1, column 1: the top level must be a mapping" },
	{ "top level is a scalar", "defaults\n", "line 1, column 1: the top level must be a mapping" },
	{ "channels is a string", "channels: defaults\n", "line 1, column 11: channels must be a list" },
	{ "a channel is a mapping", "channels:\n  - {name: x}\n", "line 2, column 5: the entries of channels" },
	{ "default_channels is a mapping", "default_channels: {a: b}\n", "line 1, column 19: default_channels must" },
	{ "custom_channels is a list", "custom_channels: [a]\n", "line 1, column 18: custom_channels must be a mapping" },
	{ "custom channel URL is a list", "custom_channels:\n  a: [b]\n", "line 2, column 6: the entries of custom" },
	{ "channel_alias is a list", "channel_alias: [a]\n", "line 1, column 16: channel_alias must be a URL" },
	{ "a key twice", "channels: [a]\nshow_channel_urls: true\nchannels: [b]\n", "line 3, column 1: 'channels' is set twice" },
	{ "two documents", "channels: [a]\n---\nchannels: [b]\n", "line 3, column 1: a second YAML document" },
	{ "undefined alias", "channels: [*nope]\n", "line 1, column 12: " },
	{ "invalid UTF-8", "channels: [\xff]\n", "byte 11: invalid leading UTF-8 octet" },
};

static void test_bad(void)
{
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
		struct condarc c = { .nchannels = 777 };

		strbuf_init(&err);
		is_int(parse(bad[i].text, &c, &err), -EINVAL, "%s: refused", bad[i].name);
		ok(startswith(err.buf, bad[i].want), "%s: '%s' starts with '%s'", bad[i].name, err.buf, bad[i].want);
		is_int(c.nchannels, 777, "%s: *ret untouched", bad[i].name);
	}
	{
		struct condarc c;
		static const char nul[] = "channels: [a]\n\0more\n";

		is_int(condarc_parse(nul, sizeof(nul) - 1, &c, NULL), -EINVAL,
		       "a NUL byte inside the length is refused (no err buffer needed)");
	}
}

int main(void)
{
	test_good();
	test_bad();
	return done_testing();
}
