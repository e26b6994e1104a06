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

extern char *pkgmeta_licenses_source;
extern int	pkgmeta_max_line_length;
extern const PurlTypeSelection *pkgmeta_purl_types;

extern void settings_define(void);

/* The background worker's settings and the enable switch (settings_define_worker). */
extern bool pkgmeta_enabled;
extern char *pkgmeta_database;
extern int	pkgmeta_sync_interval;	/* seconds, 0: only on request */
extern int	pkgmeta_worker_max_duration;	/* seconds, 0: no limit */
extern int	pkgmeta_errors_retention;	/* minutes */
extern int	pkgmeta_stale_after;	/* seconds */

extern void settings_define_worker(void);

#endif
