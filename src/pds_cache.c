/*
 * pds_cache.c
 *     The /supported answers of the distribution service in shared memory:
 *     a few slots, each a URL, when it was asked and the registries it
 *     listed, under one spinlock (the work under it is a copy).  Shared
 *     rather than per process because syncs run in the worker and in any
 *     session; lost on restart, which only costs one request.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/timestamp.h"

#include "pds_answer.h"
#include "pds_cache.h"

/* One slot per data type's /supported URL, and spares for a changed endpoint. */
#define PDS_CACHE_SLOTS 4
#define PDS_CACHE_URL_LEN 1024
/* registries comma-separated */
#define PDS_CACHE_LIST_LEN (PDS_MAX_REGISTRIES * (PDS_MAX_REGISTRY_LEN + 1))

typedef struct PdsCacheSlot
{
	TimestampTz asked_at;		/* 0: empty */
	char		url[PDS_CACHE_URL_LEN];
	char		registries[PDS_CACHE_LIST_LEN];
} PdsCacheSlot;

typedef struct PdsCache
{
	slock_t		mutex;
	PdsCacheSlot slots[PDS_CACHE_SLOTS];
} PdsCache;

static PdsCache *cache = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void
pds_cache_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(PdsCache)));
}

static void
pds_cache_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	cache = ShmemInitStruct("pkgmeta pds supported", sizeof(PdsCache), &found);
	if (!found)
	{
		memset(cache, 0, sizeof(PdsCache));
		SpinLockInit(&cache->mutex);
	}
	LWLockRelease(AddinShmemInitLock);
}

void
pds_cache_install_hooks(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = pds_cache_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = pds_cache_shmem_startup;
}

bool
pds_cache_get(const char *url, List **registries)
{
	TimestampTz oldest = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
												-(int64) PDS_SUPPORTED_TTL_SECONDS * 1000);
	char		list[PDS_CACHE_LIST_LEN];
	bool		found = false;
	char	   *name;
	char	   *save;

	if (cache == NULL)
		return false;
	SpinLockAcquire(&cache->mutex);
	for (int i = 0; i < PDS_CACHE_SLOTS; i++)
		if (cache->slots[i].asked_at > oldest && strcmp(cache->slots[i].url, url) == 0)
		{
			memcpy(list, cache->slots[i].registries, sizeof(list));
			found = true;
			break;
		}
	SpinLockRelease(&cache->mutex);
	if (!found)
		return false;
	*registries = NIL;
	for (name = strtok_r(list, ",", &save); name != NULL; name = strtok_r(NULL, ",", &save))
		*registries = lappend(*registries, pstrdup(name));
	return true;
}

void
pds_cache_put(const char *url, char **registries, int count)
{
	char		list[PDS_CACHE_LIST_LEN] = "";
	size_t		used = 0;
	int			slot = 0;
	TimestampTz now = GetCurrentTimestamp();

	if (cache == NULL || strlen(url) >= PDS_CACHE_URL_LEN)
		return;
	/* pds_parse_supported bounds these: they fit, without commas */
	for (int i = 0; i < count; i++)
		used += snprintf(list + used, sizeof(list) - used, "%s%s", i ? "," : "", registries[i]);
	SpinLockAcquire(&cache->mutex);
	/* the URL's own slot, else the oldest */
	for (int i = 0; i < PDS_CACHE_SLOTS; i++)
	{
		if (strcmp(cache->slots[i].url, url) == 0)
		{
			slot = i;
			break;
		}
		if (cache->slots[i].asked_at < cache->slots[slot].asked_at)
			slot = i;
	}
	cache->slots[slot].asked_at = now;
	strcpy(cache->slots[slot].url, url);
	memcpy(cache->slots[slot].registries, list, sizeof(list));
	SpinLockRelease(&cache->mutex);
}
