/*
 * sha256.h - SHA-256 of files and streams through OpenSSL's libcrypto, so
 * every archive and runfile is checked against compat data before it is
 * used.  Digests are lowercase hex, as NVIDIA and the tables write them.
 */
#ifndef GS_SHA256_H
#define GS_SHA256_H

#include <stdbool.h>
#include <stddef.h>

#define SHA256_HEX_LEN 64

struct sha256_ctx;

/* Incremental hashing, for callers that hash while they read. */
struct sha256_ctx *sha256_new(void);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
/* Write the digest as hex into hex (SHA256_HEX_LEN + 1 bytes) and free c. */
void sha256_finish(struct sha256_ctx *c, char hex[SHA256_HEX_LEN + 1]);

/* Hash the file at path (a real path, not through the sysroot). */
int sha256_file(const char *path, char hex[SHA256_HEX_LEN + 1]);
/* Hash everything readable from fd, from its current offset. */
int sha256_fd(int fd, char hex[SHA256_HEX_LEN + 1]);
/* Copy src_fd to dst_fd while hashing what was copied (one read of a large
 * runfile instead of two). */
int sha256_copy_fd(int src_fd, int dst_fd, char hex[SHA256_HEX_LEN + 1]);

/* 64 hex digits, either case. */
bool sha256_hex_valid(const char *s);
/* 64 lowercase hex digits: how gpu-setup's own files (compat tables,
 * manifests) write a digest, so any other spelling there is damage. */
bool sha256_hex_canonical(const char *s);
/* Compare two hex digests ignoring case. */
bool sha256_hex_equal(const char *a, const char *b);

#endif
