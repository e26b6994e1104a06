/*
 * license_v3_writer.c
 *     The writer of v3 license records: each record becomes a v3_packages
 *     row formed here that package_writer.c writes straight into
 *     pkgmeta.v3_packages, as v2 records go into packages.  Where that
 *     cannot be (a v3_packages table the site changed), rows of one archive
 *     go to the staging table pkgmeta.v3_staging and one INSERT ... ON
 *     CONFLICT merges them, keeping the last record per package.
 *     Identifiers are stored as license ids, as for v2 (a set with
 *     expressions only gets the identifiers they name); each set's
 *     expressions are kept combined into one expression.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "decode_v3.h"
#include "license_ids.h"
#include "package_sink.h"
#include "purl.h"
#include "record_kind.h"
#include "spdx_expression.h"
#include "store.h"

/* pkgmeta.v3_packages as the extension makes it */
#define V3_PACKAGES_COLUMNS 8

typedef struct LicenseV3Writer
{
	PurlTypeId	purl_type;
	PackageSink sink;
	int64		order;			/* staging order across the archive's members */
} LicenseV3Writer;

static MemoryContext sync_cxt = NULL;
static V3Record *decoded = NULL;
static SPIPlanPtr plan_merge = NULL;

static void
license_v3_begin_sync(void)
{
	Oid			merge_args[] = {INT2OID};

	sync_cxt = CurrentMemoryContext;
	decoded = palloc(sizeof(V3Record));
	v3_record_init(decoded);
	plan_merge = store_keep_plan(
		"WITH latest AS ("
		"  SELECT DISTINCT ON (name) name, lowest_version, highest_version,"
		"         default_licenses, other_licenses, default_expression, other_expressions"
		"    FROM pkgmeta.v3_staging ORDER BY name, line DESC) "
		"INSERT INTO pkgmeta.v3_packages AS p (purl_type, name, lowest_version,"
		"       highest_version, default_licenses, other_licenses, default_expression,"
		"       other_expressions) "
		"SELECT $1, name, lowest_version, highest_version, default_licenses, other_licenses,"
		"       default_expression, other_expressions"
		"  FROM latest "
		"ON CONFLICT (purl_type, name) DO UPDATE SET"
		"  lowest_version = EXCLUDED.lowest_version,"
		"  highest_version = EXCLUDED.highest_version,"
		"  default_licenses = EXCLUDED.default_licenses,"
		"  other_licenses = EXCLUDED.other_licenses,"
		"  default_expression = EXCLUDED.default_expression,"
		"  other_expressions = EXCLUDED.other_expressions "
		/* a replayed record that changes nothing writes nothing */
		"WHERE (p.lowest_version, p.highest_version, p.default_licenses, p.other_licenses,"
		"       p.default_expression, p.other_expressions)"
		"  IS DISTINCT FROM (EXCLUDED.lowest_version, EXCLUDED.highest_version,"
		"                    EXCLUDED.default_licenses, EXCLUDED.other_licenses,"
		"                    EXCLUDED.default_expression, EXCLUDED.other_expressions)",
		1, merge_args);
}

static void
license_v3_end_sync(void)
{
	store_free_plan(&plan_merge);
	package_writer_forget_new_type();
	decoded = NULL;
	sync_cxt = NULL;
}

static const char *
license_v3_decode(const char *line, size_t len, PurlTypeId file_purl_type)
{
	return v3_decode_line(decoded, line, len) ? NULL : decoded->error;
}

static void *
license_v3_begin_file(const FeedKey *key)
{
	LicenseV3Writer *w = palloc0(sizeof(LicenseV3Writer));

	w->purl_type = key->purl_type;
	package_sink_open(&w->sink, "v3_packages", V3_PACKAGES_COLUMNS, "v3_staging",
					  key->purl_type, sync_cxt);
	return w;
}

static Datum
span_text(const V3Record *rec, Span s)
{
	return PointerGetDatum(cstring_to_text_with_len(v3_span_ptr(rec, s), s.len));
}

