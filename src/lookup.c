/*
 * lookup.c
 *     "Which licenses does package P have at version V" (FORMAT.md section 6)
 *     and the C halves of the SQL lookup functions.
 *
 *     Every lookup form in sql/pkgmeta--*.sql funnels into one set-based query
 *     (pkgmeta_lookup): requests built here from purls or (type, name,
 *     version), LEFT JOIN pkgmeta.packages on its primary key, then
 *     pkgmeta_decide over each joined row.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "purl.h"
#include "purl_types.h"
#include "version.h"

PG_FUNCTION_INFO_V1(pkgmeta_decide);
PG_FUNCTION_INFO_V1(pkgmeta_purl_request);
PG_FUNCTION_INFO_V1(pkgmeta_package_request);
PG_FUNCTION_INFO_V1(pkgmeta_package_requests);
PG_FUNCTION_INFO_V1(pkgmeta_sbom_requests);

/* element layouts of the arrays we iterate, so iterating needs no catalog */
static ArrayMetaState int4_meta = {
	.element_type = INT4OID, .typlen = sizeof(int32), .typbyval = true, .typalign = TYPALIGN_INT
};
static ArrayMetaState text_meta = {
	.element_type = TEXTOID, .typlen = -1, .typbyval = false, .typalign = TYPALIGN_INT
};

/* ----------------------------------------------------------------
 * The decision (section 6, rules 2 to 5; rule 1 is the join)
 * ----------------------------------------------------------------
 */

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

/* ----------------------------------------------------------------
 * License id -> SPDX identifier, cached per backend
 *
 * pkgmeta.licenses only grows (the sync adds identifiers, ids come from an
 * identity column and are never reused), so an id once seen keeps its text;
 * an id not yet cached reloads the table.  Anything that could rewrite it
 * (TRUNCATE, DDL, an aborted transaction or subtransaction that may have
 * inserted rows) drops the cache.
 * ----------------------------------------------------------------
 */

typedef struct LicenseEntry
{
	int32		id;				/* hash key */
	text	   *spdx;
} LicenseEntry;

static HTAB *license_cache = NULL;
static MemoryContext license_cache_cxt = NULL;
static bool license_cache_stale = false;
static Oid	licenses_relid = InvalidOid;

static void
license_cache_relcache_cb(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == licenses_relid)
		license_cache_stale = true;
}

static void
license_cache_xact_cb(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		license_cache_stale = true;
}

static void
license_cache_subxact_cb(SubXactEvent event, SubTransactionId subid,
						 SubTransactionId parent_subid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		license_cache_stale = true;
}

/* Called once per decided row, never while entries are being handed out. */
static void
license_cache_prepare(void)
{
	HASHCTL		ctl;

	if (license_cache != NULL && !license_cache_stale)
		return;
	if (license_cache_cxt == NULL)
	{
		license_cache_cxt = AllocSetContextCreate(CacheMemoryContext,
												  "pkgmeta license cache",
												  ALLOCSET_DEFAULT_SIZES);
		CacheRegisterRelcacheCallback(license_cache_relcache_cb, (Datum) 0);
		RegisterXactCallback(license_cache_xact_cb, NULL);
		RegisterSubXactCallback(license_cache_subxact_cb, NULL);
	}
	else
		MemoryContextReset(license_cache_cxt);
	license_cache_stale = false;
	ctl.keysize = sizeof(int32);
	ctl.entrysize = sizeof(LicenseEntry);
	ctl.hcxt = license_cache_cxt;
	license_cache = hash_create("pkgmeta license cache", 1024, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static void
license_cache_load(void)
{
	MemoryContext caller = CurrentMemoryContext;

	licenses_relid = get_relname_relid("licenses", get_namespace_oid("pkgmeta", false));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT id, spdx_identifier FROM pkgmeta.licenses", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read pkgmeta.licenses");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		bool		idnull,
					textnull;
		int32		id = DatumGetInt32(SPI_getbinval(row, SPI_tuptable->tupdesc, 1, &idnull));
		Datum		spdx = SPI_getbinval(row, SPI_tuptable->tupdesc, 2, &textnull);
		bool		found;
		LicenseEntry *entry;

		if (idnull || textnull)
			continue;
		entry = hash_search(license_cache, &id, HASH_ENTER, &found);
		if (!found)
		{
			MemoryContext old = MemoryContextSwitchTo(license_cache_cxt);

			/* our own copy: SPI's memory is gone after SPI_finish */
			entry->spdx = DatumGetTextPCopy(spdx);
			MemoryContextSwitchTo(old);
		}
	}
	SPI_finish();
	MemoryContextSwitchTo(caller);
}

