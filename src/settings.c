/*
 * settings.c
 *     Definition and validation of the pkgmeta.* configuration parameters.
 *     Anything that points the server at a location is superuser-only.
 */
#include "postgres.h"

#include <limits.h>

#include "utils/guc.h"
#include "utils/varlena.h"

#include "http.h"
#include "pg_compat.h"
#include "record_limits.h"
#include "settings.h"
#include "source_gcs.h"
#include "source_location.h"

char	   *pkgmeta_licenses_source = NULL;
char	   *pkgmeta_advisories_source = NULL;
char	   *pkgmeta_cve_enrichment_source = NULL;
char	   *pkgmeta_malware_advisories_source = NULL;
char	   *pkgmeta_pds_endpoint = NULL;
char	   *pkgmeta_pds_token = NULL;
char	   *pkgmeta_pds_token_file = NULL;
int			pkgmeta_max_line_length = DEFAULT_MAX_LINE_LENGTH;
/* set from the boot values by the assign hooks */
const PurlTypeSelection *pkgmeta_purl_types = NULL;
int			pkgmeta_version_formats = 0;
int			pkgmeta_data_types = 0;

static char *purl_types_string = NULL;
static char *version_formats_string = NULL;
static char *data_types_string = NULL;

static const char *const version_format_words[] = {"v1", "v2", "v3"};
static const char *const data_type_words[] = {"licenses", "advisories", "cve_enrichment",
"malware_advisories"};

static bool
check_source(char **newval, void **extra, GucSource source)
{
	SourceKind	kind;
	const char *rest;
	char	   *detail;
	const char *hint;

	if (source_location_parse(*newval, &kind, &rest, &detail, &hint))
		return true;
	GUC_check_errdetail("%s", detail);
	GUC_check_errhint("%s", hint);
	return false;
}

/* The token file: empty, or an absolute path (read at each sync, not here). */
static bool
check_token_file(char **newval, void **extra, GucSource source)
{
	if (**newval == '\0' || is_absolute_path(*newval))
		return true;
	GUC_check_errdetail("pkgmeta.pds_token_file must be an absolute path.");
	return false;
}

