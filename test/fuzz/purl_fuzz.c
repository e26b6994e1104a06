/*
 * purl_fuzz.c
 *     libFuzzer target for the purl parser (plain C, no server):
 *
 *     clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *         test/fuzz/purl_fuzz.c src/purl.c src/purl_types.c -o /tmp/purl_fuzz
 *     /tmp/purl_fuzz -max_total_time=60
 *
 *     Besides memory safety it checks what callers rely on: every part of a
 *     parsed purl lies inside the caller's buffer, the name is not empty, and
 *     re-parsing the same bytes gives the same answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "purl.h"

static void
check_inside(const char *part, size_t len, const char *buf, size_t size)
{
	if (part != NULL && (part < buf || part + len > buf + size))
		abort();
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		bufsize = PURL_BUFFER_SIZE(size);
	char	   *input = malloc(size ? size : 1);
	char	   *buf = malloc(bufsize);
	char	   *again = malloc(bufsize);
	Purl		purl,
				second;
	const char *error;

	memcpy(input, data, size);
	error = purl_parse(input, size, buf, &purl);
	if (error == NULL)
	{
		check_inside(purl.type, purl.type_len, buf, bufsize);
		check_inside(purl.name, purl.name_len, buf, bufsize);
		check_inside(purl.version, purl.version_len, buf, bufsize);
		if (purl.type_len == 0 || purl.name_len == 0 ||
			(purl.version != NULL && purl.version_len == 0))
			abort();
	}
	if (purl_parse(input, size, again, &second) != error)
		abort();
	if (error == NULL &&
		(second.name_len != purl.name_len ||
		 memcmp(second.name, purl.name, purl.name_len) != 0))
		abort();
	free(again);
	free(buf);
	free(input);
	return 0;
}
