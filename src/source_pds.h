/*
 * source_pds.h
 *     The package metadata distribution service (doc/format.md section
 *     11): which v3 archives a feed applies next (/all on a first sync,
 *     /delta after), with the instance token's headers, and a source that
 *     reads each archive from its signed URL without the token.
 */
#ifndef PKGMETA_SOURCE_PDS_H
#define PKGMETA_SOURCE_PDS_H

#include "source.h"
#include "store.h"

/* The source of one data type ("licenses" or "malware_advisories"). */
extern Source *source_pds_create(const char *data_type);

/*
 * The archives of a registry after a checkpoint, as V3Unit (sync_v3.h)
 * with their signed URLs: the full dataset when first_sync, else the
 * deltas after sequence, every page of them.  NIL when the service has
 * nothing new (204) or rejects the registry (400, logged).  Other failures
 * (401, 503, a bad answer) raise an ERROR without the token.
 */
extern List *source_pds_pending(Source *source, const FeedKey *key, bool first_sync,
								int64 sequence);

#endif
