/*
 * source_gcs.h
 *     The gs:// source: a GCS bucket over its JSON API.
 */
#ifndef PKGMETA_SOURCE_GCS_H
#define PKGMETA_SOURCE_GCS_H

#include "source.h"

#define SOURCE_GCS_DEFAULT_ENDPOINT "https://storage.googleapis.com"

extern char *pkgmeta_gcs_endpoint;	/* pkgmeta.gcs_endpoint */

/* The source for location "gs://<bucket>". */
extern Source *source_gcs_create(const char *location, const char *bucket);

#endif