static text *
license_name(int32 id)
{
	LicenseEntry *entry = hash_search(license_cache, &id, HASH_FIND, NULL);

	if (entry == NULL)
	{
		license_cache_load();
		entry = hash_search(license_cache, &id, HASH_FIND, NULL);
		if (entry == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("license id %d is not in pkgmeta.licenses", id),
					 errhint("Run the sync again to repair the mirror.")));
	}
	return entry->spdx;
}

static ArrayType *
license_names(ArrayType *ids)
{
	int			n = ArrayGetNItems(ARR_NDIM(ids), ARR_DIMS(ids));
	Datum	   *names = palloc(sizeof(Datum) * Max(n, 1));
	int			count = 0;
	ArrayIterator it = array_create_iterator(ids, 0, &int4_meta);
	Datum		id;
	bool		isnull;

	while (array_iterate(it, &id, &isnull))
		if (!isnull)
			names[count++] = PointerGetDatum(license_name(DatumGetInt32(id)));
	array_free_iterator(it);
	return construct_array(names, count, TEXTOID, -1, false, TYPALIGN_INT);
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
		license_cache_prepare();
		PG_RETURN_ARRAYTYPE_P(license_names(PG_GETARG_ARRAYTYPE_P(6)));
	}
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_ARRAYTYPE_P(unknown_licenses());
	license_cache_prepare();
	version = PG_GETARG_TEXT_PP(1);
	v = VARDATA_ANY(version);
	vlen = VARSIZE_ANY_EXHDR(version);

	if (!PG_ARGISNULL(5))
	{
		ArrayType  *exception = exception_licenses(fcinfo, PG_GETARG_ARRAYTYPE_P(5), v, vlen);

		if (exception != NULL)
			PG_RETURN_ARRAYTYPE_P(license_names(exception));
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
		PG_RETURN_ARRAYTYPE_P(license_names(PG_GETARG_ARRAYTYPE_P(4)));
	PG_RETURN_ARRAYTYPE_P(unknown_licenses());
}

/* ----------------------------------------------------------------
 * Lookup requests: rows of pkgmeta.lookup_request
 *   (bom_ref text, purl text, purl_type text, type_id smallint,
 *    name text, version text)
 * ----------------------------------------------------------------
 */

enum
{
	REQ_BOM_REF,
	REQ_PURL,
	REQ_PURL_TYPE,
	REQ_TYPE_ID,
	REQ_NAME,
	REQ_VERSION,
	REQ_NATTS
};

typedef struct Request
{
	Datum		values[REQ_NATTS];
	bool		nulls[REQ_NATTS];
} Request;

/*
 * The row type of pkgmeta.lookup_request, found through the function's
 * result type (the composite itself, or the element of an array of it).
 */
static TupleDesc
request_desc(FunctionCallInfo fcinfo)
{
	TupleDesc	desc = fcinfo->flinfo->fn_extra;

	if (desc == NULL)
	{
		Oid			rettype = get_func_rettype(fcinfo->flinfo->fn_oid);
		Oid			elemtype = get_element_type(rettype);
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		desc = lookup_rowtype_tupdesc_copy(OidIsValid(elemtype) ? elemtype : rettype, -1);
		MemoryContextSwitchTo(old);
		if (desc->natts != REQ_NATTS)
			elog(ERROR, "pkgmeta.lookup_request must have %d attributes", REQ_NATTS);
		fcinfo->flinfo->fn_extra = desc;
	}
	return desc;
}

