/*
 * purl_types_sql.c
 *     Purl types at the SQL boundary: names read from SQL arguments, the
 *     list of valid ones for hints, and name normalization for what is
 *     written in SQL.
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "purl_types_sql.h"
#include "version.h"

PG_FUNCTION_INFO_V1(pkgmeta_normalize_name);

char *
purl_type_list(bool ordered_only)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int id = PURL_TYPE_MIN; id <= PURL_TYPE_MAX; id++)
	{
		const PurlType *pt = purl_type_by_id(id);

		if (ordered_only && !version_has_ordering(pt->id))
			continue;
		appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "", pt->name);
	}
	return buf.data;
}

const PurlType *
purl_type_from_text(const text *name)
{
	const PurlType *pt = purl_type_by_name(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));

	if (pt == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown purl type \"%s\"", text_to_cstring(name)),
				 errhint("Use one of: %s.", purl_type_list(false))));
	return pt;
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
