/*
 * decode_v1.h
 *     Decoder of v1 license rows (doc/format.md section 5): CSV without header,
 *     name,version,license, one row per (package, version, license).
 */
#ifndef PKGMETA_DECODE_V1_H
#define PKGMETA_DECODE_V1_H

#include "postgres.h"

#include "lib/stringinfo.h"

typedef struct V1Row
{
	StringInfoData buf;			/* the three fields, NUL-separated */
	const char *name;
	size_t		name_len;
	const char *version;
	size_t		version_len;
	const char *license;
	size_t		license_len;
	char		error[120];
} V1Row;

extern void v1_row_init(V1Row *row);

/* Decodes one CSV line; false with row->error set when it is not a row. */
extern bool v1_decode_line(V1Row *row, const char *line, size_t len);

#endif
