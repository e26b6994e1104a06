/*
 * fuzz_archive.c
 *     libFuzzer target of the v3 archive reading path: src/zstd_stream.c
 *     (libzstd inflation, window cap, inflate ratio) under
 *     src/archive_stream.c (libarchive's tar reader), read through the
 *     in-memory source of shim.c, which returns blocks of random sizes.
 *     Members are read as sync_v3.c reads them: every `.ndjson` member and
 *     checkpoint.json to their end, the others read or skipped.
 *
 *     Input: a 3-byte header, then the payload.
 *       byte 0  bit 0: the payload is a tar that the harness zstd-compresses
 *               (so libarchive sees arbitrary tar bytes), bit 1: as two
 *               frames; otherwise the payload is the archive as stored;
 *               bit 2: pkgmeta.max_inflate_ratio is 2, bit 3:
 *               pkgmeta.max_zstd_window_log is its minimum (10);
 *               bit 4: members that are neither data nor checkpoint.json
 *               are skipped unread
 *       byte 1-2  seed of the block sizes the source returns
 *
 *     The reference: the stored bytes inflated in one go by libzstd with
 *     the same window cap, then walked by libarchive from memory; and
 *     whether a frame header asks for a window over the cap (the archive
 *     may then fail or not, see frames_over_window).
 *
 *     Properties (abort on violation): the members (names and bytes) of an
 *     archive the reference reads whole equal the reference's; member bytes never exceed what the inflate ratio
 *     allows for the bytes read so far; an archive the reference reads
 *     whole within the grace of the ratio is read without error, to the
 *     end of the source (finish reached), unless a frame asks for a window
 *     over the cap; every other outcome is a clean
 *     ERROR with the archive's name and one of the archive's error codes,
 *     and never an archive the reference reads whole ends without one.
 */
#include "postgres.h"

#include <archive.h>
#include <archive_entry.h>
#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_getFrameHeader */
#include <zstd.h>

#include "archive_stream.h"
#include "record_limits.h"
#include "shim.h"

/* The reference stops inflating there (a bomb); no comparison then. */
#define REFERENCE_CAP (16 * 1024 * 1024)
#define MAX_MEMBERS 64

#define ARCHIVE_NAME "v3/npm/archive.tar.zst"

typedef struct Member
{
	char	   *name;
	uint8_t    *data;
	size_t		len;
} Member;

typedef enum Verdict
{
	REF_WHOLE,					/* inflated and walked to the tar's end */
	REF_BROKEN,					/* corrupt zstd, window over the cap or bad tar */
	REF_UNKNOWN					/* over REFERENCE_CAP or MAX_MEMBERS */
} Verdict;

typedef struct Reference
{
	Verdict		verdict;
	bool		window_over;	/* a frame's header asks for more than the cap */
	size_t		inflated;
	int			nmembers;
	Member		members[MAX_MEMBERS];
} Reference;

/* libzstd over the whole input at once, with the window cap of the setting. */
static Verdict
reference_inflate(const uint8_t *data, size_t len, uint8_t **out, size_t *out_len)
{
	ZSTD_DCtx  *dctx = ZSTD_createDCtx();
	ZSTD_inBuffer in = {data, len, 0};
	size_t		cap = 64 * 1024;
	ZSTD_outBuffer o = {malloc(cap), cap, 0};
	size_t		rc = 1;
	Verdict		v = REF_WHOLE;

	ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, pkgmeta_max_zstd_window_log);
	while (in.pos < in.size || (rc != 0 && o.pos == o.size))
	{
		size_t		before = o.pos;

		if (o.pos == o.size)
		{
			if (o.size >= REFERENCE_CAP)
			{
				v = REF_UNKNOWN;
				break;
			}
			o.size *= 2;
			o.dst = realloc(o.dst, o.size);
		}
		rc = ZSTD_decompressStream(dctx, &o, &in);
		if (ZSTD_isError(rc))
		{
			v = REF_BROKEN;
			break;
		}
		if (in.pos == in.size && o.pos == before && o.pos < o.size)
			break;
	}
	/* no bytes at all, or a frame that never ended, is truncated */
	if (v == REF_WHOLE && (len == 0 || rc != 0))
		v = REF_BROKEN;
	ZSTD_freeDCtx(dctx);
	*out = o.dst;
	*out_len = o.pos;
	return v;
}

