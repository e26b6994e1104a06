/*
 * license_v2_writer.c
 *     The writer of v2 license records: each record becomes a packages row
 *     formed here (no SQL per record) that package_writer.c writes straight
 *     into packages.  Where that cannot be (a packages table the site
 *     changed), rows go to the staging table and one INSERT ... ON CONFLICT
 *     merges them, keeping the last line per package.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "decode_v2.h"
#include "license_ids.h"
#include "package_sink.h"
#include "record_kind.h"
#include "store.h"

/* pkgmeta.packages as the extension makes it */
#define PACKAGES_COLUMNS 6

typedef struct LicenseV2Writer
{
	PurlTypeId	purl_type;
	PackageSink sink;
} LicenseV2Writer;

static MemoryContext sync_cxt = NULL;
static V2Record *decoded = NULL;
static SPIPlanPtr plan_merge = NULL;

static void
license_v2_begin_sync(void)
{
	Oid			merge_args[] = {INT2OID};

	sync_cxt = CurrentMemoryContext;
	decoded = palloc(sizeof(V2Record));
	v2_record_init(decoded);
	plan_merge = store_keep_plan(
		"WITH latest AS ("
		"  SELECT DISTINCT ON (name) name, lowest_version, highest_version,"
		"         default_licenses, other_licenses"
		"    FROM pkgmeta.staging ORDER BY name, line DESC) "
		"INSERT INTO pkgmeta.packages AS p (purl_type, name, lowest_version,"
		"       highest_version, default_licenses, other_licenses) "
		"SELECT $1, name, lowest_version, highest_version, default_licenses, other_licenses"
		"  FROM latest "
		"ON CONFLICT (purl_type, name) DO UPDATE SET"
		"  lowest_version = EXCLUDED.lowest_version,"
		"  highest_version = EXCLUDED.highest_version,"
		"  default_licenses = EXCLUDED.default_licenses,"
		"  other_licenses = EXCLUDED.other_licenses "
		/* a replayed record that changes nothing writes nothing */
		"WHERE (p.lowest_version, p.highest_version, p.default_licenses, p.other_licenses)"
		"  IS DISTINCT FROM (EXCLUDED.lowest_version, EXCLUDED.highest_version,"
		"                    EXCLUDED.default_licenses, EXCLUDED.other_licenses)",
		1, merge_args);
}

static void
license_v2_end_sync(void)
{
	store_free_plan(&plan_merge);
	package_writer_forget_new_type();
	decoded = NULL;
	sync_cxt = NULL;
}

static const char *
license_v2_decode(const char *line, size_t len, PurlTypeId file_purl_type)
{
	return v2_decode_line(decoded, line, len) ? NULL : decoded->error;
}

static void *
license_v2_begin_file(const FeedKey *key)
{
	LicenseV2Writer *w = palloc0(sizeof(LicenseV2Writer));

	w->purl_type = key->purl_type;
	package_sink_open(&w->sink, "packages", PACKAGES_COLUMNS, "staging", key->purl_type,
					  sync_cxt);
	return w;
}

static Datum
text_datum(const V2Record *rec, Span s)
{
	return PointerGetDatum(cstring_to_text_with_len(span_ptr(rec, s), s.len));
}

static Datum
text_array(const V2Record *rec, const Span *spans, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * n);

	for (int i = 0; i < n; i++)
		elems[i] = text_datum(rec, spans[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

static Datum
license_array(const V2Record *rec, int first, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * n);

	for (int i = 0; i < n; i++)
	{
		Span		s = rec->licenses[first + i];

		elems[i] = Int32GetDatum(license_id_for_spdx(span_ptr(rec, s), s.len));
	}
	return PointerGetDatum(construct_array(elems, n, INT4OID, 4, true, TYPALIGN_INT));
}

static void
license_v2_write(void *writer, int64 line_number)
{
	LicenseV2Writer *w = writer;
	const V2Record *rec = decoded;
	MemoryContext old = MemoryContextSwitchTo(package_sink_row_context(&w->sink));
	Datum		values[PACKAGES_COLUMNS];
	bool		nulls[PACKAGES_COLUMNS] = {false};
	Datum	   *exceptions;
	char	   *name;
	size_t		name_len;

	name = palloc(rec->name.len + 1);
	name_len = purl_normalize_name(w->purl_type, span_ptr(rec, rec->name),
								   rec->name.len, name);
	values[1] = PointerGetDatum(cstring_to_text_with_len(name, name_len));
	if (rec->has_lowest)
		values[2] = text_datum(rec, rec->lowest);
	else
		nulls[2] = true;
	if (rec->has_highest)
		values[3] = text_datum(rec, rec->highest);
	else
		nulls[3] = true;
	values[4] = license_array(rec, rec->first_default, rec->ndefault);

	exceptions = palloc(sizeof(Datum) * Max(rec->nexceptions, 1));
	for (int i = 0; i < rec->nexceptions; i++)
	{
		const V2Exception *e = &rec->exceptions[i];
		Datum		fields[2];
		bool		fnulls[2] = {false, false};

		fields[0] = license_array(rec, e->first_license, e->nlicenses);
		fields[1] = text_array(rec, rec->versions + e->first_version, e->nversions);
		exceptions[i] = HeapTupleGetDatum(heap_form_tuple(w->sink.exception_desc, fields,
														  fnulls));
	}
	values[5] = PointerGetDatum(construct_array(exceptions, rec->nexceptions,
												w->sink.exception_type, -1, false,
												TYPALIGN_DOUBLE));
	/* staged rows are ordered by line */
	package_sink_write(&w->sink, values, nulls, line_number, old);
}

static int64
license_v2_finish_file(void *writer)
{
	LicenseV2Writer *w = writer;

	return package_sink_finish(&w->sink, plan_merge);
}

const RecordKind license_v2_kind = {
	license_v2_begin_sync, license_v2_end_sync, license_v2_decode,
	license_v2_begin_file, license_v2_write, license_v2_finish_file
};
