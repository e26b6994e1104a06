/*
 * shim.c
 *     Just enough of the server for the fuzz targets: memory allocation
 *     (every chunk is tracked, so a harness frees all after each input and
 *     LeakSanitizer stays quiet), error reporting (ERROR longjmps to the
 *     innermost PG_TRY), interrupt checks, and an in-memory source of
 *     random block sizes for the stream readers.  StringInfo, the encoding
 *     checks, psprintf and strlcpy come from the installation's libpgcommon and
 *     libpgport, so the code under test runs the real implementations.
 */
#include "postgres.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "shim.h"

/* Every live chunk is on a doubly linked list headed by chunks. */
typedef struct Chunk
{
	struct Chunk *prev;
	struct Chunk *next;
	size_t		size;
	max_align_t align[];		/* the caller's bytes start here */
} Chunk;

static Chunk *chunks = NULL;

sigjmp_buf *PG_exception_stack = NULL;
/* one flat arena: a context switch changes nothing the shim allocates */
MemoryContext CurrentMemoryContext = NULL;
ErrorContextCallback *error_context_stack = NULL;
volatile sig_atomic_t InterruptPending = false;

static int	error_level;
static int	error_code;
static char error_message[1024];

static void *
chunk_alloc(Size size, bool zero)
{
	Chunk	   *c;

	if (size > MaxAllocSize)
		shim_fail("invalid memory alloc request size %zu", (size_t) size);
	c = zero ? calloc(1, sizeof(Chunk) + size) : malloc(sizeof(Chunk) + size);
	if (c == NULL)
		shim_fail("out of memory (%zu bytes)", (size_t) size);
	c->size = size;
	c->prev = NULL;
	c->next = chunks;
	if (chunks)
		chunks->prev = c;
	chunks = c;
	return c->align;
}

static Chunk *
chunk_of(void *pointer)
{
	return (Chunk *) ((char *) pointer - offsetof(Chunk, align));
}

