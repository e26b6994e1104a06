/*
 * source_location.c
 *     Which source a setting value names: parsing file:// and gs://
 *     locations, and opening the source of one.
 */
#include "postgres.h"

#include "source_dir.h"
#include "source_gcs.h"
#include "source_location.h"

bool
source_location_parse(const char *location, SourceKind *kind, const char **rest,
					  char **detail, const char **hint)
{
	if (location == NULL || location[0] == '\0')
	{
		*detail = pstrdup("The source must not be empty.");
		*hint = "Use " SOURCE_LOCATION_FORMS ".";
		return false;
	}
	if (strncmp(location, "file://", 7) == 0)
	{
		*kind = SOURCE_DIR;
		*rest = location + 7;
		if (**rest != '/')
		{
			*detail = psprintf("A file source needs an absolute path: \"%s\".", location);
			*hint = "Write three slashes, as in file:///srv/mirror.";
			return false;
		}
		return true;
	}
	if (strncmp(location, "gs://", 5) == 0)
	{
		const char *b = location + 5;

		*kind = SOURCE_GCS;
		*rest = b;
		if (*b == '\0' || strspn(b, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(b))
		{
			*detail = psprintf("\"%s\" is not a valid bucket name.", b);
			*hint = "Bucket names use lower-case letters, digits, \"-\", \"_\" and \".\".";
			return false;
		}
		return true;
	}
	*detail = psprintf("Unsupported source \"%s\".", location);
	*hint = "Use " SOURCE_LOCATION_FORMS ".";
	return false;
}

Source *
source_open(const char *location, const char *setting_name)
{
	SourceKind	kind;
	const char *rest;
	char	   *detail;
	const char *hint;

	if (!source_location_parse(location, &kind, &rest, &detail, &hint))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("unsupported source \"%s\"", location),
				 errdetail_internal("%s", detail),
				 errhint("Set %s to " SOURCE_LOCATION_FORMS ".", setting_name)));
	if (kind == SOURCE_DIR)
		return source_dir_create(location, rest, setting_name);
	return source_gcs_create(location, rest);
}
