/*
 * decode_advisory.h
 *     Decoder of v2 advisory records (doc/format.md
 *     section 5): one JSON object per line into a typed record, or the
 *     reason it is rejected.  It never writes; advisory_writer.c does.
 *
 *     Decoded strings live in one arena reused from line to line, like the
 *     license decoder's (decode_v2.h).
 */
#ifndef PKGMETA_DECODE_ADVISORY_H
#define PKGMETA_DECODE_ADVISORY_H

#include "postgres.h"

#include "lib/stringinfo.h"

#include "json_scan.h"
#include "purl_types.h"
#include "record_limits.h"

/* A string that may be null or absent (then present is false). */
typedef struct OptionalText
{
	bool		present;
	Span		text;
} OptionalText;

typedef struct AdvisoryIdentifier
{
	Span		type;			/* "cve", "ghsa", ... as the export spells it */
	Span		name;
	OptionalText value;
	OptionalText url;
} AdvisoryIdentifier;

typedef struct AffectedPackage
{
	Span		name;			/* as the record spells it, not normalized */
	PurlTypeId	purl_type;		/* the package's own, else the file's */
	Span		affected_range; /* raw range text in the registry's syntax */
	OptionalText solution;
	OptionalText distro;		/* "distro", or "distro_version" of older exports */
	int			first_fixed;	/* fixed versions: fixed_versions[first_fixed ..] */
	int			nfixed;
} AffectedPackage;

typedef struct AdvisoryRecord
{
	StringInfoData arena;		/* bytes of every decoded string */
	Span		id;
	Span		source;			/* "glad", "trivy-db" or "trivy" */
	OptionalText title;
	OptionalText description;
	OptionalText cvss_v2;
	OptionalText cvss_v3;
	OptionalText cvss_v4;		/* from additional_fields.advisory */
	int			published_year;
	int			published_month;
	int			published_day;
	Span	   *urls;
	int			nurls;
	int			maxurls;
	AdvisoryIdentifier *identifiers;
	int			nidentifiers;
	int			maxidentifiers;
	int			cve;			/* index of the first CVE identifier, -1: none */
	AffectedPackage *packages;
	int			npackages;
	int			maxpackages;
	Span	   *fixed_versions; /* of every package, in package order */
	int			nfixed_versions;
	int			maxfixed_versions;
	char		error[160];		/* why the last line was rejected */
} AdvisoryRecord;

extern void advisory_record_init(AdvisoryRecord *rec);

/*
 * Decodes one line into rec; packages without a purl type of their own
 * get file_purl_type.  Returns false with rec->error set when the line is
 * not a valid advisory; never raises an error for bad input.
 */
extern bool advisory_decode_line(AdvisoryRecord *rec, const char *line, size_t len,
								 PurlTypeId file_purl_type);

static inline const char *
advisory_text(const AdvisoryRecord *rec, Span s)
{
	return rec->arena.data + s.off;
}

#endif
