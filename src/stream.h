/*
 * stream.h
 *     Reads one export object as lines: pulls fixed-size blocks from a
 *     source reader, inflates gzip (recognized by its magic bytes) with zlib
 *     as it goes and splits lines incrementally.  Memory is bounded by the
 *     line length limit whatever the object's size.
 */
#ifndef PKGMETA_STREAM_H
#define PKGMETA_STREAM_H

#include "archive_stream.h"
#include "source.h"

typedef struct LineStream LineStream;

typedef enum LineResult
{
	LINE_OK,					/* *line, *len hold one line (no newline) */
	LINE_TOO_LONG,				/* the line exceeded the limit and was skipped */
	LINE_EOF
} LineResult;

extern LineStream *line_stream_open(Source *source, const SourceObject *object,
									size_t max_line_length);

/*
 * Lines of the current member of an archive (archive_stream.h).  Closing
 * the line stream leaves the archive open.
 */
extern LineStream *line_stream_open_member(ArchiveStream *archive, const char *member,
										   size_t max_line_length);

/*
 * Next non-empty line.  The line stays valid until the next call.  Raises
 * an ERROR for what makes the whole object unusable: a read failure,
 * corrupt or truncated gzip, bytes that are not UTF-8.
 */
extern LineResult line_stream_next(LineStream *stream, char **line, size_t *len);

/* Number of the line last returned, from 1. */
extern int64 line_stream_line_number(const LineStream *stream);

/* Bytes read from the source so far (as stored, before inflating). */
extern int64 line_stream_bytes_read(const LineStream *stream);

/* Confirms the object ended cleanly (source checks included). */
extern void line_stream_finish(LineStream *stream);

/* Frees everything; safe after an error. */
extern void line_stream_close(LineStream *stream);

#endif
