/*
 * source.h
 *     The interface of a source, where export files come from, and what its
 *     implementations share (source.c).  A source is a mirror directory
 *     (source_dir.c) or a GCS bucket over its JSON API (source_gcs.c),
 *     opened from a setting value by source_location.c.  The sync driver
 *     lists the objects of one (version format, registry) after a checkpoint
 *     and reads each one as a pull stream, so the same inflate/line/decode
 *     path serves both and nothing ever raises an error from inside a
 *     libcurl callback.
 */
#ifndef PKGMETA_SOURCE_H
#define PKGMETA_SOURCE_H

#include "postgres.h"

#include "nodes/pg_list.h"

/* One export file, e.g. "v2/npm/1675356202/000000002.ndjson.gz". */
typedef struct SourceObject
{
	char	   *name;			/* object name relative to the bucket root */
	int64		sequence;
	int32		chunk;
	int64		size;			/* bytes as stored, -1 when unknown */
	char	   *crc32c;			/* base64 from the listing, or NULL */
	char	   *md5;			/* base64 from the listing, or NULL */
	char	   *content_encoding;	/* "gzip" or NULL */
} SourceObject;

typedef struct Source Source;
typedef struct SourceReader SourceReader;

typedef struct SourceMethods
{
	/*
	 * Objects under prefix ("v2/npm/"), in (sequence, chunk) order.  Names
	 * that do not parse as <sequence>/<chunk>.<ext>[.gz] are skipped with a
	 * log line.  start_at (NULL: none) is the checkpointed object: a source
	 * that lists by name may leave out what sorts before that object's
	 * sequence folder, never the object itself (the caller checks it is
	 * still there) nor anything numerically after it.
	 */
	List	   *(*list) (Source *source, const char *prefix, const char *ext,
						 const char *start_at);
	SourceReader *(*open) (Source *source, const SourceObject *object);

	/*
	 * Up to cap bytes of the object as stored; 0 at the end.  Raises an
	 * ERROR naming the object and the cause on failure.
	 */
	size_t		(*read) (SourceReader *reader, char *buf, size_t cap);

	/*
	 * After the last read: verifies what the source can verify (length,
	 * checksums) and raises an ERROR when the object did not arrive whole.
	 */
	void		(*finish) (SourceReader *reader);

	/* Releases the reader; safe after an error and more than once. */
	void		(*close) (SourceReader *reader);
	void		(*destroy) (Source *source);
} SourceMethods;

struct Source
{
	const SourceMethods *methods;
	char	   *location;		/* as configured, for messages */
};

/*
 * Parses "<sequence>/<chunk>.<ext>" or "<...>.<ext>.gz" (the part after the
 * prefix) into *sequence and *chunk.  False when the name is not of that form.
 */
extern bool source_parse_object_name(const char *relname, const char *ext,
									 int64 *sequence, int32 *chunk);

/*
 * Whether a listing being gathered holds more than pkgmeta.max_listing_objects
 * objects.  A source stops gathering then and returns what it has; the sync
 * refuses such a listing.
 */
extern bool source_listing_full(const List *objects);

/* Sorts a List of SourceObject* by (sequence, chunk). */
extern void source_sort_objects(List *objects);

#endif
