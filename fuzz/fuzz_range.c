/*
 * fuzz_range.c
 *     libFuzzer target of the range compiler and matcher (src/range.c).
 *
 *     Input: one byte choosing the purl type (any of them, those without a
 *     range syntax included), the range text, then up to two versions, all
 *     separated by NUL bytes.
 *
 *     Properties (abort on violation): compiling either succeeds within
 *     RANGE_COMPILED_MAX or fails with a message; compiling the same text
 *     again gives the same bytes; a compiled range matches each version as
 *     affected, not affected or unreadable (with a message), never as
 *     malformed; and the raw input read as a compiled range is matched
 *     without crashing, whatever it holds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "range.h"

static RangeBuf first;
static RangeBuf second;

static void
fail(const char *what, const char *s, size_t len)
{
	fprintf(stderr, "fuzz property violated: %s [%.*s]\n", what, (int) len, s);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	PurlTypeId	type;
	const char *p;
	const char *end;
	const char *part[3];
	size_t		len[3];
	int			n = 0;
	const char *reason = NULL;
	bool		ok;

	if (size < 1)
		return 0;
	type = (PurlTypeId) (PURL_TYPE_MIN + data[0] % (PURL_TYPE_MAX - PURL_TYPE_MIN + 1));
	p = (const char *) data + 1;
	end = (const char *) data + size;
	while (n < 3)
	{
		const char *nul = memchr(p, '\0', end - p);

		part[n] = p;
		len[n] = (nul ? nul : end) - p;
		n++;
		if (nul == NULL)
			break;
		p = nul + 1;
	}

	ok = range_compile(type, part[0], len[0], &first, &reason);
	if (!ok)
	{
		if (reason == NULL || reason[0] == '\0')
			fail("compile failed without a message", part[0], len[0]);
	}
	else
	{
		if (first.len > RANGE_COMPILED_MAX)
			fail("compiled form overruns its buffer", part[0], len[0]);
		if (!range_compile(type, part[0], len[0], &second, &reason) ||
			second.len != first.len || memcmp(first.data, second.data, first.len) != 0)
			fail("compile is not deterministic", part[0], len[0]);
		for (int i = 1; i < n; i++)
		{
			RangeMatch	m = range_match(first.data, first.len, type, part[i], len[i], &reason);

			if (m == RANGE_MALFORMED)
				fail("a compiled range reads as malformed", part[0], len[0]);
			if (m == RANGE_UNREADABLE && (reason == NULL || reason[0] == '\0'))
				fail("unreadable version without a message", part[i], len[i]);
		}
	}
	/* whatever the bytes, matching them as a compiled range is safe */
	(void) range_match(data + 1, size - 1, type, n > 1 ? part[1] : "1.0.0",
					   n > 1 ? len[1] : 5, &reason);
	return 0;
}
