/*
 * pg_compat.h
 *     The server API differences between the PostgreSQL major versions
 *     pkgmeta builds against (15 to 18), in one place: the code calls the
 *     names below and stays free of version tests.  Tested here on 15, 16
 *     and 18; 17, of which no server is at hand, takes the side its release
 *     notes and headers give (doc/postgres-versions.md lists every change).
 */
#ifndef PKGMETA_PG_COMPAT_H
#define PKGMETA_PG_COMPAT_H

#include "postgres.h"

#include "access/genam.h"
#include "access/tableam.h"
#include "common/base64.h"
#include "common/jsonapi.h"
#include "executor/executor.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "storage/sinvaladt.h"
#include "utils/guc.h"
#include "utils/relcache.h"

/* 16 moved the varlena macros (VARDATA, VARSIZE_ANY...) out of postgres.h */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/*
 * A function that never returns, marked before its declaration: 18 has
 * only pg_noreturn (C11 _Noreturn), before it pg_attribute_noreturn() went
 * after the declarator.  _Noreturn does on all of them (we build as C11).
 */
#ifndef pg_noreturn
#define pg_noreturn _Noreturn
#endif

/*
 * The primary key index of rel.  18 asks whether a deferrable one will do:
 * no, as the unique check of the inserts must be immediate.
 */
#if PG_VERSION_NUM >= 180000
#define compat_primary_key_index(rel) RelationGetPrimaryKeyIndex((rel), false)
#else
#define compat_primary_key_index(rel) RelationGetPrimaryKeyIndex(rel)
#endif

/* An index scan without EXPLAIN instrumentation (18 added that argument). */
#if PG_VERSION_NUM >= 180000
#define compat_index_beginscan(heap, index, snapshot, nkeys, norderbys) \
	index_beginscan((heap), (index), (snapshot), NULL, (nkeys), (norderbys))
#else
#define compat_index_beginscan(heap, index, snapshot, nkeys, norderbys) \
	index_beginscan((heap), (index), (snapshot), (nkeys), (norderbys))
#endif

/*
 * The index entries of a row just inserted or updated.  16 added
 * onlySummarizing: after an update that HOT kept on its page, only the
 * summarizing indexes (BRIN, should a site add one) take the new version.
 * Before 16 such an update needed no index entry at all.
 */
#if PG_VERSION_NUM >= 160000
#define compat_insert_index_tuples(rri, slot, estate, update, only_summarizing) \
	ExecInsertIndexTuples((rri), (slot), (estate), (update), false, NULL, NIL, \
						  (only_summarizing))
#else
#define compat_insert_index_tuples(rri, slot, estate, update, only_summarizing) \
	ExecInsertIndexTuples((rri), (slot), (estate), (update), false, NULL, NIL)
#endif

/*
 * simple_table_tuple_update(), returning whether the new row version needs
 * index entries and, in *only_summarizing, whether only the summarizing
 * indexes do (15 answers with a bool, 16 with TU_UpdateIndexes).
 */
static inline bool
compat_simple_update(Relation rel, ItemPointer tid, TupleTableSlot *slot,
					 Snapshot snapshot, bool *only_summarizing)
{
#if PG_VERSION_NUM >= 160000
	TU_UpdateIndexes update_indexes;

	simple_table_tuple_update(rel, tid, slot, snapshot, &update_indexes);
	*only_summarizing = update_indexes == TU_Summarizing;
	return update_indexes != TU_None;
#else
	bool		update_indexes;

	simple_table_tuple_update(rel, tid, slot, snapshot, &update_indexes);
	*only_summarizing = false;
	return update_indexes;
#endif
}

/* The sequence of an identity column: 17 takes the relation, not its oid. */
#if PG_VERSION_NUM >= 170000
#define compat_identity_sequence(rel, attnum) getIdentitySequence((rel), (attnum), false)
#else
#define compat_identity_sequence(rel, attnum) \
	getIdentitySequence(RelationGetRelid(rel), (attnum), false)
#endif

/*
 * A JSON semantic action returns a JsonParseErrorType from 16 on (nothing
 * before): declare it as returning json_action_result and end it with
 * return JSON_ACTION_DONE.
 */
#if PG_VERSION_NUM >= 160000
typedef JsonParseErrorType json_action_result;
#define JSON_ACTION_DONE JSON_SUCCESS
#else
typedef void json_action_result;
#define JSON_ACTION_DONE
#endif

/* A lexer of a string of len bytes; 17 lets the caller provide its struct. */
#if PG_VERSION_NUM >= 170000
#define compat_json_lexer(json, len, encoding, need_escapes) \
	makeJsonLexContextCstringLen(NULL, (json), (len), (encoding), (need_escapes))
#else
#define compat_json_lexer(json, len, encoding, need_escapes) \
	makeJsonLexContextCstringLen((json), (len), (encoding), (need_escapes))
#endif

/*
 * A backend's number, whose PGPROC GetPGProcByNumber() finds: 17 made the
 * proc number the one backend identifier (ProcNumber, MyProcNumber) in
 * place of PGPROC.pgprocno and of the BackendId of virtual transactions.
 */
#if PG_VERSION_NUM >= 170000
#define COMPAT_INVALID_PROCNO INVALID_PROC_NUMBER
#define compat_my_procno() MyProcNumber
#define compat_vxid_proc(vxid) ProcNumberGetProc((vxid).procNumber)
#else
#define COMPAT_INVALID_PROCNO INVALID_PGPROCNO
#define compat_my_procno() (MyProc->pgprocno)
#define compat_vxid_proc(vxid) BackendIdGetProc((vxid).backendId)
#endif

/* Base64 of bytes: 18 types the binary side uint8, before it was char. */
#if PG_VERSION_NUM >= 180000
#define compat_b64_encode(src, len, dst, dstlen) \
	pg_b64_encode((src), (len), (dst), (dstlen))
#define compat_b64_decode(src, len, dst, dstlen) \
	pg_b64_decode((src), (len), (dst), (dstlen))
#else
#define compat_b64_encode(src, len, dst, dstlen) \
	pg_b64_encode((const char *) (src), (len), (dst), (dstlen))
#define compat_b64_decode(src, len, dst, dstlen) \
	pg_b64_decode((src), (len), (char *) (dst), (dstlen))
#endif

/*
 * The extra data a GUC check hook hands to its assign hook: 16 frees it
 * with guc_free(), so it must come from guc_malloc(); before, from malloc().
 * NULL when out of memory (logged on 16 and later).
 */
#if PG_VERSION_NUM >= 160000
#define compat_guc_extra_alloc(size) guc_malloc(LOG, (size))
#define compat_guc_extra_free(ptr) guc_free(ptr)
#else
#define compat_guc_extra_alloc(size) malloc(size)
#define compat_guc_extra_free(ptr) free(ptr)
#endif

#endif							/* PKGMETA_PG_COMPAT_H */
