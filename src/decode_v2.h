/*
 * decode_v2.h
 *     Decoder of v2 license records (doc/format.md section 5): one JSON object
 *     per line, parsed by a decoder specialised to the record's shape.
 *
 *     Decoded strings live in one arena reused from line to line, so the
 *     steady state allocates nothing per line.
 */
#ifndef PKGMETA_DECODE_V2_H
#define PKGMETA_DECODE_V2_H

#include "postgres.h"

#include "lib/stringinfo.h"

#include "json_scan.h"
#include "record_limits.h"

typedef struct V2Exception
{
	int			first_license;	/* index into V2Record.licenses */
	int			nlicenses;
	int			first_version;	/* index into V2Record.versions */
	int			nversions;
} V2Exception;

typedef struct V2Record
{
	StringInfoData arena;		/* bytes of every decoded string */
	Span		name;
	bool		has_lowest;
	Span		lowest;
	bool		has_highest;
	Span		highest;
	int			first_default;	/* default licenses: licenses[first_default ..] */
	int			ndefault;
	Span	   *licenses;		/* default and tuple licenses, in key order */
	int			nlicenses;
	int			maxlicenses;
	Span	   *versions;
	int			nversions;
	int			maxversions;
	V2Exception *exceptions;
	int			nexceptions;
	int			maxexceptions;
	char		error[160];		/* why the last line was rejected */
} V2Record;

extern void v2_record_init(V2Record *rec);

/*
 * Decodes one line into rec.  Returns false with rec->error set when the
 * line is not a valid record; never raises an error for bad input.
 */
extern bool v2_decode_line(V2Record *rec, const char *line, size_t len);

static inline const char *
span_ptr(const V2Record *rec, Span s)
{
	return rec->arena.data + s.off;
}

#endif
