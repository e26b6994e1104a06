/*
 * advisory_writer.c
 *     The writer of v2 advisory records (decode_advisory.c decodes them):
 *     each record upserts its advisory by (id, source) and replaces its
 *     affected packages, through plans prepared once per sync.  It writes
 *     what the decoder checked; nothing is validated here or in SQL.  Each
 *     affected range is compiled here, once (range.h): a range that cannot
 *     be read is stored without its compiled form, and an error row says
 *     why, while the advisory is stored all the same.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/memutils.h"

#include "decode_advisory.h"
#include "findings.h"
#include "range.h"
#include "record_kind.h"
#include "store.h"

/* bytes of a range quoted in the reason of its error row (all of it in excerpt) */
#define BAD_RANGE_QUOTE_BYTES 200

typedef struct AdvisoryWriter
{
	MemoryContext row_cxt;
	int64		written;
} AdvisoryWriter;

static AdvisoryRecord *decoded = NULL;
static RangeBuf *compiled = NULL;
static bool store_compiled = false;
static SPIPlanPtr plan_upsert = NULL;
static SPIPlanPtr plan_forget_packages = NULL;
static SPIPlanPtr plan_package = NULL;

/* Whether pkgmeta.advisory_packages has the column (it changed in 0.2.0). */
static bool
has_column(const char *name)
{
	Oid			argtypes[] = {TEXTOID};
	Datum		args[] = {CStringGetTextDatum(name)};

	if (SPI_execute_with_args("SELECT FROM pg_catalog.pg_attribute"
							  " WHERE attrelid = 'pkgmeta.advisory_packages'::pg_catalog.regclass"
							  "   AND attname = $1 AND NOT attisdropped",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "pkgmeta: could not read the columns of pkgmeta.advisory_packages");
	return SPI_processed == 1;
}

static void
advisory_begin_sync(void)
{
	Oid			upsert_args[] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
		TEXTOID, DATEOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
	TEXTARRAYOID};
	Oid			forget_args[] = {INT8OID};
	Oid			package_args[] = {INT8OID, INT2OID, TEXTOID, TEXTOID, TEXTOID,
	TEXTARRAYOID, TEXTOID, BYTEAOID};

	/*
	 * A database not yet updated from 0.1.0 (ALTER EXTENSION pkgmeta UPDATE
	 * renames distro_version and adds compiled_range), which this library
	 * still syncs, gets what its columns hold.
	 */
	const char *distro = has_column("distro") ? "distro" : "distro_version";

	store_compiled = has_column("compiled_range");
	decoded = palloc(sizeof(AdvisoryRecord));
	advisory_record_init(decoded);
	compiled = palloc(sizeof(RangeBuf));
	/* identifiers: jsonb as earlier versions stored them, absent keys left out */
	plan_upsert = store_keep_plan(
		"INSERT INTO pkgmeta.advisories AS a (advisory_id, source, title, description,"
		"       cvss_v2, cvss_v3, cvss_v4, published_date, urls, identifiers) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
		"  COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls("
		"                     pg_catalog.jsonb_build_object('type', i.type, 'name', i.name,"
		"                                                   'value', i.value, 'url', i.url))"
		"                   ORDER BY i.ord)"
		"              FROM ROWS FROM (pg_catalog.unnest($10), pg_catalog.unnest($11),"
		"                              pg_catalog.unnest($12), pg_catalog.unnest($13))"
		"                   WITH ORDINALITY AS i(type, name, value, url, ord)), '[]')) "
		"ON CONFLICT (advisory_id, source) DO UPDATE SET"
		"  title = EXCLUDED.title, description = EXCLUDED.description,"
		"  cvss_v2 = EXCLUDED.cvss_v2, cvss_v3 = EXCLUDED.cvss_v3, cvss_v4 = EXCLUDED.cvss_v4,"
		"  published_date = EXCLUDED.published_date, urls = EXCLUDED.urls,"
		"  identifiers = EXCLUDED.identifiers "
		"RETURNING id", lengthof(upsert_args), upsert_args);
	plan_forget_packages = store_keep_plan(
		"DELETE FROM pkgmeta.advisory_packages WHERE advisory = $1",
		lengthof(forget_args), forget_args);
	plan_package = store_keep_plan(
		psprintf("INSERT INTO pkgmeta.advisory_packages (advisory, purl_type, name,"
				 "       affected_range, solution, fixed_versions, %s%s)"
				 " VALUES ($1, $2, $3, $4, $5, $6, $7%s)", distro,
				 store_compiled ? ", compiled_range" : "", store_compiled ? ", $8" : ""),
		lengthof(package_args) - (store_compiled ? 0 : 1), package_args);
}

