/*
 * hex.h
 *     Hexadecimal digits, for JSON \u escapes and purl percent-encoding.
 */
#ifndef PKGMETA_HEX_H
#define PKGMETA_HEX_H

/* The value of a hexadecimal digit, or -1 for any other character. */
static inline int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
