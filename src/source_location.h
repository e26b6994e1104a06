/*
 * source_location.h
 *     Which source a setting value names (file:///dir or gs://bucket):
 *     parsed once, for the settings' check hook and for opening it.
 */
#ifndef PKGMETA_SOURCE_LOCATION_H
#define PKGMETA_SOURCE_LOCATION_H

#include "source.h"

/* The forms of a source location, for hints. */
#define SOURCE_LOCATION_FORMS "file:///absolute/mirror/dir or gs://bucket"

typedef enum SourceKind
{
	SOURCE_DIR,					/* file://<absolute dir> */
	SOURCE_GCS					/* gs://<bucket> */
} SourceKind;

/*
 * Parses location into its kind and *rest, the directory or bucket.  False
 * when it is not a valid location; *detail and *hint then say why, for a
 * message.
 */
extern bool source_location_parse(const char *location, SourceKind *kind,
								  const char **rest, char **detail,
								  const char **hint);

/* Opens the source named by the value of the setting setting_name. */
extern Source *source_open(const char *location, const char *setting_name);

#endif
