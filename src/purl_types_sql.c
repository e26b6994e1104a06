/*
 * purl_types_sql.c
 *     SQL access to name normalization, for what is written in SQL.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "pg_compat.h"
#include "purl_types.h"

PG_FUNCTION_INFO_V1(pkgmeta_normalize_name);

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
