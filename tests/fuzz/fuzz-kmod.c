/*
 * fuzz-kmod.c - libFuzzer target over the kernel module and initramfs
 * readers.  The first input byte picks the reader the rest goes to:
 *   0  kmod_parse (module bytes as they are);
 *   1  kmod_decompress then kmod_parse (a compressed module);
 *   2  newc_walk (one uncompressed cpio archive);
 *   3  initramfs_scan_mem (the whole concatenation, libarchive included);
 *   4  modprobe_conf_nvidia_names (a modprobe.d file's text).
 * Besides crashes, leaks and sanitizer reports, these are findings:
 *   - kmod_parse accepting bytes and reporting nothing (no key, no
 *     signature), or "open" without the license that means it;
 *   - decompressed output larger than the bound it was given;
 *   - newc_walk ending past the input, or initramfs_scan_mem accepting
 *     bytes in which it found no archive;
 *   - a module name that is empty, longer than 64, holds anything but
 *     letters, digits and '-' (an '_' is written '-'), or comes twice.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "initramfs.h"
#include "kmod-file.h"
#include "modprobe-names.h"
#include "util.h"

static void names(const void *d, size_t len)
{
	char **v = NULL;
	size_t n = 0;

	modprobe_conf_nvidia_names(d, len, &v, &n);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]);

		if (l == 0 || l > 64 || strspn(v[i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != l)
			abort();
		for (size_t j = 0; j < i; j++)
			if (streq(v[i], v[j]))
				abort();
	}
	strv_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small enough that the fuzzer reaches the bound with short inputs. */
#define FUZZ_MAX (1u << 20)

static void parse(const void *d, size_t len)
{
	struct kmod_info k;

	if (kmod_parse(d, len, &k) < 0)
		return;
	if (!k.license && !k.version && !k.vermagic && !k.is_signed)
		abort();
	if (k.open != (k.license && streq(k.license, "Dual MIT/GPL")))
		abort();
	kmod_info_free(&k);
}

static void count_entry(const char *name, size_t name_len, const void *body, size_t body_len, void *userdata)
{
	(void)name;
	(void)name_len;
	(void)body;
	(void)body_len;
	(*(size_t *)userdata)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *d = data + 1;
	size_t len = size ? size - 1 : 0, end = 0, n = 0;
	struct initramfs_info ii;
	char *out = NULL;
	size_t out_len;

	if (size < 1)
		return 0;
	switch (data[0] & 7) {
	case 0:
		parse(d, len);
		break;
	case 1:
		if (kmod_decompress(d, len, FUZZ_MAX, &out, &out_len) == 0) {
			if (out_len > FUZZ_MAX)
				abort();
			parse(out, out_len);
			free(out);
		}
		break;
	case 2:
		if (newc_walk(d, len, count_entry, &n, &end) == 0 && end > len)
			abort();
		break;
	case 3:
		if (initramfs_scan_mem(d, len, &ii) == 0 && ii.segments == 0)
			abort();
		break;
	default:
		names(d, len);
		break;
	}
	return 0;
}
