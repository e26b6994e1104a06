/*
 * lookup_decide.c
 *     The decision of doc/format.md section 6: which licenses a package has at
 *     a version, given its row of pkgmeta.packages (or pkgmeta.v1_licenses).
 *
 *     Every lookup form in sql/pkgmeta--*.sql funnels into one set-based
 *     query (pkgmeta_lookup): requests (lookup_requests.c) LEFT JOIN
 *     pkgmeta.packages on its primary key, then pkgmeta_decide over each
 *     joined row.  Rule 1 is that join; rules 2 to 5 are here.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "license_ids.h"
#include "purl_types.h"
#include "version.h"

PG_FUNCTION_INFO_V1(pkgmeta_decide);

/* element layout of text[], so iterating needs no catalog */
static ArrayMetaState text_meta = {
	.element_type = TEXTOID, .typlen = -1, .typbyval = false, .typalign = TYPALIGN_INT
};

static bool
has_ascii_digit(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] >= '0' && s[i] <= '9')
			return true;
	return false;
}

static void
strip_v(const char **s, size_t *len)
{
	if (*len > 0 && (*s)[0] == 'v')
	{
		(*s)++;
		(*len)--;
	}
}

/*
 * Rule 4: V inside [lowest, highest], inclusive, under the type's ordering.
 * A NULL bound is open; anything the ordering cannot parse is outside.
 */
static bool
version_in_range(PurlTypeId type, const char *v, size_t vlen,
				 const char *lowest, size_t lowest_len,
				 const char *highest, size_t highest_len)
{
	int			cmp;
	const char *error;

	if (!version_has_ordering(type))
		return false;
	strip_v(&v, &vlen);
	if (lowest != NULL)
	{
		strip_v(&lowest, &lowest_len);
		if (!version_compare(type, v, vlen, lowest, lowest_len, &cmp, &error) || cmp < 0)
			return false;
	}
	if (highest != NULL)
	{
		strip_v(&highest, &highest_len);
		if (!version_compare(type, v, vlen, highest, highest_len, &cmp, &error) || cmp > 0)
			return false;
	}
	/* with both bounds open, V must still be a version of the ordering */
	if (lowest == NULL && highest == NULL)
		return version_compare(type, v, vlen, v, vlen, &cmp, &error);
	return true;
}

/* Per-call-site state of pkgmeta_decide: the row type of other_licenses. */
typedef struct DecideCache
{
	Oid			exception_type;
	TupleDesc	exception_desc;
	ArrayMetaState exception_meta;
} DecideCache;

/*
 * Rule 2: the licenses (int[]) of the first other_licenses tuple listing V
 * exactly, or NULL.
 */
static ArrayType *
exception_licenses(FunctionCallInfo fcinfo, ArrayType *others,
				   const char *v, size_t vlen)
{
	DecideCache *cache = fcinfo->flinfo->fn_extra;
	Oid			elemtype = ARR_ELEMTYPE(others);
	ArrayIterator it;
	Datum		elem;
	bool		isnull;
	ArrayType  *found = NULL;

	if (ArrayGetNItems(ARR_NDIM(others), ARR_DIMS(others)) == 0)
		return NULL;
	if (cache == NULL || cache->exception_type != elemtype)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (cache == NULL)
			cache = palloc0(sizeof(DecideCache));
		cache->exception_desc = lookup_rowtype_tupdesc_copy(elemtype, -1);
		cache->exception_meta.element_type = elemtype;
		get_typlenbyvalalign(elemtype, &cache->exception_meta.typlen,
							 &cache->exception_meta.typbyval,
							 &cache->exception_meta.typalign);
		cache->exception_type = elemtype;
		fcinfo->flinfo->fn_extra = cache;
		MemoryContextSwitchTo(old);
		if (cache->exception_desc->natts != 2)
			elog(ERROR, "pkgmeta.license_exception must have 2 attributes");
	}

	it = array_create_iterator(others, 0, &cache->exception_meta);
	while (found == NULL && array_iterate(it, &elem, &isnull))
	{
		HeapTupleHeader th;
		HeapTupleData tuple;
		Datum		fields[2];
		bool		fields_null[2];
		ArrayIterator vit;
		Datum		version;
		bool		vnull;

		if (isnull)
			continue;
		th = DatumGetHeapTupleHeader(elem);
		tuple.t_len = HeapTupleHeaderGetDatumLength(th);
		ItemPointerSetInvalid(&tuple.t_self);
		tuple.t_tableOid = InvalidOid;
		tuple.t_data = th;
		heap_deform_tuple(&tuple, cache->exception_desc, fields, fields_null);
		if (fields_null[0] || fields_null[1])
			continue;

		vit = array_create_iterator(DatumGetArrayTypeP(fields[1]), 0, &text_meta);
		while (array_iterate(vit, &version, &vnull))
		{
			if (!vnull &&
				VARSIZE_ANY_EXHDR(DatumGetPointer(version)) == vlen &&
				memcmp(VARDATA_ANY(DatumGetPointer(version)), v, vlen) == 0)
			{
				found = DatumGetArrayTypeP(fields[0]);
				break;
			}
		}
		array_free_iterator(vit);
	}
	array_free_iterator(it);
	return found;
}

