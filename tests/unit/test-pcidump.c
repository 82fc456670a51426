/* Unit tests: the lspci dump validator. */
#include "config.h"

#include <errno.h>

#include "pcidump.h"
#include "tap.h"
#include "util.h"

#define HDR64 \
	"00: de 10 04 22 07 04 10 00 a1 00 00 03 10 00 80 00\n" \
	"10: 00 00 00 fb 0c 00 00 e0 00 00 00 00 0c 00 00 f0\n" \
	"20: 00 00 00 00 01 f0 00 00 00 00 00 00 43 10 b3 87\n" \
	"30: 00 00 00 fc 60 00 00 00 00 00 00 00 ff 01 00 00\n"

static int parse(const char *text, struct pcidump *d, struct strbuf *err)
{
	strbuf_reset(err);
	return pcidump_parse(text, strlen(text), d, err);
}

int main(void)
{
	struct strbuf err = STRBUF_INIT;
	struct pcidump d;

	ok(parse("01:00.0 VGA compatible controller: NVIDIA\n" HDR64, &d, &err) == 0 && d.ndevs == 1 &&
		   d.devs[0].bus == 1 && d.devs[0].config_len == 64,
	   "a 64-byte lspci -x dump parses");
	pcidump_free(&d);
	ok(parse("0001:02:1f.7 3D controller: x\n" HDR64
		 "\tKernel driver in use: nvidia\n\tKernel modules: nvidia, nouveau\n\n",
		 &d, &err) == 0 &&
		   d.devs[0].domain == 1 && d.devs[0].dev == 0x1f && d.devs[0].func == 7 &&
		   streq(pcidump_driver(&d, 1, 2, 0x1f, 7), "nvidia"),
	   "a domain address and lspci -k's driver line are read");
	pcidump_free(&d);
	ok(parse("01:00.0 VGA: x\r\n00: de 10 04 22 07 04 10 00 a1 00 00 03 10 00 80 00\r\n"
		 "10: 00 00 00 fb 0c 00 00 e0 00 00 00 00 0c 00 00 f0\r\n"
		 "20: 00 00 00 00 01 f0 00 00 00 00 00 00 43 10 b3 87\r\n"
		 "30: 00 00 00 fc 60 00 00 00 00 00 00 00 ff 01 00 00\r\n",
		 &d, &err) == 0,
	   "CRLF line ends are accepted, as libpci does");
	pcidump_free(&d);

	is_int(parse("", &d, &err), -EINVAL, "an empty file is refused");
	ok(strstr(err.buf, "empty") != NULL, "and the message says it is empty");
	ok(parse("01:00.0 VGA: x\n00: de 10 04", &d, &err) == -EINVAL &&
		   strstr(err.buf, "line 2 is truncated"),
	   "a last line without newline is truncated");
	ok(parse("01:00.0 VGA: x\n00: de 10 0\n", &d, &err) == -EINVAL &&
		   strstr(err.buf, "line 2 is truncated"),
	   "a byte cut to one digit is truncated");
	ok(parse("01:00.0 VGA: x\n00: de zz 04 22\n", &d, &err) == -EINVAL &&
		   strstr(err.buf, "line 2 has a byte that is not two hex digits"),
	   "bad hex is refused with its line");
	ok(parse("01:00.0 VGA: x\n00: de  10\n", &d, &err) == -EINVAL &&
		   strstr(err.buf, "single spaces"),
	   "double spaces between bytes are refused");
	ok(parse("00: de 10 04 22\n", &d, &err) == -EINVAL && strstr(err.buf, "before any device"),
	   "config bytes before a device line are refused");
	ok(parse("01:00.0 VGA: x\n00: de 10 04 22 07 04 10 00 a1 00 00 03 10 00 80 00\n", &d, &err) ==
			   -EINVAL &&
		   strstr(err.buf, "only 16 bytes"),
	   "a device with less than 64 bytes is refused");
	ok(parse("hello\nworld\n", &d, &err) == -EINVAL && strstr(err.buf, "no PCI device"),
	   "text without any device is refused");
	ok(parse("01:00.0 VGA: x\n" HDR64 "01:00.0 VGA: x\n" HDR64, &d, &err) == -EINVAL &&
		   strstr(err.buf, "appears twice"),
	   "a device listed twice is refused");
	ok(parse("01:00.0 VGA: x\nfff: 00\n" HDR64, &d, &err) == 0 && d.devs[0].config_len == 0x1000,
	   "the last byte of 4096 is accepted");
	pcidump_free(&d);
	ok(parse("01:00.0 VGA: x\n1000: 00\n" HDR64, &d, &err) == -EINVAL && strstr(err.buf, "beyond"),
	   "a byte past 4096 is refused");
	{
		char big[400];
		memset(big, 'a', sizeof(big));
		big[sizeof(big) - 2] = '\n';
		big[sizeof(big) - 1] = '\0';
		ok(parse(big, &d, &err) == -EINVAL && strstr(err.buf, "too long"),
		   "an over-long line is refused");
	}
	ok(pcidump_parse("01:00.0 x\n\0", 11, &d, &err) == -EINVAL && strstr(err.buf, "NUL"),
	   "a binary file is refused");
	strbuf_release(&err);
	return done_testing();
}
