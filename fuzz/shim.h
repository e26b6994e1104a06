/*
 * shim.h
 *     What the fuzz harnesses need from fuzz/shim.c: the server functions
 *     the code under test calls (palloc, ereport, interrupts), implemented
 *     just enough to run outside the server, and an in-memory source.
 *
 *     An ereport(ERROR) records its code and message and longjmps to the
 *     innermost PG_TRY, as in the server; a harness treats that as the clean
 *     error of the input.  ERROR outside any PG_TRY, FATAL and PANIC abort.
 */
#ifndef PKGMETA_FUZZ_SHIM_H
#define PKGMETA_FUZZ_SHIM_H

#include "postgres.h"

#include "pg_compat.h"
#include "source.h"

/*
 * An in-memory source: its one object is data[0..len), read in blocks of
 * random sizes (mostly small, sometimes whatever fits) drawn from rng, which
 * must be nonzero.  Reading after finish is a finding.
 */
struct SourceReader
{
	const uint8_t *data;
	size_t		len;
	size_t		pos;
	uint32		rng;
	bool		finished;
};

extern const SourceMethods shim_memory_source_methods;

/* The reader the next open of the in-memory source returns. */
extern void shim_memory_source_set(SourceReader *reader);

/* xorshift32: the next value of a nonzero state. */
extern uint32 shim_random(uint32 *state);

/* SQLSTATE and message of the last ERROR raised. */
extern int	shim_error_code(void);
extern const char *shim_error_message(void);

/* Frees every palloc'd chunk: call after each input (nothing leaks). */
extern void shim_free_all(void);

/*
 * The verdict of a JSON record decoder on one line: accepted without a
 * reason (and, for UTF-8 input, JSON by the server's own parser), or
 * rejected with a reason that is UTF-8 where the input is.
 */
extern void shim_check_json_verdict(bool accepted, const char *reason,
									const char *line, size_t len, bool utf8_input);

/* Aborts with a message: a property of the code under test was violated. */
pg_noreturn extern void shim_fail(const char *fmt,...) pg_attribute_printf(1, 2);

#endif
