/*
 * gcs_listing.h
 *     Listing a GCS bucket's export objects over the JSON API.
 */
#ifndef PKGMETA_GCS_LISTING_H
#define PKGMETA_GCS_LISTING_H

#include "http.h"
#include "nodes/pg_list.h"

/*
 * The SourceObjects under prefix whose names parse as export files of ext,
 * in (sequence, chunk) order, as SourceMethods.list promises.  objects_url
 * is the bucket's ".../storage/v1/b/<bucket>/o"; location names the source
 * in messages.
 */
extern List *gcs_list_objects(HttpClient *client, const char *objects_url,
							  const char *location, const char *prefix,
							  const char *ext, const char *start_at);

#endif
