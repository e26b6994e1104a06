/*
 * zstd_stream.c
 *     See zstd_stream.h.  libzstd's streaming decoder with its window
 *     capped by ZSTD_d_windowLogMax: the decoder's buffer is the window,
 *     so the cap bounds its memory whatever the archive's size.
 */
#include "postgres.h"

#include <zstd.h>
#include <zstd_errors.h>

#include "miscadmin.h"

#include "record_limits.h"
#include "zstd_stream.h"

#define READ_BLOCK (256 * 1024)

struct ZstdStream
{
	Source	   *source;
	SourceReader *reader;
	const char *name;
	ZSTD_DCtx  *dctx;			/* malloc'ed by libzstd: freed by close */
	char	   *block;
	ZSTD_inBuffer in;
	bool		source_ended;
	bool		frame_ended;	/* the last frame begun was decoded whole */
	unsigned char magic[4];		/* the archive's first bytes, once read */
	size_t		magic_len;
	int64		bytes_read;
	int64		inflated;
};

static void
zstd_fail(ZstdStream *zs, size_t rc)
{
	if (ZSTD_getErrorCode(rc) == ZSTD_error_frameParameter_windowTooLarge)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("archive \"%s\" needs a zstd window over %lld bytes "
						"(pkgmeta.max_zstd_window_log = %d)", zs->name,
						(long long) 1 << pkgmeta_max_zstd_window_log,
						pkgmeta_max_zstd_window_log),
				 errdetail("Inflating a frame takes memory the size of its window."),
				 errhint("Compress the archive without --long or an --ultra level, or raise "
						 "pkgmeta.max_zstd_window_log if the memory is there.")));
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("archive \"%s\" is corrupt or truncated: zstd: %s", zs->name,
					ZSTD_getErrorName(rc)),
			 errdetail("After %lld bytes read.", (long long) zs->bytes_read),
			 errhint("A v3 export file is a zstd-compressed tar archive.")));
}

static void
check_inflate_ratio(ZstdStream *zs)
{
	if (zs->inflated > INFLATE_RATIO_GRACE &&
		zs->inflated > (int64) pkgmeta_max_inflate_ratio * zs->bytes_read)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("archive \"%s\" inflates to more than %d times its size "
						"(pkgmeta.max_inflate_ratio)", zs->name, pkgmeta_max_inflate_ratio),
				 errdetail("%lld bytes read inflated to %lld bytes: an archive bomb, or an "
						   "export that compresses better than the setting allows.",
						   (long long) zs->bytes_read, (long long) zs->inflated)));
}

ZstdStream *
zstd_stream_open(Source *source, SourceReader *reader, const char *name)
{
	ZstdStream *zs = palloc0(sizeof(ZstdStream));
	size_t		rc;

	zs->source = source;
	zs->reader = reader;
	zs->name = name;
	zs->block = palloc(READ_BLOCK);
	zs->in.src = zs->block;
	zs->dctx = ZSTD_createDCtx();
	if (zs->dctx == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not start inflating archive \"%s\"", name)));
	rc = ZSTD_DCtx_setParameter(zs->dctx, ZSTD_d_windowLogMax, pkgmeta_max_zstd_window_log);
	if (ZSTD_isError(rc))
		elog(ERROR, "pkgmeta: libzstd refuses a window log of %d: %s",
			 pkgmeta_max_zstd_window_log, ZSTD_getErrorName(rc));
	return zs;
}

/* Refills the input from the source; false at its end. */
static bool
fill_input(ZstdStream *zs)
{
	size_t		n;

	CHECK_FOR_INTERRUPTS();
	n = zs->source->methods->read(zs->reader, zs->block, READ_BLOCK);
	zs->bytes_read += n;
	zs->in.size = n;
	zs->in.pos = 0;
	if (n == 0)
		return false;

	/*
	 * An archive starts with a frame, zstd's or a skippable one.  Its magic
	 * is gathered across reads: a source may return fewer than 4 bytes.
	 */
	if (zs->magic_len < sizeof(zs->magic))
	{
		size_t		take = Min(n, sizeof(zs->magic) - zs->magic_len);
		uint32		magic;

		memcpy(zs->magic + zs->magic_len, zs->block, take);
		zs->magic_len += take;
		if (zs->magic_len < sizeof(zs->magic))
			return true;
		magic = zs->magic[0] | zs->magic[1] << 8 | zs->magic[2] << 16 |
			(uint32) zs->magic[3] << 24;
		if (magic != ZSTD_MAGICNUMBER &&
			(magic & ZSTD_MAGIC_SKIPPABLE_MASK) != ZSTD_MAGIC_SKIPPABLE_START)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("archive \"%s\" is not zstd-compressed", zs->name),
					 errhint("A v3 export file is a zstd-compressed tar archive.")));
	}
	return true;
}

size_t
zstd_stream_read(ZstdStream *zs, char *buf, size_t cap)
{
	ZSTD_outBuffer out = {buf, cap, 0};

	while (out.pos == 0)
	{
		size_t		rc;

		if (zs->in.pos == zs->in.size && !zs->source_ended && !fill_input(zs))
			zs->source_ended = true;
		/* at the source's end the decoder may still hold output */
		rc = ZSTD_decompressStream(zs->dctx, &out, &zs->in);
		if (ZSTD_isError(rc))
			zstd_fail(zs, rc);
		/* 0: a frame ended and all of it is out */
		if (zs->in.size > 0 || out.pos > 0)
			zs->frame_ended = (rc == 0);
		if (out.pos == 0 && zs->source_ended && zs->in.pos == zs->in.size)
		{
			if (!zs->frame_ended)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("archive \"%s\" is corrupt or truncated: its zstd data ends "
								"inside a frame", zs->name),
						 errdetail("After %lld bytes read.", (long long) zs->bytes_read),
						 errhint("A v3 export file is a zstd-compressed tar archive.")));
			break;
		}
	}
	zs->inflated += out.pos;
	check_inflate_ratio(zs);
	return out.pos;
}

int64
zstd_stream_bytes_read(const ZstdStream *zs)
{
	return zs->bytes_read;
}

void
zstd_stream_close(ZstdStream *zs)
{
	if (zs == NULL)
		return;
	ZSTD_freeDCtx(zs->dctx);
	zs->dctx = NULL;
}