static void
request_init(Request *req)
{
	for (int i = 0; i < REQ_NATTS; i++)
		req->nulls[i] = true;
}

static void
request_set(Request *req, int att, const char *s, size_t len)
{
	req->values[att] = PointerGetDatum(cstring_to_text_with_len(s, len));
	req->nulls[att] = false;
}

/* Decoded purl parts are text only when valid in the database encoding. */
static bool
server_encoding_accepts(const char *s, size_t len)
{
	return GetDatabaseEncoding() == PG_UTF8 ||
		pg_verifymbstr(s, len, true);
}

static char *
known_type_list(void)
{
	StringInfoData list;

	initStringInfo(&list);
	for (int id = PURL_TYPE_MIN; id <= PURL_TYPE_MAX; id++)
		appendStringInfo(&list, "%s%s", id == PURL_TYPE_MIN ? "" : ", ",
						 purl_type_by_id(id)->name);
	return list.data;
}

static void
report_unknown_type(const char *type, size_t len)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown purl type \"%s\"", pnstrdup(type, len)),
			 errhint("Use one of: %s.", known_type_list())));
}

/*
 * A request from a purl.  strict: a malformed purl or a type outside the
 * export is an ERROR.  Otherwise (SBOM components) such a request carries no
 * key and is answered "unknown", so one bad component does not sink the
 * whole SBOM.
 */
static HeapTuple
purl_request(TupleDesc desc, text *bom_ref, text *purl, bool strict)
{
	Request		req;
	size_t		len = VARSIZE_ANY_EXHDR(purl);
	char	   *buf = palloc(PURL_BUFFER_SIZE(len));
	Purl		parsed;
	const char *error = purl_parse(VARDATA_ANY(purl), len, buf, &parsed);
	HeapTuple	tuple;

	request_init(&req);
	if (bom_ref != NULL)
	{
		req.values[REQ_BOM_REF] = PointerGetDatum(bom_ref);
		req.nulls[REQ_BOM_REF] = false;
	}
	req.values[REQ_PURL] = PointerGetDatum(purl);
	req.nulls[REQ_PURL] = false;

	if (error == NULL &&
		!(server_encoding_accepts(parsed.name, parsed.name_len) &&
		  (parsed.version == NULL ||
		   server_encoding_accepts(parsed.version, parsed.version_len))))
		error = "percent-decoded name or version is not valid in the database encoding";
	if (error != NULL)
	{
		if (strict)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid package URL \"%s\": %s",
							text_to_cstring(purl), error),
					 errhint("A package URL looks like pkg:npm/%%40scope/name@1.2.3 (purl specification).")));
	}
	else
	{
		if (parsed.known_type == NULL && strict)
			report_unknown_type(parsed.type, parsed.type_len);
		request_set(&req, REQ_PURL_TYPE, parsed.type, parsed.type_len);
		if (parsed.known_type != NULL)
		{
			req.values[REQ_TYPE_ID] = Int16GetDatum(parsed.known_type->id);
			req.nulls[REQ_TYPE_ID] = false;
		}
		request_set(&req, REQ_NAME, parsed.name, parsed.name_len);
		if (parsed.version != NULL)
			request_set(&req, REQ_VERSION, parsed.version, parsed.version_len);
	}
	tuple = heap_form_tuple(desc, req.values, req.nulls);
	pfree(buf);
	return tuple;
}

/*
 * pkgmeta_purl_request(purl text) returns pkgmeta.lookup_request
 *
 * The scalar purl form: malformed purls and foreign types are ERRORs.
 */
Datum
pkgmeta_purl_request(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(HeapTupleGetDatum(purl_request(request_desc(fcinfo), NULL,
												   PG_GETARG_TEXT_PP(0), true)));
}

