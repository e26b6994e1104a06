/*
 * distro.h
 *     Whether an advisory's distro ("debian 12") names the operating system
 *     an SBOM or purl reports (name "debian", version "12.5"): the OS rule of
 *     doc/ranges.md.  Plain C, no allocation.
 */
#ifndef PKGMETA_DISTRO_H
#define PKGMETA_DISTRO_H

#include <stdbool.h>
#include <stddef.h>

/*
 * advisory[0..alen) is "<name> <version>" (split at the last space; "Red
 * Hat" and "wolfi" have no version); os_name must equal its name exactly
 * and os_version, normalized as that distribution's releases are named,
 * its version.
 */
extern bool distro_matches(const char *advisory, size_t alen,
						   const char *os_name, size_t nlen,
						   const char *os_version, size_t vlen);

#endif