/*
 * Whether a frame asks for a window over the cap.  Such an archive may fail
 * or be read: libzstd decodes a frame of known size that it holds whole into
 * an output buffer large enough without a window (the buffer bounds the
 * memory then), so whether it does depends on the block sizes.
 */
static bool
frames_over_window(const uint8_t *p, size_t len)
{
	while (len > 0)
	{
		ZSTD_frameHeader fh;
		size_t		frame_len;

		if (ZSTD_getFrameHeader(&fh, p, len) != 0)
			return false;
		if (fh.frameType == ZSTD_frame &&
			fh.windowSize > ((unsigned long long) 1 << pkgmeta_max_zstd_window_log))
			return true;
		frame_len = ZSTD_findFrameCompressedSize(p, len);
		if (ZSTD_isError(frame_len))
			return false;
		p += frame_len;
		len -= frame_len;
	}
	return false;
}

/* libarchive over the inflated tar in memory: every regular member. */
static Verdict
reference_walk(const uint8_t *tar, size_t len, Reference *ref)
{
	struct archive *ar = archive_read_new();
	struct archive_entry *entry;
	Verdict		v = REF_WHOLE;
	int			rc;

	archive_read_support_filter_none(ar);
	archive_read_support_format_tar(ar);
	if (archive_read_open_memory(ar, tar, len) != ARCHIVE_OK)
		v = REF_BROKEN;
	while (v == REF_WHOLE && (rc = archive_read_next_header(ar, &entry)) != ARCHIVE_EOF)
	{
		Member	   *m;
		size_t		cap = 4096;
		la_ssize_t	n;

		if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
		{
			v = REF_BROKEN;
			break;
		}
		if (archive_entry_filetype(entry) != AE_IFREG)
			continue;
		if (ref->nmembers == MAX_MEMBERS)
		{
			v = REF_UNKNOWN;
			break;
		}
		m = &ref->members[ref->nmembers++];
		m->name = archive_entry_pathname(entry) ? strdup(archive_entry_pathname(entry)) : NULL;
		m->data = malloc(cap);
		while ((n = archive_read_data(ar, m->data + m->len, cap - m->len)) > 0)
		{
			m->len += n;
			if (m->len == cap)
				m->data = realloc(m->data, cap *= 2);
		}
		if (n < 0)
			v = REF_BROKEN;
	}
	archive_read_free(ar);
	return v;
}

static void
reference_free(Reference *ref)
{
	for (int i = 0; i < ref->nmembers; i++)
	{
		free(ref->members[i].name);
		free(ref->members[i].data);
	}
}

/* The member kinds of sync_v3.c: data and the checkpoint are read whole. */
static bool
read_whole(const char *name)
{
	size_t		len = strlen(name);
	const char *base = strrchr(name, '/');

	base = base ? base + 1 : name;
	return (len > 7 && strcmp(name + len - 7, ".ndjson") == 0) ||
		strcmp(base, "checkpoint.json") == 0;
}

