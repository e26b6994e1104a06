/*
 * subxact.c
 *     See subxact.h; the pattern is exec_stmt_block's in pl_exec.c.
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/resowner.h"

#include "error_policy.h"
#include "subxact.h"

ErrorData *
run_in_subtransaction(void (*work) (void *arg), void (*on_error) (void *arg), void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		work(arg);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		if (on_error != NULL)
			on_error(arg);
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		if (error_stops_sync(edata->sqlerrcode))
			ReThrowError(edata);
	}
	PG_END_TRY();
	return edata;
}
