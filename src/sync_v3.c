/*
 * sync_v3.c
 *     The v3 license feed read offline: the archives of
 *     <dir>/v3/<registry_id>/{full_dataset,deltas} after the feed's
 *     checkpoint, with GitLab's checkpoint semantics (doc/format.md
 *     section 11).  A first sync reads the full dataset shard by shard,
 *     marking the checkpoint with the dataset's "until" until its last
 *     shard; later syncs read the deltas newer than the checkpoint (and a
 *     newer full dataset), each archive applied as one unit.
 */
#include "postgres.h"

#include <sys/stat.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "storage/fd.h"
#include "utils/builtins.h"

#include "json_scan.h"
#include "purl_types.h"
#include "record_limits.h"
#include "settings.h"
#include "source_location.h"
#include "source_pds.h"
#include "subxact.h"
#include "sync_v3.h"

#define ARCHIVE_SUFFIX ".tar.zst"
/* checkpoint.json holds one small object */
#define MAX_CHECKPOINT_JSON 4096

static bool
is_directory(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The mirror directory of a file:// location, or NULL. */
static const char *
offline_root(const char *location)
{
	SourceKind	kind;
	const char *rest;
	char	   *detail;
	const char *hint;

	if (!source_location_parse(location, &kind, &rest, &detail, &hint) || kind != SOURCE_DIR)
		return NULL;
	return rest;
}

bool
v3_offline_available(const char *location, const char *registry_id)
{
	const char *root = offline_root(location);

	return root != NULL && is_directory(psprintf("%s/v3/%s", root, registry_id));
}

bool
v3_from_service(const char *location)
{
	return offline_root(location) == NULL;
}

/* The stem of name before ".tar.zst", or NULL. */
static char *
archive_stem(const char *name)
{
	size_t		len = strlen(name);
	size_t		suffix = strlen(ARCHIVE_SUFFIX);

	if (len <= suffix || strcmp(name + len - suffix, ARCHIVE_SUFFIX) != 0)
		return NULL;
	return pnstrdup(name, len - suffix);
}

/* Whether s is 1..max_digits characters all accepted by the base. */
static bool
parse_number(const char *s, int base, int max_digits, int64 max_value, int64 *out)
{
	int64		v = 0;
	int			n = 0;

	for (const char *p = s; *p; p++, n++)
	{
		int			d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return false;
		if (n >= max_digits || v > (max_value - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return n > 0;
}

/*
 * The "until" of full_dataset/checkpoint.json, or -1 when the file is
 * missing, corrupt or has no "until": then there is no full dataset.
 */
static int64
read_until(const char *dir, const char *prefix)
{
	char	   *path = psprintf("%s/checkpoint.json", dir);
	char	   *buf;
	int			fd;
	ssize_t		n;
	JsonScan	js;
	StringInfoData arena;
	char		error[160];
	int64		until = -1;

	fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
	if (fd < 0)
		return -1;
	buf = palloc(MAX_CHECKPOINT_JSON + 1);
	n = read(fd, buf, MAX_CHECKPOINT_JSON + 1);
	CloseTransientFile(fd);
	if (n < 0 || n > MAX_CHECKPOINT_JSON)
	{
		elog(LOG, "pkgmeta: ignoring %scheckpoint.json: unreadable or over %d bytes",
			 prefix, MAX_CHECKPOINT_JSON);
		return -1;
	}
	buf[n] = '\0';
	initStringInfo(&arena);
	json_scan_init(&js, buf, n, &arena, error, sizeof(error));
	if (json_consume(&js, '{') && !json_consume(&js, '}'))
		for (;;)
		{
			if (!json_parse_key(&js))
				break;
			if (json_key_is(&js, "until"))
			{
				const char *start;
				char	   *digits;

				json_skip_ws(&js);
				start = js.p;
				while (js.p < js.end && *js.p >= '0' && *js.p <= '9')
					js.p++;
				digits = pnstrdup(start, js.p - start);
				if (!parse_number(digits, 10, 18, PG_INT64_MAX, &until))
					until = -1;
			}
			else if (!json_skip_value(&js, 1))
				break;
			if (!json_list_continues(&js, '}'))
				break;
		}
	if (until < 0)
		elog(LOG, "pkgmeta: ignoring %scheckpoint.json: not an object with an integer \"until\"",
			 prefix);
	return until;
}

V3Unit *
v3_unit_new(const char *name, const char *url, int64 sequence, int32 chunk, bool is_delta)
{
	V3Unit	   *u = palloc0(sizeof(V3Unit));

	u->object.name = pstrdup(name);
	u->object.sequence = sequence;
	u->object.chunk = chunk;
	u->object.size = -1;
	u->is_delta = is_delta;
	u->url = url ? pstrdup(url) : NULL;
	return u;
}

/* The archives of one folder: shards by hex id, or deltas by timestamp. */
static List *
list_archives(const char *root, const char *prefix, bool deltas, int64 until)
{
	char	   *dir = psprintf("%s/%s", root, prefix);
	List	   *units = NIL;
	DIR		   *d;
	struct dirent *de;

	if (!is_directory(dir))
		return NIL;
	d = AllocateDir(dir);
	while ((de = ReadDir(d, dir)) != NULL)
	{
		char	   *stem;
		int64		id;

		if (de->d_name[0] == '.' || strcmp(de->d_name, "checkpoint.json") == 0)
			continue;
		stem = archive_stem(de->d_name);
		if (stem == NULL ||
			!(deltas ? parse_number(stem, 10, 18, PG_INT64_MAX, &id)
			  : parse_number(stem, 16, 8, PG_INT32_MAX, &id)))
		{
			elog(LOG, "pkgmeta: ignoring \"%s%s\": not <%s>%s", prefix, de->d_name,
				 deltas ? "unix seconds" : "hex shard id", ARCHIVE_SUFFIX);
			continue;
		}
		if (deltas)
			units = lappend(units, v3_unit_new(psprintf("%s%s", prefix, de->d_name), NULL,
											   id, 0, true));
		else
			units = lappend(units, v3_unit_new(psprintf("%s%s", prefix, de->d_name), NULL,
											   until, (int32) id, false));
	}
	FreeDir(d);
	return units;
}

/* Timestamp order, a full dataset before a delta of the same second, shards by id. */
static int
unit_order(const ListCell *a, const ListCell *b)
{
	const V3Unit *x = lfirst(a);
	const V3Unit *y = lfirst(b);

	if (x->object.sequence != y->object.sequence)
		return x->object.sequence < y->object.sequence ? -1 : 1;
	if (x->is_delta != y->is_delta)
		return x->is_delta ? 1 : -1;
	if (x->object.chunk != y->object.chunk)
		return x->object.chunk < y->object.chunk ? -1 : 1;
	return 0;
}

/* The marker of the feed's checkpoint: the full dataset being read, or -1. */
static int64
full_sync_target(const FeedKey *key)
{
	Oid			argtypes[] = {TEXTOID, TEXTOID, INT2OID};
	Datum		args[3];
	int64		target = -1;

	args[0] = CStringGetTextDatum(key->data_type);
	args[1] = CStringGetTextDatum(key->version_format);
	args[2] = Int16GetDatum(key->purl_type);
	if (SPI_execute_with_args("SELECT full_sync_target_sequence FROM pkgmeta.checkpoints"
							  " WHERE data_type = $1 AND version_format = $2 AND purl_type = $3",
							  3, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "pkgmeta: could not read checkpoints");
	if (SPI_processed == 1)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			target = DatumGetInt64(d);
	}
	SPI_freetuptable(SPI_tuptable);
	return target;
}

/* Marks the shards of a full dataset: the last one ends the first sync. */
static void
mark_last_shard(List *units)
{
	V3Unit	   *last = NULL;
	ListCell   *lc;

	foreach(lc, units)
	{
		V3Unit	   *u = lfirst(lc);

		if (!u->is_delta)
			last = u;
	}
	if (last != NULL)
		last->last_shard = true;
}

static void
set_marker(const FeedKey *key, int64 target)
{
	Oid			argtypes[] = {TEXTOID, TEXTOID, INT2OID, INT8OID};
	Datum		args[4];
	char		nulls[4] = {' ', ' ', ' ', target < 0 ? 'n' : ' '};

	args[0] = CStringGetTextDatum(key->data_type);
	args[1] = CStringGetTextDatum(key->version_format);
	args[2] = Int16GetDatum(key->purl_type);
	args[3] = Int64GetDatum(target);
	if (SPI_execute_with_args("UPDATE pkgmeta.checkpoints SET full_sync_target_sequence = $4"
							  " WHERE data_type = $1 AND version_format = $2 AND purl_type = $3",
							  4, argtypes, args, nulls, false, 1) != SPI_OK_UPDATE)
		elog(ERROR, "pkgmeta: could not record the full sync marker");
}

typedef struct PdsCall
{
	Source	   *source;
	const FeedKey *key;
	bool		first_sync;
	int64		sequence;
	List	   *units;
} PdsCall;

static void
pds_pending_call(void *arg)
{
	PdsCall    *c = arg;

	c->units = source_pds_pending(c->source, c->key, c->first_sync, c->sequence);
}

List *
v3_pending_units(Source *source, const FeedKey *key)
{
	const char *root = offline_root(source->location);
	const PurlType *pt = purl_type_by_id(key->purl_type);
	char	   *full_prefix = psprintf("v3/%s/full_dataset/", pt->registry_id);
	Checkpoint	cp = store_get_checkpoint(key);
	int64		target = cp.exists ? full_sync_target(key) : -1;
	bool		first_sync = !cp.exists || target >= 0 || cp.sequence == 0;
	int64		until = -1;
	List	   *units = NIL;
	ListCell   *lc;

	if (root == NULL)
	{
		/* the service: /all on a first sync, then only /delta */
		PdsCall		call = {source, key, first_sync, cp.exists ? cp.sequence : 0, NIL};
		ErrorData  *edata = run_in_subtransaction(pds_pending_call, NULL, &call);
		List	   *answer = call.units;

		if (edata != NULL)
		{
			/* this feed's error, recorded; the other feeds go on */
			ereport(WARNING,
					(errcode(edata->sqlerrcode),
					 errmsg("pkgmeta: %s v3 %s: %s", key->data_type, pt->name, edata->message),
					 edata->hint ? errhint("%s", edata->hint) : 0));
			store_file_error(key, psprintf("pds:%s", pt->registry_id), edata->message);
			return NIL;
		}

		foreach(lc, answer)
		{
			V3Unit	   *u = lfirst(lc);

			until = u->object.sequence;
			if (first_sync && cp.exists && cp.sequence == u->object.sequence &&
				u->object.chunk <= cp.chunk)
				continue;
			units = lappend(units, u);
		}
	}
	else
	{
		until = read_until(psprintf("%s/%s", root, full_prefix), full_prefix);
		if (first_sync)
		{
			/* the full dataset only; deltas once it is in */
			if (until < 0)
				return NIL;
			foreach(lc, list_archives(root, full_prefix, false, until))
			{
				V3Unit	   *u = lfirst(lc);

				/* resuming the same dataset: its shards up to the checkpoint are in */
				if (cp.exists && cp.sequence == until && u->object.chunk <= cp.chunk)
					continue;
				units = lappend(units, u);
			}
		}
		else
		{
			if (until > cp.sequence)
				units = list_archives(root, full_prefix, false, until);
			foreach(lc, list_archives(root, psprintf("v3/%s/deltas/", pt->registry_id), true, 0))
			{
				V3Unit	   *u = lfirst(lc);

				if (u->object.sequence > cp.sequence)
					units = lappend(units, u);
			}
		}
	}
	/* every shard of the dataset was in, the marker not yet cleared */
	if (units == NIL && first_sync && target >= 0 && cp.sequence == until)
		set_marker(key, -1);
	list_sort(units, unit_order);
	mark_last_shard(units);
	if (source_listing_full(units))
	{
		char	   *reason = psprintf("v3/%s holds more than %d archives to apply "
									  "(pkgmeta.max_listing_objects)",
									  pt->registry_id, pkgmeta_max_listing_objects);

		ereport(WARNING,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("pkgmeta: %s in %s: nothing of this type is synced", reason,
						source->location)));
		store_file_error(key, psprintf("v3/%s/", pt->registry_id), reason);
		return NIL;
	}
	return units;
}

/* The decimal basename of a delta member ("00000002.ndjson" -> 2), or -1. */
static int64
member_chunk(const char *member)
{
	const char *base = strrchr(member, '/');
	char	   *stem;
	int64		chunk;

	base = base ? base + 1 : member;
	stem = pnstrdup(base, strlen(base) - strlen(".ndjson"));
	return parse_number(stem, 10, 9, PG_INT32_MAX, &chunk) ? chunk : -1;
}

static bool
is_data_member(const char *member)
{
	size_t		len = strlen(member);

	return len > strlen(".ndjson") && strcmp(member + len - strlen(".ndjson"), ".ndjson") == 0;
}

void
v3_read_unit(Source *source, const FeedKey *key, V3Unit *unit,
			 ArchiveStream **archive, LineStream **stream, FileOutcome *out)
{
	char	   *archive_name = unit->object.name;
	FileStore  *fs;
	const char *member;
	int32		last_chunk = unit->object.chunk;

	*archive = archive_stream_open(source, &unit->object);
	fs = store_begin_file(key, &unit->object);
	while ((member = archive_stream_next_member(*archive)) != NULL)
	{
		if (!is_data_member(member))
			continue;			/* checkpoint.json and anything else */
		if (unit->is_delta)
		{
			int64		chunk = member_chunk(member);

			if (chunk >= 0)
				last_chunk = (int32) chunk;
		}
		/* bad lines name the member they are in */
		unit->object.name = psprintf("%s:%s", archive_name, member);
		*stream = line_stream_open_member(*archive, member, pkgmeta_max_line_length);
		store_add_lines(fs, *stream);
		line_stream_close(*stream);
		*stream = NULL;
	}
	archive_stream_finish(*archive);
	out->bytes = archive_stream_bytes_read(*archive);
	archive_stream_close(*archive);
	*archive = NULL;

	/* the checkpoint: (until, shard id) or (delta timestamp, its last member) */
	unit->object.name = archive_name;
	unit->object.chunk = last_chunk;
	out->bad_lines = store_file_bad_lines(fs);
	out->packages = store_finish_file(fs);
	out->findings = store_file_findings(fs);
	set_marker(key, unit->is_delta || unit->last_shard ? -1 : unit->object.sequence);
	out->applied = true;
}
