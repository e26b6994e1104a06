/*
 * settings.h
 *     The pkgmeta.* configuration parameters.
 */
#ifndef PKGMETA_SETTINGS_H
#define PKGMETA_SETTINGS_H

#include "purl_types.h"

/* The enabled purl types in configured order (parsed by the check hook). */
typedef struct PurlTypeSelection
{
	int			count;
	PurlTypeId	types[PURL_TYPE_MAX];
} PurlTypeSelection;

/* bits of pkgmeta.version_formats and pkgmeta.data_types */
#define FORMAT_V1 0x1
#define FORMAT_V2 0x2
#define DATA_LICENSES 0x1
#define DATA_ADVISORIES 0x2

extern char *pkgmeta_licenses_source;
extern char *pkgmeta_advisories_source;
extern int	pkgmeta_version_formats;
extern int	pkgmeta_data_types;
extern int	pkgmeta_max_line_length;
extern const PurlTypeSelection *pkgmeta_purl_types;

extern void settings_define(void);

/* The background worker's settings and the enable switch (settings_define_worker). */
extern bool pkgmeta_enabled;
extern char *pkgmeta_database;
extern int	pkgmeta_sync_interval;	/* seconds, 0: only on request */
extern int	pkgmeta_worker_max_duration;	/* ms, 0: no limit */
extern int	pkgmeta_errors_retention;	/* minutes */
extern int	pkgmeta_stale_after;	/* seconds */

extern void settings_define_worker(void);

#endif
