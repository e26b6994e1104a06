/*
 * license_v1_writer.c
 *     The writer of v1 license rows: each (name, version, license) row goes
 *     to the staging table; at the end of the file one INSERT ... ON
 *     CONFLICT adds the licenses to each version's set in v1_licenses.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "decode_v1.h"
#include "license_ids.h"
#include "record_kind.h"
#include "staging.h"
#include "store.h"

typedef struct LicenseV1Writer
{
	PurlTypeId	purl_type;
	StagingTable *staging;
} LicenseV1Writer;

static V1Row *decoded = NULL;
static SPIPlanPtr plan_merge_v1 = NULL;

static void
license_v1_begin_sync(void)
{
	Oid			merge_args[] = {INT2OID};

	decoded = palloc(sizeof(V1Row));
	v1_row_init(decoded);
	/* v1 deltas add licenses to a version's set */
	plan_merge_v1 = store_keep_plan(
		"INSERT INTO pkgmeta.v1_licenses AS v (purl_type, name, version, licenses) "
		"SELECT $1, name, version, array_agg(DISTINCT license ORDER BY license)"
		"  FROM pkgmeta.staging_v1 GROUP BY name, version "
		"ON CONFLICT (purl_type, name, version) DO UPDATE SET"
		"  licenses = ARRAY(SELECT DISTINCT l FROM unnest(v.licenses || EXCLUDED.licenses) AS l"
		"                   ORDER BY l) "
		"WHERE NOT (EXCLUDED.licenses <@ v.licenses)",
		1, merge_args);
}

static void
license_v1_end_sync(void)
{
	store_free_plan(&plan_merge_v1);
	decoded = NULL;
}

static const char *
license_v1_decode(const char *line, size_t len, PurlTypeId file_purl_type)
{
	return v1_decode_line(decoded, line, len) ? NULL : decoded->error;
}

static void *
license_v1_begin_file(const FeedKey *key)
{
	LicenseV1Writer *w = palloc0(sizeof(LicenseV1Writer));

	w->purl_type = key->purl_type;
	w->staging = staging_open("staging_v1");
	return w;
}

static void
license_v1_write(void *writer, int64 line_number)
{
	LicenseV1Writer *w = writer;
	const V1Row *row = decoded;
	MemoryContext old = MemoryContextSwitchTo(staging_row_context(w->staging));
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	char	   *name = palloc(row->name_len + 1);
	size_t		name_len = purl_normalize_name(w->purl_type, row->name, row->name_len, name);

	values[0] = PointerGetDatum(cstring_to_text_with_len(name, name_len));
	values[1] = PointerGetDatum(cstring_to_text_with_len(row->version, row->version_len));
	values[2] = Int32GetDatum(license_id_for_spdx(row->license, row->license_len));
	staging_insert(w->staging, values, nulls, old);
}

static int64
license_v1_finish_file(void *writer)
{
	LicenseV1Writer *w = writer;

	return staging_merge(w->staging, plan_merge_v1, Int16GetDatum(w->purl_type));
}

const RecordKind license_v1_kind = {
	license_v1_begin_sync, license_v1_end_sync, license_v1_decode,
	license_v1_begin_file, license_v1_write, license_v1_finish_file
};
