/*
 * record_limits.c
 *     The current values of the limits of record_limits.h.
 */
#include "postgres.h"

#include "record_limits.h"

int			pkgmeta_max_name_length = DEFAULT_MAX_NAME_LENGTH;
int			pkgmeta_max_license_length = DEFAULT_MAX_LICENSE_LENGTH;
int			pkgmeta_max_version_length = DEFAULT_MAX_VERSION_LENGTH;
int			pkgmeta_max_licenses_per_set = DEFAULT_MAX_LICENSES_PER_SET;
int			pkgmeta_max_versions_per_tuple = DEFAULT_MAX_VERSIONS_PER_TUPLE;
int			pkgmeta_max_other_licenses = DEFAULT_MAX_OTHER_LICENSES;
int			pkgmeta_max_listing_objects = DEFAULT_MAX_LISTING_OBJECTS;
int			pkgmeta_max_inflate_ratio = DEFAULT_MAX_INFLATE_RATIO;
int			pkgmeta_max_zstd_window_log = DEFAULT_MAX_ZSTD_WINDOW_LOG;
int			pkgmeta_max_advisory_id_length = DEFAULT_MAX_ADVISORY_ID_LENGTH;
int			pkgmeta_max_advisory_title_length = DEFAULT_MAX_ADVISORY_TITLE_LENGTH;
int			pkgmeta_max_advisory_description_length = DEFAULT_MAX_ADVISORY_DESCRIPTION_LENGTH;
int			pkgmeta_max_advisory_urls = DEFAULT_MAX_ADVISORY_URLS;
int			pkgmeta_max_url_length = DEFAULT_MAX_URL_LENGTH;
int			pkgmeta_max_advisory_identifiers = DEFAULT_MAX_ADVISORY_IDENTIFIERS;
int			pkgmeta_max_identifier_type_length = DEFAULT_MAX_IDENTIFIER_TYPE_LENGTH;
int			pkgmeta_max_identifier_name_length = DEFAULT_MAX_IDENTIFIER_NAME_LENGTH;
int			pkgmeta_max_cvss_length = DEFAULT_MAX_CVSS_LENGTH;
int			pkgmeta_max_distro_length = DEFAULT_MAX_DISTRO_LENGTH;
int			pkgmeta_max_solution_length = DEFAULT_MAX_SOLUTION_LENGTH;
int			pkgmeta_max_affected_range_length = DEFAULT_MAX_AFFECTED_RANGE_LENGTH;
int			pkgmeta_max_fixed_versions = DEFAULT_MAX_FIXED_VERSIONS;