static void
chunk_unlink(Chunk *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		chunks = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

void *
palloc(Size size)
{
	return chunk_alloc(size, false);
}

void *
palloc0(Size size)
{
	return chunk_alloc(size, true);
}

void *
palloc_extended(Size size, int flags)
{
	return chunk_alloc(size, (flags & MCXT_ALLOC_ZERO) != 0);
}

void *
repalloc(void *pointer, Size size)
{
	Chunk	   *old = chunk_of(pointer);
	void	   *fresh = chunk_alloc(size, false);

	memcpy(fresh, pointer, Min(old->size, size));
	pfree(pointer);
	return fresh;
}

void
pfree(void *pointer)
{
	Chunk	   *c = chunk_of(pointer);

	chunk_unlink(c);
	free(c);
}

char *
pstrdup(const char *in)
{
	size_t		len = strlen(in);
	char	   *out = palloc(len + 1);

	memcpy(out, in, len + 1);
	return out;
}

char *
pnstrdup(const char *in, Size size)
{
	size_t		len = strnlen(in, size);
	char	   *out = palloc(len + 1);

	memcpy(out, in, len);
	out[len] = '\0';
	return out;
}

void
shim_free_all(void)
{
	while (chunks)
	{
		Chunk	   *c = chunks;

		chunks = c->next;
		free(c);
	}
}

uint32
shim_random(uint32 *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

static SourceReader *memory_reader;

void
shim_memory_source_set(SourceReader *reader)
{
	memory_reader = reader;
}

static SourceReader *
memory_open(Source *source, const SourceObject *object)
{
	return memory_reader;
}

static size_t
memory_read(SourceReader *r, char *buf, size_t cap)
{
	size_t		want = (shim_random(&r->rng) % 4 == 0) ? cap : 1 + shim_random(&r->rng) % 17;
	size_t		n = Min(Min(want, cap), r->len - r->pos);

	if (r->finished)
		shim_fail("read after finish");
	memcpy(buf, r->data + r->pos, n);
	r->pos += n;
	return n;
}

static void
memory_finish(SourceReader *r)
{
	r->finished = true;
}

static void
memory_close(SourceReader *r)
{
}

const SourceMethods shim_memory_source_methods = {
	NULL, memory_open, memory_read, memory_finish, memory_close, NULL
};

void
shim_check_json_verdict(bool accepted, const char *reason, const char *line, size_t len,
						bool utf8_input)
{
	int			reason_len = strlen(reason);

	if (accepted)
	{
		JsonLexContext *lex;

		if (reason_len > 0)
			shim_fail("accepted with a reason: %s", reason);
		if (!utf8_input)
			return;
		lex = compat_json_lexer((char *) line, len, PG_UTF8, true);
		if (pg_parse_json(lex, &nullSemAction) != JSON_SUCCESS)
			shim_fail("accepted a line the server's JSON parser rejects");
	}
	else if (reason_len == 0)
		shim_fail("rejected without a reason");
	else if (utf8_input && pg_encoding_verifymbstr(PG_UTF8, reason, reason_len) != reason_len)
		shim_fail("a reason that is not UTF-8 (it goes to a text column): %s", reason);
}

void
shim_fail(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "fuzz property violated: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

bool
errstart(int elevel, const char *domain)
{
	/* only errors change control flow; the rest is noise here */
	if (elevel < ERROR)
		return false;
	error_level = elevel;
	error_code = ERRCODE_INTERNAL_ERROR;
	error_message[0] = '\0';
	return true;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	if (error_level > ERROR)
		shim_fail("%s at %s:%d: %s", error_level == FATAL ? "FATAL" : "PANIC",
				  filename, lineno, error_message);
	if (PG_exception_stack == NULL)
		shim_fail("ERROR outside PG_TRY at %s:%d: %s", filename, lineno, error_message);
	siglongjmp(*PG_exception_stack, 1);
}

void
pg_re_throw(void)
{
	if (PG_exception_stack == NULL)
		shim_fail("re-thrown ERROR outside PG_TRY: %s", error_message);
	siglongjmp(*PG_exception_stack, 1);
}

void
FlushErrorState(void)
{
	error_level = 0;
}

int
errcode(int sqlerrcode)
{
	error_code = sqlerrcode;
	return 0;
}

int
errcode_for_file_access(void)
{
	error_code = ERRCODE_IO_ERROR;
	return 0;
}

static void
set_message(const char *fmt, va_list ap)
{
	vsnprintf(error_message, sizeof(error_message), fmt, ap);
}

/*
 * The error message functions: errmsg and errmsg_internal keep the message;
 * details and hints are formatted (their arguments must be sound) and dropped.
 */
static void
format_and_drop(const char *fmt, va_list ap)
{
	char		buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
}

#define SHIM_MESSAGE_FUNCTION(name, handler) \
int \
name(const char *fmt,...) \
{ \
	va_list		ap; \
\
	va_start(ap, fmt); \
	handler(fmt, ap); \
	va_end(ap); \
	return 0; \
}

SHIM_MESSAGE_FUNCTION(errmsg, set_message)
SHIM_MESSAGE_FUNCTION(errmsg_internal, set_message)
SHIM_MESSAGE_FUNCTION(errdetail, format_and_drop)
SHIM_MESSAGE_FUNCTION(errdetail_internal, format_and_drop)
SHIM_MESSAGE_FUNCTION(errhint, format_and_drop)

/* What the code under test keeps of a caught ERROR: its code and message. */
ErrorData *
CopyErrorData(void)
{
	ErrorData  *e = palloc0(sizeof(ErrorData));

	e->elevel = error_level;
	e->sqlerrcode = error_code;
	e->message = pstrdup(error_message);
	return e;
}

void
ReThrowError(ErrorData *edata)
{
	error_level = edata->elevel;
	error_code = edata->sqlerrcode;
	strlcpy(error_message, edata->message, sizeof(error_message));
	pg_re_throw();
}

int
shim_error_code(void)
{
	return error_code;
}

const char *
shim_error_message(void)
{
	return error_message;
}

void
ProcessInterrupts(void)
{
	InterruptPending = false;
}
