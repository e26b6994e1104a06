/*
 * record_kind.h
 *     One kind of record (v3, v2 and v1 licenses, v2 advisories, v3 malware
 *     advisories, CVE enrichment): its decoder and its writer, which
 *     store.c drives line by line inside the file's transaction.  Each kind
 *     lives in its own writer file.
 */
#ifndef PKGMETA_RECORD_KIND_H
#define PKGMETA_RECORD_KIND_H

#include "postgres.h"

#include "purl_types.h"

typedef struct FeedKey FeedKey;

typedef struct RecordKind
{
	/*
	 * Prepares what the kind keeps for one sync (plans, the decoder's
	 * reused record); it runs in the sync's memory context, which lives
	 * until after end_sync, and end_sync frees what is not memory there.
	 */
	void		(*begin_sync) (void);
	void		(*end_sync) (void);

	/* Decodes one line into the kind's record: NULL, or why it is rejected. */
	const char *(*decode) (const char *line, size_t len, PurlTypeId file_purl_type);

	/* Per file: open a writer, write the record decode() left, finish. */
	void	   *(*begin_file) (const FeedKey *key);
	void		(*write) (void *writer, int64 line_number);
	/* Writes what is pending; returns the records the file wrote. */
	int64		(*finish_file) (void *writer);
} RecordKind;

extern const RecordKind license_v3_kind;
extern const RecordKind license_v2_kind;
extern const RecordKind license_v1_kind;
extern const RecordKind advisory_kind;
extern const RecordKind cve_enrichment_kind;
extern const RecordKind malware_kind;

#endif
