/*
 * sha256.c - SHA-256 through libcrypto's EVP interface.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <strings.h>

#include <openssl/evp.h>

#include "fileio.h"
#include "sha256.h"
#include "util.h"

struct sha256_ctx {
	EVP_MD_CTX *md;
};

struct sha256_ctx *sha256_new(void)
{
	struct sha256_ctx *c = xmalloc(sizeof(*c));

	c->md = EVP_MD_CTX_new();
	if (!c->md || EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1) {
		fputs("gpu-setup: libcrypto cannot start a SHA-256 digest\n", stderr);
		abort();
	}
	return c;
}

void sha256_update(struct sha256_ctx *c, const void *data, size_t len)
{
	if (len)
		EVP_DigestUpdate(c->md, data, len);
}

void sha256_finish(struct sha256_ctx *c, char hex[SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	EVP_DigestFinal_ex(c->md, md, &n);
	for (unsigned i = 0; i < n && i < SHA256_HEX_LEN / 2; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[SHA256_HEX_LEN] = '\0';
	EVP_MD_CTX_free(c->md);
	free(c);
}

/* Read from src_fd to its end, hashing, and write to dst_fd when >= 0. */
static int hash_stream(int src_fd, int dst_fd, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256_ctx *c = sha256_new();
	const size_t bufsize = 1u << 20;
	_cleanup_free_ char *buf = xmalloc(bufsize);
	int r = 0;

	for (;;) {
		ssize_t n = read(src_fd, buf, bufsize);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		sha256_update(c, buf, (size_t)n);
		if (dst_fd >= 0) {
			r = write_all(dst_fd, buf, (size_t)n);
			if (r < 0)
				break;
		}
	}
	{
		char tmp[SHA256_HEX_LEN + 1];

		sha256_finish(c, tmp);
		if (r == 0)
			memcpy(hex, tmp, sizeof(tmp));
	}
	return r;
}

int sha256_fd(int fd, char hex[SHA256_HEX_LEN + 1])
{
	return hash_stream(fd, -1, hex);
}

int sha256_copy_fd(int src_fd, int dst_fd, char hex[SHA256_HEX_LEN + 1])
{
	return hash_stream(src_fd, dst_fd, hex);
}

int sha256_file(const char *path, char hex[SHA256_HEX_LEN + 1])
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	return sha256_fd(fd, hex);
}

bool sha256_hex_valid(const char *s)
{
	return s && strlen(s) == SHA256_HEX_LEN && strspn(s, "0123456789abcdefABCDEF") == SHA256_HEX_LEN;
}

bool sha256_hex_canonical(const char *s)
{
	return s && strlen(s) == SHA256_HEX_LEN && strspn(s, "0123456789abcdef") == SHA256_HEX_LEN;
}

bool sha256_hex_equal(const char *a, const char *b)
{
	return sha256_hex_valid(a) && sha256_hex_valid(b) && strcasecmp(a, b) == 0;
}
