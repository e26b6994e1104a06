/*
 * zstd_stream.h
 *     Inflates the zstd frames of one source reader as a stream with
 *     libzstd, holding at most the window pkgmeta.max_zstd_window_log
 *     allows: a frame that asks for more fails with an error naming the
 *     object instead of taking the memory.  pkgmeta.max_inflate_ratio
 *     applies as bytes come out.
 */
#ifndef PKGMETA_ZSTD_STREAM_H
#define PKGMETA_ZSTD_STREAM_H

#include "source.h"

typedef struct ZstdStream ZstdStream;

/* Reads from reader (which stays the caller's); name is for messages. */
extern ZstdStream *zstd_stream_open(Source *source, SourceReader *reader, const char *name);

/*
 * Up to cap inflated bytes; 0 once the source ended after a whole frame.
 * Raises an ERROR for bytes that are not zstd, a corrupt or truncated
 * frame, a window over the limit, an inflate ratio over the limit, and
 * what the source raises.
 */
extern size_t zstd_stream_read(ZstdStream *zs, char *buf, size_t cap);

/* Bytes read from the source so far (compressed). */
extern int64 zstd_stream_bytes_read(const ZstdStream *zs);

/* Frees the decoder; safe after an error and more than once. */
extern void zstd_stream_close(ZstdStream *zs);

#endif
