/*
 * package_sink.c
 *     See package_sink.h: the choice between the direct writer and the
 *     staging table, made once per file.
 */
#include "postgres.h"

#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "package_sink.h"

#define ATTNO_EXCEPTIONS 6

void
package_sink_open(PackageSink *sink, const char *relname, int ncolumns,
				  const char *staging_relname, PurlTypeId purl_type, MemoryContext run_cxt)
{
	sink->purl_type = purl_type;
	/* the staging table's composite type serves the direct writer too */
	sink->staging = staging_open(staging_relname);
	sink->exception_type =
		get_element_type(TupleDescAttr(staging_desc(sink->staging),
									   ATTNO_EXCEPTIONS - 1)->atttypid);
	sink->exception_desc = lookup_rowtype_tupdesc_copy(sink->exception_type, -1);
	sink->direct = package_writer_begin(relname, ncolumns, purl_type, run_cxt);
}

MemoryContext
package_sink_row_context(PackageSink *sink)
{
	return sink->direct ? package_writer_row_context(sink->direct)
		: staging_row_context(sink->staging);
}

void
package_sink_write(PackageSink *sink, Datum *values, bool *nulls, int64 order,
				   MemoryContext caller_cxt)
{
	if (sink->direct != NULL)
	{
		values[0] = Int16GetDatum(sink->purl_type);
		package_writer_add(sink->direct, values, nulls);
		MemoryContextSwitchTo(caller_cxt);
		package_writer_end_row(sink->direct);
	}
	else
	{
		values[0] = Int64GetDatum(order);
		staging_insert(sink->staging, values, nulls, caller_cxt);
	}
}

int64
package_sink_finish(PackageSink *sink, SPIPlanPtr merge)
{
	int64		written = sink->direct != NULL ? package_writer_finish(sink->direct) : 0;

	return written + staging_merge(sink->staging, merge, Int16GetDatum(sink->purl_type));
}
