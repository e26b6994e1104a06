/*
 * sync_v3.h
 *     v3 license feeds read offline (doc/format.md section 11): which
 *     archives of <dir>/v3/<registry_id>/ a feed still has to apply after
 *     its checkpoint, and how one archive is applied as one unit.  sync.c
 *     drives them like the files of the other feeds.
 */
#ifndef PKGMETA_SYNC_V3_H
#define PKGMETA_SYNC_V3_H

#include "archive_stream.h"
#include "store.h"
#include "stream.h"
#include "sync.h"

/* One archive: a full dataset shard or a delta. */
typedef struct V3Unit
{
	SourceObject object;		/* first: sync.c handles it as a SourceObject */
	bool		is_delta;
	bool		last_shard;		/* the first sync's end: clears the marker */
	char	   *url;			/* the signed URL (distribution service), or NULL */
} V3Unit;

/* A unit; url is the signed URL of an archive of the service, else NULL. */
extern V3Unit *v3_unit_new(const char *name, const char *url, int64 sequence, int32 chunk,
						   bool is_delta);

/* Whether location is a directory holding v3/<registry_id>/. */
extern bool v3_offline_available(const char *location, const char *registry_id);

/* Whether location names the distribution service (it is not file://). */
extern bool v3_from_service(const char *location);

/* The V3Unit list a feed applies next, in order. */
extern List *v3_pending_units(Source *source, const FeedKey *key);

/*
 * Reads and stores one archive (runs inside its subtransaction), its
 * checkpoint included.  *archive and *stream are what to close on error.
 */
extern void v3_read_unit(Source *source, const FeedKey *key, V3Unit *unit,
						 ArchiveStream **archive, LineStream **stream,
						 FileOutcome *out);

#endif
