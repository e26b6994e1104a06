/*
 * decode_v1.c
 *     CSV rows of the v1 license export.  Fields may be quoted ("a,b" and ""
 *     for a quote inside), as CSV writers do for names with commas.
 */
#include "postgres.h"

#include "decode_v1.h"
#include "record_limits.h"

void
v1_row_init(V1Row *row)
{
	memset(row, 0, sizeof(V1Row));
	initStringInfo(&row->buf);
}

static bool
fail(V1Row *row, const char *msg)
{
	strlcpy(row->error, msg, sizeof(row->error));
	return false;
}

static bool
fail_limit(V1Row *row, const char *field, int limit, const char *setting)
{
	snprintf(row->error, sizeof(row->error), "%s longer than %d bytes (%s)",
			 field, limit, setting);
	return false;
}

bool
v1_decode_line(V1Row *row, const char *line, size_t len)
{
	size_t		starts[3];
	size_t		lens[3];
	int			nfields = 0;
	size_t		i = 0;

	resetStringInfo(&row->buf);
	row->error[0] = '\0';
	for (;;)
	{
		size_t		start = row->buf.len;

		if (nfields == 3)
			return fail(row, "more than 3 fields (expected name,version,license)");
		if (i < len && line[i] == '"')
		{
			i++;
			for (;;)
			{
				if (i >= len)
					return fail(row, "unterminated quoted field");
				if (line[i] == '"')
				{
					if (i + 1 < len && line[i + 1] == '"')
					{
						appendStringInfoChar(&row->buf, '"');
						i += 2;
						continue;
					}
					i++;
					break;
				}
				appendStringInfoChar(&row->buf, line[i++]);
			}
			if (i < len && line[i] != ',')
				return fail(row, "characters after a quoted field");
		}
		else
		{
			size_t		end = i;

			while (end < len && line[end] != ',')
				end++;
			if (memchr(line + i, '"', end - i) != NULL)
				return fail(row, "quote inside an unquoted field");
			appendBinaryStringInfo(&row->buf, line + i, end - i);
			i = end;
		}
		starts[nfields] = start;
		lens[nfields] = row->buf.len - start;
		nfields++;
		appendStringInfoChar(&row->buf, '\0');
		if (i >= len)
			break;
		i++;					/* the comma */
	}
	if (nfields != 3)
		return fail(row, "fewer than 3 fields (expected name,version,license)");
	if (lens[0] == 0 || lens[1] == 0 || lens[2] == 0)
		return fail(row, lens[0] == 0 ? "empty name" : lens[1] == 0 ? "empty version" : "empty license");
	if (lens[0] > (size_t) pkgmeta_max_name_length)
		return fail_limit(row, "name", pkgmeta_max_name_length, "pkgmeta.max_name_length");
	if (lens[1] > (size_t) pkgmeta_max_version_length)
		return fail_limit(row, "version", pkgmeta_max_version_length, "pkgmeta.max_version_length");
	if (lens[2] > (size_t) pkgmeta_max_license_length)
		return fail_limit(row, "license", pkgmeta_max_license_length, "pkgmeta.max_license_length");
	row->name = row->buf.data + starts[0];
	row->name_len = lens[0];
	row->version = row->buf.data + starts[1];
	row->version_len = lens[1];
	row->license = row->buf.data + starts[2];
	row->license_len = lens[2];
	return true;
}
