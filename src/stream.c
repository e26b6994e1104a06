/*
 * stream.c
 *     Block reads, gzip inflation and line splitting for one export object.
 */
#include "postgres.h"

#include <zlib.h>

#include "mb/pg_wchar.h"
#include "miscadmin.h"

#include "archive_stream.h"
#include "record_limits.h"
#include "stream.h"

/* Read and inflate in large blocks: fewer source calls, larger memcpy runs. */
#define READ_BLOCK (256 * 1024)
#define LINE_BUFFER_INITIAL (256 * 1024)

struct LineStream
{
	/* bytes come from a source reader, or from an archive's member */
	Source	   *source;
	SourceReader *reader;
	ArchiveStream *archive;
	const char *object_name;
	size_t		max_line;

	/* raw bytes as read from the source */
	char	   *raw;
	size_t		raw_len;
	size_t		raw_pos;
	bool		raw_eof;
	int64		bytes_read;

	/* gzip state, decided by the first two bytes */
	bool		format_known;
	bool		gzip;
	bool		zstream_live;	/* inflateInit2 done, inflateEnd owed */
	bool		member_ended;	/* last gzip member reached its end */
	z_stream	zs;
	int64		inflated;		/* bytes out of every member so far */
	int			max_inflate_ratio;

	/* decoded bytes; lines are cut from buf[pos, len) */
	char	   *buf;
	size_t		cap;
	size_t		len;
	size_t		pos;
	bool		skipping;		/* discarding the rest of an overlong line */
	int64		line_number;
};

static LineStream *
line_stream_new(const char *object_name, size_t max_line_length)
{
	LineStream *s = palloc0(sizeof(LineStream));

	s->object_name = object_name;
	s->max_line = max_line_length;
	s->max_inflate_ratio = pkgmeta_max_inflate_ratio;
	s->raw = palloc(READ_BLOCK);
	s->cap = Max(LINE_BUFFER_INITIAL, READ_BLOCK);
	s->buf = palloc(s->cap);
	return s;
}

LineStream *
line_stream_open(Source *source, const SourceObject *object, size_t max_line_length)
{
	LineStream *s = line_stream_new(object->name, max_line_length);

	s->source = source;
	s->reader = source->methods->open(source, object);
	return s;
}

LineStream *
line_stream_open_member(ArchiveStream *archive, const char *member, size_t max_line_length)
{
	LineStream *s = line_stream_new(psprintf("%s:%s", archive_stream_name(archive), member),
									max_line_length);

	s->archive = archive;
	return s;
}

static size_t
pull_raw(LineStream *s, char *buf, size_t cap)
{
	if (s->archive != NULL)
		return archive_stream_read(s->archive, buf, cap);
	return s->source->methods->read(s->reader, buf, cap);
}

static void
fill_raw(LineStream *s)
{
	size_t		n;

	CHECK_FOR_INTERRUPTS();
	n = pull_raw(s, s->raw, READ_BLOCK);
	s->raw_len = n;
	s->raw_pos = 0;
	s->bytes_read += n;
	if (n == 0)
		s->raw_eof = true;
}

static void
start_gzip(LineStream *s)
{
	int			rc;

	memset(&s->zs, 0, sizeof(s->zs));
	/* 16 + MAX_WBITS: gzip wrapper only, so a non-gzip body is an error */
	rc = inflateInit2(&s->zs, 16 + MAX_WBITS);
	if (rc != Z_OK)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not initialize gzip decompression for \"%s\"", s->object_name)));
	s->zstream_live = true;
}

/* Decides plain or gzip from the first two bytes. */
static void
detect_format(LineStream *s)
{
	while (s->raw_len - s->raw_pos < 2 && !s->raw_eof)
	{
		/* keep a lone first byte while reading more */
		if (s->raw_len - s->raw_pos == 1)
		{
			char		first = s->raw[s->raw_pos];
			size_t		n;

			n = pull_raw(s, s->raw + 1, READ_BLOCK - 1);
			s->raw[0] = first;
			s->raw_pos = 0;
			s->raw_len = n + 1;
			s->bytes_read += n;
			if (n == 0)
				s->raw_eof = true;
		}
		else
			fill_raw(s);
	}
	s->gzip = s->raw_len - s->raw_pos >= 2 &&
		(unsigned char) s->raw[s->raw_pos] == 0x1f &&
		(unsigned char) s->raw[s->raw_pos + 1] == 0x8b;
	if (s->gzip)
		start_gzip(s);
	s->format_known = true;
}

/*
 * Appends decoded bytes to buf[len, cap).  Returns false at the end of the
 * object.
 */
