/*
 * record_limits.h
 *     The export's validation limits (FORMAT.md section 5), applied to every
 *     record format: a record outside them is rejected as a bad line.
 */
#ifndef PKGMETA_RECORD_LIMITS_H
#define PKGMETA_RECORD_LIMITS_H

#define MAX_NAME_BYTES 255
#define MAX_LICENSE_BYTES 50
#define MAX_VERSION_BYTES 255
#define MAX_LICENSES_PER_SET 100
#define MAX_VERSIONS_PER_TUPLE 500
#define MAX_TUPLES 50

#endif
