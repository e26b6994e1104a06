/*
 * record_limits.h
 *     Limits that bound what one record or one export object may hold.  The
 *     record limits default to the export's validation limits (doc/format.md
 *     section 5) and apply to every record format: a record outside them is
 *     rejected as a bad line.  All are superuser-only settings (settings.c);
 *     the variables live in record_limits.c so that code built outside the
 *     server (fuzz/) reads them too.
 */
#ifndef PKGMETA_RECORD_LIMITS_H
#define PKGMETA_RECORD_LIMITS_H

#define DEFAULT_MAX_NAME_LENGTH 255
#define DEFAULT_MAX_LICENSE_LENGTH 50
#define DEFAULT_MAX_VERSION_LENGTH 255
#define DEFAULT_MAX_LICENSES_PER_SET 100
#define DEFAULT_MAX_VERSIONS_PER_TUPLE 500
#define DEFAULT_MAX_OTHER_LICENSES 50

/*
 * Upper bounds of the settings: names and versions stay well inside a
 * btree index entry, license identifiers inside the key of the license id
 * cache (license_ids.c).
 */
#define LIMIT_NAME_BYTES 1024
#define LIMIT_VERSION_BYTES 1024
#define LIMIT_LICENSE_BYTES 255

extern int	pkgmeta_max_name_length;
extern int	pkgmeta_max_license_length;
extern int	pkgmeta_max_version_length;
extern int	pkgmeta_max_licenses_per_set;
extern int	pkgmeta_max_versions_per_tuple;
extern int	pkgmeta_max_other_licenses;

/*
 * Advisory records: GitLab's own validation limits (doc/format.md
 * section 5).  Package names and fixed versions use the name and
 * version limits above.
 */
#define DEFAULT_MAX_ADVISORY_ID_LENGTH 36
#define DEFAULT_MAX_ADVISORY_TITLE_LENGTH 256
#define DEFAULT_MAX_ADVISORY_DESCRIPTION_LENGTH 8192
#define DEFAULT_MAX_ADVISORY_URLS 20
#define DEFAULT_MAX_URL_LENGTH 512
#define DEFAULT_MAX_ADVISORY_IDENTIFIERS 10
#define DEFAULT_MAX_IDENTIFIER_TYPE_LENGTH 32
#define DEFAULT_MAX_IDENTIFIER_NAME_LENGTH 64
#define DEFAULT_MAX_CVSS_LENGTH 256
#define DEFAULT_MAX_DISTRO_LENGTH 256
#define DEFAULT_MAX_SOLUTION_LENGTH 2048
#define DEFAULT_MAX_AFFECTED_RANGE_LENGTH 512
#define DEFAULT_MAX_FIXED_VERSIONS 10

/* Upper bound of the advisory length settings: no line is longer. */
#define LIMIT_ADVISORY_TEXT_BYTES (256 * 1024 * 1024)

extern int	pkgmeta_max_advisory_id_length;
extern int	pkgmeta_max_advisory_title_length;
extern int	pkgmeta_max_advisory_description_length;
extern int	pkgmeta_max_advisory_urls;
extern int	pkgmeta_max_url_length;
extern int	pkgmeta_max_advisory_identifiers;
extern int	pkgmeta_max_identifier_type_length;
extern int	pkgmeta_max_identifier_name_length;
extern int	pkgmeta_max_cvss_length;
extern int	pkgmeta_max_distro_length;
extern int	pkgmeta_max_solution_length;
extern int	pkgmeta_max_affected_range_length;
extern int	pkgmeta_max_fixed_versions;

/* Export files in one listing; bytes a gzip object may inflate to per byte stored. */
#define DEFAULT_MAX_LISTING_OBJECTS 100000
#define DEFAULT_MAX_INFLATE_RATIO 100

/* Inflated bytes before pkgmeta.max_inflate_ratio applies: headers compress well. */
#define INFLATE_RATIO_GRACE (1024 * 1024)

extern int	pkgmeta_max_listing_objects;
extern int	pkgmeta_max_inflate_ratio;

/*
 * The largest zstd window a v3 archive may ask for, as a power of two: the
 * decoder holds the whole window, so this bounds a sync's memory.  2^25
 * (32 MB) admits the zstd program up to level 19 (8 MB), not --long;
 * 10 and 31 are libzstd's bounds.
 */
#define DEFAULT_MAX_ZSTD_WINDOW_LOG 25
#define LIMIT_ZSTD_WINDOW_LOG_MIN 10
#define LIMIT_ZSTD_WINDOW_LOG_MAX 31

extern int	pkgmeta_max_zstd_window_log;

#endif
