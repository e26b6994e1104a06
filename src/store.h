/*
 * store.h
 *     Writing to the pkgmeta tables: one file's records into packages
 *     (directly, or through the staging table), its checkpoint, and error
 *     rows.  Every function
 *     runs inside the file's (sub)transaction; the sync driver decides when
 *     to commit.
 */
#ifndef PKGMETA_STORE_H
#define PKGMETA_STORE_H

#include "decode_v1.h"
#include "decode_v2.h"
#include "purl_types.h"
#include "source.h"

typedef enum RecordFormat
{
	RECORDS_V2_LICENSES,
	RECORDS_V1_LICENSES,
	RECORDS_V2_ADVISORIES
} RecordFormat;

/* A feed: (data type, version format, purl type), the unit with one checkpoint. */
typedef struct FeedKey
{
	const char *data_type;		/* "licenses" or "advisories" */
	const char *version_format; /* "v1" or "v2" */
	RecordFormat format;
	PurlTypeId	purl_type;
} FeedKey;

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
extern void store_add_v2(FileStore *fs, const V2Record *rec, int64 line_number);
extern void store_add_v1(FileStore *fs, const V1Row *row, int64 line_number);

/* Applies one advisory line, or records why it is rejected. */
extern void store_add_advisory(FileStore *fs, const char *line, size_t len,
							   int64 line_number);
extern void store_line_error(FileStore *fs, int64 line_number, const char *reason,
							 const char *line, size_t len);

/*
 * Merges the file's records into packages (later line wins), records the
 * checkpoint and empties the staging table.  Returns the packages written.
 */
extern int64 store_finish_file(FileStore *fs);

extern int64 store_file_bad_lines(const FileStore *fs);

/* Records a whole-file error (line is NULL in the row). */
extern void store_file_error(const FeedKey *key, const char *object,
							 const char *reason);

#endif
