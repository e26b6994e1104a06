/*
 * package_writer.h
 *     Writes the records of one file straight into a table of packages
 *     keyed (purl_type, name) (pkgmeta.packages for v2, pkgmeta.v3_packages
 *     for v3), in line order, so a later line wins.  A new package joins a batch that is
 *     inserted the way COPY does (table_multi_insert, then index entries); a
 *     known one is updated in place unless its record changes nothing.
 *
 *     Whether a package is known comes from the primary key index, except
 *     in a purl type that had no packages when the run began writing it:
 *     there a filter of the names the run inserted answers "certainly new"
 *     for nearly every record of a first sync, which spares the lookup.
 */
#ifndef PKGMETA_PACKAGE_WRITER_H
#define PKGMETA_PACKAGE_WRITER_H

#include "postgres.h"

#include "purl_types.h"

typedef struct PackageWriter PackageWriter;

/*
 * Opens pkgmeta.<relname>, made with ncolumns columns of which the first
 * two are (purl_type, name), its primary key, for one file of a purl type.
 * Returns NULL when rows must go through SQL instead: the site added
 * triggers, constraints, columns or row level security to the table.
 * run_cxt holds what is kept from file to file.
 */
extern PackageWriter *package_writer_begin(const char *relname, int ncolumns,
										   PurlTypeId purl_type, MemoryContext run_cxt);

/* Where the caller builds a row's values; valid until package_writer_end_row. */
extern MemoryContext package_writer_row_context(PackageWriter *pw);

/* Writes one row (the table's columns in order). */
extern void package_writer_add(PackageWriter *pw, Datum *values, bool *nulls);

/* Ends the current row: frees what it used once the batch is written. */
extern void package_writer_end_row(PackageWriter *pw);

/*
 * Writes what is batched and closes everything.  Returns the packages the
 * file inserted or changed, each counted once.
 */
extern int64 package_writer_finish(PackageWriter *pw);

/* Drops what a run kept about names it inserted (at the end of a sync). */
extern void package_writer_forget_new_type(void);

#endif
