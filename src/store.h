/*
 * store.h
 *     One file's transaction: its lines, decoded and written by the writer
 *     of their record kind (record_kind.h), its bad lines as error rows,
 *     and its checkpoint, all or nothing.  Every function runs inside the
 *     file's (sub)transaction; the sync driver decides when to commit.
 */
#ifndef PKGMETA_STORE_H
#define PKGMETA_STORE_H

#include "executor/spi.h"

#include "findings.h"
#include "purl_types.h"
#include "record_kind.h"
#include "source.h"
#include "stream.h"

/* A feed: (data type, version format, purl type), the unit with one checkpoint. */
typedef struct FeedKey
{
	const char *data_type;		/* "licenses", "advisories", "cve_enrichment" */
	const char *version_format; /* "v1" or "v2" */
	const RecordKind *kind;		/* decoder and writer of its records */
	PurlTypeId	purl_type;		/* FEED_NO_PURL_TYPE: one feed for all */
} FeedKey;

/* The purl type of a feed whose records have none: NULL in its rows. */
#define FEED_NO_PURL_TYPE ((PurlTypeId) 0)

typedef struct Checkpoint
{
	bool		exists;
	int64		sequence;
	int32		chunk;
	char	   *object;
} Checkpoint;

typedef struct FileStore FileStore;

/* Around one sync: prepares plans, then frees them. */
extern void store_begin_sync(void);
extern void store_end_sync(void);

extern Checkpoint store_get_checkpoint(const FeedKey *key);

extern FileStore *store_begin_file(const FeedKey *key, const SourceObject *object);

/* Decodes and writes one line, or records why it is rejected. */
extern void store_add_line(FileStore *fs, const char *line, size_t len,
						   int64 line_number);
/* Every line of a stream; an overlong one becomes an error row. */
extern void store_add_lines(FileStore *fs, LineStream *stream);
extern void store_line_error(FileStore *fs, int64 line_number, const char *reason,
							 const char *line, size_t len);

/*
 * Merges the file's records into packages (later line wins), reconciles the
 * findings of the advisories it changed, records the checkpoint and empties
 * the staging table.  Returns the packages written.
 */
extern int64 store_finish_file(FileStore *fs);

extern int64 store_file_bad_lines(const FileStore *fs);
/* The findings store_finish_file opened and resolved. */
extern FindingCounts store_file_findings(const FileStore *fs);

/*
 * For a writer, during write(): an error row for a line of the file being
 * written that is stored all the same (a range that cannot be read), so
 * not a bad line.  Rows past the first ones are counted in one summary row.
 */
extern void store_note_error(int64 line_number, const char *reason,
							 const char *excerpt, size_t len);

/* Records a whole-file error (line is NULL in the row). */
extern void store_file_error(const FeedKey *key, const char *object,
							 const char *reason);

/* A plan kept until the end of the sync (store_free_plan). */
extern SPIPlanPtr store_keep_plan(const char *sql, int nargs, Oid *argtypes);
extern void store_free_plan(SPIPlanPtr *plan);

#endif
