/*
 * lookup_requests.c
 *     The requests of a lookup: rows of pkgmeta.lookup_request built from
 *     purls, from (purl type, name, version) values, or from the components
 *     of a CycloneDX SBOM, keyed as pkgmeta.packages is (doc/format.md section
 *     8 names).  pkgmeta_lookup joins them to the packages and decides each
 *     (lookup_decide.c).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "purl.h"
#include "purl_types.h"
#include "purl_types_sql.h"

PG_FUNCTION_INFO_V1(pkgmeta_purl_request);
PG_FUNCTION_INFO_V1(pkgmeta_package_request);
PG_FUNCTION_INFO_V1(pkgmeta_package_requests);
PG_FUNCTION_INFO_V1(pkgmeta_sbom_requests);

/*
 * The columns of pkgmeta.lookup_request (bom_ref text, purl text,
 * purl_type text, type_id smallint, name text, version text, distro text).
 * distro, the purl's "distro" qualifier, came with 0.2.0: in a database not
 * yet updated the type lacks it and requests are built without it.
 */
enum
{
	REQ_BOM_REF,
	REQ_PURL,
	REQ_PURL_TYPE,
	REQ_TYPE_ID,
	REQ_NAME,
	REQ_VERSION,
	REQ_DISTRO,
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
		if (desc->natts != REQ_NATTS && desc->natts != REQ_DISTRO)
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
			report_unknown_purl_type(parsed.type, parsed.type_len);
		request_set(&req, REQ_PURL_TYPE, parsed.type, parsed.type_len);
		if (parsed.known_type != NULL)
		{
			req.values[REQ_TYPE_ID] = Int16GetDatum(parsed.known_type->id);
			req.nulls[REQ_TYPE_ID] = false;
		}
		request_set(&req, REQ_NAME, parsed.name, parsed.name_len);
		if (parsed.version != NULL)
			request_set(&req, REQ_VERSION, parsed.version, parsed.version_len);
		if (parsed.distro != NULL && server_encoding_accepts(parsed.distro, parsed.distro_len))
			request_set(&req, REQ_DISTRO, parsed.distro, parsed.distro_len);
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
			report_unknown_purl_type(type_name, strlen(type_name));
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
