/*
 * archive_stub.c
 *     What fuzz_stream links in place of src/archive_stream.c: the target
 *     reads a source's bytes, never an archive's member, so the member
 *     path of stream.c is never taken (reaching it is a finding).
 */
#include "postgres.h"

#include "archive_stream.h"
#include "shim.h"

const char *
archive_stream_name(const ArchiveStream *as)
{
	shim_fail("fuzz_stream reached an archive member");
}

size_t
archive_stream_read(ArchiveStream *as, char *buf, size_t cap)
{
	shim_fail("fuzz_stream reached an archive member");
}
