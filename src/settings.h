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
#define FORMAT_V3 0x4
#define DATA_LICENSES 0x1
#define DATA_ADVISORIES 0x2
#define DATA_CVE_ENRICHMENT 0x4
#define DATA_MALWARE 0x8

#define DEFAULT_MAX_LINE_LENGTH (1024 * 1024)

extern char *pkgmeta_licenses_source;
extern char *pkgmeta_advisories_source;
extern char *pkgmeta_cve_enrichment_source;
extern char *pkgmeta_malware_advisories_source;
extern char *pkgmeta_pds_endpoint;
extern char *pkgmeta_pds_token;
extern char *pkgmeta_pds_token_file;
extern int	pkgmeta_version_formats;
extern int	pkgmeta_data_types;
extern int	pkgmeta_max_line_length;
extern const PurlTypeSelection *pkgmeta_purl_types;

/* Also defines the pkgmeta.gcs_* settings of http.h and source_gcs.h. */
extern void settings_define(void);

/* The background worker's settings and the enable switch (settings_define_worker). */
#define DEFAULT_ENABLED true
#define DEFAULT_SYNC_INTERVAL_S 300
#define DEFAULT_WORKER_MAX_DURATION_MS (240 * 1000)
#define DEFAULT_ERRORS_RETENTION_MIN (30 * 24 * 60)
#define DEFAULT_STALE_AFTER_S (24 * 60 * 60)
#define DEFAULT_FINDINGS_RETENTION_MIN (365 * 24 * 60)
#define DEFAULT_NOTIFY_FINDINGS true

extern bool pkgmeta_enabled;
extern char *pkgmeta_database;
extern int	pkgmeta_sync_interval;	/* seconds, 0: only on request */
extern int	pkgmeta_worker_max_duration;	/* ms, 0: no limit */
extern int	pkgmeta_errors_retention;	/* minutes */
extern int	pkgmeta_stale_after;	/* seconds */
extern int	pkgmeta_findings_retention; /* minutes */
/* read in SQL by pkgmeta.reconcile_findings, as current_setting() */
extern bool pkgmeta_notify_findings;

extern void settings_define_worker(void);

#endif
