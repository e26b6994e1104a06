/*
 * fuzz_stream.c
 *     libFuzzer target of src/stream.c: gzip inflation and line splitting,
 *     read through an in-memory source that returns blocks of random sizes.
 *
 *     Input: a 4-byte header, then the object's bytes.
 *       byte 0  bit 0: the harness gzips the bytes itself (so inflation is
 *               exercised with arbitrary content), bit 1: as two gzip
 *               members; otherwise the bytes are the object as stored;
 *               bit 2: pkgmeta.max_inflate_ratio is 2 instead of its default
 *       byte 1  the line length limit, 1..256
 *       byte 2-3  seed of the block sizes the source returns
 *
 *     Properties (abort on violation): the lines, their numbers, the
 *     overlong-line reports and the UTF-8 error equal those of a plain
 *     reference splitter whatever the block sizes; any other outcome is a
 *     clean ERROR with one of the stream's error codes.
 */
#include "postgres.h"

#include <zlib.h>

#include "mb/pg_wchar.h"

#include "record_limits.h"
#include "shim.h"
#include "stream.h"

/* gzip of data, as one member or two concatenated ones */
static uint8_t *
gzip_bytes(const uint8_t *data, size_t len, bool two_members, size_t *out_len)
{
	size_t		cap = 2 * (compressBound(len) + 64);
	uint8_t    *out = malloc(cap);
	size_t		done = 0;
	size_t		split = two_members ? len / 2 : len;

	for (int m = 0; m < (two_members ? 2 : 1); m++)
	{
		z_stream	zs = {0};
		const uint8_t *in = m == 0 ? data : data + split;
		size_t		in_len = m == 0 ? split : len - split;

		if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			shim_fail("deflateInit2");
		zs.next_in = (Bytef *) in;
		zs.avail_in = in_len;
		zs.next_out = out + done;
		zs.avail_out = cap - done;
		if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
			shim_fail("deflate");
		done = cap - zs.avail_out;
		deflateEnd(&zs);
	}
	*out_len = done;
	return out;
}

typedef struct Event
{
	LineResult	result;
	bool		utf8_error;
	int64		line_number;
	const uint8_t *line;
	size_t		len;
} Event;

/* The reference splitter: one event per line outcome, then EOF or an error. */
static int
reference_events(const uint8_t *data, size_t len, size_t max_line, Event *ev)
{
	size_t		pos = 0;
	int64		line_number = 0;
	int			n = 0;

	while (pos < len)
	{
		const uint8_t *nl = memchr(data + pos, '\n', len - pos);
		size_t		end = nl ? (size_t) (nl - data) : len;
		const uint8_t *line = data + pos;
		size_t		line_len = end - pos;

		pos = nl ? end + 1 : len;
		line_number++;
		if (line_len > 0 && line[line_len - 1] == '\r')
			line_len--;
		if (line_len > max_line)
			ev[n++] = (Event) {LINE_TOO_LONG, false, line_number, NULL, 0};
		else if (line_len == 0)
			continue;
		else if ((size_t) pg_encoding_verifymbstr(PG_UTF8, (const char *) line, line_len) != line_len)
		{
			ev[n++] = (Event) {LINE_EOF, true, line_number, NULL, 0};
			return n;
		}
		else
			ev[n++] = (Event) {LINE_OK, false, line_number, line, line_len};
	}
	ev[n++] = (Event) {LINE_EOF, false, line_number, NULL, 0};
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Source		source = {&shim_memory_source_methods, "fuzz://stream"};
	SourceObject object = {"v2/npm/1/0.ndjson"};
	SourceReader reader = {0};
	LineStream *volatile stream = NULL;
	const uint8_t *payload;
	size_t		payload_len;
	uint8_t    *stored = NULL;
	size_t		max_line;
	Event	   *expected = NULL;
	int			nexpected = -1;
	volatile int got = 0;
	bool		harness_gzip;

	if (size < 4)
		return 0;
	harness_gzip = (data[0] & 1) != 0;
	pkgmeta_max_inflate_ratio = (data[0] & 4) ? 2 : DEFAULT_MAX_INFLATE_RATIO;
	max_line = 1 + data[1];
	payload = data + 4;
	payload_len = size - 4;
	reader.rng = 1 + (data[2] | (data[3] << 8));
	if (harness_gzip)
	{
		stored = gzip_bytes(payload, payload_len, (data[0] & 2) != 0, &reader.len);
		reader.data = stored;
	}
	else
	{
		reader.data = payload;
		reader.len = payload_len;
	}
	/* stored bytes that look like gzip have no plain reference */
	if (harness_gzip || payload_len < 2 || payload[0] != 0x1f || payload[1] != 0x8b)
	{
		expected = malloc(sizeof(Event) * (payload_len + 2));
		nexpected = reference_events(payload, payload_len, max_line, expected);
	}
	shim_memory_source_set(&reader);

	PG_TRY();
	{
		char	   *line;
		size_t		len;
		LineResult	r;

		stream = line_stream_open(&source, &object, max_line);
		do
		{
			r = line_stream_next(stream, &line, &len);
			if (r == LINE_OK && (len == 0 || len > max_line || memchr(line, '\n', len)))
				shim_fail("bad line of %zu bytes (limit %zu)", len, max_line);
			if (expected)
			{
				const Event *e = &expected[got];

				if (got >= nexpected || e->utf8_error)
					shim_fail("event %d: result %d where the reference has %s", got, r,
							  got >= nexpected ? "nothing" : "a UTF-8 error");
				if (r != e->result)
					shim_fail("event %d: result %d, reference %d (line %lld)", got, r,
							  e->result, (long long) e->line_number);
				if (r != LINE_EOF && line_stream_line_number(stream) != e->line_number)
					shim_fail("event %d: line number %lld, reference %lld", got,
							  (long long) line_stream_line_number(stream),
							  (long long) e->line_number);
				if (r == LINE_OK && (len != e->len || memcmp(line, e->line, len) != 0))
					shim_fail("event %d: line %lld differs from the reference: [%.*s] vs [%.*s]", got,
							  (long long) e->line_number, (int) len, line, (int) e->len, e->line);
			}
			got++;
		} while (r != LINE_EOF);
		line_stream_finish(stream);
		if (!reader.finished)
			shim_fail("finish did not reach the source");
		if (line_stream_bytes_read(stream) != (int64) reader.len)
			shim_fail("bytes read %lld, object has %zu",
					  (long long) line_stream_bytes_read(stream), reader.len);
	}
	PG_CATCH();
	{
		int			code = shim_error_code();

		FlushErrorState();
		if (getenv("FUZZ_VERBOSE"))
			fprintf(stderr, "clean ERROR: %s\n", shim_error_message());
		if (expected && !(got < nexpected && expected[got].utf8_error))
			shim_fail("unexpected ERROR \"%s\" at event %d", shim_error_message(), got);
		if (code != ERRCODE_DATA_CORRUPTED &&
			code != ERRCODE_CHARACTER_NOT_IN_REPERTOIRE &&
			code != ERRCODE_PROGRAM_LIMIT_EXCEEDED)
			shim_fail("ERROR with an unexpected code: %s", shim_error_message());
	}
	PG_END_TRY();
	line_stream_close(stream);
	free(expected);
	free(stored);
	shim_free_all();
	return 0;
}