static ArrayType *
unknown_licenses(void)
{
	Datum		unknown = CStringGetTextDatum("unknown");

	return construct_array(&unknown, 1, TEXTOID, -1, false, TYPALIGN_INT);
}

/*
 * pkgmeta_decide(purl_type smallint, version text, lowest_version text,
 *                highest_version text, default_licenses integer[],
 *                other_licenses pkgmeta.license_exception[],
 *                v1_licenses integer[]) returns text[]
 *
 * The row columns come from the LEFT JOIN on pkgmeta.packages: a NULL
 * default_licenses (NOT NULL in the table) means the package has no v2
 * record.  Then only a v1 row (pkgmeta.v1_licenses, one per exact version)
 * can answer.
 */
Datum
pkgmeta_decide(PG_FUNCTION_ARGS)
{
	text	   *version;
	const char *v;
	size_t		vlen;
	const char *lowest = NULL,
			   *highest = NULL;
	size_t		lowest_len = 0,
				highest_len = 0;

	if (PG_ARGISNULL(4))
	{
		if (PG_ARGISNULL(6))
			PG_RETURN_ARRAYTYPE_P(unknown_licenses());
		PG_RETURN_ARRAYTYPE_P(license_spdx_array(PG_GETARG_ARRAYTYPE_P(6)));
	}
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_ARRAYTYPE_P(unknown_licenses());
	version = PG_GETARG_TEXT_PP(1);
	v = VARDATA_ANY(version);
	vlen = VARSIZE_ANY_EXHDR(version);

	if (!PG_ARGISNULL(5))
	{
		ArrayType  *exception = exception_licenses(fcinfo, PG_GETARG_ARRAYTYPE_P(5), v, vlen);

		if (exception != NULL)
			PG_RETURN_ARRAYTYPE_P(license_spdx_array(exception));
	}

	if (!has_ascii_digit(v, vlen))
		PG_RETURN_ARRAYTYPE_P(unknown_licenses());
	if (!PG_ARGISNULL(2))
	{
		text	   *t = PG_GETARG_TEXT_PP(2);

		lowest = VARDATA_ANY(t);
		lowest_len = VARSIZE_ANY_EXHDR(t);
	}
	if (!PG_ARGISNULL(3))
	{
		text	   *t = PG_GETARG_TEXT_PP(3);

		highest = VARDATA_ANY(t);
		highest_len = VARSIZE_ANY_EXHDR(t);
	}
	if (version_in_range((PurlTypeId) PG_GETARG_INT16(0), v, vlen,
						 lowest, lowest_len, highest, highest_len))
		PG_RETURN_ARRAYTYPE_P(license_spdx_array(PG_GETARG_ARRAYTYPE_P(4)));
	PG_RETURN_ARRAYTYPE_P(unknown_licenses());
}