static void
advisory_end_sync(void)
{
	store_free_plan(&plan_upsert);
	store_free_plan(&plan_forget_packages);
	store_free_plan(&plan_package);
	decoded = NULL;
	compiled = NULL;
}

static const char *
advisory_decode(const char *line, size_t len, PurlTypeId file_purl_type)
{
	return advisory_decode_line(decoded, line, len, file_purl_type) ? NULL : decoded->error;
}

static void *
advisory_begin_file(const FeedKey *key)
{
	AdvisoryWriter *w = palloc0(sizeof(AdvisoryWriter));

	w->row_cxt = AllocSetContextCreate(CurrentMemoryContext, "pkgmeta advisory",
									   ALLOCSET_DEFAULT_SIZES);
	return w;
}

static Datum
text_datum(Span s)
{
	return PointerGetDatum(cstring_to_text_with_len(advisory_text(decoded, s), s.len));
}

/* An optional text as a plan argument: its datum, or 'n' in nulls. */
static Datum
optional_datum(const OptionalText *t, char *null_flag)
{
	*null_flag = t->present ? ' ' : 'n';
	return t->present ? text_datum(t->text) : (Datum) 0;
}

/* A one-dimensional text[] of n elements (nulls: which are NULL). */
static Datum
text_array(Datum *elems, bool *nulls, int n)
{
	int			dims[1] = {n};
	int			lbs[1] = {1};

	if (n == 0)
		return PointerGetDatum(construct_empty_array(TEXTOID));
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, TEXTOID, -1,
											  false, TYPALIGN_INT));
}

static Datum
span_array(const Span *spans, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *nulls = palloc0(sizeof(bool) * Max(n, 1));

	for (int i = 0; i < n; i++)
		elems[i] = text_datum(spans[i]);
	return text_array(elems, nulls, n);
}

/* The identifiers as four parallel text[]: type, name, value, url. */
static void
identifier_arrays(const AdvisoryRecord *rec, Datum *arrays)
{
	int			n = rec->nidentifiers;
	Datum	   *elems[4];
	bool	   *nulls[4];

	for (int c = 0; c < 4; c++)
	{
		elems[c] = palloc(sizeof(Datum) * Max(n, 1));
		nulls[c] = palloc0(sizeof(bool) * Max(n, 1));
	}
	for (int i = 0; i < n; i++)
	{
		const AdvisoryIdentifier *id = &rec->identifiers[i];
		char		flag;

		elems[0][i] = text_datum(id->type);
		elems[1][i] = text_datum(id->name);
		elems[2][i] = optional_datum(&id->value, &flag);
		nulls[2][i] = flag == 'n';
		elems[3][i] = optional_datum(&id->url, &flag);
		nulls[3][i] = flag == 'n';
	}
	for (int c = 0; c < 4; c++)
		arrays[c] = text_array(elems[c], nulls[c], n);
}

static int64
upsert_advisory(const AdvisoryRecord *rec)
{
	Datum		args[13];
	char		nulls[13];
	bool		isnull;
	int64		advisory;

	memset(nulls, ' ', sizeof(nulls));
	args[0] = text_datum(rec->id);
	args[1] = text_datum(rec->source);
	args[2] = optional_datum(&rec->title, &nulls[2]);
	args[3] = optional_datum(&rec->description, &nulls[3]);
	args[4] = optional_datum(&rec->cvss_v2, &nulls[4]);
	args[5] = optional_datum(&rec->cvss_v3, &nulls[5]);
	args[6] = optional_datum(&rec->cvss_v4, &nulls[6]);
	args[7] = DateADTGetDatum(date2j(rec->published_year, rec->published_month,
									 rec->published_day) - POSTGRES_EPOCH_JDATE);
	args[8] = span_array(rec->urls, rec->nurls);
	identifier_arrays(rec, &args[9]);
	if (SPI_execute_plan(plan_upsert, args, nulls, false, 1) != SPI_OK_INSERT_RETURNING ||
		SPI_processed != 1)
		elog(ERROR, "pkgmeta: could not write advisory \"%s\"", TextDatumGetCString(args[0]));
	advisory = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
										   &isnull));
	SPI_freetuptable(SPI_tuptable);
	return advisory;
}