static Datum
text_array(const V3Record *rec, int first, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		elems[i] = span_text(rec, rec->strings[first + i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

typedef struct IdCollector
{
	Datum	   *ids;
	int			count;
	int			capacity;
} IdCollector;

static void
push_id(IdCollector *c, int32 license)
{
	if (c->count == c->capacity)
	{
		c->capacity *= 2;
		c->ids = repalloc(c->ids, sizeof(Datum) * c->capacity);
	}
	c->ids[c->count++] = Int32GetDatum(license);
}

/* An identifier an expression names, once however often it is named. */
static void
collect_id(void *arg, const char *id, size_t len)
{
	IdCollector *c = arg;
	int32		license = license_id_for_spdx(id, len);

	for (int i = 0; i < c->count; i++)
		if (DatumGetInt32(c->ids[i]) == license)
			return;
	push_id(c, license);
}

/*
 * The set's license ids: its identifiers, or when it has none, those its
 * expressions name (spdx_expression.c), so that lookups of identifiers
 * answer for every v3 record.
 */
static Datum
license_array(const V3Record *rec, const V3LicenseSet *set)
{
	IdCollector c = {palloc(sizeof(Datum) * 8), 0, 8};

	for (int i = 0; i < set->nlicenses; i++)
	{
		Span		s = rec->strings[set->first_license + i];

		push_id(&c, license_id_for_spdx(v3_span_ptr(rec, s), s.len));
	}
	if (set->nlicenses == 0)
		for (int i = 0; i < set->nexpressions; i++)
		{
			Span		s = rec->strings[set->first_expression + i];

			spdx_expression_ids(v3_span_ptr(rec, s), s.len, V3_MAX_ID_LENGTH, collect_id, &c);
		}
	return PointerGetDatum(construct_array(c.ids, c.count, INT4OID, 4, true, TYPALIGN_INT));
}

/*
 * The set's expressions as one: the expression itself when there is one,
 * else each in parentheses joined with AND (all of them apply).  NULL when
 * the set has none.
 */
static bool
combined_expression(const V3Record *rec, const V3LicenseSet *set, Datum *out)
{
	StringInfoData buf;

	if (set->nexpressions == 0)
		return false;
	initStringInfo(&buf);
	for (int i = 0; i < set->nexpressions; i++)
	{
		Span		s = rec->strings[set->first_expression + i];

		if (set->nexpressions == 1)
			appendBinaryStringInfo(&buf, v3_span_ptr(rec, s), s.len);
		else
		{
			appendStringInfoString(&buf, i == 0 ? "(" : " AND (");
			appendBinaryStringInfo(&buf, v3_span_ptr(rec, s), s.len);
			appendStringInfoChar(&buf, ')');
		}
	}
	*out = PointerGetDatum(cstring_to_text_with_len(buf.data, buf.len));
	return true;
}

static void
license_v3_write(void *writer, int64 line_number)
{
	LicenseV3Writer *w = writer;
	const V3Record *rec = decoded;
	MemoryContext old = MemoryContextSwitchTo(package_sink_row_context(&w->sink));
	Datum		values[V3_PACKAGES_COLUMNS];
	bool		nulls[V3_PACKAGES_COLUMNS] = {false};
	Datum	   *exceptions = palloc(sizeof(Datum) * Max(rec->ntuples, 1));
	Datum	   *expressions = palloc(sizeof(Datum) * Max(rec->ntuples, 1));
	bool	   *expression_nulls = palloc(sizeof(bool) * Max(rec->ntuples, 1));
	int			dims[1] = {rec->ntuples};
	int			lbs[1] = {1};
	char	   *name = palloc(rec->name.len + 1);
	size_t		name_len;

	name_len = purl_normalize_name(w->purl_type, v3_span_ptr(rec, rec->name), rec->name.len,
								   name);
	values[1] = PointerGetDatum(cstring_to_text_with_len(name, name_len));
	if (rec->has_lowest)
		values[2] = span_text(rec, rec->lowest);
	else
		nulls[2] = true;
	if (rec->has_highest)
		values[3] = span_text(rec, rec->highest);
	else
		nulls[3] = true;
	values[4] = license_array(rec, &rec->default_set);
	for (int i = 0; i < rec->ntuples; i++)
	{
		const V3Tuple *t = &rec->tuples[i];
		Datum		fields[2];
		bool		fnulls[2] = {false, false};

		fields[0] = license_array(rec, &t->set);
		fields[1] = text_array(rec, t->first_version, t->nversions);
		exceptions[i] = HeapTupleGetDatum(heap_form_tuple(w->sink.exception_desc, fields,
														  fnulls));
		expression_nulls[i] = !combined_expression(rec, &t->set, &expressions[i]);
	}
	values[5] = PointerGetDatum(construct_array(exceptions, rec->ntuples,
												w->sink.exception_type, -1, false,
												TYPALIGN_DOUBLE));
	nulls[6] = !combined_expression(rec, &rec->default_set, &values[6]);
	values[7] = PointerGetDatum(construct_md_array(expressions, expression_nulls,
												   rec->ntuples > 0 ? 1 : 0, dims, lbs,
												   TEXTOID, -1, false, TYPALIGN_INT));

	/* staged rows are ordered across the archive's members */
	package_sink_write(&w->sink, values, nulls, ++w->order, old);
}

static int64
license_v3_finish_file(void *writer)
{
	LicenseV3Writer *w = writer;

	return package_sink_finish(&w->sink, plan_merge);
}

const RecordKind license_v3_kind = {
	license_v3_begin_sync, license_v3_end_sync, license_v3_decode,
	license_v3_begin_file, license_v3_write, license_v3_finish_file
};
