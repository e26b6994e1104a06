/*
 * record_limits.c
 *     The current values of the limits of record_limits.h.
 */
#include "postgres.h"

#include "record_limits.h"

int			pkgmeta_max_name_bytes = DEFAULT_MAX_NAME_BYTES;
int			pkgmeta_max_license_bytes = DEFAULT_MAX_LICENSE_BYTES;
int			pkgmeta_max_version_bytes = DEFAULT_MAX_VERSION_BYTES;
int			pkgmeta_max_licenses_per_set = DEFAULT_MAX_LICENSES_PER_SET;
int			pkgmeta_max_versions_per_tuple = DEFAULT_MAX_VERSIONS_PER_TUPLE;
int			pkgmeta_max_tuples = DEFAULT_MAX_TUPLES;
int			pkgmeta_max_listing_objects = DEFAULT_MAX_LISTING_OBJECTS;
int			pkgmeta_max_inflate_ratio = DEFAULT_MAX_INFLATE_RATIO;
int			pkgmeta_max_advisory_id_bytes = DEFAULT_MAX_ADVISORY_ID_BYTES;
int			pkgmeta_max_advisory_title_bytes = DEFAULT_MAX_ADVISORY_TITLE_BYTES;
int			pkgmeta_max_advisory_description_bytes = DEFAULT_MAX_ADVISORY_DESCRIPTION_BYTES;
int			pkgmeta_max_advisory_urls = DEFAULT_MAX_ADVISORY_URLS;
int			pkgmeta_max_url_bytes = DEFAULT_MAX_URL_BYTES;
int			pkgmeta_max_advisory_identifiers = DEFAULT_MAX_ADVISORY_IDENTIFIERS;
int			pkgmeta_max_identifier_type_bytes = DEFAULT_MAX_IDENTIFIER_TYPE_BYTES;
int			pkgmeta_max_identifier_name_bytes = DEFAULT_MAX_IDENTIFIER_NAME_BYTES;
int			pkgmeta_max_cvss_bytes = DEFAULT_MAX_CVSS_BYTES;
int			pkgmeta_max_distro_bytes = DEFAULT_MAX_DISTRO_BYTES;
int			pkgmeta_max_solution_bytes = DEFAULT_MAX_SOLUTION_BYTES;
int			pkgmeta_max_affected_range_bytes = DEFAULT_MAX_AFFECTED_RANGE_BYTES;
int			pkgmeta_max_fixed_versions = DEFAULT_MAX_FIXED_VERSIONS;