static bool
produce(LineStream *s)
{
	if (!s->format_known)
		detect_format(s);

	for (;;)
	{
		if (s->raw_pos == s->raw_len)
		{
			if (!s->raw_eof)
				fill_raw(s);
			if (s->raw_eof)
			{
				if (s->gzip && !s->member_ended)
					ereport(ERROR,
							(errcode(ERRCODE_DATA_CORRUPTED),
							 errmsg("gzip stream of \"%s\" is truncated", s->object_name),
							 errdetail("The object ended after %lld bytes, inside compressed data.",
									   (long long) s->bytes_read)));
				return false;
			}
		}

		if (!s->gzip)
		{
			size_t		n = Min(s->raw_len - s->raw_pos, s->cap - s->len);

			memcpy(s->buf + s->len, s->raw + s->raw_pos, n);
			s->raw_pos += n;
			s->len += n;
			return true;
		}

		if (s->member_ended)
		{
			/* another gzip member may follow (concatenated gzip files) */
			if ((unsigned char) s->raw[s->raw_pos] != 0x1f)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("gzip stream of \"%s\" has trailing garbage", s->object_name)));
			inflateReset(&s->zs);
			s->member_ended = false;
		}

		{
			int			rc;
			size_t		before_out = s->cap - s->len;

			s->zs.next_in = (Bytef *) (s->raw + s->raw_pos);
			s->zs.avail_in = (uInt) (s->raw_len - s->raw_pos);
			s->zs.next_out = (Bytef *) (s->buf + s->len);
			s->zs.avail_out = (uInt) before_out;
			rc = inflate(&s->zs, Z_NO_FLUSH);
			s->raw_pos = s->raw_len - s->zs.avail_in;
			s->len += before_out - s->zs.avail_out;
			s->inflated += before_out - s->zs.avail_out;
			if (s->inflated > INFLATE_RATIO_GRACE &&
				s->inflated > (int64) s->max_inflate_ratio * s->bytes_read)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("gzip stream of \"%s\" inflates to more than %d times its size "
								"(pkgmeta.max_inflate_ratio)",
								s->object_name, s->max_inflate_ratio),
						 errdetail("%lld bytes read inflated to %lld bytes: a gzip bomb, or an "
								   "export that compresses better than the setting allows.",
								   (long long) s->bytes_read, (long long) s->inflated)));
			if (rc == Z_STREAM_END)
				s->member_ended = true;
			else if (rc != Z_OK && rc != Z_BUF_ERROR)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("gzip stream of \"%s\" is corrupt: %s", s->object_name,
								s->zs.msg ? s->zs.msg : "inflate failed"),
						 errdetail("zlib error %d after %lld bytes read.", rc,
								   (long long) s->bytes_read)));
			if (before_out != s->zs.avail_out)
				return true;
		}
	}
}

/* Makes room after buf[len]: drops consumed bytes, grows up to the limit. */
static void
make_room(LineStream *s)
{
	if (s->pos > 0)
	{
		memmove(s->buf, s->buf + s->pos, s->len - s->pos);
		s->len -= s->pos;
		s->pos = 0;
	}
	if (s->len == s->cap)
	{
		s->cap *= 2;
		s->buf = repalloc(s->buf, s->cap);
	}
}

static void
check_utf8(LineStream *s, const char *line, size_t len)
{
	int			valid = pg_encoding_verifymbstr(PG_UTF8, line, (int) len);

	if ((size_t) valid != len)
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("\"%s\" is not UTF-8 text", s->object_name),
				 errdetail("Line %lld has an invalid byte sequence at byte %d.",
						   (long long) s->line_number, valid + 1),
				 errhint("A compressed or binary object that is not gzip cannot be read.")));
}

LineResult
line_stream_next(LineStream *s, char **line, size_t *len)
{
	for (;;)
	{
		char	   *start = s->buf + s->pos;
		char	   *nl = memchr(start, '\n', s->len - s->pos);
		size_t		n;

		if (nl == NULL)
		{
			n = s->len - s->pos;
			/* one byte more may be the \r of a \r\n whose \n is still to come */
			if (n > s->max_line && !s->skipping &&
				!(n == s->max_line + 1 && start[n - 1] == '\r'))
			{
				/* report once, then discard until the next newline */
				s->skipping = true;
				s->line_number++;
				s->pos = s->len;
				return LINE_TOO_LONG;
			}
			if (s->skipping)
				s->pos = s->len;
			if (s->len - s->pos == 0)
				s->pos = s->len = 0;
			else if (s->len == s->cap || s->pos > 0)
				make_room(s);
			if (produce(s))
				continue;
			/* end of object: a last line without a newline (moved by make_room) */
			start = s->buf + s->pos;
			n = s->len - s->pos;
			if (n == 0 || s->skipping)
				return LINE_EOF;
			nl = s->buf + s->len;
		}
		else
			n = nl - start;

		s->pos += n + (nl < s->buf + s->len ? 1 : 0);
		if (s->skipping)
		{
			s->skipping = false;
			continue;
		}
		s->line_number++;
		if (n > 0 && start[n - 1] == '\r')
			n--;
		if (n > s->max_line)
			return LINE_TOO_LONG;
		if (n == 0)
			continue;
		check_utf8(s, start, n);
		*line = start;
		*len = n;
		return LINE_OK;
	}
}

int64
line_stream_line_number(const LineStream *s)
{
	return s->line_number;
}

int64
line_stream_bytes_read(const LineStream *s)
{
	return s->bytes_read;
}

void
line_stream_finish(LineStream *s)
{
	/* an archive's member ends with its data; the archive checks its source */
	if (s->reader != NULL)
		s->source->methods->finish(s->reader);
}

void
line_stream_close(LineStream *s)
{
	if (s == NULL)
		return;
	if (s->zstream_live)
	{
		inflateEnd(&s->zs);
		s->zstream_live = false;
	}
	if (s->reader)
		s->source->methods->close(s->reader);
	s->reader = NULL;
}
