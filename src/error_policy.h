/*
 * error_policy.h
 *     Which caught errors belong to the data (recorded, then the sync goes
 *     on) and which are a request to stop (re-thrown at once).
 */
#ifndef PKGMETA_ERROR_POLICY_H
#define PKGMETA_ERROR_POLICY_H

#include "postgres.h"

static inline bool
error_stops_sync(int sqlerrcode)
{
	return sqlerrcode == ERRCODE_QUERY_CANCELED ||
		sqlerrcode == ERRCODE_ADMIN_SHUTDOWN ||
		sqlerrcode == ERRCODE_CRASH_SHUTDOWN;
}

#endif