static uint8_t *
zstd_frames(const uint8_t *data, size_t len, bool two_frames, size_t *out_len)
{
	size_t		split = two_frames ? len / 2 : len;
	size_t		cap = ZSTD_compressBound(split) + ZSTD_compressBound(len - split);
	uint8_t    *out = malloc(cap);
	size_t		a = ZSTD_compress(out, cap, data, split, 1);
	size_t		b = 0;

	if (ZSTD_isError(a))
		shim_fail("ZSTD_compress: %s", ZSTD_getErrorName(a));
	if (two_frames)
	{
		b = ZSTD_compress(out + a, cap - a, data + split, len - split, 1);
		if (ZSTD_isError(b))
			shim_fail("ZSTD_compress: %s", ZSTD_getErrorName(b));
	}
	*out_len = a + b;
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Source		source = {&shim_memory_source_methods, "fuzz://archive"};
	SourceObject object = {ARCHIVE_NAME};
	SourceReader reader = {0};
	ArchiveStream *volatile as = NULL;
	static Reference ref;
	uint8_t    *stored = NULL;
	uint8_t    *inflated = NULL;
	volatile int got = 0;
	volatile size_t member_bytes = 0;
	volatile bool failed = false;
	bool		skip_others;
	bool		compare;

	if (size < 3)
		return 0;
	pkgmeta_max_inflate_ratio = (data[0] & 4) ? 2 : DEFAULT_MAX_INFLATE_RATIO;
	pkgmeta_max_zstd_window_log = (data[0] & 8) ? LIMIT_ZSTD_WINDOW_LOG_MIN : DEFAULT_MAX_ZSTD_WINDOW_LOG;
	skip_others = (data[0] & 16) != 0;
	reader.rng = 1 + (data[1] | (data[2] << 8));
	if (data[0] & 1)
	{
		stored = zstd_frames(data + 3, size - 3, (data[0] & 2) != 0, &reader.len);
		reader.data = stored;
	}
	else
	{
		reader.data = data + 3;
		reader.len = size - 3;
	}

	memset(&ref, 0, sizeof(ref));
	ref.verdict = reference_inflate(reader.data, reader.len, &inflated, &ref.inflated);
	ref.window_over = frames_over_window(reader.data, reader.len);
	if (ref.verdict == REF_WHOLE)
		ref.verdict = reference_walk(inflated, ref.inflated, &ref);
	/* a broken archive's members are compared with nothing: it must fail */
	compare = ref.verdict == REF_WHOLE;
	shim_memory_source_set(&reader);

	PG_TRY();
	{
		const char *name;
		char		buf[777];

		as = archive_stream_open(&source, &object);
		while ((name = archive_stream_next_member(as)) != NULL)
		{
			const Member *m = got < ref.nmembers ? &ref.members[got] : NULL;
			size_t		total = 0;
			size_t		n;

			if (compare &&
				(m == NULL || m->name == NULL || strcmp(name, m->name) != 0))
				shim_fail("member %d is \"%s\", the reference's %s", got, name,
						  m == NULL ? "(none)" : m->name ? m->name : "(no name)");
			got++;
			if (skip_others && !read_whole(name))
				continue;
			do
			{
				size_t		cap = 1 + shim_random(&reader.rng) % sizeof(buf);

				n = archive_stream_read(as, buf, cap);
				if (n > cap)
					shim_fail("read %zu bytes into %zu", n, cap);
				if (compare &&
					(total + n > m->len || memcmp(buf, m->data + total, n) != 0))
					shim_fail("member \"%s\" differs from the reference at byte %zu", name, total);
				total += n;
				member_bytes += n;
				if (member_bytes > INFLATE_RATIO_GRACE &&
					member_bytes > (size_t) pkgmeta_max_inflate_ratio * archive_stream_bytes_read(as))
					shim_fail("%zu member bytes from %lld bytes read (ratio %d)", member_bytes,
							  (long long) archive_stream_bytes_read(as), pkgmeta_max_inflate_ratio);
			} while (n > 0);
			if (compare && total != m->len)
				shim_fail("member \"%s\" has %zu bytes, the reference's %zu", name, total, m->len);
		}
		archive_stream_finish(as);
		if (!reader.finished)
			shim_fail("finish did not reach the source");
		if (archive_stream_bytes_read(as) != (int64) reader.len)
			shim_fail("bytes read %lld, object has %zu",
					  (long long) archive_stream_bytes_read(as), reader.len);
		if (ref.verdict == REF_BROKEN && !ref.window_over)
			shim_fail("read whole an archive the reference finds broken");
		if (ref.verdict == REF_WHOLE && got != ref.nmembers)
			shim_fail("%d members, the reference's %d", got, ref.nmembers);
	}
	PG_CATCH();
	{
		int			code = shim_error_code();

		FlushErrorState();
		failed = true;
		if (getenv("FUZZ_VERBOSE"))
			fprintf(stderr, "clean ERROR: %s\n", shim_error_message());
		if (code != ERRCODE_DATA_CORRUPTED && code != ERRCODE_PROGRAM_LIMIT_EXCEEDED)
			shim_fail("ERROR with an unexpected code: %s", shim_error_message());
		if (strstr(shim_error_message(), ARCHIVE_NAME) == NULL)
			shim_fail("ERROR without the archive's name: %s", shim_error_message());
	}
	PG_END_TRY();
	if (failed && ref.verdict == REF_WHOLE && !ref.window_over &&
		ref.inflated <= INFLATE_RATIO_GRACE)
		shim_fail("ERROR \"%s\" on an archive the reference reads whole", shim_error_message());
	archive_stream_close(as);
	archive_stream_close(as);	/* twice: safe, as promised */
	reference_free(&ref);
	free(inflated);
	free(stored);
	shim_free_all();
	return 0;
}
