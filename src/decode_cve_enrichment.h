/*
 * decode_cve_enrichment.h
 *     Decoder of CVE enrichment records (doc/format.md section 10): one JSON
 *     object per line into a typed record, or the reason it is rejected.
 *     It never writes; cve_enrichment_writer.c does.
 */
#ifndef PKGMETA_DECODE_CVE_ENRICHMENT_H
#define PKGMETA_DECODE_CVE_ENRICHMENT_H

#include "postgres.h"

#include "lib/stringinfo.h"

#include "json_scan.h"

/* "CVE-" four digits "-" up to fifteen digits: 24 bytes at most */
#define CVE_ID_MAX_LENGTH 24

typedef struct CveEnrichmentRecord
{
	StringInfoData arena;		/* bytes of the decoded cve_id */
	Span		cve;
	double		epss_score;		/* finite; no range check, like GitLab's */
	bool		known_exploited;	/* "is_known_exploit", false when absent */
	char		error[160];		/* why the last line was rejected */
} CveEnrichmentRecord;

extern void cve_enrichment_record_init(CveEnrichmentRecord *rec);

/*
 * Decodes one line into rec.  Returns false with rec->error set when the
 * line is not a valid record (a key missing, unknown, null or of the wrong
 * type, a malformed CVE id); never raises an error for bad input.
 */
extern bool cve_enrichment_decode_line(CveEnrichmentRecord *rec, const char *line, size_t len);

static inline const char *
cve_enrichment_text(const CveEnrichmentRecord *rec, Span s)
{
	return rec->arena.data + s.off;
}

#endif
