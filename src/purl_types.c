/*
 * purl_types.c
 *     Purl type table and package name normalization (doc/format.md sections 7, 8).
 *     Plain C without server calls, so fuzzers and benchmarks can link it.
 */
#include <string.h>

#include "purl_types.h"

static const PurlType purl_types[] = {
#define PG_PURL_TYPE(symbol, id, name, registry_id) {symbol, name, registry_id},
#include "purl_type_list.h"
#undef PG_PURL_TYPE
};

/* ", composer, conan, ...": each name after a separator */
static const char separated_names[] =
#define PG_PURL_TYPE(symbol, id, name, registry_id) ", " name
#include "purl_type_list.h"
#undef PG_PURL_TYPE
;

#define N_PURL_TYPES (sizeof(purl_types) / sizeof(purl_types[0]))

static bool
equal_n(const char *a, const char *b, size_t blen)
{
	return strlen(a) == blen && memcmp(a, b, blen) == 0;
}

const PurlType *
purl_type_by_name(const char *name, size_t len)
{
	for (size_t i = 0; i < N_PURL_TYPES; i++)
		if (equal_n(purl_types[i].name, name, len))
			return &purl_types[i];
	return NULL;
}

const PurlType *
purl_type_by_id(int id)
{
	if (id < PURL_TYPE_MIN || id > PURL_TYPE_MAX)
		return NULL;
	/* the table is in id order */
	return &purl_types[id - PURL_TYPE_MIN];
}

const char *
purl_type_names(void)
{
	return separated_names + strlen(", ");
}

static char
ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

size_t
purl_normalize_name(PurlTypeId type, const char *src, size_t len, char *dst)
{
	size_t		out = 0;

	switch (type)
	{
		case PURL_PYPI:
			/* PEP 503: lower case, runs of "-", "_", "." become one "-" */
			for (size_t i = 0; i < len; i++)
			{
				char		c = src[i];

				if (c == '-' || c == '_' || c == '.')
				{
					if (out == 0 || dst[out - 1] != '-')
						dst[out++] = '-';
				}
				else
					dst[out++] = ascii_lower(c);
			}
			return out;
		case PURL_GOLANG:
			for (size_t i = 0; i < len; i++)
				dst[out++] = ascii_lower(src[i]);
			return out;
		default:
			memcpy(dst, src, len);
			return len;
	}
}
