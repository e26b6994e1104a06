/*
 * archive_stream.h
 *     Reads a zstd-compressed tar archive (a v3 export file) as a stream of
 *     members, straight from a source reader: libarchive inflates and walks
 *     the tar headers as bytes arrive, so memory stays bounded whatever the
 *     archive's size and nothing is unpacked to disk.  Each data member is
 *     then read as lines by stream.c (line_stream_open_member).
 */
#ifndef PKGMETA_ARCHIVE_STREAM_H
#define PKGMETA_ARCHIVE_STREAM_H

#include "source.h"

typedef struct ArchiveStream ArchiveStream;

extern ArchiveStream *archive_stream_open(Source *source, const SourceObject *object);

/*
 * Moves to the next regular member in tar order and returns its path, or
 * NULL at the end of the archive.  Raises an ERROR naming the archive for
 * what makes it unusable: corrupt zstd, a truncated tar, a read failure, an
 * archive that inflates beyond pkgmeta.max_inflate_ratio.
 */
extern const char *archive_stream_next_member(ArchiveStream *as);

/* Up to cap bytes of the current member; 0 at its end. */
extern size_t archive_stream_read(ArchiveStream *as, char *buf, size_t cap);

/* The archive's name, for messages. */
extern const char *archive_stream_name(const ArchiveStream *as);

/* Bytes read from the source so far (compressed). */
extern int64 archive_stream_bytes_read(const ArchiveStream *as);

/* Confirms the archive ended cleanly (source checks included). */
extern void archive_stream_finish(ArchiveStream *as);

/* Frees everything; safe after an error and more than once. */
extern void archive_stream_close(ArchiveStream *as);

#endif
