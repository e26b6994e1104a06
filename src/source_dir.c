/*
 * source_dir.c
 *     A mirror directory: the bucket's tree below a local path.
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/fd.h"

#include "source_dir.h"

typedef struct DirSource
{
	Source		base;
	char	   *root;
} DirSource;

struct SourceReader
{
	int			fd;
	char	   *path;
};

static bool
is_directory(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static List *
dir_list(Source *source, const char *prefix, const char *ext, const char *start_at)
{
	DirSource  *ds = (DirSource *) source;
	char	   *registry_dir = psprintf("%s/%s", ds->root, prefix);
	List	   *objects = NIL;
	DIR		   *seqdir;
	struct dirent *se;

	/* a registry with no folder simply has nothing to sync */
	if (!is_directory(registry_dir))
		return NIL;

	seqdir = AllocateDir(registry_dir);
	while (!source_listing_full(objects) &&
		   (se = ReadDir(seqdir, registry_dir)) != NULL)
	{
		char	   *seqpath;
		DIR		   *chunkdir;
		struct dirent *ce;

		if (se->d_name[0] == '.')
			continue;
		seqpath = psprintf("%s/%s", registry_dir, se->d_name);
		if (!is_directory(seqpath))
		{
			elog(LOG, "pkgmeta: ignoring \"%s%s\": not a <sequence>/ folder", prefix, se->d_name);
			continue;
		}
		chunkdir = AllocateDir(seqpath);
		while (!source_listing_full(objects) &&
			   (ce = ReadDir(chunkdir, seqpath)) != NULL)
		{
			char	   *rel;
			SourceObject *obj;

			if (ce->d_name[0] == '.')
				continue;
			rel = psprintf("%s/%s", se->d_name, ce->d_name);
			obj = palloc0(sizeof(SourceObject));
			if (!source_parse_object_name(rel, ext, &obj->sequence, &obj->chunk))
			{
				elog(LOG, "pkgmeta: ignoring \"%s%s\": not <sequence>/<chunk>.%s[.gz]",
					 prefix, rel, ext);
				pfree(obj);
				continue;
			}
			obj->name = psprintf("%s%s", prefix, rel);
			obj->size = -1;
			objects = lappend(objects, obj);
		}
		FreeDir(chunkdir);
	}
	FreeDir(seqdir);
	source_sort_objects(objects);
	return objects;
}

static SourceReader *
dir_open(Source *source, const SourceObject *object)
{
	DirSource  *ds = (DirSource *) source;
	SourceReader *r = palloc0(sizeof(SourceReader));

	r->path = psprintf("%s/%s", ds->root, object->name);
	r->fd = OpenTransientFile(r->path, O_RDONLY | PG_BINARY);
	if (r->fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open \"%s\": %m", r->path)));
	return r;
}

static size_t
dir_read(SourceReader *r, char *buf, size_t cap)
{
	for (;;)
	{
		ssize_t		n = read(r->fd, buf, cap);

		if (n >= 0)
			return (size_t) n;
		if (errno != EINTR)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read \"%s\": %m", r->path)));
	}
}

static void
dir_finish(SourceReader *r)
{
	/* a local file has nothing more to verify */
}

static void
dir_close(SourceReader *r)
{
	if (r->fd >= 0)
		CloseTransientFile(r->fd);
	r->fd = -1;
}

static void
dir_destroy(Source *source)
{
}

static const SourceMethods dir_methods = {
	dir_list, dir_open, dir_read, dir_finish, dir_close, dir_destroy
};

Source *
source_dir_create(const char *location, const char *dir, const char *setting_name)
{
	DirSource  *ds;

	if (!is_directory(dir))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("mirror directory \"%s\" does not exist or is not a directory", dir),
				 errhint("Set %s to file:// and the absolute path of a copy of the bucket "
						 "(the folder that holds v2/).", setting_name)));
	ds = palloc0(sizeof(DirSource));
	ds->base.methods = &dir_methods;
	ds->base.location = pstrdup(location);
	ds->root = pstrdup(dir);
	return &ds->base;
}
