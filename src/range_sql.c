/*
 * range_sql.c
 *     Affected-version ranges (range.h) and distro matching (distro.h)
 *     callable from SQL: the one-shot pkgmeta_range_contains, and the two
 *     halves the advisory storage uses (compile once, match often).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "distro.h"
#include "purl_types_sql.h"
#include "range.h"

PG_FUNCTION_INFO_V1(pkgmeta_range_contains);
PG_FUNCTION_INFO_V1(pkgmeta_compile_range);
PG_FUNCTION_INFO_V1(pkgmeta_range_match);
PG_FUNCTION_INFO_V1(pkgmeta_distro_matches);

/* the answer of range_match as SQL: NULL for a version that cannot be read */
static Datum
match_result(FunctionCallInfo fcinfo, RangeMatch m, const char *reason)
{
	if (m == RANGE_MALFORMED)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid compiled range: %s", reason),
				 errhint("Compile ranges with pkgmeta.compile_range().")));
	if (m == RANGE_UNREADABLE)
		PG_RETURN_NULL();
	PG_RETURN_BOOL(m == RANGE_AFFECTED);
}

/* the purl type of a smallint id argument, or ERROR */
static PurlTypeId
purl_type_arg(int16 id)
{
	if (purl_type_by_id(id) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%d is not a purl type id", id),
				 errhint("See pkgmeta.purl_types.")));
	return (PurlTypeId) id;
}

/*
 * pkgmeta_range_contains(purl_type text, range text, version text) returns
 * boolean: NULL when the range or the version cannot be read.
 */
Datum
pkgmeta_range_contains(PG_FUNCTION_ARGS)
{
	const PurlType *pt = purl_type_from_text(PG_GETARG_TEXT_PP(0));
	text	   *range = PG_GETARG_TEXT_PP(1);
	text	   *version = PG_GETARG_TEXT_PP(2);
	RangeBuf   *buf = palloc(sizeof(RangeBuf));
	const char *reason = NULL;
	RangeMatch	m;

	/* the buffer is large: freed at once, for callers that reset no context per call */
	if (!range_compile(pt->id, VARDATA_ANY(range), VARSIZE_ANY_EXHDR(range), buf, &reason))
	{
		pfree(buf);
		PG_RETURN_NULL();
	}
	m = range_match(buf->data, buf->len, pt->id,
					VARDATA_ANY(version), VARSIZE_ANY_EXHDR(version), &reason);
	pfree(buf);
	return match_result(fcinfo, m, reason);
}

/*
 * pkgmeta.compile_range(purl_type smallint, range text,
 *                       OUT compiled bytea, OUT reason text):
 * the compiled form, or NULL and why the range cannot be read.
 */
Datum
pkgmeta_compile_range(PG_FUNCTION_ARGS)
{
	PurlTypeId	type = purl_type_arg(PG_GETARG_INT16(0));
	text	   *range = PG_GETARG_TEXT_PP(1);
	RangeBuf   *buf = palloc(sizeof(RangeBuf));
	const char *reason = NULL;
	TupleDesc	desc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "compile_range must return a record");
	if (range_compile(type, VARDATA_ANY(range), VARSIZE_ANY_EXHDR(range), buf, &reason))
	{
		bytea	   *out = palloc(VARHDRSZ + buf->len);

		SET_VARSIZE(out, VARHDRSZ + buf->len);
		memcpy(VARDATA(out), buf->data, buf->len);
		values[0] = PointerGetDatum(out);
		nulls[1] = true;
	}
	else
	{
		nulls[0] = true;
		values[1] = CStringGetTextDatum(reason);
	}
	pfree(buf);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

/*
 * pkgmeta.range_match(compiled bytea, purl_type smallint, version text)
 * returns boolean: NULL when the version cannot be read.
 */
Datum
pkgmeta_range_match(PG_FUNCTION_ARGS)
{
	bytea	   *compiled = PG_GETARG_BYTEA_PP(0);
	PurlTypeId	type = purl_type_arg(PG_GETARG_INT16(1));
	text	   *version = PG_GETARG_TEXT_PP(2);
	const char *reason = NULL;
	RangeMatch	m;

	m = range_match((const uint8_t *) VARDATA_ANY(compiled), VARSIZE_ANY_EXHDR(compiled), type,
					VARDATA_ANY(version), VARSIZE_ANY_EXHDR(version), &reason);
	return match_result(fcinfo, m, reason);
}

/*
 * pkgmeta_distro_matches(advisory_distro text, os_name text, os_version text)
 * returns boolean
 */
Datum
pkgmeta_distro_matches(PG_FUNCTION_ARGS)
{
	text	   *advisory = PG_GETARG_TEXT_PP(0);
	text	   *name = PG_GETARG_TEXT_PP(1);
	text	   *version = PG_GETARG_TEXT_PP(2);

	PG_RETURN_BOOL(distro_matches(VARDATA_ANY(advisory), VARSIZE_ANY_EXHDR(advisory),
								  VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name),
								  VARDATA_ANY(version), VARSIZE_ANY_EXHDR(version)));
}
