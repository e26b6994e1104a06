/*
 * version_sql.c
 *     pkgmeta_version_cmp(purl_type, a, b): the version ordering the lookup
 *     uses (version.h), callable from SQL.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "pg_compat.h"
#include "purl_types_sql.h"
#include "version.h"

PG_FUNCTION_INFO_V1(pkgmeta_version_cmp);

Datum
pkgmeta_version_cmp(PG_FUNCTION_ARGS)
{
	text	   *type_text = PG_GETARG_TEXT_PP(0);
	text	   *a = PG_GETARG_TEXT_PP(1);
	text	   *b = PG_GETARG_TEXT_PP(2);
	const PurlType *pt = purl_type_from_text(type_text);
	const char *error = NULL;
	int			cmp;

	if (!version_has_ordering(pt->id))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("purl type \"%s\" has no version ordering", pt->name),
				 errhint("Versions of such packages can only be matched exactly. "
						 "Types with an ordering: %s.", ordered_purl_type_names())));

	if (!version_compare(pt->id, VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a),
						 VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), &cmp, &error))
	{
		/* the error may be a's or b's: a compared with itself tells which */
		const char *a_error = NULL;
		int			ignored;
		bool		a_ok = version_compare(pt->id, VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a),
										   VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a),
										   &ignored, &a_error);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid %s version \"%s\" in argument %s: %s",
						pt->name, text_to_cstring(a_ok ? b : a),
						a_ok ? "b" : "a", a_ok ? error : a_error)));
	}
	PG_RETURN_INT32(cmp);
}
