/*
 * source_gcs.c
 *     The gs:// source: a Google Cloud Storage bucket read anonymously over
 *     its JSON API (doc/format.md section 3), listed by gcs_listing.c and read
 *     by gcs_object.c.
 *
 * One HTTP client lives as long as the source, so listing pages and
 * downloads share one kept-alive connection.
 */
#include "postgres.h"

#include "gcs_listing.h"
#include "gcs_object.h"
#include "http.h"
#include "source_gcs.h"

char	   *pkgmeta_gcs_endpoint = NULL;

typedef struct GcsSource
{
	Source		base;
	HttpClient *client;
	char	   *objects_url;	/* <endpoint>/storage/v1/b/<bucket>/o */
} GcsSource;

static List *
gcs_list(Source *source, const char *prefix, const char *ext, const char *start_at)
{
	GcsSource  *gs = (GcsSource *) source;

	return gcs_list_objects(gs->client, gs->objects_url, source->location,
							prefix, ext, start_at);
}

static SourceReader *
gcs_open(Source *source, const SourceObject *object)
{
	GcsSource  *gs = (GcsSource *) source;

	return gcs_object_open(gs->client, gs->objects_url, object);
}

static void
gcs_destroy(Source *source)
{
	http_client_destroy(((GcsSource *) source)->client);
}

static const SourceMethods gcs_methods = {
	gcs_list, gcs_open, gcs_object_read, gcs_object_finish, gcs_object_close, gcs_destroy
};

Source *
source_gcs_create(const char *location, const char *bucket)
{
	GcsSource  *gs = palloc0(sizeof(GcsSource));
	char	   *endpoint = pstrdup(pkgmeta_gcs_endpoint);
	size_t		len = strlen(endpoint);
	StringInfoData url;

	while (len > 0 && endpoint[len - 1] == '/')
		endpoint[--len] = '\0';
	gs->base.methods = &gcs_methods;
	gs->base.location = pstrdup(location);
	gs->client = http_client_create(psprintf("bucket %s at %s", bucket, endpoint));
	initStringInfo(&url);
	appendStringInfo(&url, "%s/storage/v1/b/", endpoint);
	http_append_encoded(&url, bucket);
	appendStringInfoString(&url, "/o");
	gs->objects_url = url.data;
	return &gs->base;
}
