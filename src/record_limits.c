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