/* A growing array of lookup_request datums. */
typedef struct RequestList
{
	TupleDesc	desc;
	Datum	   *items;
	int			count;
	int			size;
} RequestList;

static void
request_list_init(RequestList *list, TupleDesc desc, int size)
{
	list->desc = desc;
	list->count = 0;
	list->size = Max(size, 1);
	list->items = palloc(sizeof(Datum) * list->size);
}

static void
request_list_add(RequestList *list, HeapTuple tuple)
{
	if (list->count == list->size)
	{
		list->size *= 2;
		list->items = repalloc_huge(list->items, sizeof(Datum) * list->size);
	}
	/* the datum is the tuple's own memory */
	list->items[list->count++] = HeapTupleGetDatum(tuple);
}

static ArrayType *
request_list_array(RequestList *list)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;

	get_typlenbyvalalign(list->desc->tdtypeid, &typlen, &typbyval, &typalign);
	return construct_array(list->items, list->count, list->desc->tdtypeid,
						   typlen, typbyval, typalign);
}

/* A JSON value as text: strings unquoted, anything else as JSON. */
static text *
json_value_text(JsonbValue *value)
{
	if (value->type == jbvString)
		return cstring_to_text_with_len(value->val.string.val, value->val.string.len);
	return cstring_to_text(JsonbToCString(NULL, &JsonbValueToJsonb(value)->root, 0));
}

/*
 * Depth first through the "components" array of an object (the BOM or a
 * component): every object with a non-null "purl" becomes a request, then
 * its own nested components follow it.
 */
static void
collect_components(JsonbContainer *object, RequestList *list)
{
	JsonbValue	found;
	JsonbValue *components = getKeyJsonValueFromContainer(object, "components",
														  strlen("components"), &found);
	JsonbContainer *array;
	uint32		n;

	check_stack_depth();
	if (components == NULL || components->type != jbvBinary ||
		!JsonContainerIsArray(components->val.binary.data))
		return;
	array = components->val.binary.data;
	n = JsonContainerSize(array);
	for (uint32 i = 0; i < n; i++)
	{
		JsonbValue *component = getIthJsonbValueFromContainer(array, i);
		JsonbContainer *obj;
		JsonbValue	value;
		JsonbValue *purl;

		CHECK_FOR_INTERRUPTS();
		if (component->type != jbvBinary || !JsonContainerIsObject(component->val.binary.data))
			continue;
		obj = component->val.binary.data;
		purl = getKeyJsonValueFromContainer(obj, "purl", strlen("purl"), &value);
		if (purl != NULL && purl->type != jbvNull)
		{
			text	   *purl_text = json_value_text(purl);
			JsonbValue *bom_ref = getKeyJsonValueFromContainer(obj, "bom-ref",
															   strlen("bom-ref"), &value);

			text	   *bom_ref_text = (bom_ref && bom_ref->type != jbvNull) ?
				json_value_text(bom_ref) : NULL;

			request_list_add(list, purl_request(list->desc, bom_ref_text, purl_text, false));
			pfree(purl_text);
			if (bom_ref_text)
				pfree(bom_ref_text);
		}
		collect_components(obj, list);
		pfree(component);
	}
}

/*
 * pkgmeta_sbom_requests(sbom jsonb) returns pkgmeta.lookup_request[]
 *
 * The components of a CycloneDX SBOM (nested ones included, in document
 * order) that have a purl.  metadata.component and tools are not components
 * of the BOM.
 */
Datum
pkgmeta_sbom_requests(PG_FUNCTION_ARGS)
{
	Jsonb	   *sbom = PG_GETARG_JSONB_P(0);
	RequestList list;

	request_list_init(&list, request_desc(fcinfo), 64);
	if (JB_ROOT_IS_OBJECT(sbom))
		collect_components(&sbom->root, &list);
	PG_RETURN_ARRAYTYPE_P(request_list_array(&list));
}

/*
 * A request from (purl_type, name, version) text values; the type is case
 * insensitive as in purls, the name is normalized per section 8.
 */
