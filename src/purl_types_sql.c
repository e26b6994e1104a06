/*
 * purl_types_sql.c
 *     The purl types (purl_types.h) seen from SQL: a type named in an
 *     argument (or the error for an unknown one), the names of the types
 *     with a version ordering for hints, name normalization for what is
 *     written in SQL, and the table the library was built with, for the
 *     test that pkgmeta.purl_types holds the same.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "pg_compat.h"
#include "purl_types_sql.h"
#include "version.h"

PG_FUNCTION_INFO_V1(pkgmeta_normalize_name);
PG_FUNCTION_INFO_V1(pkgmeta_compiled_purl_types);

void
report_unknown_purl_type(const char *name, size_t len)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown purl type \"%s\"", pnstrdup(name, len)),
			 errhint("Use one of: %s.", purl_type_names())));
}

const PurlType *
purl_type_from_text(const text *name)
{
	const PurlType *pt = purl_type_by_name(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));

	if (pt == NULL)
		report_unknown_purl_type(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));
	return pt;
}

char *
ordered_purl_type_names(void)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int id = PURL_TYPE_MIN; id <= PURL_TYPE_MAX; id++)
	{
		const PurlType *pt = purl_type_by_id(id);

		if (version_has_ordering(pt->id))
			appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "", pt->name);
	}
	return buf.data;
}

/* pkgmeta.normalize_name(purl_type smallint, name text) returns text */
Datum
pkgmeta_normalize_name(PG_FUNCTION_ARGS)
{
	int16		type = PG_GETARG_INT16(0);
	text	   *name = PG_GETARG_TEXT_PP(1);
	size_t		len = VARSIZE_ANY_EXHDR(name);
	text	   *out = palloc(VARHDRSZ + len);

	if (purl_type_by_id(type) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%d is not a purl type id", type),
				 errhint("See pkgmeta.purl_types.")));
	len = purl_normalize_name((PurlTypeId) type, VARDATA_ANY(name), len, VARDATA(out));
	SET_VARSIZE(out, VARHDRSZ + len);
	PG_RETURN_TEXT_P(out);
}

/*
 * pkgmeta.compiled_purl_types() returns table (id smallint, name text,
 * registry_id text): the C table, entry by entry from PURL_TYPE_MIN to
 * PURL_TYPE_MAX, each with the id it holds.
 */
Datum
pkgmeta_compiled_purl_types(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int id = PURL_TYPE_MIN; id <= PURL_TYPE_MAX; id++)
	{
		const PurlType *pt = purl_type_by_id(id);
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = Int16GetDatum(pt->id);
		values[1] = CStringGetTextDatum(pt->name);
		values[2] = CStringGetTextDatum(pt->registry_id);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
