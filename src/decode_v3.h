/*
 * decode_v3.h
 *     Decoder of v3 license records (doc/format.md section 11): the v2
 *     record's shape with each license set an object of SPDX identifiers
 *     ("licenses") and SPDX expressions ("expressions").  Strings live in
 *     one arena reused from line to line.
 */
#ifndef PKGMETA_DECODE_V3_H
#define PKGMETA_DECODE_V3_H

#include "postgres.h"

#include "lib/stringinfo.h"

#include "json_scan.h"

/* The longest license identifier a record keeps (longer ones are dropped). */
#define V3_MAX_ID_LENGTH 50

/* One license set: identifiers and expressions, indexes into V3Record.strings. */
typedef struct V3LicenseSet
{
	int			first_license;
	int			nlicenses;
	int			first_expression;
	int			nexpressions;
} V3LicenseSet;

typedef struct V3Tuple
{
	V3LicenseSet set;
	int			first_version;
	int			nversions;
} V3Tuple;

typedef struct V3Record
{
	StringInfoData arena;
	Span		name;
	bool		has_lowest;
	Span		lowest;
	bool		has_highest;
	Span		highest;
	V3LicenseSet default_set;
	Span	   *strings;		/* identifiers, expressions, versions */
	int			nstrings;
	int			maxstrings;
	V3Tuple    *tuples;
	int			ntuples;
	int			maxtuples;
	char		error[160];
} V3Record;

extern void v3_record_init(V3Record *rec);

/*
 * Decodes one line into rec.  Returns false with rec->error set when the
 * record is skipped; never raises an error for bad input.
 */
extern bool v3_decode_line(V3Record *rec, const char *line, size_t len);

static inline const char *
v3_span_ptr(const V3Record *rec, Span s)
{
	return rec->arena.data + s.off;
}

#endif
