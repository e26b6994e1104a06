/*
 * gcs_object.h
 *     Downloading one export object of a GCS bucket, verified: the
 *     SourceReader of a gs:// source.
 */
#ifndef PKGMETA_GCS_OBJECT_H
#define PKGMETA_GCS_OBJECT_H

#include "http.h"
#include "source.h"

/*
 * Opens object of the bucket whose objects_url is ".../storage/v1/b/<b>/o";
 * the download starts at the first read.  Read, finish and close behave as
 * SourceMethods says.
 */
extern SourceReader *gcs_object_open(HttpClient *client, const char *objects_url,
									 const SourceObject *object);
extern size_t gcs_object_read(SourceReader *r, char *buf, size_t cap);
extern void gcs_object_finish(SourceReader *r);
extern void gcs_object_close(SourceReader *r);

#endif