static HeapTuple
package_request(TupleDesc desc, text *type_text, text *name_text, text *version_text,
				bool strict)
{
	Request		req;
	const PurlType *type = NULL;

	request_init(&req);
	if (type_text != NULL)
	{
		char	   *type_name = pnstrdup(VARDATA_ANY(type_text), VARSIZE_ANY_EXHDR(type_text));

		for (char *c = type_name; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c += 'a' - 'A';

		type = purl_type_by_name(type_name, strlen(type_name));
		if (type == NULL && strict)
			report_unknown_type(type_name, strlen(type_name));
		request_set(&req, REQ_PURL_TYPE, type_name, strlen(type_name));
		if (type != NULL)
		{
			req.values[REQ_TYPE_ID] = Int16GetDatum(type->id);
			req.nulls[REQ_TYPE_ID] = false;
		}
	}
	if (name_text != NULL)
	{
		size_t		len = VARSIZE_ANY_EXHDR(name_text);

		if (type != NULL)
		{
			char	   *normalized = palloc(Max(len, 1));

			len = purl_normalize_name(type->id, VARDATA_ANY(name_text), len, normalized);
			request_set(&req, REQ_NAME, normalized, len);
		}
		else
			request_set(&req, REQ_NAME, VARDATA_ANY(name_text), len);
	}
	if (version_text != NULL)
	{
		req.values[REQ_VERSION] = PointerGetDatum(version_text);
		req.nulls[REQ_VERSION] = false;
	}
	return heap_form_tuple(desc, req.values, req.nulls);
}

/*
 * pkgmeta_package_request(purl_type text, name text, version text)
 *   returns pkgmeta.lookup_request
 *
 * The scalar form: a type outside the export is an ERROR.
 */
Datum
pkgmeta_package_request(PG_FUNCTION_ARGS)
{
	text	   *type = PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0);
	text	   *name = PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1);
	text	   *version = PG_ARGISNULL(2) ? NULL : PG_GETARG_TEXT_PP(2);
	HeapTuple	request = package_request(request_desc(fcinfo), type, name, version, true);

	PG_RETURN_DATUM(HeapTupleGetDatum(request));
}

/* The elements of a one-dimensional text array (NULLs as NULL pointers). */
static text **
text_elements(ArrayType *array, const char *what, int *count)
{
	Datum	   *datums;
	bool	   *nulls;
	text	  **elements;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &datums, &nulls, count);
	elements = palloc(sizeof(text *) * Max(*count, 1));
	for (int i = 0; i < *count; i++)
		elements[i] = nulls[i] ? NULL : DatumGetTextPP(datums[i]);
	return elements;
}

/*
 * pkgmeta_package_requests(purl_types text[], names text[], versions text[])
 *   returns pkgmeta.lookup_request[]
 *
 * The array form: element i of each array is one package.  A type outside
 * the export is answered "unknown", like an SBOM's foreign purls.
 */
Datum
pkgmeta_package_requests(PG_FUNCTION_ARGS)
{
	TupleDesc	desc = request_desc(fcinfo);
	int			ntypes,
				nnames,
				nversions;
	text	  **types = text_elements(PG_GETARG_ARRAYTYPE_P(0), "purl_types", &ntypes);
	text	  **names = text_elements(PG_GETARG_ARRAYTYPE_P(1), "names", &nnames);
	text	  **versions = text_elements(PG_GETARG_ARRAYTYPE_P(2), "versions", &nversions);
	RequestList list;

	if (ntypes != nnames || ntypes != nversions)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("purl_types, names and versions must have the same length"),
				 errdetail("They have %d, %d and %d elements.", ntypes, nnames, nversions)));
	request_list_init(&list, desc, ntypes);
	for (int i = 0; i < ntypes; i++)
		request_list_add(&list, package_request(desc, types[i], names[i], versions[i], false));
	PG_RETURN_ARRAYTYPE_P(request_list_array(&list));
}
