/*
 * archive_stream.c
 *     tar reading of one archive with libarchive, fed the bytes that
 *     zstd_stream.c inflates from a source reader.  libarchive's own zstd
 *     filter is not used: it cannot bound the window a frame asks for.
 */
#include "postgres.h"

#include <archive.h>
#include <archive_entry.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "archive_stream.h"
#include "zstd_stream.h"

#define READ_BLOCK (256 * 1024)

struct ArchiveStream
{
	Source	   *source;
	SourceReader *reader;
	ZstdStream *zstd;
	const char *name;
	struct archive *ar;
	char	   *block;			/* inflated bytes handed to libarchive */
	bool		at_end;

	/*
	 * An error the source or the inflating raised inside libarchive's read
	 * callback: caught there (no longjmp through libarchive) and raised
	 * again once libarchive has returned.
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
		n = zstd_stream_read(as->zstd, as->block, READ_BLOCK);
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
			 errdetail("While %s, after %lld bytes read.", doing,
					   (long long) zstd_stream_bytes_read(as->zstd)),
			 errhint("A v3 export file is a zstd-compressed tar archive.")));
}

ArchiveStream *
archive_stream_open(Source *source, const SourceObject *object)
{
	ArchiveStream *as = palloc0(sizeof(ArchiveStream));

	as->source = source;
	as->name = object->name;
	as->cxt = CurrentMemoryContext;
	as->block = palloc(READ_BLOCK);
	as->reader = source->methods->open(source, object);
	/*
	 * The caller has no handle on as until it is returned: an archive that
	 * fails to open (corrupt zstd at its start) frees libzstd's,
	 * libarchive's and the reader's memory here, else every such archive
	 * leaked them.
	 */
	PG_TRY();
	{
		as->zstd = zstd_stream_open(source, as->reader, as->name);
		as->ar = archive_read_new();
		if (as->ar == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not start reading archive \"%s\"", as->name)));
		/* tar only, no filter: the bytes come inflated */
		if (archive_read_support_filter_none(as->ar) != ARCHIVE_OK ||
			archive_read_support_format_tar(as->ar) != ARCHIVE_OK)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("libarchive cannot read tar archives here"),
					 errdetail("%s", archive_error_string(as->ar) ? archive_error_string(as->ar) : "")));
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
		 * What is left of the member is skipped by reading it through
		 * archive_pull (there is no skip callback), so the inflate ratio
		 * holds inside it too.
		 */
		rc = archive_read_next_header(as->ar, &entry);

		if (rc == ARCHIVE_EOF)
		{
			as->at_end = true;
			break;
		}
		if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
			archive_fail(as, "reading a member header");
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
	return zstd_stream_bytes_read(as->zstd);
}

void
archive_stream_finish(ArchiveStream *as)
{
	/*
	 * The tar end may come before the source's end: inflate the rest, so
	 * that the last frame is checked whole.
	 */
	while (archive_stream_next_member(as) != NULL)
		;
	while (zstd_stream_read(as->zstd, as->block, READ_BLOCK) > 0)
		;
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
	zstd_stream_close(as->zstd);
	as->zstd = NULL;
	if (as->reader != NULL)
		as->source->methods->close(as->reader);
	as->reader = NULL;
}