/* Malware advisories: a mirror directory, or empty for the distribution service. */
static bool
check_malware_source(char **newval, void **extra, GucSource source)
{
	SourceKind	kind;
	const char *rest;
	char	   *detail;
	const char *hint;

	if (**newval == '\0')
		return true;
	if (source_location_parse(*newval, &kind, &rest, &detail, &hint) && kind == SOURCE_DIR)
		return true;
	GUC_check_errdetail("Malware advisories are read from file:///absolute/dir, or from the "
						"distribution service when the setting is empty.");
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
			GUC_check_errhint("Valid types: %s.", purl_type_names());
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
						   lengthof(version_format_words), "v1, v2, v3");
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
						   lengthof(data_type_words),
						   "licenses, advisories, cve_enrichment, malware_advisories");
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
							&pkgmeta_max_name_length,
							DEFAULT_MAX_NAME_LENGTH, 1, LIMIT_NAME_BYTES,
							PGC_SUSET, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_version_length",
							"Longest accepted version string of a record.",
							"Longer versions make the record a bad line.",
							&pkgmeta_max_version_length,
							DEFAULT_MAX_VERSION_LENGTH, 1, LIMIT_VERSION_BYTES,
							PGC_SUSET, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_license_length",
							"Longest accepted license identifier of a record.",
							"Longer identifiers make the record a bad line.",
							&pkgmeta_max_license_length,
							DEFAULT_MAX_LICENSE_LENGTH, 1, LIMIT_LICENSE_BYTES,
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
							&pkgmeta_max_other_licenses,
							DEFAULT_MAX_OTHER_LICENSES, 1, 100000,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_advisory_id_length",
							"Longest accepted advisory id.",
							"An advisory over it makes a bad line.",
							&pkgmeta_max_advisory_id_length,
							DEFAULT_MAX_ADVISORY_ID_LENGTH, 1, LIMIT_ADVISORY_TEXT_BYTES,
							PGC_SUSET, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_advisory_title_length",
							"Longest accepted advisory title.",
							"An advisory over it makes a bad line.",
							&pkgmeta_max_advisory_title_length,
							DEFAULT_MAX_ADVISORY_TITLE_LENGTH, 1, LIMIT_ADVISORY_TEXT_BYTES,
							PGC_SUSET, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_advisory_description_length",
							"Longest accepted advisory description.",
							"An advisory over it makes a bad line.",
							&pkgmeta_max_advisory_description_length,
							DEFAULT_MAX_ADVISORY_DESCRIPTION_LENGTH, 1, LIMIT_ADVISORY_TEXT_BYTES,
							PGC_SUSET, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_advisory_urls",
							"Most urls of one advisory.",
							"An advisory over it makes a bad line.",
							&pkgmeta_max_advisory_urls,
							DEFAULT_MAX_ADVISORY_URLS, 1, 100000,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_url_length",
							"Longest accepted url of an advisory or of its identifiers.",
							"An advisory over it makes a bad line.",
							&pkgmeta_max_url_length,
							DEFAULT_MAX_URL_LENGTH, 1, LIMIT_ADVISORY_TEXT_BYTES,
							PGC_SUSET, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_advisory_identifiers",
							"Most identifiers of one advisory.",
							"An advisory over it makes a bad line.",
							&pkgmeta_max_advisory_identifiers,
							DEFAULT_MAX_ADVISORY_IDENTIFIERS, 1, 100000,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_identifier_type_length",
							"Longest accepted type of an advisory identifier.",
							"An advisory over it makes a bad line.",
							&pkgmeta_max_identifier_type_length,
							DEFAULT_MAX_IDENTIFIER_TYPE_LENGTH, 1, LIMIT_ADVISORY_TEXT_BYTES,
							PGC_SUSET, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_identifier_name_length",
							"Longest accepted name of an advisory identifier.",
							"An advisory over it makes a bad line.",
							&pkgmeta_max_identifier_name_length,
							DEFAULT_MAX_IDENTIFIER_NAME_LENGTH, 1, LIMIT_ADVISORY_TEXT_BYTES,
							PGC_SUSET, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_cvss_length",
							"Longest accepted CVSS vector of an advisory.",
							"An advisory over it makes a bad line.",
							&pkgmeta_max_cvss_length,
							DEFAULT_MAX_CVSS_LENGTH, 1, LIMIT_ADVISORY_TEXT_BYTES,
							PGC_SUSET, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_distro_length",
							"Longest accepted distribution of an affected package.",
							"An advisory over it makes a bad line.",
							&pkgmeta_max_distro_length,
							DEFAULT_MAX_DISTRO_LENGTH, 1, LIMIT_ADVISORY_TEXT_BYTES,
							PGC_SUSET, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_solution_length",
							"Longest accepted solution of an affected package.",
							"An advisory over it makes a bad line.",
							&pkgmeta_max_solution_length,
							DEFAULT_MAX_SOLUTION_LENGTH, 1, LIMIT_ADVISORY_TEXT_BYTES,
							PGC_SUSET, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_affected_range_length",
							"Longest accepted affected_range of an affected package.",
							"An advisory over it makes a bad line.",
							&pkgmeta_max_affected_range_length,
							DEFAULT_MAX_AFFECTED_RANGE_LENGTH, 1, LIMIT_ADVISORY_TEXT_BYTES,
							PGC_SUSET, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.max_fixed_versions",
							"Most fixed_versions of one affected package.",
							"An advisory over it makes a bad line.",
							&pkgmeta_max_fixed_versions,
							DEFAULT_MAX_FIXED_VERSIONS, 1, 100000,
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
	DefineCustomIntVariable("pkgmeta.max_zstd_window_log",
							"Largest zstd window a v3 archive may ask for, as a power of two.",
							"Inflating takes memory the size of the window; an archive "
							"that asks for more fails.",
							&pkgmeta_max_zstd_window_log,
							DEFAULT_MAX_ZSTD_WINDOW_LOG, LIMIT_ZSTD_WINDOW_LOG_MIN,
							LIMIT_ZSTD_WINDOW_LOG_MAX,
							PGC_SUSET, 0, NULL, NULL, NULL);
}

static bool
check_endpoint(char **newval, void **extra, GucSource source)
{
	const char *v = *newval;

	if (v == NULL || (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) ||
		strchr(v, '?') != NULL || strchr(v, '#') != NULL)
	{
		GUC_check_errdetail("\"%s\" is not an http:// or https:// base URL.", v ? v : "");
		GUC_check_errhint("Use the scheme, host and optional port and path of a server that "
						  "speaks the GCS JSON API, as in "
						  SOURCE_GCS_DEFAULT_ENDPOINT ".");
		return false;
	}
	return true;
}

