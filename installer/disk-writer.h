/*
 * disk-writer.h - write archive entries through libarchive's
 * archive_write_disk on a second thread, hashing each file's content on
 * the way, so that decompressing (the caller's thread) and writing plus
 * hashing (this one) overlap, as they do between xz and tar in
 * `tar -xJf`.  Without it the placement of a large cuDNN archive would
 * be slower than the shell commands it replaces.
 *
 * The caller queues, in order, begin/data.../end for each entry; data is
 * copied into a small ring of buffers (DISK_WRITER_MEMORY in all), so
 * memory stays bounded whatever the archive holds.  Paths are as
 * archive_write_disk takes them: relative to the working directory, which
 * the caller must not change until disk_writer_finish.
 */
#ifndef GS_DISK_WRITER_H
#define GS_DISK_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <archive_entry.h>

#include "sha256.h"
#include "strbuf.h"

#define DISK_WRITER_MEMORY (8u << 20)

struct disk_writer;

/* Start the thread; flags are archive_write_disk_set_options' (the
 * ARCHIVE_EXTRACT_* bits). */
int disk_writer_start(int flags, struct disk_writer **ret);

/* Queue an entry (e is cloned: the caller may reuse it).  hash: compute
 * the digest of its content, delivered under index by finish.  Each call
 * returns 0, or the first error the thread met (a negative errno), after
 * which nothing more is written: stop queueing and call finish. */
int disk_writer_begin(struct disk_writer *w, struct archive_entry *e, size_t index, bool hash);
int disk_writer_data(struct disk_writer *w, const void *buf, size_t len, int64_t offset);
int disk_writer_end(struct disk_writer *w);

/* Wait for the thread and free w.  On success *ret_digests holds
 * ret_n digests (lowercase hex; "" for an index never hashed), the
 * caller frees it.  On failure the first error, with a sentence naming
 * the entry appended to err. */
int disk_writer_finish(struct disk_writer *w, char (**ret_digests)[SHA256_HEX_LEN + 1], size_t *ret_n,
		       struct strbuf *err);

#endif
