/*
 * source.c
 *     What every source implementation shares: parsing export object names,
 *     ordering them and bounding a listing.
 */
#include "postgres.h"

#include "record_limits.h"
#include "source.h"

/* Parses a decimal number of digits only, no larger than max. */
static bool
parse_decimal(const char *s, size_t len, int64 max, int64 *out)
{
	int64		v = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (max - (s[i] - '0')) / 10)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool
source_parse_object_name(const char *relname, const char *ext,
						 int64 *sequence, int32 *chunk)
{
	const char *slash = strchr(relname, '/');
	const char *dot;
	size_t		extlen = strlen(ext);
	int64		c;

	if (slash == NULL || !parse_decimal(relname, slash - relname, PG_INT64_MAX, sequence))
		return false;
	dot = strchr(slash + 1, '.');
	if (dot == NULL || !parse_decimal(slash + 1, dot - slash - 1, PG_INT32_MAX, &c))
		return false;
	*chunk = (int32) c;
	dot++;
	if (strncmp(dot, ext, extlen) != 0)
		return false;
	dot += extlen;
	return *dot == '\0' || strcmp(dot, ".gz") == 0;
}

static int
compare_objects(const ListCell *a, const ListCell *b)
{
	const SourceObject *x = lfirst(a);
	const SourceObject *y = lfirst(b);

	if (x->sequence != y->sequence)
		return x->sequence < y->sequence ? -1 : 1;
	if (x->chunk != y->chunk)
		return x->chunk < y->chunk ? -1 : 1;
	/* the same file plain and gzipped: a stable, deterministic choice */
	return strcmp(x->name, y->name);
}

bool
source_listing_full(const List *objects)
{
	return list_length(objects) > pkgmeta_max_listing_objects;
}

void
source_sort_objects(List *objects)
{
	list_sort(objects, compare_objects);
}
