/*
 * archive_stream.c
 *     zstd + tar reading of one archive with libarchive, pulling its bytes
 *     from a source reader.
 */
#include "postgres.h"

#include <archive.h>
#include <archive_entry.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "archive_stream.h"
#include "record_limits.h"

#define READ_BLOCK (256 * 1024)
#define SKIP_BLOCK (64 * 1024)

/* Inflated bytes before pkgmeta.max_inflate_ratio applies, as in stream.c. */
#define INFLATE_RATIO_GRACE (1024 * 1024)

struct ArchiveStream
{
	Source	   *source;
	SourceReader *reader;
	const char *name;
	struct archive *ar;
	char	   *block;
	int64		bytes_read;
	bool		at_end;
	bool		zstd_checked;
	bool		in_member;		/* a member's data may remain unread */
	char	   *scratch;		/* where skipped data goes */

	/*
	 * An error the source raised inside libarchive's read callback: caught
	 * there (no longjmp through libarchive) and raised again once libarchive
	 * has returned.
	 */
	ErrorData  *source_error;
	MemoryContext cxt;
};

static la_ssize_t
archive_pull(struct archive *ar, void *arg, const void **buffer)
{
	ArchiveStream *as = arg;
	MemoryContext old = CurrentMemoryContext;
	volatile size_t n = 0;

	*buffer = as->block;
	PG_TRY();
	{
		CHECK_FOR_INTERRUPTS();
		n = as->source->methods->read(as->reader, as->block, READ_BLOCK);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(as->cxt);
		as->source_error = CopyErrorData();
		FlushErrorState();
		MemoryContextSwitchTo(old);
		archive_set_error(ar, EIO, "source read failed");
		return -1;
	}
	PG_END_TRY();
	as->bytes_read += n;
	return (la_ssize_t) n;
}

/* Raises what went wrong after libarchive returned rc. */
static void
archive_fail(ArchiveStream *as, const char *doing)
{
	if (as->source_error != NULL)
	{
		ErrorData  *e = as->source_error;

		as->source_error = NULL;
		ReThrowError(e);
	}
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("archive \"%s\" is corrupt or truncated: %s", as->name,
					archive_error_string(as->ar) ? archive_error_string(as->ar) : "read failed"),
			 errdetail("While %s, after %lld bytes read.", doing, (long long) as->bytes_read),
			 errhint("A v3 export file is a zstd-compressed tar archive.")));
}

static void
check_inflate_ratio(ArchiveStream *as)
{
	int64		inflated = archive_filter_bytes(as->ar, 0);

	if (inflated > INFLATE_RATIO_GRACE &&
		inflated > (int64) pkgmeta_max_inflate_ratio * as->bytes_read)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("archive \"%s\" inflates to more than %d times its size "
						"(pkgmeta.max_inflate_ratio)", as->name, pkgmeta_max_inflate_ratio),
				 errdetail("%lld bytes read inflated to %lld bytes: an archive bomb, or an "
						   "export that compresses better than the setting allows.",
						   (long long) as->bytes_read, (long long) inflated)));
}

ArchiveStream *
archive_stream_open(Source *source, const SourceObject *object)
{
	ArchiveStream *as = palloc0(sizeof(ArchiveStream));

	as->source = source;
	as->name = object->name;
	as->cxt = CurrentMemoryContext;
	as->block = palloc(READ_BLOCK);
	as->scratch = palloc(SKIP_BLOCK);
	as->reader = source->methods->open(source, object);

	/*
	 * The caller has no handle on as until it is returned: an archive that
	 * fails to open (corrupt zstd at its start) frees libarchive's and the
	 * reader's memory here, else every such archive leaked them.
	 */
	PG_TRY();
	{
		as->ar = archive_read_new();
		if (as->ar == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not start reading archive \"%s\"", as->name)));
		/* zstd and tar only: anything else is not a v3 export file */
		if (archive_read_support_filter_zstd(as->ar) != ARCHIVE_OK ||
			archive_read_support_format_tar(as->ar) != ARCHIVE_OK)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("libarchive cannot read zstd-compressed tar archives here"),
					 errdetail("%s", archive_error_string(as->ar) ? archive_error_string(as->ar) : ""),
					 errhint("Install Debian's libarchive13 built with zstd.")));
		if (archive_read_open(as->ar, as, NULL, archive_pull, NULL) != ARCHIVE_OK)
			archive_fail(as, "opening it");
	}
	PG_CATCH();
	{
		archive_stream_close(as);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return as;
}

const char *
archive_stream_next_member(ArchiveStream *as)
{
	struct archive_entry *entry;

	while (!as->at_end)
	{
		int			rc;

		/*
		 * Skipped data is inflated block by block here, not by libarchive's
		 * own skip, so that the inflate ratio holds inside it too.
		 */
		while (as->in_member && archive_stream_read(as, as->scratch, SKIP_BLOCK) > 0)
			;
		rc = archive_read_next_header(as->ar, &entry);

		if (rc == ARCHIVE_EOF)
		{
			as->at_end = true;
			break;
		}
		if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
			archive_fail(as, "reading a member header");
		if (!as->zstd_checked)
		{
			if (archive_filter_code(as->ar, 0) != ARCHIVE_FILTER_ZSTD)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("archive \"%s\" is not zstd-compressed", as->name),
						 errhint("A v3 export file is a zstd-compressed tar archive.")));
			as->zstd_checked = true;
		}
		check_inflate_ratio(as);
		as->in_member = true;
		if (archive_entry_filetype(entry) == AE_IFREG)
			return archive_entry_pathname(entry);
	}
	return NULL;
}

size_t
archive_stream_read(ArchiveStream *as, char *buf, size_t cap)
{
	la_ssize_t	n;

	CHECK_FOR_INTERRUPTS();
	n = archive_read_data(as->ar, buf, cap);
	if (n < 0)
		archive_fail(as, "reading member data");
	check_inflate_ratio(as);
	if (n == 0)
		as->in_member = false;
	return (size_t) n;
}

const char *
archive_stream_name(const ArchiveStream *as)
{
	return as->name;
}

int64
archive_stream_bytes_read(const ArchiveStream *as)
{
	return as->bytes_read;
}

void
archive_stream_finish(ArchiveStream *as)
{
	/* the tar end may come before the source's end: read the rest */
	while (archive_stream_next_member(as) != NULL)
		;
	while (as->source->methods->read(as->reader, as->block, READ_BLOCK) > 0)
		CHECK_FOR_INTERRUPTS();
	as->source->methods->finish(as->reader);
}

void
archive_stream_close(ArchiveStream *as)
{
	if (as == NULL)
		return;
	if (as->ar != NULL)
		archive_read_free(as->ar);
	as->ar = NULL;
	if (as->reader != NULL)
		as->source->methods->close(as->reader);
	as->reader = NULL;
}
