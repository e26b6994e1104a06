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

#endif
