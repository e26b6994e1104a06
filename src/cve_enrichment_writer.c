/*
 * cve_enrichment_writer.c
 *     The writer of CVE enrichment records (decode_cve_enrichment.c decodes
 *     them): records are gathered in batches, and one INSERT ... ON
 *     CONFLICT per batch upserts them by CVE, keeping the last line of a
 *     CVE within the batch (a CVE twice in one such statement would be an
 *     error) and leaving a row whose values are unchanged alone, so its
 *     updated_at says when its values last changed.  Batches run in line
 *     order, so across batches the later line wins too.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "decode_cve_enrichment.h"
#include "record_kind.h"
#include "store.h"

/* records per upsert: bounds the memory of a file of any length */
#define BATCH_RECORDS 4096

typedef struct CveEnrichmentWriter
{
	MemoryContext batch_cxt;	/* the batch's CVE texts */
	int			count;
	Datum		cves[BATCH_RECORDS];
	Datum		scores[BATCH_RECORDS];
	Datum		flags[BATCH_RECORDS];
	int64		written;
} CveEnrichmentWriter;

static CveEnrichmentRecord *decoded = NULL;
static SPIPlanPtr plan_upsert = NULL;

static void
cve_enrichment_begin_sync(void)
{
	Oid			args[] = {TEXTARRAYOID, FLOAT8ARRAYOID, BOOLARRAYOID};

	decoded = palloc(sizeof(CveEnrichmentRecord));
	cve_enrichment_record_init(decoded);
	plan_upsert = store_keep_plan(
		"INSERT INTO pkgmeta.cve_enrichment AS e (cve, epss_score, known_exploited) "
		"SELECT DISTINCT ON (r.cve) r.cve, r.score, r.flag"
		"  FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3))"
		"       WITH ORDINALITY AS r(cve, score, flag, ord)"
		" ORDER BY r.cve, r.ord DESC "
		"ON CONFLICT (cve) DO UPDATE SET"
		"  epss_score = EXCLUDED.epss_score, known_exploited = EXCLUDED.known_exploited,"
		"  updated_at = pg_catalog.now() "
		"WHERE (e.epss_score, e.known_exploited)"
		"  IS DISTINCT FROM (EXCLUDED.epss_score, EXCLUDED.known_exploited)",
		lengthof(args), args);
}

static void
cve_enrichment_end_sync(void)
{
	store_free_plan(&plan_upsert);
	decoded = NULL;
}

static const char *
cve_enrichment_decode(const char *line, size_t len, PurlTypeId file_purl_type)
{
	return cve_enrichment_decode_line(decoded, line, len) ? NULL : decoded->error;
}

static void *
cve_enrichment_begin_file(const FeedKey *key)
{
	CveEnrichmentWriter *w = palloc0(sizeof(CveEnrichmentWriter));

	w->batch_cxt = AllocSetContextCreate(CurrentMemoryContext, "pkgmeta cve enrichment",
										 ALLOCSET_DEFAULT_SIZES);
	return w;
}

static void
flush_batch(CveEnrichmentWriter *w)
{
	MemoryContext old;
	Datum		args[3];

	if (w->count == 0)
		return;
	old = MemoryContextSwitchTo(w->batch_cxt);
	args[0] = PointerGetDatum(construct_array(w->cves, w->count, TEXTOID, -1, false,
											  TYPALIGN_INT));
	args[1] = PointerGetDatum(construct_array(w->scores, w->count, FLOAT8OID, 8,
											  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	args[2] = PointerGetDatum(construct_array(w->flags, w->count, BOOLOID, 1, true,
											  TYPALIGN_CHAR));
	if (SPI_execute_plan(plan_upsert, args, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "pkgmeta: could not write CVE enrichment records");
	w->written += (int64) SPI_processed;
	MemoryContextSwitchTo(old);
	MemoryContextReset(w->batch_cxt);
	w->count = 0;
}

static void
cve_enrichment_write(void *writer, int64 line_number)
{
	CveEnrichmentWriter *w = writer;
	MemoryContext old = MemoryContextSwitchTo(w->batch_cxt);

	w->cves[w->count] = PointerGetDatum(
		cstring_to_text_with_len(cve_enrichment_text(decoded, decoded->cve), decoded->cve.len));
	w->scores[w->count] = Float8GetDatum(decoded->epss_score);
	w->flags[w->count] = BoolGetDatum(decoded->known_exploited);
	w->count++;
	MemoryContextSwitchTo(old);
	if (w->count == BATCH_RECORDS)
		flush_batch(w);
}

/* Returns the CVEs inserted or changed. */
static int64
cve_enrichment_finish_file(void *writer)
{
	CveEnrichmentWriter *w = writer;

	flush_batch(w);
	MemoryContextDelete(w->batch_cxt);
	return w->written;
}

const RecordKind cve_enrichment_kind = {
	cve_enrichment_begin_sync, cve_enrichment_end_sync, cve_enrichment_decode,
	cve_enrichment_begin_file, cve_enrichment_write, cve_enrichment_finish_file
};
