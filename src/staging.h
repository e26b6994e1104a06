/*
 * staging.h
 *     The unlogged staging tables of the license writers: rows of one file
 *     are inserted as heap tuples, then one INSERT ... SELECT merges them.
 */
#ifndef PKGMETA_STAGING_H
#define PKGMETA_STAGING_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "executor/spi.h"

typedef struct StagingTable StagingTable;

/* Opens pkgmeta.<relname> for one file's rows. */
extern StagingTable *staging_open(const char *relname);

extern TupleDesc staging_desc(StagingTable *st);

/* Where a row's values are built; staging_insert frees it again. */
extern MemoryContext staging_row_context(StagingTable *st);

/* Inserts one row built in the row context, then returns to caller_cxt. */
extern void staging_insert(StagingTable *st, Datum *values, bool *nulls,
						   MemoryContext caller_cxt);

/*
 * Runs merge (one argument, merge_arg) over the staged rows, empties the
 * table and closes it.  Returns the rows the merge wrote.
 */
extern int64 staging_merge(StagingTable *st, SPIPlanPtr merge, Datum merge_arg);

#endif
