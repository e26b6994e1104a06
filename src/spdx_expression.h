/*
 * spdx_expression.h
 *     The license identifiers an SPDX license expression names, for v3
 *     license sets that carry expressions but no identifiers.
 */
#ifndef PKGMETA_SPDX_EXPRESSION_H
#define PKGMETA_SPDX_EXPRESSION_H

#include <stdbool.h>
#include <stddef.h>

typedef void (*SpdxIdFound) (void *arg, const char *id, size_t len);

/*
 * Calls found(arg, id, len) for each license identifier of the expression,
 * in order (repeats included): "Apache-2.0 OR MIT" gives Apache-2.0, MIT;
 * "GPL-2.0-only WITH Classpath-exception-2.0" gives GPL-2.0-only (an
 * exception is not a license); "LicenseRef-x", "DocumentRef-d:LicenseRef-x"
 * and "GPL-2.0+" are identifiers as written.  Operators (AND, OR, WITH in
 * any case) and parentheses are not; a word with other characters than
 * SPDX's [A-Za-z0-9.-] (and ":", a final "+") or longer than max_len is
 * skipped, so malformed text yields only what is plainly an identifier.
 */
extern void spdx_expression_ids(const char *expr, size_t len, size_t max_len,
								SpdxIdFound found, void *arg);

#endif