/*
 * The gs:// endpoint and the settings of every HTTP request (http.h),
 * named after GCS, the first service that used them.
 */
static void
define_http(void)
{
	DefineCustomStringVariable("pkgmeta.gcs_endpoint",
							   "Base URL of the GCS JSON API for gs:// sources.",
							   "Point it at a mirror that speaks the same API.",
							   &pkgmeta_gcs_endpoint,
							   SOURCE_GCS_DEFAULT_ENDPOINT,
							   PGC_SUSET, 0,
							   check_endpoint, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.gcs_connect_timeout",
							"Longest wait for a connection (TCP and TLS) to the GCS endpoint.",
							NULL,
							&pkgmeta_gcs_connect_timeout,
							HTTP_DEFAULT_CONNECT_TIMEOUT_MS, 1, 600000,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.gcs_stall_timeout",
							"A GCS request that receives nothing for this long fails.",
							"The low-speed limit: a stalled transfer is retried like other "
							"transient errors.  Time the sync spends applying received "
							"bytes does not count.",
							&pkgmeta_gcs_stall_timeout,
							HTTP_DEFAULT_STALL_TIMEOUT_MS, 100, 3600 * 1000,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.gcs_timeout",
							"Longest a single GCS request may take; 0 means no limit.",
							"It includes time the download spends paused while the sync "
							"applies what it already received.  An interrupted download "
							"resumes where it broke off.",
							&pkgmeta_gcs_timeout,
							HTTP_DEFAULT_TIMEOUT_MS, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.gcs_retries",
							"Retries of a GCS request after a connection error, timeout, "
							"429 or 5xx.",
							NULL,
							&pkgmeta_gcs_retries,
							HTTP_DEFAULT_RETRIES, 0, 100,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.gcs_retry_delay",
							"Backoff before the first GCS retry; it doubles with each retry "
							"(up to " CppAsString2(HTTP_BACKOFF_MAX_S) " s), with random jitter.",
							NULL,
							&pkgmeta_gcs_retry_delay,
							HTTP_DEFAULT_RETRY_DELAY_MS, 0, HTTP_BACKOFF_MAX_S * 1000,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomStringVariable("pkgmeta.gcs_ca_file",
							   "PEM file of the certificate authorities trusted for the GCS "
							   "endpoint; empty uses the system's.",
							   NULL,
							   &pkgmeta_gcs_ca_file,
							   "",
							   PGC_SUSET, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("pkgmeta.gcs_proxy",
							   "Proxy for GCS requests, as in http://proxy:3128; empty uses "
							   "the server's https_proxy/no_proxy environment.",
							   NULL,
							   &pkgmeta_gcs_proxy,
							   "",
							   PGC_SUSET, 0,
							   NULL, NULL, NULL);
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
	DefineCustomStringVariable("pkgmeta.cve_enrichment_source",
							   "Where the CVE enrichment export is read from.",
							   "file:///absolute/dir for a mirror directory, gs://bucket for "
							   "Google Cloud Storage.",
							   &pkgmeta_cve_enrichment_source,
							   "gs://prod-export-cve-enrichment-bucket-1a6c642fc4de57d4",
							   PGC_SUSET, 0,
							   check_source, NULL, NULL);
	DefineCustomStringVariable("pkgmeta.malware_advisories_source",
							   "Where malware advisories are read from.",
							   "file:///absolute/dir for a directory holding v3/; empty for the "
							   "distribution service.",
							   &pkgmeta_malware_advisories_source,
							   "",
							   PGC_SUSET, 0,
							   check_malware_source, NULL, NULL);
	DefineCustomStringVariable("pkgmeta.pds_endpoint",
							   "Base URL of the package metadata distribution service.",
							   "v3 data comes from it when its source is not file://.",
							   &pkgmeta_pds_endpoint,
							   "https://pmdb-dist-svc.runway.gitlab.net",
							   PGC_SUSET, 0,
							   NULL, NULL, NULL);
	/* a credential: shown to superusers only, never put in a message */
	DefineCustomStringVariable("pkgmeta.pds_token",
							   "Instance token (JWT) for the distribution service.",
							   NULL,
							   &pkgmeta_pds_token,
							   "",
							   PGC_SUSET, GUC_SUPERUSER_ONLY | GUC_NOT_IN_SAMPLE,
							   NULL, NULL, NULL);
	/*
	 * The token's file: PostgreSQL logs the value of every setting a reload
	 * changes, and ALTER DATABASE/ROLE ... SET values are readable by every
	 * role, so a path is the one place a token stays out of both.
	 */
	DefineCustomStringVariable("pkgmeta.pds_token_file",
							   "File holding the instance token for the distribution service.",
							   "Read at each sync, when pkgmeta.pds_token is empty; readable by the "
							   "server's user only.",
							   &pkgmeta_pds_token_file,
							   "",
							   PGC_SUSET, 0,
							   check_token_file, NULL, NULL);
	DefineCustomStringVariable("pkgmeta.data_types",
							   "Data types to sync.",
							   "A comma-separated list of licenses, advisories, cve_enrichment and "
							   "malware_advisories; "
							   "empty syncs none.",
							   &data_types_string,
							   "licenses",
							   PGC_SUSET, GUC_LIST_INPUT,
							   check_data_types, assign_data_types, NULL);
	DefineCustomStringVariable("pkgmeta.version_formats",
							   "License export formats to sync.",
							   "A comma-separated list of v1, v2 and v3; v3 syncs first, then v2; empty syncs none.",
							   &version_formats_string,
							   "v2",
							   PGC_SUSET, GUC_LIST_INPUT,
							   check_version_formats, assign_version_formats, NULL);
	DefineCustomStringVariable("pkgmeta.purl_types",
							   "Package types to sync, in order.",
							   "A comma-separated list of purl types; empty syncs none.",
							   &purl_types_string,
							   purl_type_names(),
							   PGC_SUSET, GUC_LIST_INPUT,
							   check_purl_types, assign_purl_types, NULL);
	DefineCustomIntVariable("pkgmeta.max_line_length",
							"Longest accepted line of an export file.",
							"Longer lines are rejected as bad input.",
							&pkgmeta_max_line_length,
							DEFAULT_MAX_LINE_LENGTH, 1024, 256 * 1024 * 1024,
							PGC_SUSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);
	define_limits();
	define_http();
}

/* The switch and schedule: reloadable, so a rollback needs no restart. */
bool		pkgmeta_enabled = DEFAULT_ENABLED;
char	   *pkgmeta_database = NULL;
int			pkgmeta_sync_interval = DEFAULT_SYNC_INTERVAL_S;
int			pkgmeta_worker_max_duration = DEFAULT_WORKER_MAX_DURATION_MS;
int			pkgmeta_errors_retention = DEFAULT_ERRORS_RETENTION_MIN;
int			pkgmeta_stale_after = DEFAULT_STALE_AFTER_S;
int			pkgmeta_findings_retention = DEFAULT_FINDINGS_RETENTION_MIN;
bool		pkgmeta_notify_findings = DEFAULT_NOTIFY_FINDINGS;

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
							 DEFAULT_ENABLED,
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
							DEFAULT_SYNC_INTERVAL_S, 0, INT_MAX / 1000,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.worker_max_duration",
							"Time budget of one background worker run.",
							"A run stops at the first file boundary past it and the next "
							"starts at once; 0 means no limit.",
							&pkgmeta_worker_max_duration,
							DEFAULT_WORKER_MAX_DURATION_MS, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.errors_retention",
							"Age after which the worker deletes rows of pkgmeta.sync_errors.",
							NULL,
							&pkgmeta_errors_retention,
							DEFAULT_ERRORS_RETENTION_MIN, 1, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MIN,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.stale_after",
							"Time without a successful sync after which the data counts as stale.",
							"The worker then logs a WARNING, at most once an hour.",
							&pkgmeta_stale_after,
							DEFAULT_STALE_AFTER_S, 1, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.findings_retention",
							"Age after which the worker deletes resolved rows of pkgmeta.findings.",
							"Counted from when the finding was resolved; open findings stay.",
							&pkgmeta_findings_retention,
							DEFAULT_FINDINGS_RETENTION_MIN, 1, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MIN,
							NULL, NULL, NULL);
	/* any role may LISTEN: off keeps findings off the channel (doc/hardening.md) */
	DefineCustomBoolVariable("pkgmeta.notify_findings",
							 "Whether opened and resolved findings are notified on channel pkgmeta_findings.",
							 "Any role of the database may LISTEN on it.",
							 &pkgmeta_notify_findings,
							 DEFAULT_NOTIFY_FINDINGS,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);
}
