/*
 * package_sink.h
 *     Where a license writer's package rows go for one file: straight into
 *     the table by package_writer.c, or, when the site changed the table,
 *     into its staging table, which one INSERT ... ON CONFLICT then merges
 *     (the later line wins either way).  The v2 and v3 writers share it.
 */
#ifndef PKGMETA_PACKAGE_SINK_H
#define PKGMETA_PACKAGE_SINK_H

#include "postgres.h"

#include "executor/spi.h"

#include "package_writer.h"
#include "staging.h"

typedef struct PackageSink
{
	PurlTypeId	purl_type;
	PackageWriter *direct;		/* NULL: through the staging table */
	StagingTable *staging;
	Oid			exception_type; /* the license_exception type of column 6 */
	TupleDesc	exception_desc;
} PackageSink;

/*
 * Opens pkgmeta.<relname> (ncolumns columns, as package_writer_begin
 * says) and its staging table pkgmeta.<staging_relname>, whose first
 * column orders the rows.  run_cxt holds what is kept from file to file.
 */
extern void package_sink_open(PackageSink *sink, const char *relname, int ncolumns,
							  const char *staging_relname, PurlTypeId purl_type,
							  MemoryContext run_cxt);

/* Where the caller builds a row's values; valid until package_sink_write. */
extern MemoryContext package_sink_row_context(PackageSink *sink);

/*
 * Writes one row whose columns after the first are set; the first becomes
 * the purl type, or order in the staging table.  Returns to caller_cxt.
 */
extern void package_sink_write(PackageSink *sink, Datum *values, bool *nulls, int64 order,
							   MemoryContext caller_cxt);

/*
 * Writes what is pending, merging the staged rows with merge (its one
 * argument: the purl type).  Returns the packages the file wrote.
 */
extern int64 package_sink_finish(PackageSink *sink, SPIPlanPtr merge);

#endif