/*
 * The error row of a range that cannot be read: it names the range, the
 * package and why; the advisory is stored and its line is not a bad line.
 */
static void
record_bad_range(int64 line_number, const AffectedPackage *pkg, const char *name,
				 const char *reason)
{
	const char *range = advisory_text(decoded, pkg->affected_range);
	int			quoted = pg_mbcliplen(range, (int) pkg->affected_range.len,
									  BAD_RANGE_QUOTE_BYTES);

	store_note_error(line_number,
					 psprintf("bad range \"%.*s%s\" for %s package \"%s\": %s",
							  quoted, range,
							  quoted < (int) pkg->affected_range.len ? "..." : "",
							  purl_type_by_id(pkg->purl_type)->name, name, reason),
					 range, pkg->affected_range.len);
}

/* The range compiled (range_compile), or NULL in nulls and an error row. */
static Datum
compiled_range(int64 line_number, const AffectedPackage *pkg,
			   const char *name, char *null_flag)
{
	const char *reason = NULL;
	bytea	   *out;

	if (!range_compile(pkg->purl_type, advisory_text(decoded, pkg->affected_range),
					   pkg->affected_range.len, compiled, &reason))
	{
		record_bad_range(line_number, pkg, name, reason);
		*null_flag = 'n';
		return (Datum) 0;
	}
	out = palloc(VARHDRSZ + compiled->len);
	SET_VARSIZE(out, VARHDRSZ + compiled->len);
	memcpy(VARDATA(out), compiled->data, compiled->len);
	return PointerGetDatum(out);
}

static void
write_package(int64 line_number, int64 advisory,
			  const AdvisoryRecord *rec, const AffectedPackage *pkg)
{
	Datum		args[8];
	char		nulls[8];
	char	   *name = palloc(pkg->name.len + 1);
	size_t		name_len = purl_normalize_name(pkg->purl_type, advisory_text(rec, pkg->name),
											   pkg->name.len, name);

	memset(nulls, ' ', sizeof(nulls));
	args[0] = Int64GetDatum(advisory);
	args[1] = Int16GetDatum(pkg->purl_type);
	name[name_len] = '\0';
	args[2] = PointerGetDatum(cstring_to_text_with_len(name, name_len));
	/* the range text as the registry writes it, and compiled for matching */
	args[3] = text_datum(pkg->affected_range);
	args[4] = optional_datum(&pkg->solution, &nulls[4]);
	args[5] = span_array(rec->fixed_versions + pkg->first_fixed, pkg->nfixed);
	args[6] = optional_datum(&pkg->distro, &nulls[6]);
	if (store_compiled)
		args[7] = compiled_range(line_number, pkg, name, &nulls[7]);
	if (SPI_execute_plan(plan_package, args, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "pkgmeta: could not write an affected package of advisory \"%.*s\"",
			 (int) rec->id.len, advisory_text(rec, rec->id));
}

static void
advisory_write(void *writer, int64 line_number)
{
	AdvisoryWriter *w = writer;
	MemoryContext old = MemoryContextSwitchTo(w->row_cxt);
	int64		advisory = upsert_advisory(decoded);
	Datum		arg = Int64GetDatum(advisory);

	/* a record replaces the advisory's affected packages whole */
	if (SPI_execute_plan(plan_forget_packages, &arg, NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "pkgmeta: could not replace the packages of an advisory");
	for (int i = 0; i < decoded->npackages; i++)
		write_package(line_number, advisory, decoded, &decoded->packages[i]);
	findings_note_advisory(advisory);
	MemoryContextSwitchTo(old);
	MemoryContextReset(w->row_cxt);
	w->written++;
}

static int64
advisory_finish_file(void *writer)
{
	AdvisoryWriter *w = writer;

	MemoryContextDelete(w->row_cxt);
	return w->written;
}

const RecordKind advisory_kind = {
	advisory_begin_sync, advisory_end_sync, advisory_decode,
	advisory_begin_file, advisory_write, advisory_finish_file
};
