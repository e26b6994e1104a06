/*
 * settings.c
 *     Definition and validation of the pkgmeta.* configuration parameters.
 *     Anything that points the server at a location is superuser-only.
 */
#include "postgres.h"

#include <limits.h>

#include "utils/guc.h"
#include "utils/varlena.h"

#include "pg_compat.h"
#include "record_limits.h"
#include "settings.h"

char	   *pkgmeta_licenses_source = NULL;
char	   *pkgmeta_advisories_source = NULL;
int			pkgmeta_max_line_length = 1024 * 1024;
const PurlTypeSelection *pkgmeta_purl_types = NULL;
int			pkgmeta_version_formats = FORMAT_V2;
int			pkgmeta_data_types = DATA_LICENSES;

static char *purl_types_string = NULL;
static char *version_formats_string = NULL;
static char *data_types_string = NULL;

static const char *const version_format_words[] = {"v1", "v2"};
static const char *const data_type_words[] = {"licenses", "advisories"};

#define ALL_PURL_TYPES \
	"composer,conan,gem,golang,maven,npm,nuget,pypi,apk,rpm,deb," \
	"cbl-mariner,wolfi,cargo,swift,conda,pub"

static bool
check_source(char **newval, void **extra, GucSource source)
{
	const char *v = *newval;

	if (v == NULL || v[0] == '\0')
	{
		GUC_check_errdetail("The source must not be empty.");
		GUC_check_errhint("Use file:///absolute/mirror/dir or gs://bucket.");
		return false;
	}
	if (strncmp(v, "file://", 7) == 0)
	{
		if (v[7] != '/')
		{
			GUC_check_errdetail("A file source needs an absolute path: \"%s\".", v);
			GUC_check_errhint("Write three slashes, as in file:///srv/mirror.");
			return false;
		}
		return true;
	}
	if (strncmp(v, "gs://", 5) == 0)
	{
		const char *b = v + 5;

		if (*b == '\0' || strspn(b, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(b))
		{
			GUC_check_errdetail("\"%s\" is not a valid bucket name.", b);
			GUC_check_errhint("Bucket names use lower-case letters, digits, \"-\", \"_\" and \".\".");
			return false;
		}
		return true;
	}
	GUC_check_errdetail("Unsupported source \"%s\".", v);
	GUC_check_errhint("Use file:///absolute/mirror/dir or gs://bucket.");
	return false;
}

static bool
check_purl_types(char **newval, void **extra, GucSource source)
{
	char	   *copy = pstrdup(*newval);
	List	   *names;
	ListCell   *lc;
	PurlTypeSelection *sel;

	if (!SplitGUCList(copy, ',', &names))
	{
		GUC_check_errdetail("The list syntax is invalid.");
		pfree(copy);
		return false;
	}
	sel = compat_guc_extra_alloc(sizeof(PurlTypeSelection));
	if (sel == NULL)
	{
		GUC_check_errcode(ERRCODE_OUT_OF_MEMORY);
		return false;
	}
	sel->count = 0;
	foreach(lc, names)
	{
		const char *name = lfirst(lc);
		const PurlType *t = purl_type_by_name(name, strlen(name));
		bool		dup = false;

		if (t == NULL)
		{
			GUC_check_errdetail("\"%s\" is not a purl type of the export.", name);
			GUC_check_errhint("Valid types: %s.", ALL_PURL_TYPES);
			compat_guc_extra_free(sel);
			return false;
		}
		for (int i = 0; i < sel->count; i++)
			dup |= sel->types[i] == t->id;
		if (!dup)
			sel->types[sel->count++] = t->id;
	}
	list_free(names);
	pfree(copy);
	*extra = sel;
	return true;
}

static void
assign_purl_types(const char *newval, void *extra)
{
	pkgmeta_purl_types = extra;
}

/* Parses a list of words into a bit set: bit i for words[i]. */
static bool
check_word_list(char **newval, void **extra, const char *const *words, int nwords,
				const char *valid)
{
	char	   *copy = pstrdup(*newval);
	List	   *items;
	ListCell   *lc;
	int		   *bits;

	if (!SplitGUCList(copy, ',', &items))
	{
		GUC_check_errdetail("The list syntax is invalid.");
		return false;
	}
	bits = compat_guc_extra_alloc(sizeof(int));
	if (bits == NULL)
	{
		GUC_check_errcode(ERRCODE_OUT_OF_MEMORY);
		return false;
	}
	*bits = 0;
	foreach(lc, items)
	{
		const char *item = lfirst(lc);
		int			i;

		for (i = 0; i < nwords; i++)
			if (strcmp(item, words[i]) == 0)
				break;
		if (i == nwords)
		{
			GUC_check_errdetail("\"%s\" is not one of %s.", item, valid);
			compat_guc_extra_free(bits);
			return false;
		}
		*bits |= 1 << i;
	}
	list_free(items);
	pfree(copy);
	*extra = bits;
	return true;
}

static bool
check_version_formats(char **newval, void **extra, GucSource source)
{
	return check_word_list(newval, extra, version_format_words,
						   lengthof(version_format_words), "v1, v2");
}

static void
assign_version_formats(const char *newval, void *extra)
{
	pkgmeta_version_formats = *(int *) extra;
}

static bool
check_data_types(char **newval, void **extra, GucSource source)
{
	return check_word_list(newval, extra, data_type_words,
						   lengthof(data_type_words), "licenses, advisories");
}

static void
assign_data_types(const char *newval, void *extra)
{
	pkgmeta_data_types = *(int *) extra;
}

/*
 * Limits against hostile data (record_limits.h).  Superuser-only: raising
 * them lets an export cost the server more memory and time.
 */
static void
define_limits(void)
{
	DefineCustomIntVariable("pkgmeta.max_name_length",
							"Longest accepted package name of a record.",
							"Longer names make the record a bad line.",
							&pkgmeta_max_name_bytes,
							DEFAULT_MAX_NAME_BYTES, 1, LIMIT_NAME_BYTES,
							PGC_SUSET, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_version_length",
							"Longest accepted version string of a record.",
							"Longer versions make the record a bad line.",
							&pkgmeta_max_version_bytes,
							DEFAULT_MAX_VERSION_BYTES, 1, LIMIT_VERSION_BYTES,
							PGC_SUSET, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_license_length",
							"Longest accepted license identifier of a record.",
							"Longer identifiers make the record a bad line.",
							&pkgmeta_max_license_bytes,
							DEFAULT_MAX_LICENSE_BYTES, 1, LIMIT_LICENSE_BYTES,
							PGC_SUSET, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_licenses_per_set",
							"Most licenses in one license set of a record.",
							"A record with more makes a bad line.",
							&pkgmeta_max_licenses_per_set,
							DEFAULT_MAX_LICENSES_PER_SET, 1, 100000,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_versions_per_tuple",
							"Most versions in one other_licenses entry of a record.",
							"A record with more makes a bad line.",
							&pkgmeta_max_versions_per_tuple,
							DEFAULT_MAX_VERSIONS_PER_TUPLE, 1, 1000000,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_other_licenses",
							"Most other_licenses entries of one record.",
							"A record with more makes a bad line.",
							&pkgmeta_max_tuples,
							DEFAULT_MAX_TUPLES, 1, 100000,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_listing_objects",
							"Most export files one listing of a package type may hold.",
							"A larger listing stops that type's sync with an error.",
							&pkgmeta_max_listing_objects,
							DEFAULT_MAX_LISTING_OBJECTS, 1, PG_INT32_MAX,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_inflate_ratio",
							"Most bytes a gzip object may inflate to per byte stored.",
							"An object that inflates more (a gzip bomb) fails.",
							&pkgmeta_max_inflate_ratio,
							DEFAULT_MAX_INFLATE_RATIO, 2, 100000,
							PGC_SUSET, 0, NULL, NULL, NULL);
}

void
settings_define(void)
{
	DefineCustomStringVariable("pkgmeta.licenses_source",
							   "Where the license export is read from.",
							   "file:///absolute/dir for a mirror directory, gs://bucket for "
							   "Google Cloud Storage.",
							   &pkgmeta_licenses_source,
							   "gs://prod-export-license-bucket-1a6c642fc4de57d4",
							   PGC_SUSET, 0,
							   check_source, NULL, NULL);
	DefineCustomStringVariable("pkgmeta.advisories_source",
							   "Where the advisory export is read from.",
							   "file:///absolute/dir for a mirror directory, gs://bucket for "
							   "Google Cloud Storage.",
							   &pkgmeta_advisories_source,
							   "gs://prod-export-advisory-bucket-1a6c642fc4de57d4",
							   PGC_SUSET, 0,
							   check_source, NULL, NULL);
	DefineCustomStringVariable("pkgmeta.data_types",
							   "Data types to sync.",
							   "A comma-separated list of licenses and advisories; empty syncs none.",
							   &data_types_string,
							   "licenses",
							   PGC_SUSET, GUC_LIST_INPUT,
							   check_data_types, assign_data_types, NULL);
	DefineCustomStringVariable("pkgmeta.version_formats",
							   "License export formats to sync.",
							   "A comma-separated list of v1 and v2; v2 syncs first; empty syncs none.",
							   &version_formats_string,
							   "v2",
							   PGC_SUSET, GUC_LIST_INPUT,
							   check_version_formats, assign_version_formats, NULL);
	DefineCustomStringVariable("pkgmeta.purl_types",
							   "Package types to sync, in order.",
							   "A comma-separated list of purl types; empty syncs none.",
							   &purl_types_string,
							   ALL_PURL_TYPES,
							   PGC_SUSET, GUC_LIST_INPUT,
							   check_purl_types, assign_purl_types, NULL);
	DefineCustomIntVariable("pkgmeta.max_line_length",
							"Longest accepted line of an export file.",
							"Longer lines are rejected as bad input.",
							&pkgmeta_max_line_length,
							1024 * 1024, 1024, 256 * 1024 * 1024,
							PGC_SUSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);
	define_limits();
}

/* The switch and schedule: reloadable, so a rollback needs no restart. */
bool		pkgmeta_enabled = true;
char	   *pkgmeta_database = NULL;
int			pkgmeta_sync_interval = 300;
int			pkgmeta_worker_max_duration = 240 * 1000;
int			pkgmeta_errors_retention = 30 * 24 * 60;
int			pkgmeta_stale_after = 24 * 60 * 60;

static bool
check_database(char **newval, void **extra, GucSource source)
{
	if (**newval == '\0')
	{
		GUC_check_errdetail("The background worker needs a database to connect to.");
		GUC_check_errhint("Name the database where CREATE EXTENSION pkgmeta is run.");
		return false;
	}
	return true;
}

void
settings_define_worker(void)
{
	DefineCustomBoolVariable("pkgmeta.enabled",
							 "Whether pkgmeta syncs at all.",
							 "Off stops the background worker's syncs and makes CALL pkgmeta_sync() "
							 "refuse; a running sync stops at its next file boundary.",
							 &pkgmeta_enabled,
							 true,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);
	DefineCustomStringVariable("pkgmeta.database",
							   "Database the background worker syncs.",
							   "The worker waits until the extension exists there.",
							   &pkgmeta_database,
							   "postgres",
							   PGC_POSTMASTER, 0,
							   check_database, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.sync_interval",
							"Time between the background worker's syncs.",
							"Counted from the end of one run to the start of the next; "
							"0 syncs only when pkgmeta_request_sync() asks.",
							&pkgmeta_sync_interval,
							300, 0, INT_MAX / 1000,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.worker_max_duration",
							"Time budget of one background worker run.",
							"A run stops at the first file boundary past it and the next "
							"starts at once; 0 means no limit.",
							&pkgmeta_worker_max_duration,
							240 * 1000, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.errors_retention",
							"Age after which the worker deletes rows of pkgmeta.sync_errors.",
							NULL,
							&pkgmeta_errors_retention,
							30 * 24 * 60, 1, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MIN,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.stale_after",
							"Time without a successful sync after which the data counts as stale.",
							"The worker then logs a WARNING, at most once an hour.",
							&pkgmeta_stale_after,
							24 * 60 * 60, 1, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
}
